// A task's leaderboard: one table (and score plot) per dataset, official split, current versions (or an older task
// version with ?version=, never mixed with the current one). Methods are ranked by score; the random reference is the
// (unranked) chance row; the oracle is only the normalization reference shown under the table; failed runs show status
// and message. Sorting, filters and version live in the URL (lib/task-query.ts): a GET form and header links, no client
// JavaScript needed. A cost-vs-score plot marks the Pareto front; the changelog and version list close the page.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Tag } from "@/app/_components/badges.tsx";
import { Breadcrumbs } from "@/app/_components/breadcrumbs.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { Downloads } from "@/app/_components/downloads.tsx";
import { Leaderboard } from "@/app/_components/leaderboard.tsx";
import { Markdown } from "@/app/_components/markdown.tsx";
import { CostPlot } from "@/app/_components/plots.tsx";
import { ScoringNote } from "@/app/_components/scoring-note.tsx";
import { DOMAIN_ORDER, load, type TaskPage } from "@/lib/data.ts";
import { formatDate, formatScore, shortHash } from "@/lib/format.ts";
import { taskMetadata } from "@/lib/metadata.ts";
import { getTaskPage, type TaskPageView } from "@/lib/task-page.ts";
import { type CostPoint, limitRows, ORIGINS, queryString, ROW_LIMIT, SORT_KEYS, sortQuery, type TaskQuery } from "@/lib/task-query.ts";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ taskId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

// The same title and description for every sort, filter and version of the page.
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { taskId } = await params;
  return taskMetadata(taskId);
}

export default async function TaskLeaderboardPage({ params, searchParams }: Props) {
  const { taskId } = await params;
  const result = await load(async () => getTaskPage(taskId, await searchParams));
  if (!result.ok) return <DbError message={result.error} />;
  const view = result.data;
  if (!view) notFound();
  const { task, query } = view;
  const href = (q: TaskQuery) => `/tasks/${task.id}${queryString(q)}`;
  const older = task.version !== task.latestVersion;
  return (
    <div className="space-y-10">
      <header>
        <Breadcrumbs trail={[{ label: task.id, mono: true }]} />
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
            <dd className="inline" data-testid="task-version">
              v{task.version}{" "}
              <span className="font-mono text-xs text-slate-400" title={task.contractHash}>
                {shortHash(task.contractHash)}
              </span>
            </dd>
          </div>
        </dl>
      </header>
      <Downloads href={`/api/tasks/${task.id}/leaderboard`} label="Every leaderboard of this task" testId="leaderboard-downloads" />

      {older && (
        <div
          role="note"
          className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
          data-testid="version-banner"
        >
          <strong>Older version, not comparable with v{task.latestVersion}.</strong> These are the results of task version {task.version}:
          its contract or scoring differs from the current version&apos;s, so they are ranked only among themselves.{" "}
          <Link href={href({ ...query, version: undefined })} className="underline">
            Show v{task.latestVersion}
          </Link>
        </div>
      )}

      {view.notes.length > 0 && (
        <div
          role="status"
          className="rounded-lg border border-slate-300 bg-slate-50 px-4 py-3 text-sm text-slate-700"
          data-testid="query-notes"
        >
          <ul className="list-disc pl-5">
            {view.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </div>
      )}

      <Filters view={view} />

      <DomainSummary task={task} allRows={query.rows === "all"} allRowsHref={href({ ...query, rows: "all" })} />

      <CostSection view={view} />

      {task.leaderboards.length === 0 && <p className="text-slate-500">This task has no datasets yet.</p>}
      {task.leaderboards.length > 0 && view.leaderboards.length === 0 && (
        <p className="text-slate-500" data-testid="no-match">
          No dataset matches these filters.
        </p>
      )}
      {view.leaderboards.map((board) => (
        <Leaderboard
          key={board.slug}
          task={task}
          board={board}
          sort={{
            key: query.sort,
            dir: query.dir,
            href: (key) => href(sortQuery(query, key)),
            allRowsHref: href({ ...query, rows: "all" }),
          }}
        />
      ))}

      <History view={view} />
    </div>
  );
}

const SELECT = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1 text-sm";

/** The filters and sort order as a GET form: it works without client JavaScript and its URL is the view's. */
function Filters({ view }: { view: TaskPageView }) {
  const { task, query, options } = view;
  const field = (name: string, label: string, value: string | undefined, choices: { value: string; label: string }[]) => (
    <label className="text-xs font-medium text-slate-600">
      {label}
      <select name={name} defaultValue={value ?? ""} className={SELECT}>
        <option value="">any</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form
      method="get"
      action={`/tasks/${task.id}`}
      className="flex flex-wrap items-end gap-4 rounded-xl border border-slate-200 bg-white px-6 py-4 shadow-sm"
      aria-label="Filter and sort the leaderboards"
      data-testid="filters"
    >
      {query.version !== undefined && <input type="hidden" name="version" value={query.version} />}
      {query.rows && <input type="hidden" name="rows" value={query.rows} />}
      {field(
        "domain",
        "Domain",
        query.domain,
        DOMAIN_ORDER.map((d) => ({ value: d, label: d })),
      )}
      {field(
        "dataset",
        "Dataset",
        query.dataset,
        options.datasets.map((d) => ({ value: d.slug, label: `${d.title} (${d.domain})` })),
      )}
      {field(
        "kind",
        "Method kind",
        query.kind,
        options.kinds.map((k) => ({ value: k, label: k })),
      )}
      {field(
        "origin",
        "Origin",
        query.origin,
        ORIGINS.map((o) => ({ value: o, label: o === "builtin" ? "built-in" : "submitted" })),
      )}
      {field(
        "language",
        "Language",
        query.language,
        options.languages.map((l) => ({ value: l, label: l })),
      )}
      <label className="text-xs font-medium text-slate-600">
        Sort by
        <select name="sort" defaultValue={query.sort} className={SELECT}>
          {SORT_KEYS.map((k) => (
            <option key={k} value={k}>
              {k === "runtime" ? "time per instance" : k === "memory" ? "peak memory" : k}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs font-medium text-slate-600">
        Order
        <select name="dir" defaultValue={query.dir} className={SELECT}>
          <option value="asc">ascending</option>
          <option value="desc">descending</option>
        </select>
      </label>
      <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
        Apply
      </button>
      <Link
        href={`/tasks/${task.id}${queryString({ sort: "score", dir: "desc", version: query.version })}`}
        className="text-sm text-slate-500 underline"
      >
        Reset
      </Link>
    </form>
  );
}

/** Where the plotted times were measured: each hardware and backend with the methods measured there. */
function machineOf(c: CostPoint): string {
  return `backend ${c.backends.join(", ") || "unknown"} on ${c.hardware.join("; ") || "unknown hardware"}`;
}

/** Cost vs score for the datasets in view, with the Pareto front among the methods shown. */
function CostSection({ view }: { view: TaskPageView }) {
  const { costs, query, task } = view;
  const scope = query.dataset
    ? `the dataset ${task.datasets.find((d) => d.slug === query.dataset)?.title ?? query.dataset}`
    : query.domain
      ? `the ${query.domain} datasets`
      : "all datasets";
  const machines = [...new Set(costs.map(machineOf))];
  const front = costs.filter((c) => c.onFront);
  return (
    <section className="rounded-xl border border-slate-200 bg-white px-6 py-4 shadow-sm" data-testid="cost-section">
      <h2 className="text-lg font-semibold">Cost vs score</h2>
      {costs.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">
          No method shown has a normalized score on every dataset in view (the plot needs one, as the domain means do).
        </p>
      ) : (
        <>
          <CostPlot
            points={costs.map((c) => ({
              method: c.method,
              label: c.methodName,
              ms: c.medianInstanceMs,
              score: c.normalized,
              reference: c.role !== "method",
              onFront: c.onFront,
              machine: machineOf(c),
            }))}
            caption={
              `Each method's mean normalized score over ${scope} (0 = the best of chance and the floor rows, 1 = oracle; a method ` +
              "is drawn only with a score on every one of them, as in the domain means) against its median wall time per instance, " +
              "pooled over those datasets (log scale). Filled points joined by the dashed line are the Pareto front among the methods " +
              "shown: no other shown method is both at least as fast and at least as good. Chance and floor rows (grey) are references, " +
              "never on the front. Times compare only on the same hardware and backend."
            }
          />
          <p className="mt-2 text-xs text-slate-500" data-testid="pareto-front">
            Pareto front: {front.map((c) => c.methodName).join(", ") || "none"}.
          </p>
          <p className="mt-1 text-xs text-slate-500" data-testid="cost-machines">
            Measured with {machines.join(" · ")}.
          </p>
        </>
      )}
    </section>
  );
}

/** The task's versions that have results (each browsable on its own, never ranked together) and its changelog. */
function History({ view }: { view: TaskPageView }) {
  const { task, query, changelog } = view;
  const withRuns = task.versions.filter((v) => v.runs > 0 || v.version === task.latestVersion);
  return (
    <section className="rounded-xl border border-slate-200 bg-white px-6 py-4 shadow-sm" data-testid="history">
      <h2 className="text-lg font-semibold">Versions and changelog</h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Results are kept per task version and dataset version and never ranked across versions. Older versions stay browsable.
      </p>
      <ul className="mt-3 space-y-1 text-sm" data-testid="versions">
        {withRuns.map((v) => (
          <li key={v.version} data-testid="version-item" data-version={v.version}>
            {v.version === task.version ? (
              <span className="font-medium" aria-current="page">
                v{v.version} (shown)
              </span>
            ) : (
              <Link
                href={`/tasks/${task.id}${queryString({ ...query, version: v.version === task.latestVersion ? undefined : v.version })}`}
                className="text-indigo-700 underline"
              >
                v{v.version}
              </Link>
            )}{" "}
            {v.version === task.latestVersion && <Tag>current</Tag>}{" "}
            <span className="text-slate-500">
              · {v.runs} official run{v.runs === 1 ? "" : "s"} · registered {formatDate(v.createdAt)} ·{" "}
              <span className="font-mono text-xs" title={v.contractHash}>
                {shortHash(v.contractHash)}
              </span>
            </span>
          </li>
        ))}
      </ul>
      {changelog && (
        <div className="mt-4" data-testid="changelog">
          <h3 className="text-sm font-semibold text-slate-700">Changelog</h3>
          <Markdown source={changelog} />
        </div>
      )}
    </section>
  );
}

/**
 * One column per domain (mean normalized score) and the transfer gap, synthetic − biological: the best ROW_LIMIT
 * methods and every chance and floor row, unless `allRows` (as the leaderboards).
 */
function DomainSummary({ task, allRows, allRowsHref }: { task: TaskPage; allRows: boolean; allRowsHref: string }) {
  if (task.domainSummary.length === 0) return null;
  const rows = allRows ? task.domainSummary : limitRows(task.domainSummary, ROW_LIMIT, (m) => m.isChance || m.isFloor);
  const hidden = task.domainSummary.length - rows.length;
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
        <table className="data-table min-w-full text-sm">
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
            {rows.map((m) => (
              <tr
                key={m.method}
                className={m.isChance ? "text-slate-500" : m.isFloor ? "bg-amber-50/50 text-amber-900/80" : ""}
                data-testid="domain-row"
                data-method={m.method}
                data-role={m.isChance ? "chance" : m.isFloor ? "floor" : "method"}
              >
                <td className="px-6">
                  <span className={m.isChance || m.isFloor ? "italic" : "font-medium text-slate-900"}>{m.methodName}</span>{" "}
                  {m.isChance && <Tag>chance</Tag>}
                  {m.isFloor && <Tag tone="amber">floor · to beat</Tag>}
                </td>
                {DOMAIN_ORDER.map((d) => {
                  const dm = task.domainNotes[d] ? undefined : m.domainMeans[d];
                  return (
                    <td key={d} className="text-right">
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
                <td className="text-right" data-testid="transfer-gap">
                  {m.transferGap === null ? <span className="text-slate-300">—</span> : formatSigned(m.transferGap)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {hidden > 0 && (
        <p className="border-t border-slate-100 px-6 py-2 text-xs text-slate-500" data-testid="domain-hidden-rows">
          {hidden} more method {hidden === 1 ? "row" : "rows"}:{" "}
          <Link href={allRowsHref} className="underline decoration-dotted hover:text-indigo-700">
            show every row
          </Link>
          .
        </p>
      )}
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
