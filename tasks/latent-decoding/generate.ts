// Ground-truth generators shared by T2's datasets.
//
// Any dataset — synthetic, artificial (hidden units of a trained network) or biological (a recording
// with its behavioural variable) — ends in `decodingInstance`: a time series of activity [T, d] and its
// target [T, q], cut into a contiguous training block followed by a contiguous test block (never
// shuffled across time). The synthetic simulators below produce such series from latent trajectories
// and tuning curves with Poisson spike counts.
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { GeneratedInstance, JsonValue } from "../../harness/types.ts";
import type { TargetKind } from "./task.ts";

/** A time series ready to be split: row t of `activity` [T, d] goes with row t of `target` [T, q]. */
export interface DecodingSeries {
  activity: ArrayLike<number>;
  target: ArrayLike<number>;
  T: number;
  d: number;
  q: number;
  targetKind: TargetKind;
  targetNames: string[];
  /** Categorical targets only: classes are 0…nClasses−1. */
  nClasses?: number;
}

/**
 * The instance of a series: the first round(trainFraction·T) bins train, the rest test. Circular targets
 * are wrapped to [−π, π); categorical targets are stored as class indices in float32.
 */
export function decodingInstance(series: DecodingSeries, trainFraction: number, meta: Record<string, JsonValue>): GeneratedInstance {
  const { activity, target, T, d, q, targetKind, targetNames, nClasses } = series;
  if (targetNames.length !== q) throw new Error(`decodingInstance: ${targetNames.length} target names for q = ${q}`);
  if ((targetKind === "categorical") !== (nClasses !== undefined))
    throw new Error("decodingInstance: nClasses goes with categorical targets only");
  const nTrain = Math.round(trainFraction * T);
  const nTest = T - nTrain;
  if (nTrain < 2 || nTest < 1) throw new Error(`decodingInstance: cannot split T = ${T} at ${trainFraction}`);
  const wrap = (v: number) => (targetKind === "circular" ? wrapAngle(v) : v);
  const trainActivity = f32([nTrain, d], Array.prototype.slice.call(activity, 0, nTrain * d) as number[]);
  const testActivity = f32([nTest, d], Array.prototype.slice.call(activity, nTrain * d, T * d) as number[]);
  const trainTarget = f32([nTrain, q]);
  const testTarget = f32([nTest, q]);
  for (let i = 0; i < nTrain * q; i++) trainTarget.data[i] = wrap(target[i] as number);
  for (let i = 0; i < nTest * q; i++) testTarget.data[i] = wrap(target[nTrain * q + i] as number);
  const params: Record<string, JsonValue> = { targetKind, targetNames };
  if (nClasses !== undefined) params.nClasses = nClasses;
  return {
    params,
    inputs: { trainActivity, trainTarget, testActivity },
    truth: { testTarget },
    meta: { ...meta, T, d, q, nTrain, nTest, targetKind },
  };
}

/** Angle wrapped to [−π, π). */
export function wrapAngle(a: number): number {
  const twoPi = 2 * Math.PI;
  return ((((a + Math.PI) % twoPi) + twoPi) % twoPi) - Math.PI;
}

/**
 * Heading that integrates a smooth angular velocity: ω_t = ρ ω_{t−1} + σ√(1−ρ²) ξ_t, θ_t = θ_{t−1} + ω_t.
 * The stationary std of ω is σ (rad/bin); ρ sets how long turns persist. Unwrapped angles, T values.
 */
export function headingWalk(rng: Rng, T: number, rho: number, sigma: number): Float64Array {
  const theta = new Float64Array(T);
  let omega = sigma * rng.normal();
  let angle = (rng.uniform() * 2 - 1) * Math.PI;
  const innovation = sigma * Math.sqrt(1 - rho * rho);
  for (let t = 0; t < T; t++) {
    omega = rho * omega + innovation * rng.normal();
    angle += omega;
    theta[t] = angle;
  }
  return theta;
}

/**
 * A point moving in the box [lo, hi]^dims with a smooth velocity (per-axis AR(1) with stationary std
 * σ per bin and persistence ρ), reflected at the walls. Returns [T, dims] row-major.
 */
export function boxWalk(rng: Rng, T: number, dims: number, lo: number, hi: number, rho: number, sigma: number): Float64Array {
  const out = new Float64Array(T * dims);
  const pos = Array.from({ length: dims }, () => lo + (hi - lo) * rng.uniform());
  const vel = Array.from({ length: dims }, () => sigma * rng.normal());
  const innovation = sigma * Math.sqrt(1 - rho * rho);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < dims; k++) {
      vel[k] = rho * (vel[k] as number) + innovation * rng.normal();
      let p = (pos[k] as number) + (vel[k] as number);
      // Reflect (repeatedly, in case a step is longer than the box).
      while (p < lo || p > hi) {
        if (p < lo) p = 2 * lo - p;
        if (p > hi) p = 2 * hi - p;
        vel[k] = -(vel[k] as number);
      }
      pos[k] = p;
      out[t * dims + k] = p;
    }
  }
  return out;
}

/** Poisson counts of a [T, d] rate array (rates in expected spikes per bin). */
export function poissonCounts(rng: Rng, rates: Float64Array): Float32Array {
  const counts = new Float32Array(rates.length);
  for (let i = 0; i < rates.length; i++) counts[i] = rng.poisson(rates[i] as number);
  return counts;
}

const uniformIn = (rng: Rng, [a, b]: readonly [number, number]) => a + (b - a) * rng.uniform();

export interface HeadDirectionConfig {
  T: number;
  d: number;
  rho: number;
  sigma: number;
  /** von Mises concentration κ, drawn per neuron from this range. */
  kappa: readonly [number, number];
  /** Peak rate above baseline (spikes/bin), per neuron. */
  peak: readonly [number, number];
  baseline: readonly [number, number];
}

/**
 * Head-direction cells (Taube et al. 1990): rate_i(θ) = b_i + g_i exp(κ_i (cos(θ − φ_i) − 1)) with
 * preferred directions φ_i uniform on the circle. Target: the heading θ (circular, q = 1).
 */
export function simulateHeadDirection(rng: Rng, c: HeadDirectionConfig): { series: DecodingSeries; meta: Record<string, JsonValue> } {
  const { T, d } = c;
  const theta = headingWalk(rng, T, c.rho, c.sigma);
  const phi = Array.from({ length: d }, () => (rng.uniform() * 2 - 1) * Math.PI);
  const kappa = Array.from({ length: d }, () => uniformIn(rng, c.kappa));
  const peak = Array.from({ length: d }, () => uniformIn(rng, c.peak));
  const base = Array.from({ length: d }, () => uniformIn(rng, c.baseline));
  const rates = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < d; i++) {
      rates[t * d + i] =
        (base[i] as number) +
        (peak[i] as number) * Math.exp((kappa[i] as number) * (Math.cos((theta[t] as number) - (phi[i] as number)) - 1));
    }
  }
  return {
    series: { activity: poissonCounts(rng, rates), target: theta, T, d, q: 1, targetKind: "circular", targetNames: ["heading"] },
    meta: { meanRate: mean(rates) },
  };
}

export interface PlaceCellConfig {
  T: number;
  d: number;
  rho: number;
  sigma: number;
  /** Gaussian place-field width (std, in units of the unit box), per neuron. */
  width: readonly [number, number];
  peak: readonly [number, number];
  baseline: readonly [number, number];
}

/**
 * Place cells (O'Keefe & Dostrovsky 1971) in the unit box: rate_i(x) = b_i + g_i exp(−‖x − c_i‖² / 2w_i²)
 * with field centres c_i uniform in the box. Target: the position (x, y) (linear, q = 2).
 */
export function simulatePlaceCells(rng: Rng, c: PlaceCellConfig): { series: DecodingSeries; meta: Record<string, JsonValue> } {
  const { T, d } = c;
  const pos = boxWalk(rng, T, 2, 0, 1, c.rho, c.sigma);
  const centre = Array.from({ length: 2 * d }, () => rng.uniform());
  const width = Array.from({ length: d }, () => uniformIn(rng, c.width));
  const peak = Array.from({ length: d }, () => uniformIn(rng, c.peak));
  const base = Array.from({ length: d }, () => uniformIn(rng, c.baseline));
  const rates = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    const x = pos[2 * t] as number;
    const y = pos[2 * t + 1] as number;
    for (let i = 0; i < d; i++) {
      const r2 = (x - (centre[2 * i] as number)) ** 2 + (y - (centre[2 * i + 1] as number)) ** 2;
      rates[t * d + i] = (base[i] as number) + (peak[i] as number) * Math.exp(-r2 / (2 * (width[i] as number) ** 2));
    }
  }
  return {
    series: { activity: poissonCounts(rng, rates), target: pos, T, d, q: 2, targetKind: "linear", targetNames: ["x", "y"] },
    meta: { meanRate: mean(rates) },
  };
}

export interface MixedSelectivityConfig {
  T: number;
  d: number;
  rho: number;
  sigma: number;
  /** Std of each neuron's weight on each latent (spikes/bin per unit latent). */
  gain: number;
  /** Rate at the origin above the minimum that keeps every rate ≥ this value. */
  floor: number;
}

/**
 * Two latent variables z = (a, b) wander in [−1, 1]²; every neuron mixes both with smooth, monotonic
 * (linear) tuning: rate_i = b_i + w_i·z with b_i = |w_i1| + |w_i2| + floor, so rates stay positive and
 * the population is a noisy linear image of z. The target is a nonlinear function of z that no linear
 * readout of such a population can express (Rigotti et al. 2013; Fusi, Miller & Rigotti 2016):
 *   - "xor": class [a > 0] XOR [b > 0] (categorical, 2 classes);
 *   - "product": a·b (linear kind, q = 1).
 */
export function simulateMixedSelectivity(
  rng: Rng,
  c: MixedSelectivityConfig,
  target: "xor" | "product",
): { series: DecodingSeries; meta: Record<string, JsonValue> } {
  const { T, d } = c;
  const z = boxWalk(rng, T, 2, -1, 1, c.rho, c.sigma);
  const w = Array.from({ length: 2 * d }, () => c.gain * rng.normal());
  const base = Array.from({ length: d }, (_, i) => Math.abs(w[2 * i] as number) + Math.abs(w[2 * i + 1] as number) + c.floor);
  const rates = new Float64Array(T * d);
  const y = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const a = z[2 * t] as number;
    const b = z[2 * t + 1] as number;
    for (let i = 0; i < d; i++) rates[t * d + i] = (base[i] as number) + (w[2 * i] as number) * a + (w[2 * i + 1] as number) * b;
    y[t] = target === "xor" ? (a > 0 !== b > 0 ? 1 : 0) : a * b;
  }
  const series: DecodingSeries =
    target === "xor"
      ? { activity: poissonCounts(rng, rates), target: y, T, d, q: 1, targetKind: "categorical", targetNames: ["xor"], nClasses: 2 }
      : { activity: poissonCounts(rng, rates), target: y, T, d, q: 1, targetKind: "linear", targetNames: ["product"] };
  return { series, meta: { meanRate: mean(rates) } };
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / Math.max(1, values.length);
}
