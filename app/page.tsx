// Overview: every task with its datasets, and a methods × datasets table of official-split scores
// with the mean normalized score per domain.
import Link from "next/link";
import { Suspense } from "react";
import { DOMAIN_ORDER, getOverview, load, type OverviewTask } from "@/lib/data.ts";
import { formatScore } from "@/lib/format.ts";
import { DomainBadge, StatusBadge, Tag } from "./_components/badges.tsx";
import { DbError } from "./_components/db-error.tsx";
import { LoadingSkeleton } from "./_components/loading-skeleton.tsx";
import { FailedMark, ScoringNote } from "./_components/scoring-note.tsx";

export const dynamic = "force-dynamic";

// No app/loading.tsx: a Suspense boundary above every route would send HTTP 200 before a task or run
// page could answer 404. The overview streams its own loading state instead.
export default function OverviewPage() {
  return (
    <div className="space-y-10">
      <section className="max-w-3xl">
        <h1 className="text-2xl font-semibold tracking-tight">Interpretability methods, scored against ground truth</h1>
        <p className="mt-2 text-slate-600">
          Each task asks a question interpretability methods claim to answer, on datasets where the answer is known: synthetic populations,
          artificial networks and biological recordings. Scores are means over the official split with 95% bootstrap intervals; normalized
          scores put the best trivial answer (chance or a floor row: best constant, shape only, the task&apos;s shortcut) at 0 and the
          ground-truth oracle at 1.
        </p>
      </section>

      <Suspense fallback={<LoadingSkeleton />}>
        <Tasks />
      </Suspense>
    </div>
  );
}

async function Tasks() {
  const result = await load(getOverview);
  if (!result.ok) return <DbError message={result.error} />;
  const { tasks } = result.data;
  return (
    <section id="tasks" className="space-y-8">
      {tasks.length === 0 && (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600" data-testid="empty">
          No tasks are registered yet. Run the benchmark with <code className="font-mono">npx cajal run</code> (or{" "}
          <code className="font-mono">npx cajal start</code>) to fill the database.
        </div>
      )}
      {tasks.map((task) => (
        <TaskCard key={task.id} task={task} />
      ))}
    </section>
  );
}

function TaskCard({ task }: { task: OverviewTask }) {
  const domains = DOMAIN_ORDER.filter((d) => task.domains.includes(d));
  return (
    <article
      className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
      data-testid="overview-task"
      data-task={task.id}
    >
      <div className="border-b border-slate-100 px-6 py-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-lg font-semibold">
            <Link href={`/tasks/${task.id}`} className="hover:text-indigo-700 hover:underline">
              {task.title}
            </Link>{" "}
            <span className="font-mono text-xs font-normal text-slate-400">
              {task.id} v{task.version}
            </span>
          </h2>
          <Link href={`/tasks/${task.id}`} className="text-sm font-medium text-indigo-600 hover:underline">
            Leaderboard →
          </Link>
        </div>
        <p className="mt-1 text-sm text-slate-500">{task.question}</p>
        <p className="mt-2 max-w-3xl text-sm text-slate-700">{task.description}</p>
        <ul className="mt-3 flex flex-wrap gap-x-5 gap-y-2 text-sm">
          {task.datasets.map((d) => (
            <li key={d.slug} className="flex items-center gap-1.5" data-testid="overview-dataset" data-dataset={d.slug}>
              <span className="text-slate-800">{d.title}</span>
              <DomainBadge domain={d.domain} />
            </li>
          ))}
        </ul>
      </div>

      {task.methods.length === 0 ? (
        <p className="px-6 py-5 text-sm text-slate-500">
          No official-split results yet: <code className="font-mono">npx cajal run --task {task.id} --split official</code>
        </p>
      ) : (
        <div className="overflow-x-auto">
          {/* Cells link with plain anchors (as the leaderboards): hundreds of next/link client components would weigh more. */}
          <table className="data-table min-w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs text-slate-500">
              <tr>
                <th rowSpan={2} className="px-6 py-2 font-medium">
                  Method
                </th>
                <th colSpan={task.datasets.length} className="border-l border-slate-200 px-3 pt-2 pb-0 text-center font-medium">
                  {task.mainScore.label} per dataset
                </th>
                <th colSpan={domains.length} className="border-l border-slate-200 px-3 pt-2 pb-0 text-center font-medium">
                  Normalized, mean per domain
                </th>
                <th
                  rowSpan={2}
                  className="border-l border-slate-200 px-3 py-2 text-right font-medium"
                  title="Transfer gap: synthetic minus biological normalized score"
                >
                  Gap
                </th>
              </tr>
              <tr>
                {task.datasets.map((d, i) => (
                  <th key={d.slug} className={`px-3 py-2 text-right font-normal ${i === 0 ? "border-l border-slate-200" : ""}`}>
                    {d.title}
                  </th>
                ))}
                {domains.map((d, i) => (
                  <th
                    key={d}
                    className={`px-3 py-2 text-right font-normal ${i === 0 ? "border-l border-slate-200" : ""} ${task.domainNotes[d] ? "text-slate-400" : ""}`}
                    title={task.domainNotes[d]}
                    data-testid="domain-column"
                    data-domain={d}
                  >
                    {d}
                    {task.domainNotes[d] && <span className="ml-0.5">*</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {task.methods.map((m) => (
                <tr
                  key={m.method}
                  className={m.isChance ? "bg-slate-50/60 text-slate-500" : m.isFloor ? "bg-amber-50/50 text-amber-900/80" : undefined}
                  data-testid="overview-row"
                  data-method={m.method}
                  data-role={m.isChance ? "chance" : m.isFloor ? "floor" : "method"}
                >
                  <td className="px-6">
                    <a
                      href={`/methods/${m.method}`}
                      className={m.isChance || m.isFloor ? "italic" : "font-medium text-slate-900"}
                      data-testid="method-link"
                    >
                      {m.methodName}
                    </a>{" "}
                    {m.isChance && <Tag>chance</Tag>}
                    {m.isFloor && <Tag tone="amber">floor · to beat</Tag>}
                  </td>
                  {task.datasets.map((d, i) => {
                    const cell = m.cells[d.slug];
                    return (
                      <td key={d.slug} className={i === 0 ? "border-l border-slate-100 text-right" : "text-right"}>
                        {!cell ? (
                          <span className="text-slate-300">—</span>
                        ) : cell.score !== null ? (
                          <>
                            <a href={`/runs/${cell.runId}`} title={`normalized ${formatScore(cell.normalized)}`}>
                              {formatScore(cell.score)}
                            </a>
                            <FailedMark failed={cell.failedInstances} of={cell.instances} />
                          </>
                        ) : (
                          <a href={`/runs/${cell.runId}`} title={cell.message ?? cell.status}>
                            <StatusBadge status={cell.status} />
                          </a>
                        )}
                      </td>
                    );
                  })}
                  {domains.map((d, i) => {
                    const dm = task.domainNotes[d] ? undefined : m.domainMeans[d];
                    return (
                      <td key={d} className={i === 0 ? "border-l border-slate-100 text-right" : "text-right"}>
                        {dm === undefined ? (
                          <span className="text-slate-300">—</span>
                        ) : dm.mean === null ? (
                          <span
                            className="text-xs text-slate-400"
                            title="No domain score: a run is missing or unfinished on some dataset of this domain"
                            data-testid="domain-incomplete"
                          >
                            {dm.of === 0 ? "—" : `— (${dm.count}/${dm.of})`}
                          </span>
                        ) : (
                          <>
                            {formatScore(dm.mean, 2)}
                            {dm.failedInstances > 0 && (
                              <span className="ml-1 text-xs text-rose-600" title="instances failed, counted at the task's lowest score">
                                ({dm.failedInstances} failed)
                              </span>
                            )}
                          </>
                        )}
                      </td>
                    );
                  })}
                  <td className="border-l border-slate-100 text-right" data-testid="transfer-gap">
                    {m.transferGap === null ? <span className="text-slate-300">—</span> : formatScore(m.transferGap, 2)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ScoringNote className="border-t border-slate-100 px-6 pt-2.5" />
      <p className="px-6 pb-2.5 text-xs text-slate-500">
        Official split, current versions. The oracle (reads the ground truth) is the normalization reference and is not listed.
        {Object.entries(task.domainNotes).map(([domain, note]) => (
          <span key={domain} className="block" data-testid="domain-note" data-domain={domain}>
            * {domain}: {note}
          </span>
        ))}
      </p>
    </article>
  );
}
