// The scores of T8: co-smoothing (Poisson deviance explained, bits per spike), affine-aligned latent R² and
// fixed-point recovery. Plain TypeScript on Float64Array, exact and backend-free; methods reuse the solver.

/** Predicted rates are floored here before the log: a zero rate where a spike fell would make the score −∞. */
export const MIN_RATE = 1e-6;

/** Poisson deviance 2·[k·log(k/r) − (k − r)] of one count k under rate r (k·log k = 0 at k = 0, where no log is taken). */
export function poissonDeviance(k: number, r: number): number {
  if (k <= 0) return 2 * Math.max(r, 0);
  const rate = Math.max(r, MIN_RATE);
  return 2 * (k * Math.log(k / rate) - (k - rate));
}

export interface CoSmoothing {
  /** 1 − D(model) / D(null), the deviance explained; 1 for the saturated model (rate = count), 0 for the null. */
  devianceExplained: number;
  /** (log L(model) − log L(null)) / (ln 2 · spikes), the Neural Latents Benchmark's co-bps. */
  bitsPerSpike: number;
}

/**
 * Co-smoothing of held-out neurons, pooled over every trial, bin and neuron as in the Neural Latents Benchmark (Pei et
 * al. 2021): `counts` and `rates` are flat [rows, m] (rows = trials × bins), the null model is each neuron's mean count
 * over these same rows. log k! cancels between the model and the null, so log L(model) − log L(null) =
 * (D(null) − D(model)) / 2. With no spikes at all (D(null) = 0) the score is 1 for an exact prediction of zero and 0
 * otherwise, so it stays finite.
 */
export function coSmoothing(counts: ArrayLike<number>, rates: ArrayLike<number>, m: number): CoSmoothing {
  const rows = counts.length / m;
  const mean = new Float64Array(m);
  let spikes = 0;
  for (let i = 0; i < counts.length; i++) {
    mean[i % m] = (mean[i % m] as number) + (counts[i] as number);
    spikes += counts[i] as number;
  }
  for (let j = 0; j < m; j++) mean[j] = (mean[j] as number) / Math.max(1, rows);
  let devModel = 0;
  let devNull = 0;
  for (let i = 0; i < counts.length; i++) {
    const k = counts[i] as number;
    devModel += poissonDeviance(k, rates[i] as number);
    // A silent neuron's null rate is 0 and its deviance exactly 0 (all its counts are 0).
    devNull += poissonDeviance(k, mean[i % m] as number);
  }
  const devianceExplained = devNull > 0 ? 1 - devModel / devNull : devModel < 1e-9 ? 1 : 0;
  const bitsPerSpike = spikes > 0 ? (devNull - devModel) / (2 * Math.LN2 * spikes) : 0;
  return { devianceExplained, bitsPerSpike };
}

/**
 * Solve the symmetric positive semi-definite system G x = b (G p×p row-major, b p×q) by Cholesky, with a ridge of
 * 1e-10 · trace(G)/p (plus `ridge`) on the diagonal so that rank-deficient designs (a constant latent) stay solvable.
 */
export function solveSpd(g: ArrayLike<number>, b: ArrayLike<number>, p: number, q: number, ridge = 0): Float64Array {
  let trace = 0;
  for (let i = 0; i < p; i++) trace += g[i * p + i] as number;
  const jitter = 1e-10 * Math.max(trace / Math.max(1, p), 1e-12) + ridge;
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = (g[i * p + j] as number) + (i === j ? jitter : 0);
      for (let k = 0; k < j; k++) s -= (l[i * p + k] as number) * (l[j * p + k] as number);
      l[i * p + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / (l[j * p + j] as number);
    }
  }
  const x = Float64Array.from(b);
  for (let c = 0; c < q; c++) {
    for (let i = 0; i < p; i++) {
      let s = x[i * q + c] as number;
      for (let k = 0; k < i; k++) s -= (l[i * p + k] as number) * (x[k * q + c] as number);
      x[i * q + c] = s / (l[i * p + i] as number);
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = x[i * q + c] as number;
      for (let k = i + 1; k < p; k++) s -= (l[k * p + i] as number) * (x[k * q + c] as number);
      x[i * q + c] = s / (l[i * p + i] as number);
    }
  }
  return x;
}

/**
 * Least-squares affine map y ≈ [x, 1] · B over rows [from, to) of x [rows, dx] and y [rows, dy]: B is (dx + 1) × dy,
 * its last row the offset.
 */
export function fitAffine(x: ArrayLike<number>, dx: number, y: ArrayLike<number>, dy: number, from: number, to: number): Float64Array {
  const p = dx + 1;
  const g = new Float64Array(p * p);
  const b = new Float64Array(p * dy);
  const row = new Float64Array(p);
  for (let i = from; i < to; i++) {
    for (let c = 0; c < dx; c++) row[c] = x[i * dx + c] as number;
    row[dx] = 1;
    for (let a = 0; a < p; a++) {
      const ra = row[a] as number;
      for (let c = 0; c < p; c++) g[a * p + c] = (g[a * p + c] as number) + ra * (row[c] as number);
      for (let c = 0; c < dy; c++) b[a * dy + c] = (b[a * dy + c] as number) + ra * (y[i * dy + c] as number);
    }
  }
  return solveSpd(g, b, p, dy);
}

/** [x, 1] · B for one point x (length dx). */
export function applyAffine(map: ArrayLike<number>, x: ArrayLike<number>, dx: number, dy: number): Float64Array {
  const out = new Float64Array(dy);
  for (let c = 0; c < dy; c++) {
    let s = map[dx * dy + c] as number;
    for (let a = 0; a < dx; a++) s += (x[a] as number) * (map[a * dy + c] as number);
    out[c] = s;
  }
  return out;
}

/**
 * Affine-aligned latent R² (the Computation-through-Dynamics Benchmark's state R², Versteeg et al. 2024): the affine map
 * from the predicted latents to the true ones is fitted on rows [0, fitRows) (the training trials) and R² is measured
 * on the other rows, pooled over the latent dimensions (sklearn's variance-weighted R²), so that a method cannot win by
 * overfitting the map. Returns the map too (for the fixed points).
 */
export function affineAlignedR2(
  pred: ArrayLike<number>,
  dp: number,
  truth: ArrayLike<number>,
  dt: number,
  fitRows: number,
): { r2: number; map: Float64Array } {
  const rows = truth.length / dt;
  const map = fitAffine(pred, dp, truth, dt, 0, fitRows);
  const mean = new Float64Array(dt);
  for (let i = fitRows; i < rows; i++) for (let c = 0; c < dt; c++) mean[c] = (mean[c] as number) + (truth[i * dt + c] as number);
  for (let c = 0; c < dt; c++) mean[c] = (mean[c] as number) / Math.max(1, rows - fitRows);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = fitRows; i < rows; i++) {
    const yHat = applyAffine(map, subarray(pred, i * dp, dp), dp, dt);
    for (let c = 0; c < dt; c++) {
      const y = truth[i * dt + c] as number;
      ssRes += (y - (yHat[c] as number)) ** 2;
      ssTot += (y - (mean[c] as number)) ** 2;
    }
  }
  return { r2: ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0, map };
}

function subarray(x: ArrayLike<number>, start: number, length: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = x[start + i] as number;
  return out;
}

export type StabilityClass = "stable" | "saddle" | "unstable";

/** Stability class from the number of unstable directions k of a fixed point in d dimensions. */
export function stabilityClass(unstable: number, d: number): StabilityClass {
  const k = Math.round(unstable);
  return k <= 0 ? "stable" : k >= d ? "unstable" : "saddle";
}

export interface FixedPointRecovery {
  /** Predicted points matched to an isolated true point or lying on a true continuum. */
  matched: number;
  recall: number;
  precision: number;
  /** Mean distance of the matched points (to their isolated point or nearest continuum sample), in RMS spreads (NaN with no match). */
  positionError: number;
  /** Fraction of the matched points whose stability class agrees (NaN with no match). */
  stabilityAgreement: number;
  /** Per continuum (ids ascending): the fraction of its samples with a predicted point within the tolerance. */
  coverage: number[];
}

type Located = { location: ArrayLike<number>; unstable: number };

function distance(a: ArrayLike<number>, b: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += ((a[c] as number) - (b[c] as number)) ** 2;
  return Math.sqrt(s);
}

/** The pairs (predicted i, true j) of a greedy one-to-one matching, closest first, of pairs within `tolerance`. */
function greedyPairs(predicted: readonly Located[], truth: readonly Located[], d: number, tolerance: number) {
  const pairs: { i: number; j: number; dist: number }[] = [];
  predicted.forEach((p, i) => {
    truth.forEach((t, j) => {
      const dist = distance(p.location, t.location, d);
      if (dist <= tolerance) pairs.push({ i, j, dist });
    });
  });
  pairs.sort((a, b) => a.dist - b.dist || a.j - b.j || a.i - b.i);
  const usedP = new Set<number>();
  const usedT = new Set<number>();
  return pairs.filter(({ i, j }) => {
    if (usedP.has(i) || usedT.has(j)) return false;
    usedP.add(i);
    usedT.add(j);
    return true;
  });
}

/**
 * Fixed-point recovery (README, "Fixed points and continua"). Predicted points, already mapped into the true latent
 * coordinates, are matched to the isolated true points (continuum 0) one-to-one, closest pairs first, a pair counting
 * when its distance is at most `tolerance` (version 1's rule). Each continuum k ≥ 1 (its rows a dense sample of a
 * curve of fixed points) counts as one true point, recovered by the fraction of its samples that have a predicted
 * point within `tolerance`: recall = (matched isolated + Σ coverage) / (isolated + continua). A predicted point is
 * correct when it is matched to an isolated point or lies within `tolerance` of a continuum sample; its stability
 * agrees there when its class is the sample's or the one with one more unstable direction (a curve's marginal
 * direction may be read either way). With no continuum every number is version 1's, computed in the same order.
 */
export function recoverFixedPoints(
  predicted: readonly { location: Float64Array; unstable: number }[],
  truth: readonly { location: ArrayLike<number>; unstable: number; continuum: number }[],
  d: number,
  tolerance: number,
  scale: number,
): FixedPointRecovery {
  const isolated = truth.filter((t) => Math.round(t.continuum) <= 0);
  const samples = truth.filter((t) => Math.round(t.continuum) > 0);
  const pairs = greedyPairs(predicted, isolated, d, tolerance);
  let distSum = 0;
  let agree = 0;
  const usedP = new Set<number>();
  for (const { i, j, dist } of pairs) {
    usedP.add(i);
    distSum += dist;
    if (stabilityClass((predicted[i] as Located).unstable, d) === stabilityClass((isolated[j] as Located).unstable, d)) agree++;
  }
  let onContinuum = 0;
  const covered = new Uint8Array(samples.length);
  predicted.forEach((p, i) => {
    let nearest = -1;
    let best = Number.POSITIVE_INFINITY;
    samples.forEach((s, j) => {
      const dist = distance(p.location, s.location, d);
      if (dist <= tolerance) covered[j] = 1;
      if (dist < best) {
        best = dist;
        nearest = j;
      }
    });
    if (usedP.has(i) || best > tolerance) return;
    onContinuum++;
    distSum += best;
    const u = (samples[nearest] as Located).unstable;
    const k = stabilityClass(p.unstable, d);
    if (k === stabilityClass(u, d) || k === stabilityClass(u + 1, d)) agree++;
  });
  const ids = [...new Set(samples.map((s) => Math.round(s.continuum)))].sort((a, b) => a - b);
  const coverage = ids.map((id) => {
    let n = 0;
    let hit = 0;
    samples.forEach((s, j) => {
      if (Math.round(s.continuum) !== id) return;
      n++;
      hit += covered[j] as number;
    });
    return hit / n;
  });
  const matched = pairs.length + onContinuum;
  const units = isolated.length + ids.length;
  return {
    matched,
    recall: units > 0 ? coverage.reduce((s, c) => s + c, pairs.length) / units : 0,
    precision: predicted.length > 0 ? matched / predicted.length : 0,
    positionError: matched > 0 ? distSum / matched / scale : Number.NaN,
    stabilityAgreement: matched > 0 ? agree / matched : Number.NaN,
    coverage,
  };
}
