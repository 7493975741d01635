// The empirical capacity (Chung et al. 2018; Cohen et al. 2020, "simulation capacity"): project the P manifolds
// onto N' random Gaussian directions, give each manifold a random label ±1, and ask whether one hyperplane through
// the origin puts every point of every manifold on its label's side. The capacity is P / N_c, N_c the N' at which
// half of the dichotomies are separable. Used by the harness as ground truth where no theory applies and, with few
// dichotomies, by the `capacity-simulation` baseline.
import type { Rng } from "../../harness/rng.ts";
import { nnlsGram } from "./nnls.ts";

/**
 * Is there a w with z_j·w > 0 for every row z_j of `z` (n rows, `d` used columns of a row stride `stride`)? Exact up to
 * round-off, with a certificate either way: NNLS on the columns a_j = (z_j, 1) against b = (0, …, 0, 1) gives the
 * residual r = (−Σλz, 1 − Σλ). If 1 − Σλ > 0, w = Σλ_j z_j satisfies z_j·w ≥ 1 − Σλ > 0 for every j (KKT), and the
 * returned margin is min_j z_j·w / ‖w‖ > 0 (checked directly); otherwise the origin is the convex combination
 * Σ λ_j z_j / Σλ of the points, and no hyperplane through the origin separates them (Gordan's theorem).
 */
export function separable(z: Float64Array, n: number, d: number, stride = d): { separable: boolean; margin: number } {
  // A Gram column is computed once, when its point first enters the passive set.
  const columns: (Float64Array | undefined)[] = new Array(n);
  const column = (k: number) => {
    let col = columns[k];
    if (!col) {
      col = new Float64Array(n);
      const base = k * stride;
      for (let j = 0; j < n; j++) {
        let s = 1;
        const row = j * stride;
        for (let c = 0; c < d; c++) s += (z[row + c] as number) * (z[base + c] as number);
        col[j] = s;
      }
      columns[k] = col;
    }
    return col;
  };
  const atb = new Float64Array(n).fill(1);
  const lambda = nnlsGram(column, atb, n, 1e-12);
  let total = 0;
  const w = new Float64Array(d);
  for (let j = 0; j < n; j++) {
    const l = lambda[j] as number;
    if (l === 0) continue;
    total += l;
    for (let c = 0; c < d; c++) w[c] = (w[c] as number) + l * (z[j * stride + c] as number);
  }
  let norm = 0;
  for (let c = 0; c < d; c++) norm += (w[c] as number) ** 2;
  norm = Math.sqrt(norm);
  if (!(1 - total > 1e-9) || norm === 0) return { separable: false, margin: 0 };
  let margin = Number.POSITIVE_INFINITY;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (z[j * stride + c] as number) * (w[c] as number);
    margin = Math.min(margin, s / norm);
  }
  return { separable: margin > 0, margin };
}

export interface CapacityCurve {
  /** P / N_c. */
  capacity: number;
  /** N_c: the interpolated N' at which half of the dichotomies are separable (Infinity if fewer than half are at N' = N). */
  criticalDimension: number;
  /** Per dichotomy, the smallest N' at which it is separable (Infinity if none ≤ N). */
  minimalDimensions: number[];
}

/**
 * Empirical capacity of P manifolds `x` [P·M, N] (rows grouped by manifold, M rows each). For each of `dichotomies`
 * random labelings, one Gaussian N × N projection is drawn and its first N' columns used: separability at N' implies it
 * at N' + 1 (the extra coordinate can get weight 0), so bisection finds each dichotomy's smallest separable N' exactly,
 * and the separable fraction at every N' follows. N_c is where that fraction crosses ½, linearly interpolated between
 * integers (for points in general position this is Cover's P/2 exactly, so α = 2).
 * `start` is a guess of N_c: the search brackets outward from it, so a good guess saves separability tests.
 */
export function empiricalCapacity(
  x: ArrayLike<number>,
  P: number,
  M: number,
  N: number,
  rng: Rng,
  dichotomies: number,
  start = Math.max(1, Math.round(P / 2)),
): CapacityCurve {
  const n = P * M;
  const proj = new Float64Array(N * N);
  const z = new Float64Array(n * N);
  const minimal: number[] = [];
  for (let q = 0; q < dichotomies; q++) {
    const labels = Array.from({ length: P }, () => (rng.uniform() < 0.5 ? -1 : 1));
    for (let i = 0; i < N * N; i++) proj[i] = rng.normal();
    // Projected columns are computed when a test first needs them: most tests use far fewer than N.
    let projected = 0;
    const project = (upTo: number) => {
      for (let j = 0; j < n; j++) {
        const y = labels[Math.floor(j / M)] as number;
        for (let c = projected; c < upTo; c++) {
          let s = 0;
          for (let a = 0; a < N; a++) s += (x[j * N + a] as number) * (proj[a * N + c] as number);
          z[j * N + c] = y * s;
        }
      }
      projected = Math.max(projected, upTo);
    };
    // Memoised: the bracketing may ask for the same dimension twice.
    const tested = new Map<number, boolean>();
    const ok = (dim: number) => {
      let r = tested.get(dim);
      if (r === undefined) {
        if (dim > projected) project(dim);
        r = separable(z, n, dim, N).separable;
        tested.set(dim, r);
      }
      return r;
    };
    // Bracket [lo, hi] with lo not separable (0 never is) and hi separable, from a guess: the running median of the
    // dichotomies so far (the smallest separable dimension varies little between dichotomies), else `start`.
    const finite = minimal.filter(Number.isFinite).sort((a, b) => a - b);
    const guess = finite.length >= 3 ? (finite[Math.floor(finite.length / 2)] as number) : start;
    let lo = 0;
    let hi = Math.min(N, Math.max(1, guess));
    if (ok(hi)) {
      let step = 1;
      while (hi - step > lo && ok(hi - step)) {
        hi -= step;
        step *= 2;
      }
      lo = Math.max(lo, hi - step);
    } else {
      lo = hi;
      let step = 1;
      hi = Math.min(N, lo + step);
      while (hi < N && !ok(hi)) {
        lo = hi;
        step *= 2;
        hi = Math.min(N, lo + step);
      }
      if (!ok(hi)) {
        minimal.push(Number.POSITIVE_INFINITY);
        continue;
      }
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (ok(mid)) hi = mid;
      else lo = mid;
    }
    minimal.push(hi);
  }
  const sorted = [...minimal].sort((a, b) => a - b);
  const fraction = (dim: number) => sorted.filter((v) => v <= dim).length / sorted.length;
  let critical = Number.POSITIVE_INFINITY;
  for (let dim = 1; dim <= N; dim++) {
    const f1 = fraction(dim);
    if (f1 >= 0.5) {
      const f0 = fraction(dim - 1);
      critical = dim - 1 + (0.5 - f0) / (f1 - f0);
      break;
    }
  }
  return { capacity: P / critical, criticalDimension: critical, minimalDimensions: minimal };
}
