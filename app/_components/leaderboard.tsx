// A dataset's leaderboard, shared by the task page (one per dataset) and the dataset page.
import Link from "next/link";
import type { ReactNode } from "react";
import { compareHref } from "@/lib/compare.ts";
import type { DatasetLeaderboard, LeaderboardEntry, TaskInfo } from "@/lib/data.ts";
import { formatCi, formatDelta, formatMb, formatMs, formatP, formatRankInterval, formatScore, shortHash } from "@/lib/format.ts";
import type { SortDir, SortKey } from "@/lib/task-query.ts";
import { DomainBadge, StatusBadge, Tag } from "./badges.tsx";
import { ScorePlot } from "./plots.tsx";
import { FailedMark, ScoringNote } from "./scoring-note.tsx";

type LeaderboardTask = Pick<TaskInfo, "id" | "mainScore" | "metrics">;

/** Sortable column headers: the current order and the link of each key (a plain GET URL, no client JavaScript). */
export interface TableSort {
  key: SortKey;
  dir: SortDir;
  href: (key: SortKey) => string;
  /** The same view with every row (shown when the table left rows out). */
  allRowsHref?: string;
}

const SORT_LABEL: Record<SortKey, string> = { score: "score", runtime: "time per instance", memory: "peak memory", name: "method name" };

/** One dataset's leaderboard: score plot with CIs, ranked table, chance and floor rows (rows to beat), references. */
export function Leaderboard({
  task,
  board,
  linkTitle = true,
  sort,
}: {
  task: LeaderboardTask;
  board: DatasetLeaderboard;
  linkTitle?: boolean;
  sort?: TableSort;
}) {
  const metricCols = task.metrics;
  const scored = board.entries.filter((e) => e.role === "ranked" || e.role === "chance" || e.role === "floor");
  // Workers of a Cajal server also score the private split (secret seeds); local runs have none.
  const showPrivate = board.entries.some((e) => e.private);
  const { random, oracle, floor } = board.references;
  return (
    <section className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="leaderboard" data-dataset={board.slug}>
      <div className="border-b border-slate-100 px-6 py-4">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="text-lg font-semibold">
            {linkTitle ? (
              <Link href={`/tasks/${task.id}/datasets/${board.slug}`} className="hover:text-indigo-700 hover:underline">
                {board.title}
              </Link>
            ) : (
              board.title
            )}
          </h2>
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
                  chance: e.role === "chance" || e.role === "floor",
                }))}
              />
            </div>
          )}
          {sort && sort.key !== "score" && (
            <p className="px-6 pt-3 text-xs text-slate-500" data-testid="sort-note">
              Sorted by {SORT_LABEL[sort.key]} ({sort.dir === "asc" ? "ascending" : "descending"}): the # and Rank columns keep the ranks of
              the score order.
            </p>
          )}
          <div className="overflow-x-auto">
            <table className="data-table min-w-full text-sm">
              <caption className="sr-only">
                {board.title}: {task.mainScore.label} per method on the official split
                {sort ? `, sorted by ${SORT_LABEL[sort.key]}` : ""}
              </caption>
              <thead className="text-left text-xs text-slate-500">
                <tr className="border-b border-slate-200">
                  <th scope="col" className="w-10 px-6 py-2 text-right font-medium">
                    #
                  </th>
                  <SortableHeader sortKey="name" sort={sort} className="px-3 py-2 font-medium">
                    Method
                  </SortableHeader>
                  <SortableHeader sortKey="score" sort={sort} className="px-3 py-2 text-right font-medium">
                    {task.mainScore.label} <span className="font-normal text-slate-400">[95% CI]</span>
                  </SortableHeader>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Normalized
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium" data-testid="rank-column">
                    <Link
                      href="/about/statistics"
                      className="underline decoration-dotted hover:text-indigo-700"
                      title="Rank group (rows not significantly different from their group's leader share its rank, paired Wilcoxon test, Holm-corrected) and 95% bootstrap rank interval. How it is computed: /about/statistics"
                    >
                      Rank
                    </Link>{" "}
                    <span className="font-normal text-slate-400">(interval)</span>
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    <Link
                      href="/about/statistics"
                      className="underline decoration-dotted hover:text-indigo-700"
                      title="This row minus the ranked row above: mean paired difference over shared instances [95% bootstrap CI], Holm-adjusted Wilcoxon p"
                    >
                      vs row above
                    </Link>
                  </th>
                  {showPrivate && (
                    <th
                      scope="col"
                      className="px-3 py-2 text-right font-medium"
                      data-testid="private-column"
                      title="The same method version on the private split: instances from seeds only the server knows"
                    >
                      Private <span className="font-normal text-slate-400">[95% CI]</span>
                    </th>
                  )}
                  {metricCols.map((m) => (
                    <th key={m.id} scope="col" className="px-3 py-2 text-right font-medium">
                      {m.label}
                    </th>
                  ))}
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Instances
                  </th>
                  <SortableHeader
                    sortKey="runtime"
                    sort={sort}
                    className="px-3 py-2 text-right font-medium"
                    title="Median wall time per instance (the run's total in the cell's tooltip)"
                  >
                    Time / instance
                  </SortableHeader>
                  <SortableHeader
                    sortKey="memory"
                    sort={sort}
                    className="px-3 py-2 text-right font-medium"
                    title="Peak resident memory of the run (the largest of its instances')"
                  >
                    Peak memory
                  </SortableHeader>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Status
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {board.entries.map((e) => (
                  <Row
                    key={e.runId}
                    entry={e}
                    metricIds={metricCols.map((m) => m.id)}
                    showPrivate={showPrivate}
                    compare={(a, b) => compareHref(task.id, [a, b], board.slug)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {(board.hiddenRows ?? 0) > 0 && (
            <p className="border-t border-slate-100 px-6 py-2 text-xs text-slate-500" data-testid="hidden-rows">
              {board.hiddenRows} more method {board.hiddenRows === 1 ? "row" : "rows"} in this order:{" "}
              {sort?.allRowsHref && (
                <Link href={sort.allRowsHref} className="underline decoration-dotted hover:text-indigo-700">
                  show every row
                </Link>
              )}
              {sort?.allRowsHref && " or "}
              <Link href={`/tasks/${task.id}/datasets/${board.slug}`} className="underline decoration-dotted hover:text-indigo-700">
                the dataset&apos;s page
              </Link>
              .
            </p>
          )}
        </>
      )}

      {(board.entries.length > 0 || oracle || random) && (
        <div className="border-t border-slate-100 px-6 py-3 text-xs text-slate-500" data-testid="references">
          {oracle?.status === "ok" && floor ? (
            <>
              Normalized against{" "}
              <Link href={`/runs/${oracle.runId}`} className="underline decoration-dotted">
                oracle = {formatScore(oracle.score)}
              </Link>{" "}
              and the floor{" "}
              <span data-testid="floor-level">
                {floor.method} = {formatScore(floor.score)}
              </span>{" "}
              (the best of random{random?.status === "ok" ? ` = ${formatScore(random.score)}` : ""} and the floor rows) on the same
              instances.
              {oracle.score !== null && oracle.score - floor.score <= 1e-12 && (
                <span className="ml-1 font-medium text-rose-700" data-testid="floor-at-oracle">
                  A trivial answer reaches the oracle here: this dataset cannot rank methods.
                </span>
              )}{" "}
              The oracle reads the ground truth: it is a reference, never ranked.
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
              {board.supersededRuns} run{board.supersededRuns === 1 ? "" : "s"} on other versions not shown (each version is ranked on its
              own).
            </span>
          )}
          <ScoringNote className="mt-1" />
        </div>
      )}
    </section>
  );
}

// Rows link with plain anchors, not next/link: each Link is a client component in the page's RSC payload and prefetches
// its page when scrolled into view, which for a hundred rows of three links each costs more than it saves.
function Row({
  entry: e,
  metricIds,
  showPrivate,
  compare,
}: {
  entry: LeaderboardEntry;
  metricIds: string[];
  showPrivate: boolean;
  /** The compare view of two methods on this row's dataset. */
  compare: (a: string, b: string) => string;
}) {
  const chance = e.role === "chance";
  const floorRow = e.role === "floor";
  const failed = e.role === "failed";
  const pending = e.role === "pending";
  return (
    <tr
      className={
        chance ? "bg-slate-50/70 text-slate-500" : floorRow ? "bg-amber-50/50 text-amber-900/80" : failed ? "bg-rose-50/30" : undefined
      }
      data-testid="leaderboard-row"
      data-method={e.method}
      data-role={e.role}
      data-status={e.status}
      data-run={e.runId}
    >
      <td className="px-6 text-right text-slate-500" data-testid="rank">
        {e.rank ?? ""}
      </td>
      <td>
        <a href={`/methods/${e.method}`} className={chance || floorRow ? "italic" : "font-medium text-slate-900"} data-testid="method-link">
          {e.methodName}
        </a>{" "}
        {/* The method name opens the method's page; its version opens this run. */}
        <a
          href={`/runs/${e.runId}`}
          className="font-mono text-xs text-slate-400 hover:text-indigo-700"
          title={`run #${e.runId}`}
          data-testid="run-link"
        >
          v{e.methodVersion}
        </a>{" "}
        {chance && <Tag>chance</Tag>}
        {floorRow && <Tag tone="amber">floor · to beat</Tag>}
        {!failed && !pending && e.status !== "ok" && e.message && (
          <div className="mt-0.5 max-w-md truncate text-xs text-rose-700" title={e.message} data-testid="run-message">
            {e.message}
          </div>
        )}
        {e.methodKind === "external" && <Tag>external</Tag>}
      </td>
      {failed || pending ? (
        <td colSpan={4 + metricIds.length + (showPrivate ? 1 : 0)} className="text-sm" data-testid="message">
          {failed ? (
            <span className="text-rose-700">{e.message ?? "failed without a message"}</span>
          ) : (
            <span className="text-slate-500">in progress…</span>
          )}
        </td>
      ) : (
        <>
          <td className="text-right whitespace-nowrap">
            <span className="font-medium text-slate-900" data-testid="score">
              {formatScore(e.score)}
            </span>{" "}
            {e.status === "ok" ? (
              <span className="text-xs text-slate-400" data-testid="ci">
                {formatCi(e.ciLow, e.ciHigh)}
              </span>
            ) : (
              <FailedMark failed={e.failedInstances} of={e.instances} />
            )}
          </td>
          <td className="text-right" data-testid="normalized">
            {formatScore(e.normalized)}
          </td>
          <SignificanceCells entry={e} compare={compare} />
          {showPrivate && <PrivateCell entry={e} />}
          {metricIds.map((id) => (
            <td key={id} className="text-right">
              {formatScore(e.metrics?.[id])}
            </td>
          ))}
        </>
      )}
      <td className="text-right text-slate-600" data-testid="instances">
        {e.instancesDone}/{e.instances}
      </td>
      <td
        className="text-right text-slate-600"
        data-testid="time-per-instance"
        title={`run total ${formatMs(e.runtimeMs)}${e.backend ? `, backend ${e.backend}` : ""}${e.hardware ? `, ${e.hardware}` : ""}; measured on: ${e.hardwareClass}`}
      >
        {formatMs(e.medianInstanceMs)}
        {/* Runtimes compare only within a hardware class: a GPU run names its GPU (CPU-only is the default). */}
        {e.hardwareClass !== "CPU-only" && (
          <span className="block text-xs text-slate-400" data-testid="hardware-class">
            {e.hardwareClass}
          </span>
        )}
      </td>
      <td className="text-right text-slate-600" data-testid="peak-memory">
        {formatMb(e.peakRssMb)}
      </td>
      <td>
        <StatusBadge status={e.status} />
      </td>
    </tr>
  );
}

/** Rank group with its bootstrap rank interval, and the paired comparison with the ranked row above (ranked rows only). */
function SignificanceCells({ entry: e, compare }: { entry: LeaderboardEntry; compare: (a: string, b: string) => string }) {
  const s = e.significance;
  if (!s) return <td colSpan={2} />;
  const v = s.vsAbove;
  return (
    <>
      <td className="text-right whitespace-nowrap" data-testid="rank-group">
        <span className="font-medium text-slate-900">{s.group}</span>{" "}
        <span className="text-xs text-slate-400" data-testid="rank-interval">
          ({formatRankInterval(s.rankLow, s.rankHigh)})
        </span>
      </td>
      <td
        className={`text-xs whitespace-nowrap ${v && v.pAdjusted < 0.05 ? "text-slate-700" : "text-slate-400"}`}
        data-testid="vs-above"
        title={
          v
            ? `${e.methodName} minus ${v.method} over ${v.n} shared instances: mean paired difference [95% bootstrap CI]; ` +
              `Wilcoxon signed-rank p = ${v.p.toPrecision(3)}, Holm-adjusted over every pair of ranked rows = ${v.pAdjusted.toPrecision(3)}`
            : undefined
        }
      >
        {v && (
          // The same pair in the compare view: per-instance scatter and wins.
          <a href={compare(e.method, v.method)} className="hover:text-indigo-700" data-testid="compare-link">
            {`${formatDelta(v.mean, v.low, v.high)}, ${formatP(v.pAdjusted)}`}
          </a>
        )}
      </td>
    </>
  );
}

/** The private-split score beside the official one: score and CI when scored, else the run's status. */
function PrivateCell({ entry: e }: { entry: LeaderboardEntry }) {
  const p = e.private;
  return (
    <td className="text-right whitespace-nowrap" data-testid="private-score">
      {!p ? (
        <span className="text-slate-300">—</span>
      ) : p.status === "ok" ? (
        <a href={`/runs/${p.runId}`}>
          <span className="font-medium text-slate-900">{formatScore(p.score)}</span>{" "}
          <span className="text-xs text-slate-400">{formatCi(p.ciLow, p.ciHigh)}</span>
        </a>
      ) : (
        <a href={`/runs/${p.runId}`}>
          <StatusBadge status={p.status} />
        </a>
      )}
    </td>
  );
}

/** A column header; with `sort`, a link that sorts by its key (or flips the order), and aria-sort on the sorted one. */
function SortableHeader({
  sortKey,
  sort,
  className,
  title,
  children,
}: {
  sortKey: SortKey;
  sort: TableSort | undefined;
  className: string;
  title?: string;
  children: ReactNode;
}) {
  if (!sort) {
    return (
      <th scope="col" className={className} title={title}>
        {children}
      </th>
    );
  }
  const active = sort.key === sortKey;
  return (
    <th
      scope="col"
      className={className}
      title={title}
      aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
      data-testid="sortable-column"
      data-sort={sortKey}
    >
      <Link href={sort.href(sortKey)} className="hover:text-indigo-700 hover:underline" data-testid="sort-link">
        {children}
        <span aria-hidden="true" className="ml-0.5">
          {active ? (sort.dir === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </Link>
    </th>
  );
}
