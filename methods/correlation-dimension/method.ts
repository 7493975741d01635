// Baseline: correlation dimension (Grassberger & Procaccia 1983). The correlation integral C(r), the
// fraction of point pairs closer than r, scales as r^d at small r; d is the least-squares slope of
// log C(r) against log r over the small-scale range where a point has on average between 2 and 20
// neighbours within r (10 log-spaced radii, read off the sorted pairwise distances).

import { rowSquaredDistances } from "../../harness/row-dots.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";

export const MIN_NEIGHBOURS = 2;
export const MAX_NEIGHBOURS = 20;
export const RADII = 10;

/**
 * The `count` smallest positive pairwise Euclidean distances, ascending (float32). All n(n−1)/2
 * distances are computed, then a quickselect keeps the smallest `count` before sorting them.
 */
export function smallestPairDistances(x: ArrayLike<number>, n: number, d: number, count: number): Float32Array {
  const xs = Float64Array.from(x as ArrayLike<number>);
  const all = new Float32Array((n * (n - 1)) / 2);
  let p = 0;
  const scratch = new Float64Array(n);
  for (let i = 0; i < n; i++) p = rowDistances(xs, d, i, n, all, p, scratch);
  const k = Math.min(count, p);
  select(all, 0, p - 1, k - 1);
  return all.subarray(0, k).sort();
}

/** Distances from row i to rows i+1…n−1, appended to `out` at `start` (zeros skipped); returns the new end. */
function rowDistances(xs: Float64Array, d: number, i: number, n: number, out: Float32Array, start: number, scratch: Float64Array): number {
  let p = start;
  rowSquaredDistances(xs, n, d, i, scratch, i + 1);
  for (let j = 0; j < n - i - 1; j++) {
    const sq = scratch[j] as number;
    if (sq > 0) out[p++] = Math.sqrt(sq);
  }
  return p;
}

/** Hoare quickselect: afterwards a[k] is the k-th smallest of a[lo..hi], smaller ones before it. */
function select(a: Float32Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

export function correlationDimension(
  x: ArrayLike<number>,
  n: number,
  d: number,
  lo = MIN_NEIGHBOURS,
  hi = MAX_NEIGHBOURS,
  radii = RADII,
): number {
  const pairs = smallestPairDistances(x, n, d, Math.ceil((hi * n) / 2) + 1);
  const xsLog: number[] = [];
  const ysLog: number[] = [];
  for (let s = 0; s < radii; s++) {
    // Mean neighbour count c ⇔ c·n/2 pairs closer than r.
    const c = lo * (hi / lo) ** (s / (radii - 1));
    const count = Math.min(pairs.length, Math.max(1, Math.round((c * n) / 2)));
    const r = pairs[count - 1] as number;
    if (!(r > 0)) continue;
    xsLog.push(Math.log(r));
    ysLog.push(Math.log(count));
  }
  const m = xsLog.length;
  if (m < 2) return 1;
  const mx = xsLog.reduce((a, b) => a + b, 0) / m;
  const my = ysLog.reduce((a, b) => a + b, 0) / m;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < m; i++) {
    sxy += ((xsLog[i] as number) - mx) * ((ysLog[i] as number) - my);
    sxx += ((xsLog[i] as number) - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 1;
}

export const correlationDimensionMethod: MethodDefinition = {
  id: "correlation-dimension",
  version: "1.0.2",
  name: "Correlation dimension (Grassberger–Procaccia)",
  kind: "baseline",
  description:
    "Slope of log C(r) vs log r, C the correlation integral, over the radii where points have on average 2–20 neighbours (10 log-spaced radii).",
  url: "https://doi.org/10.1016/0167-2789(83)90298-1",
  tasks: ["intrinsic-dimension"],
  async run(ctx) {
    const x = ctx.inputs.activity as NdArray;
    const [n, d] = x.shape as [number, number];
    return { result: { dimension: Math.max(correlationDimension(x.data, n, d), 1e-6) } };
  },
};
