// A task's leaderboard: one table (and score plot) per dataset, official split, current versions.
// Methods are ranked by score; the random reference is the (unranked) chance row; the oracle is
// only the normalization reference shown under the table; failed runs show status and message.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Tag } from "@/app/_components/badges.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { Downloads } from "@/app/_components/downloads.tsx";
import { Leaderboard } from "@/app/_components/leaderboard.tsx";
import { ScoringNote } from "@/app/_components/scoring-note.tsx";
import { DOMAIN_ORDER, getTask, load, type TaskPage } from "@/lib/data.ts";
import { formatScore, shortHash } from "@/lib/format.ts";
import { taskMetadata } from "@/lib/metadata.ts";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ taskId: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { taskId } = await params;
  return taskMetadata(taskId);
}

export default async function TaskLeaderboardPage({ params }: Props) {
  const { taskId } = await params;
  const result = await load(() => getTask(taskId));
  if (!result.ok) return <DbError message={result.error} />;
  const task = result.data;
  if (!task) notFound();
  return (
    <div className="space-y-10">
      <header>
        <nav className="text-sm text-slate-500">
          <Link href="/" className="hover:underline">
            Overview
          </Link>{" "}
          / <span className="font-mono">{task.id}</span>
        </nav>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight" data-testid="task-title">
          {task.title}
        </h1>
        <p className="mt-1 text-slate-500">{task.question}</p>
        <p className="mt-3 max-w-3xl text-slate-700">{task.description}</p>
        <dl className="mt-4 flex flex-wrap gap-x-8 gap-y-1 text-sm">
          <div>
            <dt className="inline text-slate-500">Main score: </dt>
            <dd className="inline">
              {task.mainScore.label} (higher is better, {formatScore(task.mainScore.min, 0)}–{formatScore(task.mainScore.max, 0)})
            </dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Split: </dt>
            <dd className="inline">{task.split}</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Task version: </dt>
            <dd className="inline">
              v{task.version}{" "}
              <span className="font-mono text-xs text-slate-400" title={task.contractHash}>
                {shortHash(task.contractHash)}
              </span>
            </dd>
          </div>
        </dl>
      </header>
      <Downloads href={`/api/tasks/${task.id}/leaderboard`} label="Every leaderboard of this task" testId="leaderboard-downloads" />

      <DomainSummary task={task} />

      {task.leaderboards.length === 0 && <p className="text-slate-500">This task has no datasets yet.</p>}
      {task.leaderboards.map((board) => (
        <Leaderboard key={board.slug} task={task} board={board} />
      ))}
    </div>
  );
}

/** One column per domain (mean normalized score) and the transfer gap, synthetic − biological. */
function DomainSummary({ task }: { task: TaskPage }) {
  if (task.domainSummary.length === 0) return null;
  return (
    <section className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="domain-summary">
      <div className="border-b border-slate-100 px-6 py-4">
        <h2 className="text-lg font-semibold">By domain</h2>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Mean normalized score over each domain's datasets (0 = the best of chance and the floor rows, 1 = oracle). The transfer gap is the
          synthetic minus the biological score: how much of what a method achieves on generated data it keeps on real recordings.
        </p>
        <ScoringNote className="mt-2 max-w-3xl" />
      </div>
      <div className="overflow-x-auto">
        <table className="min-w-full text-sm">
          <thead className="text-left text-xs text-slate-500">
            <tr className="border-b border-slate-200">
              <th className="px-6 py-2 font-medium">Method</th>
              {DOMAIN_ORDER.map((d) => (
                <th
                  key={d}
                  className="px-3 py-2 text-right font-medium"
                  data-testid="domain-column"
                  data-domain={d}
                  title={task.domainNotes[d]}
                >
                  {d}
                  {task.domainNotes[d] && <span className="ml-0.5 text-slate-400">*</span>}
                </th>
              ))}
              <th className="px-3 py-2 text-right font-medium">Transfer gap</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {task.domainSummary.map((m) => (
              <tr
                key={m.method}
                className={m.isChance ? "text-slate-500" : m.isFloor ? "bg-amber-50/50 text-amber-900/80" : ""}
                data-testid="domain-row"
                data-method={m.method}
                data-role={m.isChance ? "chance" : m.isFloor ? "floor" : "method"}
              >
                <td className="px-6 py-2">
                  <span className={m.isChance || m.isFloor ? "italic" : "font-medium text-slate-900"}>{m.methodName}</span>{" "}
                  {m.isChance && <Tag>chance</Tag>}
                  {m.isFloor && <Tag tone="amber">floor · to beat</Tag>}
                </td>
                {DOMAIN_ORDER.map((d) => {
                  const dm = task.domainNotes[d] ? undefined : m.domainMeans[d];
                  return (
                    <td key={d} className="px-3 py-2 text-right tabular-nums">
                      {dm === undefined || dm.mean === null ? (
                        <span
                          className="text-slate-300"
                          title={dm && dm.of > 0 ? `a run is missing on ${dm.of - dm.count} of ${dm.of} datasets` : undefined}
                        >
                          —
                        </span>
                      ) : (
                        <>
                          {formatScore(dm.mean, 2)}
                          {dm.failedInstances > 0 && <span className="ml-1 text-xs text-rose-600">({dm.failedInstances} failed)</span>}
                        </>
                      )}
                    </td>
                  );
                })}
                <td className="px-3 py-2 text-right tabular-nums" data-testid="transfer-gap">
                  {m.transferGap === null ? <span className="text-slate-300">—</span> : formatSigned(m.transferGap)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {Object.keys(task.domainNotes).length > 0 && (
        <p className="border-t border-slate-100 px-6 py-2.5 text-xs text-slate-500">
          {Object.entries(task.domainNotes).map(([domain, note]) => (
            <span key={domain} className="block">
              * {domain}: {note}
            </span>
          ))}
        </p>
      )}
    </section>
  );
}

function formatSigned(value: number): string {
  return `${value > 0 ? "+" : value < 0 ? "−" : ""}${formatScore(Math.abs(value), 2)}`;
}
