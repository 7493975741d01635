// The persistent-homology baseline's pipeline: variance-stabilise Poisson counts, project on the leading
// principal components, denoise by k-nearest-neighbour averaging, pick max–min landmarks, compute the
// Vietoris–Rips barcode of the landmarks, and read Betti numbers off the bars that stand out.
import { principalAxes } from "../../harness/linalg.ts";
import { rowSquaredDistances } from "../../harness/row-dots.ts";
import { type Bar, distanceMatrix, ripsBarcode } from "./rips.ts";

export interface PipelineOptions {
  /** Principal components kept. */
  components: number;
  /** Neighbours averaged per point (the point itself included). */
  smoothing: number;
  /** Landmarks (max–min / farthest-point sampling). */
  landmarks: number;
}

export const DEFAULT_OPTIONS: PipelineOptions = { components: 8, smoothing: 20, landmarks: 120 };

/** √(x + 3/8) (Anscombe), centred and projected on the top principal components: n×p, row-major. */
export function project(x: ArrayLike<number>, n: number, d: number, components: number): { points: Float64Array; p: number } {
  const y = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) y[i] = Math.sqrt(Math.max(0, x[i] as number) + 0.375);
  const { mean, vectors } = principalAxes(y, n, d);
  const p = Math.min(components, d);
  const points = new Float64Array(n * p);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < p; c++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += ((y[s * d + j] as number) - (mean[j] as number)) * (vectors[c * d + j] as number);
      points[s * p + c] = dot;
    }
  }
  return { points, p };
}

/**
 * Each point replaced by the mean of its k nearest neighbours (itself included), summed nearest first.
 * The k nearest come from one pass over a row of squared distances that keeps the k smallest in a sorted
 * buffer. Where distances tie at or below the k-th (duplicate points), the summation order is the one of
 * the original selection sort, whose tie-breaking depends on its swaps: such rows are reselected that way,
 * so the result does not depend on which path a row took.
 */
export function knnSmooth(points: Float64Array, n: number, p: number, k: number): Float64Array {
  if (k <= 1) return points.slice();
  const out = new Float64Array(n * p);
  const dist = new Float64Array(n);
  const bestDist = new Float64Array(k);
  const bestIndex = new Int32Array(k);
  const m = Math.min(k, n);
  for (let i = 0; i < n; i++) {
    const io = i * p;
    rowSquaredDistances(points, n, p, i, dist);
    // The m smallest, ascending (ties: lower index first), and the smallest of the others.
    let filled = 0;
    let rest = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      const v = dist[j] as number;
      let q = filled;
      if (filled === m) {
        const worst = bestDist[m - 1] as number;
        if (v >= worst) {
          if (v < rest) rest = v;
          continue;
        }
        if (worst < rest) rest = worst; // evicted
        q = m - 1;
      } else {
        filled++;
      }
      while (q > 0 && (bestDist[q - 1] as number) > v) {
        bestDist[q] = bestDist[q - 1] as number;
        bestIndex[q] = bestIndex[q - 1] as number;
        q--;
      }
      bestDist[q] = v;
      bestIndex[q] = j;
    }
    // A tie inside the selection or at its edge makes the order ambiguous: select as the original did.
    let tie = false;
    for (let q = 1; q < m; q++) if (bestDist[q] === bestDist[q - 1]) tie = true;
    if (tie || rest === bestDist[m - 1]) selectionOrder(dist, m, bestIndex);
    for (let q = 0; q < m; q++) {
      const so = (bestIndex[q] as number) * p;
      for (let c = 0; c < p; c++) out[io + c] = (out[io + c] as number) + (points[so + c] as number) / k;
    }
  }
  return out;
}

/** The first m picks of a selection sort over `dist` (the original knnSmooth's order, ties included), into `picked`. */
function selectionOrder(dist: Float64Array, m: number, picked: Int32Array): void {
  const n = dist.length;
  const order = new Int32Array(n);
  for (let j = 0; j < n; j++) order[j] = j;
  for (let a = 0; a < m; a++) {
    let best = a;
    for (let b = a + 1; b < n; b++) if ((dist[order[b] as number] as number) < (dist[order[best] as number] as number)) best = b;
    const t = order[a] as number;
    order[a] = order[best] as number;
    order[best] = t;
    picked[a] = order[a] as number;
  }
}

/**
 * Max–min (farthest-point) landmarks: start at the point nearest the centroid, then repeatedly add the
 * point farthest from the landmarks chosen so far. Returns the indices and the covering radius (the
 * largest distance from any point to its nearest landmark).
 */
export function maxMinLandmarks(points: Float64Array, n: number, p: number, count: number): { indices: number[]; coverRadius: number } {
  const m = Math.min(count, n);
  const centroid = new Float64Array(p);
  for (let s = 0; s < n; s++) for (let c = 0; c < p; c++) centroid[c] = (centroid[c] as number) + (points[s * p + c] as number) / n;
  const sq = (i: number, target: ArrayLike<number>, off: number) => {
    let s = 0;
    for (let c = 0; c < p; c++) s += ((points[i * p + c] as number) - (target[off + c] as number)) ** 2;
    return s;
  };
  let first = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let s = 0; s < n; s++) {
    const v = sq(s, centroid, 0);
    if (v < best) {
      best = v;
      first = s;
    }
  }
  const indices = [first];
  const nearest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let last = first;
  for (;;) {
    let far = -1;
    let farDist = -1;
    for (let s = 0; s < n; s++) {
      const v = sq(s, points, last * p);
      if (v < (nearest[s] as number)) nearest[s] = v;
      if ((nearest[s] as number) > farDist) {
        farDist = nearest[s] as number;
        far = s;
      }
    }
    if (indices.length >= m) return { indices, coverRadius: Math.sqrt(farDist) };
    indices.push(far);
    last = far;
  }
}

export interface PipelineResult {
  bars: Bar[];
  coverRadius: number;
  landmarks: number;
}

export function activityBarcode(x: ArrayLike<number>, n: number, d: number, options: PipelineOptions = DEFAULT_OPTIONS): PipelineResult {
  const { points, p } = project(x, n, d, options.components);
  const smooth = knnSmooth(points, n, p, options.smoothing);
  const { indices, coverRadius } = maxMinLandmarks(smooth, n, p, options.landmarks);
  const L = indices.length;
  const sub = new Float64Array(L * p);
  for (const [i, s] of indices.entries()) sub.set(smooth.subarray(s * p, (s + 1) * p), i * p);
  const bars = ripsBarcode(distanceMatrix(sub, L, p), L, { maxDim: 2 });
  return { bars, coverRadius, landmarks: L };
}

/**
 * The bars that stand out, in units of the landmarks' covering radius ε (noise bars of a max–min sample
 * scale with ε; bars of real features scale with the feature):
 * - b0 = 1 (the essential class) + the finite H0 bars longer than 3.5 ε (a max–min ε-net joins
 *   everything within about 2ε, so only genuinely separate components live longer);
 * - b1, b2: bars whose persistence is at least τ_k ε (τ₁ = 1.4, τ₂ = 0.7) and at least 0.4 × the
 *   longest bar of the same dimension.
 * Essential bars in dimension ≥ 1 (there are none below the enclosing radius) would count.
 */
export const BETTI_RULE = { h0: 3.5, h1: 1.4, h2: 0.7, relative: 0.4 };

export function bettiFromBars(bars: readonly Bar[], coverRadius: number, rule = BETTI_RULE): [number, number, number] {
  const persistence = (dim: number) => bars.filter((b) => b.dim === dim).map((b) => b.death - b.birth);
  const h0 = persistence(0);
  const b0 = h0.filter((p) => !Number.isFinite(p)).length + h0.filter((p) => Number.isFinite(p) && p >= rule.h0 * coverRadius).length;
  const count = (dim: number, tau: number) => {
    const ps = persistence(dim);
    if (!ps.length) return 0;
    const longest = Math.max(...ps);
    return ps.filter((p) => p >= tau * coverRadius && p >= rule.relative * longest).length;
  };
  return [Math.max(1, b0), count(1, rule.h1), count(2, rule.h2)];
}
