// What the T8 (latent-dynamics) baselines share: smoothed spikes, PCA latents, a Poisson GLM readout to the held-out
// neurons, a least-squares linear dynamical system and the eigenvalues of its small transition matrix.
import { eigenvalueModuli, principalAxes, solveGeneral } from "../../harness/linalg.ts";
import { f32 } from "../../harness/ndarray.ts";
import type { MethodContext, NdArray } from "../../harness/types.ts";
import { fitAffine, MIN_RATE, solveSpd } from "../../tasks/latent-dynamics/metrics.ts";
import { type Dims, dimsOf, type FixedPoint, smoothTime } from "../../tasks/latent-dynamics/task.ts";

export interface DynamicsProblem {
  dims: Dims;
  spikes: NdArray;
  heldoutTrain: NdArray;
}

export function readDynamicsProblem(ctx: MethodContext): DynamicsProblem {
  const spikes = ctx.inputs.spikes;
  const heldoutTrain = ctx.inputs.heldoutTrain;
  if (!spikes || !heldoutTrain) throw new Error("latent-dynamics needs the inputs 'spikes' and 'heldoutTrain'");
  return { dims: dimsOf({ inputs: ctx.inputs, params: ctx.params }), spikes, heldoutTrain };
}

/** √counts (variance-stabilised) smoothed along time by a Gaussian of `sigmaBins`, [K·T, n] row-major. */
export function smoothedRoot(spikes: NdArray, sigmaBins: number): Float64Array {
  const [k, t, n] = spikes.shape as [number, number, number];
  const root = Float64Array.from(spikes.data, (v) => Math.sqrt(Math.max(0, v)));
  return smoothTime(root, k, t, n, sigmaBins);
}

/** Centred projections of [rows, n] x on its top `d` principal axes, [rows, d]. */
export function pcaScores(x: Float64Array, rows: number, n: number, d: number): Float64Array {
  const { mean, vectors } = principalAxes(x, rows, n);
  const out = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < Math.min(d, n); c++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += ((x[i * n + j] as number) - (mean[j] as number)) * (vectors[c * n + j] as number);
      out[i * d + c] = s;
    }
  return out;
}

/** Newton iterations that recompute the Hessian; the later ones reuse the last (see poissonReadout). */
const FRESH_HESSIANS = 2;

/**
 * Poisson regression of every column of y [rows, m] on features x [rows, p] (plus an intercept), fitted on rows
 * [0, fitRows) by Newton's method with an L2 penalty `ridge` on the weights (not the intercept) and step halving;
 * returns the predicted rates exp(x·w + b) of rows [fitRows, rows).
 */
export function poissonReadout(
  x: Float64Array,
  p: number,
  y: ArrayLike<number>,
  m: number,
  fitRows: number,
  rows: number,
  ridge: number,
): Float64Array {
  const q = p + 1;
  // Column-major design with its intercept column: every hot loop below is a dot product or an axpy over
  // contiguous memory.
  const columns = Array.from({ length: q }, (_, a) => {
    const col = new Float64Array(rows);
    if (a === p) col.fill(1);
    else for (let i = 0; i < rows; i++) col[i] = x[i * p + a] as number;
    return col;
  });
  const eta = new Float64Array(rows);
  const mu = new Float64Array(fitRows);
  const weighted = new Float64Array(fitRows);
  const target = new Float64Array(fitRows);
  /** η = X w over the first `count` rows. */
  const linear = (w: Float64Array, count: number) => {
    eta.fill(0, 0, count);
    for (let a = 0; a < q; a++) {
      const wa = w[a] as number;
      if (wa === 0) continue;
      const col = columns[a] as Float64Array;
      for (let i = 0; i < count; i++) eta[i] = (eta[i] as number) + wa * (col[i] as number);
    }
  };
  const objective = (w: Float64Array) => {
    linear(w, fitRows);
    let ll = 0;
    for (let i = 0; i < fitRows; i++) ll += (target[i] as number) * (eta[i] as number) - Math.exp(eta[i] as number);
    for (let a = 0; a < p; a++) ll -= 0.5 * ridge * (w[a] as number) ** 2;
    return ll;
  };
  const dot = (u: Float64Array, v: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < fitRows; i++) sum += (u[i] as number) * (v[i] as number);
    return sum;
  };
  const out = new Float64Array((rows - fitRows) * m);
  const g = new Float64Array(q);
  const h = new Float64Array(q * q);
  const residual = new Float64Array(fitRows);
  for (let j = 0; j < m; j++) {
    let mean = 0;
    for (let i = 0; i < fitRows; i++) {
      target[i] = y[i * m + j] as number;
      mean += target[i] as number;
    }
    mean /= Math.max(1, fitRows);
    const w = new Float64Array(q);
    w[p] = Math.log(Math.max(mean, MIN_RATE));
    let current = objective(w);
    // Newton's Hessian XᵀWX costs rows·q², the rest of an iteration rows·q: it is computed on the first
    // FRESH_HESSIANS iterations only and reused after (the chord method; the line search keeps every step an ascent).
    for (let iter = 0; iter < 40; iter++) {
      // objective() left η of the current w in `eta`.
      for (let i = 0; i < fitRows; i++) {
        mu[i] = Math.exp(eta[i] as number);
        residual[i] = (target[i] as number) - (mu[i] as number);
      }
      for (let a = 0; a < q; a++) g[a] = dot(residual, columns[a] as Float64Array) - (a < p ? ridge * (w[a] as number) : 0);
      if (iter < FRESH_HESSIANS) {
        for (let a = 0; a < q; a++) {
          const col = columns[a] as Float64Array;
          for (let i = 0; i < fitRows; i++) weighted[i] = (mu[i] as number) * (col[i] as number);
          for (let c = 0; c <= a; c++) {
            const v = dot(weighted, columns[c] as Float64Array) + (a === c && a < p ? ridge : 0);
            h[a * q + c] = v;
            h[c * q + a] = v;
          }
        }
      }
      const step = solveSpd(h, g, q, 1);
      let t = 1;
      let accepted: Float64Array | null = null;
      let value = current;
      for (let halving = 0; halving < 20; halving++, t /= 2) {
        const next = w.map((v, a) => v + t * (step[a] as number));
        value = objective(next);
        if (value >= current) {
          accepted = next;
          break;
        }
      }
      if (!accepted) break;
      const gain = value - current;
      w.set(accepted);
      current = value;
      // Converged: a gain below a thousandth of a nat moves no predicted rate noticeably.
      if (gain < 1e-3) break;
    }
    linear(w, rows);
    for (let i = fitRows; i < rows; i++) {
      // Clipped so that an extrapolating test bin cannot overflow.
      out[(i - fitRows) * m + j] = Math.exp(Math.min(eta[i] as number, 10));
    }
  }
  return out;
}

/** The held-out rates of the test trials as the contract's array. */
export function heldoutRatesArray(rates: Float64Array, dims: Dims): NdArray {
  return f32([dims.testTrials, dims.bins, dims.heldOut], rates);
}

export interface LinearDynamics {
  /** z_{t+1} = A z_t + c: A row-major d × d. */
  a: Float64Array;
  c: Float64Array;
}

/** Least-squares fit of z_{t+1} = A z_t + c over every consecutive pair of bins within each trial of [K, T, d] latents. */
export function fitLinearDynamics(z: Float64Array, trials: number, bins: number, d: number): LinearDynamics {
  const pairs = trials * (bins - 1);
  const from = new Float64Array(pairs * d);
  const to = new Float64Array(pairs * d);
  let r = 0;
  for (let tr = 0; tr < trials; tr++)
    for (let b = 0; b + 1 < bins; b++, r++) {
      from.set(z.subarray((tr * bins + b) * d, (tr * bins + b + 1) * d), r * d);
      to.set(z.subarray((tr * bins + b + 1) * d, (tr * bins + b + 2) * d), r * d);
    }
  const map = fitAffine(from, d, to, d, 0, pairs);
  const a = new Float64Array(d * d);
  for (let row = 0; row < d; row++) for (let col = 0; col < d; col++) a[row * d + col] = map[col * d + row] as number;
  return { a, c: map.slice(d * d, d * d + d) };
}

// The general solver and the moduli of a general matrix's eigenvalues (Hessenberg + Francis QR) live with the other
// dense linear algebra (datasets use them too).
export { eigenvalueModuli, solveGeneral } from "../../harness/linalg.ts";

/** The one fixed point x* = (I − A)⁻¹c of x ↦ A x + c with its number of unstable directions (|λ(A)| > 1); none when I − A is singular. */
export function affineFixedPoint(a: ArrayLike<number>, c: ArrayLike<number>, d: number): FixedPoint[] {
  const iMinusA = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0) - (a[i] as number));
  const location = solveGeneral(iMinusA, c, d);
  return location?.every(Number.isFinite) ? [{ location, unstable: eigenvalueModuli(a, d).filter((m) => m > 1).length }] : [];
}
