// A linear Gaussian state-space model (linear dynamical system) of K equal-length trials:
//   x_0 ~ N(μ0, V0),  x_{t+1} = A x_t + c + w (w ~ N(0, Q)),  y_t = C x_t + b + v (v ~ N(0, diag R)),
// its exact posterior by the Kalman filter and the Rauch–Tung–Striebel smoother, and its maximum-likelihood fit by
// EM (Shumway & Stoffer 1982; Ghahramani & Hinton 1996; Roweis & Ghahramani 1999). Plain TypeScript on row-major
// Float64Array: the state is small (d ≤ 10), the work is O(K·T·n·d) per iteration.
import { matMul, symmetricEigen, transpose } from "../../harness/linalg.ts";

export interface LinearGaussianModel {
  /** State dimension d and observation dimension n. */
  d: number;
  n: number;
  /** Transition A (d×d), offset c (d), state noise Q (d×d). */
  a: Float64Array;
  c: Float64Array;
  q: Float64Array;
  /** Loading C (n×d), offset b (n), diagonal observation noise R (n). */
  loading: Float64Array;
  bias: Float64Array;
  r: Float64Array;
  /** Initial state mean μ0 (d) and covariance V0 (d×d). */
  mu0: Float64Array;
  v0: Float64Array;
}

export interface Posterior {
  /** Smoothed means E[x_t | y] of every trial, [K·T, d] row-major. */
  means: Float64Array;
  /**
   * Smoothed covariances Cov(x_t | y), [T, d, d]. With every trial of the same length and nothing missing, the
   * covariances do not depend on the data, so one recursion serves every trial.
   */
  covariances: Float64Array;
  /** Lag-one smoothed covariances Cov(x_{t+1}, x_t | y), [T − 1, d, d] (shared likewise). */
  crossCovariances: Float64Array;
  /** log p(y) of all trials under the model (from the filter's innovations). */
  logLikelihood: number;
}

/** Inverse and log-determinant of a symmetric positive definite d×d matrix by Cholesky; null when it is not SPD. */
export function spdInverse(m: ArrayLike<number>, d: number): { inverse: Float64Array; logDet: number } | null {
  const l = new Float64Array(d * d);
  let logDet = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = m[i * d + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * d + k] as number) * (l[j * d + k] as number);
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * d + i] = Math.sqrt(s);
        logDet += Math.log(s);
      } else l[i * d + j] = s / (l[j * d + j] as number);
    }
  // L⁻¹ by forward substitution, then M⁻¹ = L⁻ᵀ L⁻¹.
  const li = new Float64Array(d * d);
  for (let col = 0; col < d; col++)
    for (let i = col; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let k = col; k < i; k++) s -= (l[i * d + k] as number) * (li[k * d + col] as number);
      li[i * d + col] = s / (l[i * d + i] as number);
    }
  const inverse = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += (li[k * d + i] as number) * (li[k * d + j] as number);
      inverse[i * d + j] = s;
      inverse[j * d + i] = s;
    }
  return { inverse, logDet };
}

/** Invert an SPD matrix that must be one (a covariance the model built); a clear error instead of NaNs downstream. */
function mustInvert(m: Float64Array, d: number, what: string): { inverse: Float64Array; logDet: number } {
  const out = spdInverse(m, d);
  if (!out) throw new Error(`linear Gaussian model: ${what} is not positive definite`);
  return out;
}

/** (M + Mᵀ)/2 in place: rounding makes the covariance recursions drift from symmetry, and Cholesky reads one half. */
function symmetrise(m: Float64Array, d: number): Float64Array {
  for (let i = 0; i < d; i++)
    for (let j = 0; j < i; j++) {
      const v = ((m[i * d + j] as number) + (m[j * d + i] as number)) / 2;
      m[i * d + j] = v;
      m[j * d + i] = v;
    }
  return m;
}

/** A X Aᵀ for d×d matrices. */
function sandwich(a: Float64Array, x: Float64Array, d: number): Float64Array {
  return symmetrise(matMul(matMul(a, x, d, d, d), transpose(a, d, d), d, d, d), d);
}

/**
 * Exact posterior of the states of K trials of T bins given y [K·T, n]: the Kalman filter in information form
 * (P_filt = (P_pred⁻¹ + CᵀR⁻¹C)⁻¹, a sum of positive definite matrices inverted, which stays positive definite where
 * the covariance form's P − K C P can lose it to rounding, the reason for Joseph's form), then the RTS smoother. The
 * innovation covariance S = C P_pred Cᵀ + R (n×n) is never formed: its inverse and determinant follow from Woodbury's
 * identity and the determinant lemma in d×d terms.
 */
export function kalmanSmooth(model: LinearGaussianModel, y: ArrayLike<number>, trials: number, bins: number): Posterior {
  const { d, n, a, c, loading, bias, r } = model;
  const dd = d * d;
  // CᵀR⁻¹ (d×n) and CᵀR⁻¹C (d×d).
  const ctRinv = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) ctRinv[k * n + i] = (loading[i * d + k] as number) / (r[i] as number);
  const ctRinvC = symmetrise(matMul(ctRinv, loading, d, n, d), d);
  let logDetR = 0;
  for (let i = 0; i < n; i++) logDetR += Math.log(r[i] as number);

  // Covariance pass, shared by every trial.
  const predicted = new Float64Array(bins * dd);
  const predictedInverse = new Float64Array(bins * dd);
  const filtered = new Float64Array(bins * dd);
  const logDetS = new Float64Array(bins);
  for (let t = 0; t < bins; t++) {
    const pred =
      t === 0
        ? Float64Array.from(model.v0)
        : sandwich(a, filtered.subarray((t - 1) * dd, t * dd), d).map((v, i) => v + (model.q[i] as number));
    symmetrise(pred, d);
    const predInv = mustInvert(pred, d, "the predicted covariance");
    const info = predInv.inverse.map((v, i) => v + (ctRinvC[i] as number));
    const filt = mustInvert(info, d, "the filtered information");
    predicted.set(pred, t * dd);
    predictedInverse.set(predInv.inverse, t * dd);
    filtered.set(filt.inverse, t * dd);
    // |S| = |R| |P_pred| |P_pred⁻¹ + CᵀR⁻¹C| = |R| |P_pred| / |P_filt|.
    logDetS[t] = logDetR + predInv.logDet + filt.logDet;
  }
  // Smoother gains J_t = P_filt,t Aᵀ P_pred,t+1⁻¹ and smoothed covariances, backwards.
  const gains = new Float64Array(Math.max(0, bins - 1) * dd);
  const covariances = new Float64Array(bins * dd);
  const crossCovariances = new Float64Array(Math.max(0, bins - 1) * dd);
  covariances.set(filtered.subarray((bins - 1) * dd, bins * dd), (bins - 1) * dd);
  const at = transpose(a, d, d);
  for (let t = bins - 2; t >= 0; t--) {
    const j = matMul(
      matMul(filtered.subarray(t * dd, (t + 1) * dd), at, d, d, d),
      predictedInverse.subarray((t + 1) * dd, (t + 2) * dd),
      d,
      d,
      d,
    );
    gains.set(j, t * dd);
    const next = covariances.subarray((t + 1) * dd, (t + 2) * dd);
    const diff = next.map((v, i) => v - (predicted[(t + 1) * dd + i] as number));
    const smoothed = sandwich(j, diff, d).map((v, i) => v + (filtered[t * dd + i] as number));
    covariances.set(symmetrise(smoothed, d), t * dd);
    // Cov(x_{t+1}, x_t | y) = P_smooth,t+1 J_tᵀ.
    crossCovariances.set(matMul(next, transpose(j, d, d), d, d, d), t * dd);
  }

  // Every bin's data enter the filter only through CᵀR⁻¹(y − b) (d numbers) and (y − b)ᵀR⁻¹(y − b): one O(rows·n·d)
  // pass, after which the filter's per-bin work is O(d²) whatever the number of neurons.
  const rows = trials * bins;
  const projected = new Float64Array(rows * d);
  const weightedSquares = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = (y[row * n + i] as number) - (bias[i] as number);
      sq += (v * v) / (r[i] as number);
      for (let k = 0; k < d; k++) projected[row * d + k] = (projected[row * d + k] as number) + (ctRinv[k * n + i] as number) * v;
    }
    weightedSquares[row] = sq;
  }
  // Mean pass, trial by trial; `means` holds the filtered means, then the smoothed ones.
  const means = new Float64Array(rows * d);
  const predMeans = new Float64Array(bins * d);
  const u = new Float64Array(d);
  let logLikelihood = -0.5 * rows * n * Math.log(2 * Math.PI);
  for (let tr = 0; tr < trials; tr++) {
    const base = tr * bins;
    for (let t = 0; t < bins; t++) {
      const pm = t * d;
      const row = (base + t) * d;
      if (t === 0) predMeans.set(model.mu0, 0);
      else
        for (let i = 0; i < d; i++) {
          let s = c[i] as number;
          for (let k = 0; k < d; k++) s += (a[i * d + k] as number) * (means[row - d + k] as number);
          predMeans[pm + i] = s;
        }
      // Innovation e = y − b − C m_pred: u = CᵀR⁻¹e, and eᵀS⁻¹e = eᵀR⁻¹e − uᵀ P_filt u (Woodbury) with
      // eᵀR⁻¹e = (y − b)ᵀR⁻¹(y − b) − 2 m_predᵀ CᵀR⁻¹(y − b) + m_predᵀ CᵀR⁻¹C m_pred.
      let quad = weightedSquares[base + t] as number;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (ctRinvC[i * d + k] as number) * (predMeans[pm + k] as number);
        const mi = predMeans[pm + i] as number;
        quad += mi * s - 2 * mi * (projected[row + i] as number);
        u[i] = (projected[row + i] as number) - s;
      }
      // m_filt = m_pred + P_filt u (the gain P_pred Cᵀ S⁻¹ rewritten).
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (filtered[t * dd + i * d + k] as number) * (u[k] as number);
        quad -= (u[i] as number) * s;
        means[row + i] = (predMeans[pm + i] as number) + s;
      }
      logLikelihood -= 0.5 * (logDetS[t] as number) + 0.5 * quad;
    }
    // RTS: m_smooth,t = m_filt,t + J_t (m_smooth,t+1 − m_pred,t+1), in place over the filtered means.
    for (let t = bins - 2; t >= 0; t--) {
      const next = (base + t + 1) * d;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let k = 0; k < d; k++)
          s += (gains[t * dd + i * d + k] as number) * ((means[next + k] as number) - (predMeans[(t + 1) * d + k] as number));
        means[(base + t) * d + i] = (means[(base + t) * d + i] as number) + s;
      }
    }
  }
  return { means, covariances, crossCovariances, logLikelihood };
}

/** X = B G⁻¹ for B r×p and G a p×p second-moment matrix (symmetric positive definite): the M-step's regressions. */
function rightSolve(b: Float64Array, g: Float64Array, r: number, p: number): Float64Array {
  const inv = mustInvert(symmetrise(Float64Array.from(g), p), p, "a second-moment matrix");
  return matMul(b, inv.inverse, r, p, p);
}

/** Eigenvalues of a symmetric matrix raised to at least `floor` (the constrained maximum of a Gaussian's covariance). */
function clipEigenvalues(m: Float64Array, d: number, floor: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const v = Math.max(values[k] as number, floor);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        out[i * d + j] = (out[i * d + j] as number) + v * (vectors[k * d + i] as number) * (vectors[k * d + j] as number);
  }
  return symmetrise(out, d);
}

export interface EmOptions {
  iterations: number;
  /** Lower bound of every R_ii and every eigenvalue of Q and V0, fixed for the whole fit so that EM stays monotone. */
  varianceFloor: number;
}

export interface EmFit {
  model: LinearGaussianModel;
  /** The posterior under the final model (the E-step after the last M-step). */
  posterior: Posterior;
  /** log p(y) before each M-step and after the last: non-decreasing (EM's guarantee). */
  logLikelihoods: number[];
}

/**
 * Maximum-likelihood fit of the model to y [K·T, n] by EM from `initial`: E-step = `kalmanSmooth`, M-step = the
 * closed-form regressions on the expected sufficient statistics (Ghahramani & Hinton 1996): [C b] from y on E[x̃]
 * (x̃ = [x; 1]), R = diag of the residual second moment, [A c] from E[x_{t+1} x̃_tᵀ] and E[x̃_t x̃_tᵀ], Q its residual,
 * μ0 and V0 from the first bin. The variance floors are the exact constrained maxima (each R_ii's term is unimodal;
 * for Q and V0 the eigenvalue clip), so the likelihood still never decreases.
 */
export function fitLdsEm(initial: LinearGaussianModel, y: ArrayLike<number>, trials: number, bins: number, options: EmOptions): EmFit {
  const { d, n } = initial;
  const p = d + 1;
  const rows = trials * bins;
  const floor = options.varianceFloor;
  const squares = new Float64Array(n);
  for (let i = 0; i < rows * n; i++) squares[i % n] = (squares[i % n] as number) + (y[i] as number) ** 2;
  let model = initial;
  let posterior = kalmanSmooth(model, y, trials, bins);
  const logLikelihoods = [posterior.logLikelihood];
  for (let iter = 0; iter < options.iterations; iter++) {
    const { means, covariances, crossCovariances } = posterior;
    // Σ over every bin of E[x̃ x̃ᵀ] (all), over bins 0..T−2 (prev) and E[x xᵀ] over bins 1..T−1 (next); Σ y x̃ᵀ; Σ E[x_{t+1} x̃_tᵀ].
    const all = new Float64Array(p * p);
    const prevSum = new Float64Array(p * p);
    const nextSum = new Float64Array(d * d);
    const yx = new Float64Array(n * p);
    const cross = new Float64Array(d * p);
    // One pass over every bin with plain index loops (no per-bin views or closures: this is the M-step's cost).
    for (let row = 0; row < rows; row++) {
      const t = row % bins;
      const m = row * d;
      for (let i = 0; i < d; i++) {
        const mi = means[m + i] as number;
        for (let j = 0; j < d; j++) {
          const v = mi * (means[m + j] as number);
          all[i * p + j] = (all[i * p + j] as number) + v;
          if (t + 1 < bins) {
            prevSum[i * p + j] = (prevSum[i * p + j] as number) + v;
            cross[i * p + j] = (cross[i * p + j] as number) + (means[m + d + i] as number) * (means[m + j] as number);
          }
          if (t > 0) nextSum[i * d + j] = (nextSum[i * d + j] as number) + v;
        }
        all[i * p + d] = (all[i * p + d] as number) + mi;
        if (t + 1 < bins) {
          prevSum[i * p + d] = (prevSum[i * p + d] as number) + mi;
          cross[i * p + d] = (cross[i * p + d] as number) + (means[m + d + i] as number);
        }
      }
      for (let i = 0; i < n; i++) {
        const yi = y[row * n + i] as number;
        for (let k = 0; k < d; k++) yx[i * p + k] = (yx[i * p + k] as number) + yi * (means[m + k] as number);
        yx[i * p + d] = (yx[i * p + d] as number) + yi;
      }
    }
    // The constant's row of the symmetric second moments, and its own entry (the number of bins summed).
    for (let j = 0; j < d; j++) {
      all[d * p + j] = all[j * p + d] as number;
      prevSum[d * p + j] = prevSum[j * p + d] as number;
    }
    all[d * p + d] = rows;
    prevSum[d * p + d] = trials * (bins - 1);
    // The posterior covariances, shared by the K trials.
    for (let t = 0; t < bins; t++)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          const v = trials * (covariances[t * d * d + i * d + j] as number);
          all[i * p + j] = (all[i * p + j] as number) + v;
          if (t + 1 < bins) {
            prevSum[i * p + j] = (prevSum[i * p + j] as number) + v;
            cross[i * p + j] = (cross[i * p + j] as number) + trials * (crossCovariances[t * d * d + i * d + j] as number);
          }
          if (t > 0) nextSum[i * d + j] = (nextSum[i * d + j] as number) + v;
        }
    // Emission: [C b] = Σ y x̃ᵀ (Σ E[x̃ x̃ᵀ])⁻¹; R_ii = (Σ y_i² − [C b]_i · Σ y_i x̃) / rows.
    const emission = rightSolve(yx, all, n, p);
    const loading = new Float64Array(n * d);
    const bias = new Float64Array(n);
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let explained = 0;
      for (let k = 0; k < p; k++) explained += (emission[i * p + k] as number) * (yx[i * p + k] as number);
      r[i] = Math.max(((squares[i] as number) - explained) / rows, floor);
      for (let k = 0; k < d; k++) loading[i * d + k] = emission[i * p + k] as number;
      bias[i] = emission[i * p + d] as number;
    }
    // Dynamics: [A c] = Σ E[x_{t+1} x̃_tᵀ] (Σ E[x̃_t x̃_tᵀ])⁻¹; Q = (Σ E[x_{t+1} x_{t+1}ᵀ] − [A c] Σ E[x̃_t x_{t+1}ᵀ]) / pairs.
    const transition = rightSolve(cross, prevSum, d, p);
    const a = new Float64Array(d * d);
    const c = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      for (let k = 0; k < d; k++) a[i * d + k] = transition[i * p + k] as number;
      c[i] = transition[i * p + d] as number;
    }
    const pairs = trials * (bins - 1);
    const q = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = nextSum[i * d + j] as number;
        for (let k = 0; k < p; k++) s -= (transition[i * p + k] as number) * (cross[j * p + k] as number);
        q[i * d + j] = s / pairs;
      }
    // Initial state: the mean of the first bin's posterior means and their spread plus the posterior covariance.
    const mu0 = new Float64Array(d);
    for (let tr = 0; tr < trials; tr++)
      for (let i = 0; i < d; i++) mu0[i] = (mu0[i] as number) + (means[tr * bins * d + i] as number) / trials;
    const v0 = Float64Array.from(covariances.subarray(0, d * d));
    for (let tr = 0; tr < trials; tr++)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++)
          v0[i * d + j] =
            (v0[i * d + j] as number) +
            (((means[tr * bins * d + i] as number) - (mu0[i] as number)) * ((means[tr * bins * d + j] as number) - (mu0[j] as number))) /
              trials;
    model = {
      d,
      n,
      a,
      c,
      q: clipEigenvalues(symmetrise(q, d), d, floor),
      loading,
      bias,
      r,
      mu0,
      v0: clipEigenvalues(symmetrise(v0, d), d, floor),
    };
    posterior = kalmanSmooth(model, y, trials, bins);
    logLikelihoods.push(posterior.logLikelihood);
  }
  return { model, posterior, logLikelihoods };
}
