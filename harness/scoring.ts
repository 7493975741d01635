// Aggregation of per-instance scores: mean, 95% bootstrap CI with a fixed resampling seed, and the
// normalized score (score − floor) / (oracle − floor). TASKS.md defines it with floor = random; since issue 10
// the floor is the best of random and the floor references (best constant, shape only, the task's shortcut) on
// the same instances (harness/results.ts picks it), so "normalized > 0" means "better than any trivial answer".
import { Rng } from "./rng.ts";

/** Fixed so that the same per-instance values always give the same interval. */
export const BOOTSTRAP_SEED = 20261127;
export const BOOTSTRAP_RESAMPLES = 2000;

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * The means of `resamples` bootstrap resamples of `values` (instances drawn with replacement by a seeded Rng),
 * sorted ascending. Shared by the leaderboard's CI and the paired comparisons (harness/statistics.ts).
 */
export function bootstrapMeans(values: readonly number[], resamples: number, seed: number): Float64Array {
  const n = values.length;
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)] as number;
    means[r] = s / n;
  }
  return means.sort();
}

/** Percentile bootstrap of the mean. */
export function bootstrapCi(
  values: readonly number[],
  level = 0.95,
  resamples = BOOTSTRAP_RESAMPLES,
  seed = BOOTSTRAP_SEED,
): { low: number; high: number } {
  const n = values.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN };
  if (n === 1) return { low: values[0] as number, high: values[0] as number };
  const means = bootstrapMeans(values, resamples, seed);
  const alpha = (1 - level) / 2;
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return { low: at(alpha), high: at(1 - alpha) };
}

/**
 * (score − floor) / (oracle − floor), floor being the best of random and the floor references; null when a
 * reference is missing or the floor reaches the oracle (a trivial answer is perfect there: nothing can be ranked).
 */
export function normalizedScore(score: number | null, floor: number | null, oracle: number | null): number | null {
  if (score === null || floor === null || oracle === null) return null;
  const span = oracle - floor;
  if (!(span > 1e-12)) return null;
  return (score - floor) / span;
}

export function summarize(values: readonly number[]) {
  const ci = bootstrapCi(values);
  return { score: mean(values), ciLow: ci.low, ciHigh: ci.high };
}

/**
 * Symmetric log-scale agreement 1 − min(1, |log2(estimate / truth)|): 1 at the truth, 0 at a factor of 2 either way
 * (or a non-positive value), so under- and overestimates by the same factor cost the same (T3's metric, T7's score).
 */
export function logRatioScore(estimate: number, truth: number): number {
  if (!(estimate > 0) || !(truth > 0)) return 0;
  return 1 - Math.min(1, Math.abs(Math.log2(estimate / truth)));
}

/**
 * The candidate with the highest total score over `truths` (ties: the earliest candidate): the floor references'
 * best constant answer (issue 10), searched over a finite set of candidates that each task proves holds the maximum.
 */
export function bestConstant<C, T>(
  candidates: Iterable<C>,
  truths: readonly T[],
  score: (candidate: C, truth: T) => number,
): C | undefined {
  let best: C | undefined;
  let bestTotal = Number.NEGATIVE_INFINITY;
  for (const candidate of candidates) {
    let total = 0;
    for (const truth of truths) total += score(candidate, truth);
    // The margin keeps ties with the earlier candidate when sums differ only by rounding.
    if (total > bestTotal + 1e-9) {
      bestTotal = total;
      best = candidate;
    }
  }
  return best;
}
