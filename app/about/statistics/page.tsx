// How leaderboards decide which differences are real: the procedure, and a worked example computed by the
// same code (harness/statistics.ts) on fixed numbers, so the page cannot drift from what the tables show.
import type { Metadata } from "next";
import Link from "next/link";
import { ALPHA, analyze, BOOTSTRAP_RESAMPLES } from "@/harness/statistics.ts";
import { formatDelta, formatP, formatRankInterval, formatScore } from "@/lib/format.ts";
import { pageMetadata } from "@/lib/metadata.ts";
import { STATISTICS_EXAMPLE } from "@/lib/statistics-example.ts";

export const metadata: Metadata = pageMetadata(
  "Statistics: how leaderboards rank",
  "How Cajal decides which leaderboard differences are real: paired bootstrap intervals, Wilcoxon signed-rank tests, Holm correction, rank groups and rank intervals, with a worked example.",
);

const EXAMPLE = STATISTICS_EXAMPLE;

export default function StatisticsPage() {
  const names = Object.keys(EXAMPLE);
  const instances = (EXAMPLE[names[0] as string] ?? []).length;
  const result = analyze(names.map((id) => ({ id, scores: new Map((EXAMPLE[id] ?? []).map((v, i) => [i, v])) })));
  const pairs = (names.length * (names.length - 1)) / 2;
  return (
    <article className="max-w-3xl space-y-6 text-slate-700" data-testid="statistics-page">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Which differences on a leaderboard are real</h1>
        <p className="mt-2">
          Every method is scored on the <em>same instances</em> of a dataset, so two methods are compared instance by instance (paired),
          which is far more sensitive than comparing two means with their separate confidence intervals. The code is{" "}
          <code className="font-mono text-sm">harness/statistics.ts</code>; the example below is computed by it when this page is built.
        </p>
      </header>

      <section className="space-y-2">
        <h2 className="text-lg font-semibold text-slate-900">The procedure</h2>
        <ol className="list-decimal space-y-2 pl-5">
          <li>
            <strong>Per-instance scores.</strong> The latest ranked run of each method (not the random, oracle or floor references). A
            failed instance counts at the task's lowest score, as in the ranking itself. Two methods are compared only over the instances
            both have.
          </li>
          <li>
            <strong>Paired difference.</strong> For two methods, d<sub>i</sub> = score<sub>i</sub>(row) − score<sub>i</sub>(row above). Its
            mean, with a 95% percentile bootstrap CI: the instances are resampled with replacement {BOOTSTRAP_RESAMPLES} times (fixed seed),
            and the 2.5% and 97.5% quantiles of the resampled means are the interval.
          </li>
          <li>
            <strong>Test.</strong> The two-sided Wilcoxon signed-rank test on d, exactly as <code>scipy.stats.wilcoxon</code> with its
            defaults: zero differences are dropped; up to 50 instances without ties or zeros use the exact null distribution; ties or zeros
            with up to 13 instances use the exact sign-flip distribution; otherwise the normal approximation with the tie-corrected
            variance. Identical methods (no non-zero difference) get p = 1.
          </li>
          <li>
            <strong>Multiple comparisons.</strong> Every pair of ranked methods in the table is tested, and the p-values are Holm-adjusted
            together (m pairs: the k-th smallest p is multiplied by m − k + 1, then made non-decreasing and capped at 1). The table shows
            the adjusted p.
          </li>
          <li>
            <strong>Rank groups.</strong> Methods in leaderboard order (by mean score). The first leads group 1; walking down, each method
            joins the current leader's group while its adjusted p against that leader is at least {ALPHA}; the first method significantly
            different from the leader starts the next group and leads it. A group's rank is its leader's position, so two indistinguishable
            leaders and a clearly worse method read 1, 1, 3.
          </li>
          <li>
            <strong>Rank intervals.</strong> The instances all ranked methods share are resampled jointly (the same draw for every method){" "}
            {BOOTSTRAP_RESAMPLES} times, the methods re-ranked by their mean on each resample, and each method's 2.5%–97.5% range of ranks
            reported.
          </li>
        </ol>
      </section>

      <section className="space-y-3">
        <h2 className="text-lg font-semibold text-slate-900">Worked example</h2>
        <p>
          Four methods on the same {instances} instances ({pairs} pairs in Holm's family):
        </p>
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-xs tabular-nums">
            <thead className="text-slate-500">
              <tr className="border-b border-slate-200">
                <th className="px-3 py-1.5 text-left font-medium">Instance</th>
                {Array.from({ length: instances }, (_, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: instance columns are positional
                  <th key={i} className="px-2 py-1.5 text-right font-medium">
                    {i}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {names.map((name) => (
                <tr key={name} className="border-b border-slate-100">
                  <td className="px-3 py-1.5 whitespace-nowrap">{name}</td>
                  {(EXAMPLE[name] ?? []).map((v, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: instance columns are positional
                    <td key={i} className="px-2 py-1.5 text-right">
                      {formatScore(v, 2)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-sm tabular-nums" data-testid="statistics-example">
            <thead className="text-left text-xs text-slate-500">
              <tr className="border-b border-slate-200">
                <th className="px-3 py-2 font-medium">Method</th>
                <th className="px-3 py-2 text-right font-medium">Mean</th>
                <th className="px-3 py-2 text-right font-medium">Rank (interval)</th>
                <th className="px-3 py-2 font-medium">vs row above</th>
                <th className="px-3 py-2 text-right font-medium">Wilcoxon p (raw)</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {result.map((r) => (
                <tr key={r.id} data-testid="statistics-example-row">
                  <td className="px-3 py-2">{r.id}</td>
                  <td className="px-3 py-2 text-right">{formatScore(r.mean)}</td>
                  <td className="px-3 py-2 text-right">
                    {r.group} <span className="text-xs text-slate-400">({formatRankInterval(r.rankLow, r.rankHigh)})</span>
                  </td>
                  <td className="px-3 py-2 text-xs whitespace-nowrap">
                    {r.vsAbove
                      ? `${formatDelta(r.vsAbove.difference.mean, r.vsAbove.difference.low, r.vsAbove.difference.high)}, ${formatP(r.vsAbove.pAdjusted)}`
                      : ""}
                  </td>
                  <td className="px-3 py-2 text-right text-xs">{r.vsAbove ? r.vsAbove.p.toPrecision(3) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          How to read it: A and B differ by less than their instance-to-instance noise, so they share rank group 1 and both have rank
          interval 1–2. C is below B on every instance, significant even after Holm, so it starts group 3. D is below C on most instances:
          the raw p is under {ALPHA}, but not after adjusting for the {pairs} comparisons, so D stays in C's group, although the bootstrap
          puts it in 4th place on almost every resample. The rank group answers "is this row distinguishable from the best of its group?";
          the rank interval answers "where could this row plausibly land with other instances?".
        </p>
        <p className="text-sm text-slate-500">
          Back to the{" "}
          <Link href="/" className="underline">
            overview
          </Link>
          .
        </p>
      </section>
    </article>
  );
}
