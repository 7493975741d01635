// Removal of the low-rank structure shared by the manifold centres, before the mean-field analysis (Cohen, Chung, Lee
// & Sompolinsky 2020, Methods; `manifold_analysis_corr` and `fun_FA` in the Chung lab's neural_manifolds_replicaMFT,
// mftma/manifold_analysis_correlation.py). The mean-field theory assumes random, uncorrelated centres; class centres of
// real representations share directions (a common offset, a few dominant axes), which make the manifolds look
// smaller relative to their centres than a readout sees them. The reference finds the rank-K subspace whose removal
// leaves the centres least correlated, K chosen by the residual correlation, and projects every manifold off it.
import { orthonormalizeColumns, symmetricEigen } from "../../harness/linalg.ts";
import { f64 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";

/** Random restarts per rank (the reference's n_reps = 10; 5 halve the cost). */
export const CENTRE_RESTARTS = 5;
/**
 * Riemannian conjugate gradient stops at this gradient norm (of a cost in squared correlations) or iteration count;
 * pymanopt's defaults are 1e-6 and 1000. Against 1e-6, 1e-3 takes two thirds of the time and changes the chosen rank
 * of 1 of the 50 official T7 instances (a near tie between K = 1 and 2).
 */
const GRADIENT_TOLERANCE = 1e-3;
const MAX_ITERATIONS = 1000;

export interface CentreStructure {
  /** Rank K of the common subspace removed (0: nothing removed). */
  rank: number;
  /** Orthonormal basis of that subspace in the ambient space, row-major N×K. */
  basis: Float64Array;
  /** Mean |off-diagonal correlation| of the mean-removed centres (the reference's res_coeff0). */
  correlation0: number;
  /** The same after removing the best rank-K subspace, for K = 1, 2, … as far as the search went (res_coeff). */
  residualCorrelation: number[];
}

/**
 * The reference's cost (square_corrcoeff_full_cost) for centres X (rows, P×d) and an orthonormal V (d×K): with
 * c = XV and the residual Gram R = XXᵀ − ccᵀ, cost = ½ Σ_mn R_mn² / (R_mm R_nn) = P/2 + Σ_{m<n} ρ_mn², the squared
 * correlations of the residual centres. Its Euclidean gradient is −2 Xᵀ G c with G = W − diag(u),
 * W_mn = R_mn / (R_mm R_nn), u_m = Σ_n R_mn² / (R_mm² R_nn).
 */
export class ResidualCorrelation {
  private readonly gram: Float64Array;
  private readonly c: Float64Array;
  private readonly r: Float64Array;
  private readonly gc: Float64Array;
  private readonly inverse: Float64Array;

  constructor(
    readonly x: Float64Array,
    readonly P: number,
    readonly d: number,
    readonly K: number,
  ) {
    this.gram = new Float64Array(P * P);
    for (let m = 0; m < P; m++)
      for (let n = 0; n <= m; n++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += (x[m * d + i] as number) * (x[n * d + i] as number);
        this.gram[m * P + n] = s;
        this.gram[n * P + m] = s;
      }
    this.c = new Float64Array(P * K);
    this.r = new Float64Array(P * P);
    this.gc = new Float64Array(P * K);
    this.inverse = new Float64Array(P);
  }

  /** c = XV into this.c, the residual Gram R = XXᵀ − ccᵀ into this.r and 1 / R_mm into this.inverse. */
  private residualGram(v: Float64Array): void {
    const { x, P, d, K, c, r, gram, inverse } = this;
    for (let m = 0; m < P; m++)
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let i = 0, row = m * d; i < d; i++) s += (x[row + i] as number) * (v[i * K + k] as number);
        c[m * K + k] = s;
      }
    for (let m = 0; m < P; m++)
      for (let n = 0; n <= m; n++) {
        let s = gram[m * P + n] as number;
        for (let k = 0; k < K; k++) s -= (c[m * K + k] as number) * (c[n * K + k] as number);
        r[m * P + n] = s;
        r[n * P + m] = s;
      }
    // A centre entirely inside span(V) has no residual; the floor keeps its (bounded) correlations finite.
    for (let m = 0; m < P; m++) {
      const rmm = Math.max(r[m * P + m] as number, 1e-12 * (gram[m * P + m] as number), 1e-300);
      r[m * P + m] = rmm;
      inverse[m] = 1 / rmm;
    }
  }

  /** The cost at V (and R, c for `gradientAtLast`). */
  cost(v: Float64Array): number {
    this.residualGram(v);
    const { P, r, inverse } = this;
    let off = 0;
    for (let m = 1; m < P; m++) {
      const im = inverse[m] as number;
      for (let n = 0; n < m; n++) off += (r[m * P + n] as number) ** 2 * im * (inverse[n] as number);
    }
    return P / 2 + off;
  }

  /** The Euclidean gradient (d×K) into `gradient`, at the V of the last `cost` call. */
  gradientAtLast(gradient: Float64Array): void {
    const { x, P, d, K, c, r, gc, inverse } = this;
    // G c, with G = W − diag(u) (symmetric), then −2 Xᵀ (G c).
    gc.fill(0);
    for (let m = 0; m < P; m++) {
      const im = inverse[m] as number;
      let u = 0;
      for (let n = 0; n < P; n++) {
        const rmn = r[m * P + n] as number;
        const w = rmn * im * (inverse[n] as number);
        u += w * rmn;
        for (let k = 0; k < K; k++) gc[m * K + k] = (gc[m * K + k] as number) + w * (c[n * K + k] as number);
      }
      u *= im;
      for (let k = 0; k < K; k++) gc[m * K + k] = (gc[m * K + k] as number) - u * (c[m * K + k] as number);
    }
    gradient.fill(0);
    for (let m = 0; m < P; m++)
      for (let i = 0; i < d; i++) {
        const xmi = -2 * (x[m * d + i] as number);
        for (let k = 0; k < K; k++) gradient[i * K + k] = (gradient[i * K + k] as number) + xmi * (gc[m * K + k] as number);
      }
  }

  /**
   * At V: the mean |off-diagonal correlation| of the residual centres (the reference's selection criterion,
   * res_coeff) and their smallest norm relative to the original one (its restart criterion, "stability").
   */
  residualStatistics(v: Float64Array): { meanAbsCorrelation: number; stability: number } {
    this.residualGram(v);
    const { P, r, gram } = this;
    let sum = 0;
    let stability = Number.POSITIVE_INFINITY;
    for (let m = 0; m < P; m++) {
      stability = Math.min(stability, Math.sqrt((r[m * P + m] as number) / (gram[m * P + m] as number)));
      for (let n = 0; n < P; n++)
        if (n !== m) sum += Math.abs(r[m * P + n] as number) / Math.sqrt((r[m * P + m] as number) * (r[n * P + n] as number));
    }
    return { meanAbsCorrelation: P > 1 ? sum / (P * (P - 1)) : 0, stability };
  }
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

/** Project Z onto the tangent space of the Stiefel manifold at V (d×K): Z − V sym(VᵀZ), in place. */
function projectTangent(v: Float64Array, z: Float64Array, d: number, K: number, vz: Float64Array): void {
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += (v[i * K + a] as number) * (z[i * K + b] as number);
      vz[a * K + b] = s;
    }
  for (let i = 0; i < d; i++)
    for (let b = 0; b < K; b++) {
      let s = 0;
      for (let a = 0; a < K; a++) s += (v[i * K + a] as number) * ((vz[a * K + b] as number) + (vz[b * K + a] as number)) * 0.5;
      z[i * K + b] = (z[i * K + b] as number) - s;
    }
}

/**
 * Minimise the residual-correlation cost over orthonormal V (d×K) from V0: Riemannian conjugate gradient on the
 * Stiefel manifold (Polak–Ribière+, QR retraction, projection as vector transport, Armijo backtracking), as the
 * reference does with pymanopt's ConjugateGradient.
 */
export function minimiseResidualCorrelation(problem: ResidualCorrelation, v0: Float64Array): Float64Array {
  const { d, K } = problem;
  const size = d * K;
  let v = Float64Array.from(v0);
  // Two trial buffers: the line search keeps the better of two points without recomputing it.
  let trial = new Float64Array(size);
  let spare = new Float64Array(size);
  let grad = new Float64Array(size);
  let nextGrad = new Float64Array(size);
  const eta = new Float64Array(size);
  const work = new Float64Array(K * K);
  let f = problem.cost(v);
  problem.gradientAtLast(grad);
  projectTangent(v, grad, d, K, work);
  for (let i = 0; i < size; i++) eta[i] = -(grad[i] as number);
  let step = 0;
  let previousSlope = 0;
  // f at v + t·η retracted, into `trial`; `trialIsLast` says whether R and c in `problem` belong to `trial`.
  let trialIsLast = false;
  const evaluate = (t: number) => {
    for (let i = 0; i < size; i++) trial[i] = (v[i] as number) + t * (eta[i] as number);
    orthonormalizeColumns(trial, d, K);
    trialIsLast = true;
    return problem.cost(trial);
  };
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const gradNorm2 = dot(grad, grad);
    if (Math.sqrt(gradNorm2) < GRADIENT_TOLERANCE) break;
    let slope = dot(grad, eta);
    if (slope >= 0) {
      for (let i = 0; i < size; i++) eta[i] = -(grad[i] as number);
      slope = -gradNorm2;
    }
    // Initial step: Nocedal & Wright's α_prev·(slope_prev / slope) (a move of 0.1 at first), refined by the minimum of
    // the quadratic through f(0), the slope and f(t); then Armijo backtracking.
    let t = step > 0 ? (step * previousSlope) / slope : 0.1 / Math.sqrt(dot(eta, eta));
    let fTrial = evaluate(t);
    const curvature = (fTrial - f - slope * t) / (t * t);
    if (curvature > 0) {
      const tq = Math.min(10 * t, Math.max(0.1 * t, -slope / (2 * curvature)));
      [trial, spare] = [spare, trial];
      const fq = evaluate(tq);
      if (fq < fTrial) {
        t = tq;
        fTrial = fq;
      } else {
        [trial, spare] = [spare, trial];
        trialIsLast = false;
      }
    }
    for (let backtrack = 0; backtrack < 40 && !(fTrial <= f + 1e-4 * t * slope); backtrack++) {
      t /= 2;
      fTrial = evaluate(t);
    }
    if (!(fTrial < f)) break;
    previousSlope = slope;
    step = t;
    if (!trialIsLast) problem.cost(trial);
    problem.gradientAtLast(nextGrad);
    projectTangent(trial, nextGrad, d, K, work);
    // Transport the old gradient and direction to the new point by projection; Polak–Ribière+.
    projectTangent(trial, grad, d, K, work);
    projectTangent(trial, eta, d, K, work);
    let numerator = 0;
    for (let i = 0; i < size; i++) numerator += (nextGrad[i] as number) * ((nextGrad[i] as number) - (grad[i] as number));
    const beta = Math.max(0, numerator / gradNorm2);
    for (let i = 0; i < size; i++) eta[i] = -(nextGrad[i] as number) + beta * (eta[i] as number);
    [grad, nextGrad] = [nextGrad, grad];
    [v, trial] = [trial, v];
    const decrease = f - fTrial;
    f = fTrial;
    if (decrease <= 1e-12 * Math.max(1, f)) break;
  }
  return v;
}

/**
 * The common subspace of the centres (rows of `centres`, P×N), the reference's fun_FA: the mean-removed centres in an
 * orthonormal basis of their span (d ≤ P − 1 coordinates); for K = 1, 2, … the rank-K subspace minimising the
 * residual correlation cost, from `restarts` starts (the previous rank's subspace plus a random combination of the
 * centres), keeping the start whose residual centres keep the most of their smallest norm ("stability"); stop after
 * three consecutive rises of the residual correlation or at maxK (the reference's 95 %-variance rank + 11, here
 * capped at d − 1: at K = d nothing is left). K is the rank with the smallest mean |residual correlation|, K = 0
 * (nothing removed) included.
 */
export function centreStructure(centres: Float64Array, P: number, N: number, rng: Rng, restarts = CENTRE_RESTARTS): CentreStructure {
  const mean = new Float64Array(N);
  for (let m = 0; m < P; m++) for (let j = 0; j < N; j++) mean[j] = (mean[j] as number) + (centres[m * N + j] as number) / P;
  const xb = Float64Array.from(centres, (v, i) => v - (mean[i % N] as number));
  // Coordinates in the principal basis of the centres' span: X = U √Λ (P×d), basis Q = Xbᵀ U / √Λ (N×d). Any
  // orthonormal basis of the span gives the same problem (the reference uses a QR basis).
  const gram = new Float64Array(P * P);
  for (let m = 0; m < P; m++)
    for (let n = 0; n <= m; n++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += (xb[m * N + j] as number) * (xb[n * N + j] as number);
      gram[m * P + n] = s;
      gram[n * P + m] = s;
    }
  const { values, vectors } = symmetricEigen(gram, P);
  const top = Math.max(values[0] as number, 0);
  let d = 0;
  while (d < P && (values[d] as number) > 1e-10 * top) d++;
  const x = new Float64Array(P * d);
  for (let i = 0; i < d; i++) {
    const root = Math.sqrt(values[i] as number);
    for (let m = 0; m < P; m++) x[m * d + i] = (vectors[i * P + m] as number) * root;
  }
  let total = 0;
  for (let i = 0; i < d; i++) total += values[i] as number;
  // The reference's maxK: the index of the largest cumulative variance fraction below 0.95, plus 11.
  let below = 0;
  let cumulative = 0;
  for (let i = 0; i < d; i++) {
    cumulative += (values[i] as number) / total;
    if (cumulative < 0.95) below = i;
  }
  const maxK = Math.min(below + 11, d - 1);
  const correlation0 = d > 0 ? new ResidualCorrelation(x, P, d, 0).residualStatistics(new Float64Array(0)).meanAbsCorrelation : 0;
  const residualCorrelation: number[] = [];
  const solutions: Float64Array[] = [];
  let previous: Float64Array = new Float64Array(0);
  for (let K = 1; K <= maxK; K++) {
    const problem = new ResidualCorrelation(x, P, d, K);
    let best: Float64Array | null = null;
    let bestStability = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < restarts; r++) {
      // Start: a random combination of the centres, sᵀX, then the previous rank's subspace, orthonormalised.
      const v0 = new Float64Array(d * K);
      const s = Array.from({ length: P }, () => rng.normal());
      for (let i = 0; i < d; i++) {
        let sx = 0;
        for (let m = 0; m < P; m++) sx += (s[m] as number) * (x[m * d + i] as number);
        v0[i * K] = sx;
        for (let k = 1; k < K; k++) v0[i * K + k] = previous[i * (K - 1) + k - 1] as number;
      }
      orthonormalizeColumns(v0, d, K);
      const v = minimiseResidualCorrelation(problem, v0);
      const { stability } = problem.residualStatistics(v);
      if (stability > bestStability) {
        bestStability = stability;
        best = v;
      }
    }
    previous = best as Float64Array;
    solutions.push(previous);
    residualCorrelation.push(problem.residualStatistics(previous).meanAbsCorrelation);
    // Three consecutive rises end the search, counted from K = 0 (the reference counts from K = 1 and searches at
    // least to K = 5): the residual correlation of independent directions only grows as the space shrinks.
    const at = (k: number) => (k === 0 ? correlation0 : (residualCorrelation[k - 1] as number));
    if (K >= 3 && at(K) > at(K - 1) && at(K - 1) > at(K - 2) && at(K - 2) > at(K - 3)) break;
  }
  // K = 0 competes too (the reference starts at K = 1): independent centres keep their geometry untouched.
  let rank = 0;
  let lowest = correlation0;
  residualCorrelation.forEach((value, i) => {
    if (value < lowest) {
      lowest = value;
      rank = i + 1;
    }
  });
  // The chosen subspace in the ambient space: Q V, Q = Xbᵀ U / √Λ.
  const basis = new Float64Array(N * rank);
  if (rank > 0) {
    const v = solutions[rank - 1] as Float64Array;
    for (let i = 0; i < d; i++) {
      const root = Math.sqrt(values[i] as number);
      for (let j = 0; j < N; j++) {
        let q = 0;
        for (let m = 0; m < P; m++) q += (xb[m * N + j] as number) * (vectors[i * P + m] as number);
        q /= root;
        for (let k = 0; k < rank; k++) basis[j * rank + k] = (basis[j * rank + k] as number) + q * (v[i * rank + k] as number);
      }
    }
  }
  return { rank, basis, correlation0, residualCorrelation };
}

/**
 * The reference's preprocessing of `manifolds` [P, M, N]: every point projected off the centres' common subspace
 * (`centreStructure`). The reference first subtracts the global mean of all points; here the data are taken as given,
 * as the task's contract says (the real datasets arrive centred, so there it is the same; the synthetic manifolds are
 * defined about the origin). Returns the new manifolds (float64) and that structure.
 */
export function removeCentreCorrelations(
  manifolds: NdArray,
  rng: Rng,
  restarts = CENTRE_RESTARTS,
): { manifolds: NdArray; structure: CentreStructure } {
  const [P, M, N] = manifolds.shape as [number, number, number];
  const data = manifolds.data;
  const centres = new Float64Array(P * N);
  for (let mu = 0; mu < P; mu++)
    for (let k = 0; k < M; k++)
      for (let j = 0; j < N; j++) centres[mu * N + j] = (centres[mu * N + j] as number) + (data[(mu * M + k) * N + j] as number) / M;
  const structure = centreStructure(centres, P, N, rng, restarts);
  const { rank, basis } = structure;
  const out = new Float64Array(P * M * N);
  const along = new Float64Array(rank);
  for (let row = 0; row < P * M; row++) {
    const o = row * N;
    for (let j = 0; j < N; j++) out[o + j] = data[o + j] as number;
    along.fill(0);
    for (let j = 0; j < N; j++)
      for (let k = 0; k < rank; k++) along[k] = (along[k] as number) + (out[o + j] as number) * (basis[j * rank + k] as number);
    for (let j = 0; j < N; j++)
      for (let k = 0; k < rank; k++) out[o + j] = (out[o + j] as number) - (along[k] as number) * (basis[j * rank + k] as number);
  }
  return { manifolds: f64([P, M, N], out), structure };
}
