// A task's leaderboard: one table (and score plot) per dataset, official split, current versions.
// Methods are ranked by score; the random reference is the (unranked) chance row; the oracle is
// only the normalization reference shown under the table; failed runs show status and message.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { type DatasetLeaderboard, getTask, type LeaderboardEntry, load, type TaskPage } from "../../../lib/data.ts";
import { formatCi, formatMs, formatScore, shortHash } from "../../../lib/format.ts";
import { DomainBadge, StatusBadge, Tag } from "../../_components/badges.tsx";
import { DbError } from "../../_components/db-error.tsx";
import { ScorePlot } from "../../_components/plots.tsx";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ taskId: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { taskId } = await params;
  return { title: taskId };
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

      {task.leaderboards.length === 0 && <p className="text-slate-500">This task has no datasets yet.</p>}
      {task.leaderboards.map((board) => (
        <Leaderboard key={board.slug} task={task} board={board} />
      ))}
    </div>
  );
}

function Leaderboard({ task, board }: { task: TaskPage; board: DatasetLeaderboard }) {
  const metricCols = task.metrics;
  const scored = board.entries.filter((e) => e.role === "ranked" || e.role === "chance");
  const { random, oracle } = board.references;
  return (
    <section className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="leaderboard" data-dataset={board.slug}>
      <div className="border-b border-slate-100 px-6 py-4">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="text-lg font-semibold">{board.title}</h2>
          <DomainBadge domain={board.domain} />
          <span className="font-mono text-xs text-slate-400" title={`content hash ${board.contentHash}`}>
            {board.slug} v{board.version} · {shortHash(board.contentHash)}
          </span>
        </div>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">{board.description}</p>
      </div>

      {board.entries.length === 0 ? (
        <p className="px-6 py-5 text-sm text-slate-500">
          No official-split runs on this dataset yet:{" "}
          <code className="font-mono">
            npx cajal run --task {task.id} --dataset {board.slug} --split official
          </code>
        </p>
      ) : (
        <>
          {scored.length > 0 && (
            <div className="px-6 pt-4">
              <ScorePlot
                label={task.mainScore.label}
                range={task.mainScore}
                chance={random?.status === "ok" ? random.score : null}
                oracle={oracle?.status === "ok" ? oracle.score : null}
                points={scored.map((e) => ({
                  label: e.methodName,
                  score: e.score as number,
                  ciLow: e.ciLow,
                  ciHigh: e.ciHigh,
                  chance: e.role === "chance",
                }))}
              />
            </div>
          )}
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr className="border-b border-slate-200">
                  <th className="w-10 px-6 py-2 text-right font-medium">#</th>
                  <th className="px-3 py-2 font-medium">Method</th>
                  <th className="px-3 py-2 text-right font-medium">
                    {task.mainScore.label} <span className="font-normal text-slate-400">[95% CI]</span>
                  </th>
                  <th className="px-3 py-2 text-right font-medium">Normalized</th>
                  {metricCols.map((m) => (
                    <th key={m.id} className="px-3 py-2 text-right font-medium">
                      {m.label}
                    </th>
                  ))}
                  <th className="px-3 py-2 text-right font-medium">Instances</th>
                  <th className="px-3 py-2 text-right font-medium">Runtime</th>
                  <th className="px-3 py-2 font-medium">Status</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {board.entries.map((e) => (
                  <Row key={e.runId} entry={e} metricIds={metricCols.map((m) => m.id)} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      {(board.entries.length > 0 || oracle || random) && (
        <div className="border-t border-slate-100 px-6 py-3 text-xs text-slate-500" data-testid="references">
          {oracle?.status === "ok" && random?.status === "ok" ? (
            <>
              Normalized against{" "}
              <Link href={`/runs/${oracle.runId}`} className="underline decoration-dotted">
                oracle = {formatScore(oracle.score)}
              </Link>{" "}
              and{" "}
              <Link href={`/runs/${random.runId}`} className="underline decoration-dotted">
                random = {formatScore(random.score)}
              </Link>{" "}
              on the same instances. The oracle reads the ground truth: it is a reference, never ranked.
            </>
          ) : (
            <>
              Normalized scores need ok runs of both references on this dataset version (oracle:{" "}
              {oracle ? <Link href={`/runs/${oracle.runId}`}>{oracle.status}</Link> : "not run"}, random:{" "}
              {random ? <Link href={`/runs/${random.runId}`}>{random.status}</Link> : "not run"}).
            </>
          )}
          {board.supersededRuns > 0 && (
            <span className="ml-1">
              {board.supersededRuns} run{board.supersededRuns === 1 ? "" : "s"} on earlier versions not shown.
            </span>
          )}
        </div>
      )}
    </section>
  );
}

function Row({ entry: e, metricIds }: { entry: LeaderboardEntry; metricIds: string[] }) {
  const chance = e.role === "chance";
  const failed = e.role === "failed";
  const pending = e.role === "pending";
  return (
    <tr
      className={chance ? "bg-slate-50/70 text-slate-500" : failed ? "bg-rose-50/30" : ""}
      data-testid="leaderboard-row"
      data-method={e.method}
      data-role={e.role}
      data-status={e.status}
      data-run={e.runId}
    >
      <td className="px-6 py-2 text-right tabular-nums text-slate-500" data-testid="rank">
        {e.rank ?? ""}
      </td>
      <td className="px-3 py-2">
        <Link
          href={`/runs/${e.runId}`}
          className={`hover:underline ${chance ? "italic" : "font-medium text-slate-900"}`}
          data-testid="run-link"
        >
          {e.methodName}
        </Link>{" "}
        <span className="font-mono text-xs text-slate-400">v{e.methodVersion}</span> {chance && <Tag>chance</Tag>}
        {e.methodKind === "external" && <Tag>external</Tag>}
      </td>
      {failed || pending ? (
        <td colSpan={2 + metricIds.length} className="px-3 py-2 text-sm" data-testid="message">
          {failed ? (
            <span className="text-rose-700">{e.message ?? "failed without a message"}</span>
          ) : (
            <span className="text-slate-500">in progress…</span>
          )}
        </td>
      ) : (
        <>
          <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">
            <span className="font-medium text-slate-900" data-testid="score">
              {formatScore(e.score)}
            </span>{" "}
            <span className="text-xs text-slate-400" data-testid="ci">
              {formatCi(e.ciLow, e.ciHigh)}
            </span>
          </td>
          <td className="px-3 py-2 text-right tabular-nums" data-testid="normalized">
            {formatScore(e.normalized)}
          </td>
          {metricIds.map((id) => (
            <td key={id} className="px-3 py-2 text-right tabular-nums">
              {formatScore(e.metrics?.[id])}
            </td>
          ))}
        </>
      )}
      <td className="px-3 py-2 text-right tabular-nums text-slate-600" data-testid="instances">
        {e.instancesDone}/{e.instances}
      </td>
      <td className="px-3 py-2 text-right tabular-nums text-slate-600">{formatMs(e.runtimeMs)}</td>
      <td className="px-3 py-2">
        <StatusBadge status={e.status} />
      </td>
    </tr>
  );
}
