// Hybrid ground truth for T1 (TASKS.md `hybrid-*`): k sparse features planted into a real recording, as
// spike-sorting benchmarks plant known spikes into real voltage traces. The recording is the "noise": real
// correlated, non-Gaussian population activity that no generator imitates; the planted directions are
// the truth. Shared by every biological hybrid dataset (head direction, place cells, motor cortex).
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { GeneratedInstance, JsonValue, NdArray } from "../../harness/types.ts";
import { drawFromSeed, mix, randomUnitFeatures, sparseCodes } from "./generate.ts";

export interface PlantOptions {
  /** Number of planted features k. */
  k: number;
  /** Probability that a feature is active in a sample. */
  p: number;
  /**
   * Scale of an active feature's coefficient: s_i = amplitude · Uniform(0, 1), in units of the background's
   * per-cell standard deviation (the background is z-scored, so 1 = one background SD).
   */
  amplitude: number;
}

export interface PlantedHybrid {
  activations: NdArray;
  features: NdArray;
  /** Measured on this instance: planted power / background power, both summed over cells (see snrPower). */
  snrPower: number;
  /** Mean number of planted features active per sample. */
  activePerSample: number;
}

/**
 * Columns of a row-major [n, d] array centred and divided by their standard deviation (population SD).
 * A constant column (a silent cell) stays at 0: it has no variance to carry a unit.
 */
export function zscoreColumns(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let s = 0; s < n; s++) mean += x[s * d + c] as number;
    mean /= n;
    let ss = 0;
    for (let s = 0; s < n; s++) ss += ((x[s * d + c] as number) - mean) ** 2;
    const sd = Math.sqrt(ss / n);
    if (sd === 0) continue;
    for (let s = 0; s < n; s++) out[s * d + c] = ((x[s * d + c] as number) - mean) / sd;
  }
  return out;
}

/**
 * activations = background + Σ_i s_i f_i with f_i uniform unit directions in R^d and
 * s_i = amplitude · Bernoulli(p) · Uniform(0, 1) (each feature forced active in ≥ 8 samples, as on the
 * synthetic datasets). `background` is the z-scored real activity [n, d] (see zscoreColumns).
 *
 * Signal-to-noise ratio, reported two ways:
 * - per event: an active feature's coefficient is amplitude · U(0, 1) against a background whose
 *   variance along any unit direction is 1 on average (the trace of a correlation matrix is d);
 * - power: snrPower = Σ‖Σ_i s_i f_i‖² / Σ‖background‖², measured on the instance; its expectation is
 *   k · p · amplitude² / (3 d) (E[U²] = 1/3; cross terms vanish on average for random directions).
 */
export function plantFeatures(rng: Rng, background: Float64Array, n: number, d: number, options: PlantOptions): PlantedHybrid {
  const { k, p, amplitude } = options;
  if (background.length !== n * d) throw new Error(`plantFeatures: background has ${background.length} values, expected ${n} × ${d}`);
  const features = randomUnitFeatures(rng, k, d);
  const codes = sparseCodes(rng, n, k, p);
  let active = 0;
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] !== 0) active++;
    codes[i] = (codes[i] as number) * amplitude;
  }
  const planted = mix(codes, features, n);
  const activations = f32([n, d]);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < n * d; i++) {
    const b = background[i] as number;
    const s = planted[i] as number;
    signal += s * s;
    noise += b * b;
    activations.data[i] = b + s;
  }
  return { activations, features, snrPower: noise > 0 ? signal / noise : Number.POSITIVE_INFINITY, activePerSample: active / n };
}

/** Expected snrPower of plantFeatures (for documentation and tests). */
export function expectedSnrPower(options: PlantOptions, d: number): number {
  return (options.k * options.p * options.amplitude ** 2) / (3 * d);
}

/**
 * The regimes of every hybrid dataset (each instance draws one from its seed, hybridRegimeFromSeed): k/d ∈ {1, 2} at a weak and
 * a strong per-event amplitude (4 and 8 background SDs at most; mean 2 and 4), activation probability 0.05.
 * k/d = 4 (as on the synthetic datasets) is left out: with d = 19 head-direction cells it would plant 76
 * directions in 19 dimensions, and the weak regime is already hard at k/d = 1.
 */
export const HYBRID_REGIMES = [
  { ratio: 1, amplitude: 4 },
  { ratio: 2, amplitude: 4 },
  { ratio: 1, amplitude: 8 },
  { ratio: 2, amplitude: 8 },
] as const;
export const HYBRID_P = 0.05;

export type HybridRegime = (typeof HYBRID_REGIMES)[number];

/** The regime of a hybrid instance, drawn from its seed (not its index). */
export function hybridRegimeFromSeed(seed: number): HybridRegime {
  return drawFromSeed(HYBRID_REGIMES, seed);
}

/**
 * One T1 instance from a block of real activity [n, d] (any units): z-score each cell over the block, plant
 * k = ratio · d features of the regime, and return the instance with the planted directions as truth.
 * `meta` describes where the block came from (recording, block start, cells).
 */
export function hybridInstance(
  rng: Rng,
  activity: ArrayLike<number>,
  n: number,
  d: number,
  regime: HybridRegime,
  meta: Record<string, JsonValue>,
): GeneratedInstance {
  const k = regime.ratio * d;
  const planted = plantFeatures(rng, zscoreColumns(activity, n, d), n, d, { k, p: HYBRID_P, amplitude: regime.amplitude });
  return {
    params: { nFeatures: k },
    inputs: { activations: planted.activations },
    truth: { features: planted.features },
    meta: {
      ...meta,
      k,
      d,
      n,
      ratio: regime.ratio,
      p: HYBRID_P,
      amplitude: regime.amplitude,
      snrPower: round3(planted.snrPower),
      activePerSample: round3(planted.activePerSample),
    },
  };
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Cells of a block [n, dAll] that are active (non-zero) in at least `minActiveFraction` of its samples, and a
 * random subset of at most `maxCells` of them (sorted). Nearly silent cells are left out because z-scoring
 * turns their rare spikes into huge isolated values, i.e. into sparse "features" of their own.
 */
export function selectActiveCells(
  rng: Rng,
  activity: ArrayLike<number>,
  n: number,
  dAll: number,
  maxCells: number,
  minActiveFraction: number,
): Int32Array {
  const active: number[] = [];
  for (let c = 0; c < dAll; c++) {
    let nonZero = 0;
    for (let s = 0; s < n; s++) if ((activity[s * dAll + c] as number) !== 0) nonZero++;
    if (nonZero >= minActiveFraction * n) active.push(c);
  }
  if (active.length <= maxCells) return Int32Array.from(active);
  const order = rng.permutation(active.length);
  return Int32Array.from(order.subarray(0, maxCells), (i) => active[i] as number).sort();
}

/** Columns `cells` of a row-major block [n, dAll], as a new row-major [n, cells.length] array. */
export function takeColumns(activity: ArrayLike<number>, n: number, dAll: number, cells: Int32Array): Float64Array {
  const d = cells.length;
  const out = new Float64Array(n * d);
  for (let s = 0; s < n; s++) for (let j = 0; j < d; j++) out[s * d + j] = activity[s * dAll + (cells[j] as number)] as number;
  return out;
}
