// Exact k-nearest-neighbour distances by brute force (n ≤ 5000), shared by T3's neighbour-based
// baselines (TwoNN, MLE) and the tests. Each pair is visited once; distances are Euclidean, in float64.
// Exact duplicates (distance 0) are not neighbours: every neighbour-based estimator divides by or takes
// the log of neighbour distances, and a duplicate carries no information about dimension.
//
// Speed: squared distances come from the Gram expansion ‖x‖² + ‖y‖² − 2 x·y with the dot products computed
// 4 rows × 2 rows at a time (eight independent accumulators, each row read once per block), over tiles of
// rows that stay in cache. Every dot product is still summed in coordinate order, so the distances do not
// depend on the blocking.
import { dotBlock4x2 } from "../../harness/linalg.ts";

export interface Neighbours {
  k: number;
  /** n×k ascending distances to the k nearest distinct points (Infinity where fewer exist). */
  dist: Float64Array;
}

/** Rows per block of the outer (i) loop; the row count is padded to a multiple of it. */
const BLOCK = 4;
/** Bytes of the inner (j) rows kept hot in cache at once. */
const TILE_BYTES = 128 * 1024;

export function nearestNeighbours(x: ArrayLike<number>, n: number, d: number, k: number): Neighbours {
  const dist = new Float64Array(n * k).fill(Number.POSITIVE_INFINITY);
  if (k <= 0 || n < 2) return { k, dist };
  // Copy to float64 once (inputs are float32), zero rows padding n to a multiple of BLOCK (never neighbours).
  const padded = Math.ceil(n / BLOCK) * BLOCK;
  const xs = new Float64Array(padded * d);
  for (let i = 0; i < n * d; i++) xs[i] = x[i] as number;
  const norms = new Float64Array(padded);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (xs[i * d + c] as number) ** 2;
    norms[i] = s;
  }
  const last = k - 1;
  const insert = (i: number, v: number) => {
    const base = i * k;
    let p = last;
    while (p > 0 && (dist[base + p - 1] as number) > v) {
      dist[base + p] = dist[base + p - 1] as number;
      p--;
    }
    dist[base + p] = v;
  };
  const dots = new Float64Array(2 * BLOCK);
  const tile = Math.max(2 * BLOCK, Math.floor(TILE_BYTES / (8 * Math.max(1, d)) / BLOCK) * BLOCK);
  for (let j0 = 0; j0 < padded; j0 += tile) {
    const j1 = Math.min(padded, j0 + tile);
    for (let i0 = 0; i0 < j1 && i0 < n; i0 += BLOCK) {
      for (let j = Math.max(j0, i0); j < j1; j += 2) {
        dotBlock4x2(xs, i0 * d, xs, j * d, d, dots);
        // Pair (i, j) of dots[t], i < j only (the diagonal block and the padding rows are skipped).
        for (let t = 0; t < 8; t++) {
          const i = i0 + (t >> 1);
          const jj = j + (t & 1);
          if (jj <= i || jj >= n) continue;
          const ni = norms[i] as number;
          const nj = norms[jj] as number;
          let sq = ni + nj - 2 * (dots[t] as number);
          // The Gram expansion loses precision for very close points: recompute those directly.
          if (sq < 1e-6 * (ni + nj)) {
            sq = 0;
            for (let c = 0; c < d; c++) sq += ((xs[i * d + c] as number) - (xs[jj * d + c] as number)) ** 2;
          }
          if (sq <= 0) continue;
          // Compare squared distances; take roots at the end.
          if (sq < (dist[i * k + last] as number)) insert(i, sq);
          if (sq < (dist[jj * k + last] as number)) insert(jj, sq);
        }
      }
    }
  }
  for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i] as number);
  return { k, dist };
}
