// Paired statistics for leaderboards. Every method runs on the same instances of a dataset, so two
// methods are compared on their per-instance score differences (paired), never on two independent
// means. Pure functions: no database, deterministic (fixed seeds through harness/rng.ts).
//
// The procedure (also on the site's /about/statistics page):
// - Paired difference of two methods: over the instances both have, d_i = a_i − b_i. Its mean, with a
//   95% percentile bootstrap CI (2000 resamples of instances, fixed seed).
// - p-value: the Wilcoxon signed-rank test on d (two-sided), as scipy.stats.wilcoxon with its defaults.
// - Holm's step-down correction over every pair of ranked methods in one table.
// - Rank groups: see `rankGroups`. Rank intervals: see `rankIntervals`.
import { Rng, seedFrom } from "./rng.ts";
import { BOOTSTRAP_RESAMPLES, bootstrapMeans } from "./scoring.ts";

// The same resample count as the leaderboard's CIs.
export { BOOTSTRAP_RESAMPLES };
export const ALPHA = 0.05;
const DEFAULT_SEED = seedFrom("cajal-statistics");

// ---------------------------------------------------------------------------------------------
// Normal distribution

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** P(Z > z) for a standard normal Z, to ~1e-14 relative accuracy (no cancellation in either branch). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z < 0) return 1 - normalSf(-z);
  const pdf = INV_SQRT_2PI * Math.exp(-0.5 * z * z);
  if (z < 3) {
    // Φ(z) − 1/2 = φ(z) Σ z^(2k+1) / (1·3·…·(2k+1)): all terms positive.
    let term = z;
    let sum = z;
    for (let k = 1; k < 500 && term > sum * 1e-17; k++) {
      term *= (z * z) / (2 * k + 1);
      sum += term;
    }
    return 0.5 - pdf * sum;
  }
  // Continued fraction sf(z) = φ(z) / (z + 1/(z + 2/(z + 3/(z + …)))), evaluated from the tail.
  let f = z;
  for (let k = 120; k >= 1; k--) f = z + k / f;
  return pdf / f;
}

// ---------------------------------------------------------------------------------------------
// Wilcoxon signed-rank test

export interface WilcoxonResult {
  /** min(R+, R−), as scipy reports it for the two-sided test. */
  statistic: number;
  p: number;
  /** Non-zero differences (zeros are dropped: zero_method="wilcox"). */
  n: number;
  method: "exact" | "permutation" | "normal" | "none";
}

/** Average ranks (1-based) of `values`, ties sharing the mean of their positions. */
function averageRanks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number));
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1] as number] === values[order[start] as number]) end++;
    const rank = (start + end + 2) / 2;
    for (let k = start; k <= end; k++) ranks[order[k] as number] = rank;
    tieSizes.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieSizes };
}

/** Number of subsets of {1…n} with each sum 0…n(n+1)/2: the null distribution of R+ without ties. */
function signedRankCounts(n: number): number[] {
  const counts = new Array<number>((n * (n + 1)) / 2 + 1).fill(0);
  counts[0] = 1;
  let top = 0;
  for (let k = 1; k <= n; k++) {
    top += k;
    for (let s = top; s >= k; s--) counts[s] = (counts[s] as number) + (counts[s - k] as number);
  }
  return counts;
}

/**
 * Two-sided Wilcoxon signed-rank test of the paired differences x − y (or of x alone), matching
 * scipy.stats.wilcoxon(x, y) with its defaults (zero_method="wilcox", correction=False, method="auto",
 * scipy ≥ 1.13): zeros are dropped; with at most 50 pairs (zeros included) and neither ties nor zeros the
 * exact null distribution; with ties or zeros and at most 13 pairs the exact sign-flip permutation
 * distribution of R+; otherwise the normal approximation with the tie correction of the variance.
 * With no non-zero difference at all (identical methods) p = 1 (scipy returns NaN there).
 */
export function wilcoxon(x: readonly number[], y?: readonly number[]): WilcoxonResult {
  if (y && y.length !== x.length) throw new Error(`wilcoxon: ${x.length} vs ${y.length} values`);
  const all = y ? x.map((v, i) => v - (y[i] as number)) : [...x];
  const zeros = all.filter((v) => v === 0).length;
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  if (n === 0) return { statistic: 0, p: 1, n: 0, method: "none" };
  const { ranks, tieSizes } = averageRanks(d.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if ((d[i] as number) > 0) rPlus += ranks[i] as number;
    else rMinus += ranks[i] as number;
  }
  const statistic = Math.min(rPlus, rMinus);
  const hasTies = tieSizes.some((t) => t > 1);
  const total = all.length;
  if (total <= 50 && !hasTies && zeros === 0) {
    const counts = signedRankCounts(n);
    const all2n = 2 ** n;
    const r = Math.round(rPlus);
    let cdf = 0;
    for (let s = 0; s <= r; s++) cdf += counts[s] as number;
    let sf = 0;
    for (let s = r; s < counts.length; s++) sf += counts[s] as number;
    return { statistic, p: Math.min(1, (2 * Math.min(cdf, sf)) / all2n), n, method: "exact" };
  }
  if (total <= 13) {
    // Every sign pattern of the non-zero differences (zeros do not change R+, so they only scale both counts).
    const eps = Math.abs(rPlus) * 1e-14;
    let less = 0;
    let greater = 0;
    const patterns = 2 ** n;
    for (let mask = 0; mask < patterns; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) if (mask & (1 << i)) s += ranks[i] as number;
      if (s <= rPlus + eps) less++;
      if (s >= rPlus - eps) greater++;
    }
    return { statistic, p: Math.min(1, (2 * Math.min(less, greater)) / patterns), n, method: "permutation" };
  }
  const mean = (n * (n + 1)) / 4;
  const tieCorrection = tieSizes.reduce((s, t) => s + t ** 3 - t, 0);
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieCorrection / 2) / 24);
  const z = (rPlus - mean) / se;
  return { statistic, p: Math.min(1, 2 * normalSf(Math.abs(z))), n, method: "normal" };
}

// ---------------------------------------------------------------------------------------------
// Paired bootstrap

export interface PairedDifference {
  /** Mean of a − b over the shared instances. */
  mean: number;
  /** 95% percentile bootstrap CI of that mean. */
  low: number;
  high: number;
  /** Two-sided bootstrap p-value: 2·min(share of resampled means ≤ 0, share ≥ 0), at most 1. */
  p: number;
  n: number;
}

function quantileSorted(sorted: Float64Array | number[], q: number): number {
  // Linear interpolation between order statistics (numpy's default, "type 7").
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Mean difference a − b of paired values with its percentile bootstrap CI (instances resampled with replacement). */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  { resamples = BOOTSTRAP_RESAMPLES, seed = DEFAULT_SEED, level = 0.95 } = {},
): PairedDifference {
  if (a.length !== b.length) throw new Error(`pairedBootstrap: ${a.length} vs ${b.length} values`);
  const n = a.length;
  if (n === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN, p: 1, n: 0 };
  const d = a.map((v, i) => v - (b[i] as number));
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const means = bootstrapMeans(d, resamples, seed);
  let atMost = 0;
  let atLeast = 0;
  for (const m of means) {
    if (m <= 0) atMost++;
    if (m >= 0) atLeast++;
  }
  const tail = (1 - level) / 2;
  return {
    mean,
    low: quantileSorted(means, tail),
    high: quantileSorted(means, 1 - tail),
    p: Math.min(1, (2 * Math.min(atMost, atLeast)) / resamples),
    n,
  };
}

// ---------------------------------------------------------------------------------------------
// Multiple comparisons

/**
 * Holm's step-down adjusted p-values, in the input order: sort ascending, p_(k)·(m − k + 1) for the k-th smallest
 * (1-based), made non-decreasing along that order and capped at 1. Rejecting adjusted p < α controls the
 * family-wise error rate at α.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => (pValues[i] as number) - (pValues[j] as number));
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((idx, k) => {
    running = Math.max(running, Math.min(1, (m - k) * (pValues[idx] as number)));
    adjusted[idx] = running;
  });
  return adjusted;
}

// ---------------------------------------------------------------------------------------------
// Rankings

/** A method's per-instance scores, by instance index (failed instances already at the task's lowest score). */
export interface MethodScores {
  id: string;
  scores: ReadonlyMap<number, number>;
}

/** The paired values of two methods over the instances both have, in instance order. */
export function shared(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): { a: number[]; b: number[] } {
  const keys = [...a.keys()].filter((k) => b.has(k)).sort((x, y) => x - y);
  return { a: keys.map((k) => a.get(k) as number), b: keys.map((k) => b.get(k) as number) };
}

export interface PairResult {
  /** Paired mean difference a − b with its bootstrap CI over the shared instances. */
  difference: PairedDifference;
  /** Wilcoxon signed-rank p (two-sided, so the same for a − b and b − a). */
  p: number;
}

/**
 * Method a versus method b over the instances both have. The bootstrap is seeded by both ids, so one pair always gets
 * the same interval: a leaderboard's "vs row above" and the compare view show the same numbers.
 */
export function comparePair(
  a: MethodScores,
  b: MethodScores,
  { resamples, seed = DEFAULT_SEED }: { resamples?: number; seed?: number } = {},
): PairResult {
  const values = shared(a.scores, b.scores);
  return {
    difference: pairedBootstrap(values.a, values.b, { resamples, seed: seedFrom(seed, b.id, a.id) }),
    p: wilcoxon(values.a, values.b).p,
  };
}

const meanOf = (m: ReadonlyMap<number, number>) => {
  let s = 0;
  for (const v of m.values()) s += v;
  return m.size ? s / m.size : Number.NEGATIVE_INFINITY;
};

/**
 * Rank groups of methods sorted best first, given Holm-adjusted p-values between every pair (pAdjusted(i, j)).
 * The rule: the first method leads group 1. Walking down the order, each following method joins the current
 * leader's group while its difference to that leader is not significant (adjusted p ≥ α); the first method that
 * is significantly different from the leader starts a new group and leads it. A group's rank is its leader's
 * position (1-based), so ranks read like competition ranks: two indistinguishable leaders, then a clearly worse
 * method, are 1, 1, 3. Groups are contiguous in the order by mean.
 */
export function rankGroups(count: number, pAdjusted: (i: number, j: number) => number, alpha = ALPHA): number[] {
  const groups = new Array<number>(count);
  for (let leader = 0; leader < count; ) {
    groups[leader] = leader + 1;
    let j = leader + 1;
    while (j < count && pAdjusted(leader, j) >= alpha) groups[j++] = leader + 1;
    leader = j;
  }
  return groups;
}

/**
 * Rank intervals: resample the instances all methods share (with replacement, the same draw for every method),
 * rank the methods by their mean on the resample (1 + the number of methods with a strictly higher mean), and
 * report each method's 2.5% and 97.5% rank quantiles (lower rounded down, upper up). Methods in input order.
 */
export function rankIntervals(
  methods: readonly MethodScores[],
  { resamples = BOOTSTRAP_RESAMPLES, seed = DEFAULT_SEED, level = 0.95 } = {},
): { low: number; high: number }[] {
  const m = methods.length;
  if (m === 0) return [];
  const keys = [...(methods[0] as MethodScores).scores.keys()].filter((k) => methods.every((x) => x.scores.has(k))).sort((a, b) => a - b);
  const n = keys.length;
  if (n === 0) return methods.map(() => ({ low: 1, high: m }));
  const values = methods.map((x) => Float64Array.from(keys, (k) => x.scores.get(k) as number));
  const rng = new Rng(seedFrom(seed, "ranks"));
  const ranks = methods.map(() => new Float64Array(resamples));
  const sums = new Float64Array(m);
  for (let r = 0; r < resamples; r++) {
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const k = rng.int(n);
      for (let j = 0; j < m; j++) sums[j] = (sums[j] as number) + ((values[j] as Float64Array)[k] as number);
    }
    for (let j = 0; j < m; j++) {
      let rank = 1;
      for (let o = 0; o < m; o++) if ((sums[o] as number) > (sums[j] as number)) rank++;
      (ranks[j] as Float64Array)[r] = rank;
    }
  }
  const tail = (1 - level) / 2;
  return ranks.map((rs) => {
    rs.sort();
    return { low: Math.floor(quantileSorted(rs, tail)), high: Math.ceil(quantileSorted(rs, 1 - tail)) };
  });
}

export interface MethodSignificance {
  id: string;
  /** Mean over the method's instances. */
  mean: number;
  /** Rank group (see `rankGroups`). */
  group: number;
  /** 95% bootstrap interval of the method's rank. */
  rankLow: number;
  rankHigh: number;
  /** Versus the method ranked just above it; null for the first. */
  vsAbove: PairComparison | null;
}

export interface PairComparison {
  /** The method above. */
  above: string;
  /** Paired mean difference this − above with its bootstrap CI, over `n` shared instances. */
  difference: PairedDifference;
  /** Wilcoxon signed-rank p-value, and Holm-adjusted over every pair of methods in the table. */
  p: number;
  pAdjusted: number;
}

/**
 * The whole analysis of one table: methods sorted by mean (best first; ties keep the input order; `presorted` keeps
 * the input order as the ranking), rank groups from
 * Wilcoxon p-values Holm-adjusted over all m(m−1)/2 pairs, rank intervals, and each method versus the one above.
 */
export function analyze(
  methods: readonly MethodScores[],
  { presorted = false, ...options }: { resamples?: number; seed?: number; presorted?: boolean } = {},
): MethodSignificance[] {
  const withMeans = methods.map((x, i) => ({ x, i, mean: meanOf(x.scores) }));
  // presorted: the caller's order is the ranking (a leaderboard's), kept even where float sums differ in the last bit.
  const sorted = presorted ? withMeans : withMeans.sort((a, b) => b.mean - a.mean || a.i - b.i);
  const m = sorted.length;
  const pairs: [number, number][] = [];
  const raw: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const { a, b } = shared((sorted[i] as (typeof sorted)[number]).x.scores, (sorted[j] as (typeof sorted)[number]).x.scores);
      pairs.push([i, j]);
      raw.push(wilcoxon(a, b).p);
    }
  }
  const adjusted = holm(raw);
  const index = new Map(pairs.map(([i, j], k) => [`${i}:${j}`, k]));
  const at = (values: number[], i: number, j: number) => values[index.get(i < j ? `${i}:${j}` : `${j}:${i}`) as number] as number;
  const groups = rankGroups(m, (i, j) => at(adjusted, i, j));
  const intervals = rankIntervals(
    sorted.map((s) => s.x),
    options,
  );
  return sorted.map((s, k) => {
    const prev = k > 0 ? sorted[k - 1] : undefined;
    let vsAbove: PairComparison | null = null;
    if (prev) {
      vsAbove = {
        above: prev.x.id,
        difference: comparePair(s.x, prev.x, options).difference,
        p: at(raw, k - 1, k),
        pAdjusted: at(adjusted, k - 1, k),
      };
    }
    const interval = intervals[k] as { low: number; high: number };
    return { id: s.x.id, mean: s.mean, group: groups[k] as number, rankLow: interval.low, rankHigh: interval.high, vsAbove };
  });
}
