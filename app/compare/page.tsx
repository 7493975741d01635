// Two or three methods side by side on one task: per dataset, each pair's paired difference over the shared instances
// with its 95% bootstrap CI, Wilcoxon p (Holm-adjusted over the page), wins, and a per-instance scatter. A plain GET
// form chooses the task and methods, so the page needs no client JavaScript.
import type { Metadata } from "next";
import Link from "next/link";
import { DomainBadge, StatusBadge } from "@/app/_components/badges.tsx";
import { Breadcrumbs } from "@/app/_components/breadcrumbs.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { PairScatter } from "@/app/_components/plots.tsx";
import {
  type ComparePage,
  type Comparison,
  compareHref,
  type DatasetComparison,
  getComparePage,
  MAX_COMPARED,
  type PairComparison,
  type SearchParams,
} from "@/lib/compare.ts";
import { load } from "@/lib/data.ts";
import { formatDelta, formatP, formatScore } from "@/lib/format.ts";
import { METHOD_ID } from "@/lib/methods.ts";

export const dynamic = "force-dynamic";

interface Props {
  searchParams: Promise<SearchParams>;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

// From the address alone (no database), so the title is the same whether or not the data loads.
export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const params = await searchParams;
  const methods = [first(params.methods) ?? ""].flatMap((s) => s.split(",")).filter((s) => s !== "");
  const task = first(params.task) ?? "";
  const named = methods.length >= 2 && methods.length <= MAX_COMPARED && [...methods, task].every((id) => METHOD_ID.test(id));
  const title = named ? `${methods.join(" vs ")} on ${task} · compare` : "Compare methods";
  const description = named
    ? `${methods.join(", ")} on every dataset of ${task}, instance by instance: paired mean differences with 95% bootstrap CIs, ` +
      "Wilcoxon signed-rank p-values (Holm-adjusted), wins per method and per-instance scatter plots."
    : "Compare two or three interpretability methods on one task, instance by instance, with paired statistics.";
  return { title, description, openGraph: { title: `${title} · Cajal`, description } };
}

export default async function CompareView({ searchParams }: Props) {
  const params = await searchParams;
  const result = await load(() => getComparePage(params));
  if (!result.ok) return <DbError message={result.error} />;
  const page = result.data;
  const c = page.comparison;
  return (
    <div className="space-y-8">
      <header>
        <Breadcrumbs trail={[{ label: "Compare" }]} />
        <h1 className="mt-2 text-2xl font-semibold tracking-tight" data-testid="compare-title">
          {c ? `${c.methods.map((m) => m.name).join(" vs ")} on ${c.task.title}` : "Compare methods"}
        </h1>
        <p className="mt-2 max-w-3xl text-slate-600">
          Every method is scored on the same instances of a dataset, so two methods are compared instance by instance: the mean of their
          per-instance differences with a 95% paired-bootstrap CI, and the Wilcoxon signed-rank test,{" "}
          <Link href="/about/statistics" className="text-indigo-700 underline decoration-dotted">
            as on the leaderboards
          </Link>
          . Official split, current task and dataset versions, each method&apos;s latest run; a failed instance counts at the task&apos;s
          lowest score.
        </p>
      </header>

      <CompareForm page={page} />
      <Issues page={page} />
      {c && <ComparisonView comparison={c} dataset={page.selection.dataset} />}
    </div>
  );
}

function CompareForm({ page }: { page: ComparePage }) {
  const { choices, selection } = page;
  const slots = Array.from({ length: MAX_COMPARED }, (_, i) => selection.methods[i] ?? "");
  return (
    <form
      method="get"
      action="/compare"
      className="flex flex-wrap items-end gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
      data-testid="compare-form"
    >
      <label className="text-sm">
        <span className="block text-xs font-medium text-slate-500">Task</span>
        <select
          name="task"
          defaultValue={selection.task ?? ""}
          className="mt-1 max-w-[16rem] rounded-md border border-slate-300 px-2 py-1"
          required
        >
          <option value="" disabled>
            choose a task
          </option>
          {choices.tasks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.id} — {t.title}
            </option>
          ))}
        </select>
      </label>
      {slots.map((chosen, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the slots are positional (method A, B, C)
        <label key={i} className="text-sm">
          <span className="block text-xs font-medium text-slate-500">
            Method {String.fromCharCode(65 + i)}
            {i >= 2 ? " (optional)" : ""}
          </span>
          <select
            name="methods"
            defaultValue={chosen}
            className="mt-1 max-w-[16rem] rounded-md border border-slate-300 px-2 py-1"
            required={i < 2}
          >
            <option value="">{i < 2 ? "choose a method" : "—"}</option>
            {choices.methods.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.id})
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
        Compare
      </button>
    </form>
  );
}

/** What is wrong with the address, with the ids that would work; a query that is only incomplete just gets a prompt. */
function Issues({ page }: { page: ComparePage }) {
  const errors = page.issues.filter((i) => !i.missing);
  if (errors.length === 0) {
    return page.comparison || page.issues.length === 0 ? null : (
      <p className="text-sm text-slate-600" data-testid="compare-prompt">
        Choose a task and two or three methods.
      </p>
    );
  }
  const task = page.choices.tasks.find((t) => t.id === page.selection.task);
  return (
    <div className="rounded-lg border border-rose-200 bg-rose-50 p-5 text-sm text-rose-900" role="alert" data-testid="compare-error">
      <h2 className="font-semibold">This comparison cannot be shown</h2>
      <ul className="mt-2 list-disc pl-5">
        {errors.map((e) => (
          <li key={`${e.field}:${e.message}`}>{e.message}</li>
        ))}
      </ul>
      {errors.some((e) => e.field === "methods") && (
        <p className="mt-3" data-testid="valid-methods">
          Methods: <IdList ids={page.choices.methods.map((m) => m.id)} />
        </p>
      )}
      {errors.some((e) => e.field === "task") && (
        <p className="mt-3" data-testid="valid-tasks">
          Tasks: <IdList ids={page.choices.tasks.map((t) => t.id)} />
        </p>
      )}
      {errors.some((e) => e.field === "dataset") && task && (
        <p className="mt-3" data-testid="valid-datasets">
          Datasets of {task.id}: <IdList ids={task.datasets.map((d) => d.slug)} />
        </p>
      )}
    </div>
  );
}

function IdList({ ids }: { ids: string[] }) {
  return (
    <>
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <code className="font-mono">{id}</code>
        </span>
      ))}
    </>
  );
}

function ComparisonView({ comparison: c, dataset }: { comparison: Comparison; dataset: string | null }) {
  const name = (id: string) => c.methods.find((m) => m.id === id)?.name ?? id;
  return (
    <>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="summary-heading">
        <h2 id="summary-heading" className="text-lg font-semibold">
          Where each wins
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Datasets where one method of a pair is significantly better: Holm-adjusted p &lt; {c.alpha}, over{" "}
          {c.tests === 1 ? "the one test" : `all ${c.tests} tests`} on this page.{" "}
          {dataset && (
            <>
              Only <code className="font-mono">{dataset}</code> is shown:{" "}
              <Link
                href={compareHref(
                  c.task.id,
                  c.methods.map((m) => m.id),
                )}
                className="text-indigo-700 hover:underline"
              >
                every dataset of {c.task.id}
              </Link>
              .
            </>
          )}
        </p>
        <table className="mt-3 text-left text-sm" data-testid="compare-summary">
          <caption className="sr-only">Datasets on which each method of a pair is significantly better</caption>
          <thead className="text-xs text-slate-500">
            <tr>
              <th scope="col" className="py-1 pr-6 font-medium">
                Pair
              </th>
              <th scope="col" className="py-1 pr-6 font-medium">
                A better
              </th>
              <th scope="col" className="py-1 pr-6 font-medium">
                B better
              </th>
              <th scope="col" className="py-1 pr-6 font-medium">
                No significant difference
              </th>
              <th scope="col" className="py-1 font-medium">
                No result
              </th>
            </tr>
          </thead>
          <tbody>
            {c.summary.map((s) => (
              <tr key={`${s.a}:${s.b}`} className="border-t border-slate-100" data-testid="summary-row" data-a={s.a} data-b={s.b}>
                <th scope="row" className="py-1 pr-6 font-medium">
                  {name(s.a)} vs {name(s.b)}
                </th>
                <td className="py-1 pr-6 tabular-nums">
                  {name(s.a)}: {s.aBetter}
                </td>
                <td className="py-1 pr-6 tabular-nums">
                  {name(s.b)}: {s.bBetter}
                </td>
                <td className="py-1 pr-6 tabular-nums">{s.neither}</td>
                <td className="py-1 tabular-nums">{s.noResult}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {c.datasets.length === 0 ? (
        <p className="text-sm text-slate-500">This task has no datasets yet.</p>
      ) : (
        c.datasets.map((d) => <DatasetSection key={d.slug} comparison={c} dataset={d} />)
      )}
    </>
  );
}

function DatasetSection({ comparison: c, dataset: d }: { comparison: Comparison; dataset: DatasetComparison }) {
  const name = (id: string) => c.methods.find((m) => m.id === id)?.name ?? id;
  const withResults = d.pairs.filter((p) => p.result);
  return (
    <section
      className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
      data-testid="compare-dataset"
      data-dataset={d.slug}
      aria-labelledby={`dataset-${d.slug}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={`dataset-${d.slug}`} className="text-lg font-semibold">
          <Link href={`/tasks/${c.task.id}/datasets/${d.slug}`} className="hover:text-indigo-700 hover:underline">
            {d.title}
          </Link>
        </h2>
        <DomainBadge domain={d.domain} />
        <span className="font-mono text-xs text-slate-400">
          {d.slug} v{d.version}
        </span>
      </div>
      <ul className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm">
        {c.methods.map((m, i) => {
          const run = d.runs[i];
          return (
            <li key={m.id} data-testid="compare-run" data-method={m.id}>
              <span className="font-medium">{m.name}</span>{" "}
              {run ? (
                <>
                  <Link href={`/runs/${run.runId}`} className="font-mono text-xs text-slate-400 hover:text-indigo-700 hover:underline">
                    v{run.methodVersion}
                  </Link>{" "}
                  <span className="font-mono" data-testid="run-score">
                    {formatScore(run.score)}
                  </span>
                  {run.status !== "ok" && (
                    <>
                      {" "}
                      <StatusBadge status={run.status} />
                    </>
                  )}
                  {run.failedInstances > 0 && (
                    <span className="text-xs text-rose-700">
                      {" "}
                      {run.failedInstances} of {run.instances} failed
                    </span>
                  )}
                </>
              ) : (
                <span className="text-slate-400" data-testid="no-run">
                  no run
                </span>
              )}
            </li>
          );
        })}
      </ul>
      <div className="mt-4 overflow-x-auto">
        <table className="min-w-full text-left text-sm" data-testid="compare-table">
          <caption className="sr-only">
            Paired differences on {d.title}: mean of A − B over the shared instances with its 95% bootstrap CI, Wilcoxon p raw and
            Holm-adjusted, and per-instance wins
          </caption>
          <thead className="text-xs text-slate-500">
            <tr className="border-b border-slate-200">
              <th scope="col" className="py-2 pr-4 font-medium">
                A − B
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Shared instances
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Mean difference <span className="font-normal text-slate-400">[95% CI]</span>
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Wilcoxon p
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                p (Holm)
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                A wins / ties / B wins
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Verdict
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {d.pairs.map((p) => (
              <PairRow key={`${p.a}:${p.b}`} pair={p} name={name} />
            ))}
          </tbody>
        </table>
      </div>
      {withResults.length > 0 && (
        <div className="mt-4 grid gap-6 sm:grid-cols-2 lg:grid-cols-3">
          {withResults.map((p) => (
            <PairScatter key={`${p.a}:${p.b}`} points={p.result?.points ?? []} range={c.task.mainScore} a={name(p.a)} b={name(p.b)} />
          ))}
        </div>
      )}
    </section>
  );
}

function PairRow({ pair: p, name }: { pair: PairComparison; name: (id: string) => string }) {
  const r = p.result;
  return (
    <tr data-testid="compare-pair" data-a={p.a} data-b={p.b} data-verdict={r?.verdict ?? "no-result"}>
      <th scope="row" className="py-2 pr-4 font-medium whitespace-nowrap">
        {name(p.a)} − {name(p.b)}
      </th>
      {!r ? (
        <td colSpan={6} className="px-3 py-2 text-slate-500" data-testid="no-result">
          {p.reason}
        </td>
      ) : (
        <>
          <td className="px-3 py-2 text-right tabular-nums" data-testid="pair-n">
            {r.n}
            {(r.failedA > 0 || r.failedB > 0) && (
              <span className="block text-xs text-rose-700" data-testid="pair-failed">
                failed: {name(p.a)} {r.failedA}, {name(p.b)} {r.failedB}
              </span>
            )}
          </td>
          <td className="px-3 py-2 whitespace-nowrap tabular-nums" data-testid="pair-delta">
            {formatDelta(r.mean, r.low, r.high)}
          </td>
          <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums" data-testid="pair-p">
            {formatP(r.p)}
          </td>
          <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums" data-testid="pair-p-holm">
            {formatP(r.pAdjusted)}
          </td>
          <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums" data-testid="pair-wins">
            {r.wins} / {r.ties} / {r.losses}
          </td>
          <td className="px-3 py-2 whitespace-nowrap" data-testid="pair-verdict">
            {r.verdict === "none" ? (
              <span className="text-slate-500">no significant difference</span>
            ) : (
              <span className="font-medium text-slate-900">{name(r.verdict === "a" ? p.a : p.b)} better</span>
            )}
          </td>
        </>
      )}
    </tr>
  );
}
