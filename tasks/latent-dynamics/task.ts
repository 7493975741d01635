// T8 latent-dynamics (issue 15): from the spikes of a system with known dynamics, infer its latent trajectories and
// its fixed points, and predict held-out neurons (co-smoothing, as the Neural Latents Benchmark). The main score is
// the co-smoothing deviance explained, defined on every instance; latent R² and fixed-point recovery are metrics
// where the latents are known. README.md says why.
import { z } from "zod";
import { f32 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";
import { affineAlignedR2, applyAffine, coSmoothing, recoverFixedPoints } from "./metrics.ts";

export const paramsSchema = z
  .object({
    /** Dimension d of the latents and fixed points to return (the true latent dimension on synthetic systems). */
    latentDim: z.number().int().min(1),
    /** Bin width in seconds (counts are per bin); null where the source does not state it. */
    dt: z.number().positive().nullable(),
  })
  .strict();

/**
 * A fixed point within this many RMS spreads of the true latents (after the affine alignment) counts as found; a
 * sample of a true continuum counts as covered when a predicted point lies this close.
 */
export const FIXED_POINT_TOLERANCE = 0.25;
/**
 * Below this latent R² the alignment map is too poor for a location to mean anything (uninformative latents map every
 * point to the true latents' mean, where the flip-flop's and the limit cycle's unstable points lie): no fixed point
 * counts as found.
 */
export const FIXED_POINT_MIN_R2 = 0.5;

/** Rows of the fixed-point arrays: location (d coordinates) and the number of unstable directions. */
export interface FixedPoint {
  location: Float64Array;
  unstable: number;
}

export function readFixedPoints(a: NdArray | undefined, d: number): FixedPoint[] {
  if (a?.shape.length !== 2 || a.shape[1] !== d + 1) return [];
  const rows = a.shape[0] as number;
  return Array.from({ length: rows }, (_, i) => ({
    location: Float64Array.from(a.data.subarray(i * (d + 1), i * (d + 1) + d)),
    unstable: a.data[i * (d + 1) + d] as number,
  }));
}

/**
 * A true fixed point: isolated (continuum 0) or one sample of continuum k ≥ 1, a curve of fixed points (a ring or line
 * attractor) sampled with a spacing well below the tolerance. Its unstable directions count only the strictly unstable
 * ones: the marginal direction along the curve is not unstable.
 */
export interface TrueFixedPoint extends FixedPoint {
  continuum: number;
}

/** Truth rows [location (d), unstable directions, continuum id]; a truth without the last column holds isolated points only. */
export function readTrueFixedPoints(a: NdArray | undefined, d: number): TrueFixedPoint[] {
  if (a?.shape.length !== 2 || a.shape[1] !== d + 2) return readFixedPoints(a, d).map((p) => ({ ...p, continuum: 0 }));
  const rows = a.shape[0] as number;
  return Array.from({ length: rows }, (_, i) => ({
    location: Float64Array.from(a.data.subarray(i * (d + 2), i * (d + 2) + d)),
    unstable: a.data[i * (d + 2) + d] as number,
    continuum: a.data[i * (d + 2) + d + 1] as number,
  }));
}

export function trueFixedPointArray(points: readonly TrueFixedPoint[], d: number): NdArray {
  const out = f32([points.length, d + 2]);
  points.forEach((p, i) => {
    out.data.set(p.location.subarray(0, d), i * (d + 2));
    out.data[i * (d + 2) + d] = p.unstable;
    out.data[i * (d + 2) + d + 1] = p.continuum;
  });
  return out;
}

export function fixedPointArray(points: readonly FixedPoint[], d: number): NdArray {
  const out = f32([points.length, d + 1]);
  points.forEach((p, i) => {
    out.data.set(p.location.subarray(0, d), i * (d + 1));
    out.data[i * (d + 1) + d] = p.unstable;
  });
  return out;
}

export interface Dims {
  trials: number;
  bins: number;
  heldIn: number;
  trainTrials: number;
  testTrials: number;
  heldOut: number;
  latentDim: number;
}

export function dimsOf(instance: Pick<Instance, "inputs" | "params">): Dims {
  const spikes = instance.inputs.spikes;
  const heldoutTrain = instance.inputs.heldoutTrain;
  if (!spikes || !heldoutTrain) throw new Error("instance needs the inputs 'spikes' and 'heldoutTrain'");
  const [trials, bins, heldIn] = spikes.shape as [number, number, number];
  const [trainTrials, , heldOut] = heldoutTrain.shape as [number, number, number];
  return {
    trials,
    bins,
    heldIn,
    trainTrials,
    testTrials: trials - trainTrials,
    heldOut,
    latentDim: paramsSchema.parse(instance.params).latentDim,
  };
}

/**
 * Each held-out neuron's mean count per bin over the given [trials, bins, m] counts, for every bin of `testTrials`
 * trials: the null model of bits per spike, fitted on the training trials instead of the test ones.
 */
export function meanRates(counts: NdArray, testTrials: number): NdArray {
  const [k, t, m] = counts.shape as [number, number, number];
  const mean = new Float64Array(m);
  for (let i = 0; i < counts.data.length; i++) mean[i % m] = (mean[i % m] as number) + (counts.data[i] as number);
  const out = f32([testTrials, t, m]);
  for (let i = 0; i < out.data.length; i++) out.data[i] = (mean[i % m] as number) / Math.max(1, k * t);
  return out;
}

/**
 * The training trials' peri-stimulus time histogram of each held-out neuron (mean count per bin over trials),
 * smoothed over time by a Gaussian of `sigmaBins`, for every test trial: all a method can say without the held-in
 * neurons of the test trial.
 */
export function trialAveragedRates(counts: NdArray, testTrials: number, sigmaBins = 2): NdArray {
  const [k, t, m] = counts.shape as [number, number, number];
  const psth = new Float64Array(t * m);
  for (let tr = 0; tr < k; tr++)
    for (let b = 0; b < t * m; b++) psth[b] = (psth[b] as number) + (counts.data[tr * t * m + b] as number) / k;
  const smooth = smoothTime(psth, 1, t, m, sigmaBins);
  const out = f32([testTrials, t, m]);
  for (let tr = 0; tr < testTrials; tr++) out.data.set(smooth, tr * t * m);
  return out;
}

/** Gaussian smoothing along time of [trials, bins, width] data, renormalised at the edges (no zero padding). */
export function smoothTime(x: ArrayLike<number>, trials: number, bins: number, width: number, sigma: number): Float64Array {
  const out = new Float64Array(trials * bins * width);
  if (sigma <= 0) {
    for (let i = 0; i < out.length; i++) out[i] = x[i] as number;
    return out;
  }
  const reach = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * reach + 1 }, (_, i) => Math.exp(-((i - reach) ** 2) / (2 * sigma * sigma)));
  for (let tr = 0; tr < trials; tr++) {
    for (let b = 0; b < bins; b++) {
      let norm = 0;
      const o = (tr * bins + b) * width;
      for (let s = -reach; s <= reach; s++) {
        const bb = b + s;
        if (bb < 0 || bb >= bins) continue;
        const w = kernel[s + reach] as number;
        norm += w;
        const src = (tr * bins + bb) * width;
        for (let c = 0; c < width; c++) out[o + c] = (out[o + c] as number) + w * (x[src + c] as number);
      }
      for (let c = 0; c < width; c++) out[o + c] = (out[o + c] as number) / norm;
    }
  }
  return out;
}

/** Root-mean-square spread of [rows, d] latents about their mean: the unit of the fixed-point tolerance. */
export function rmsSpread(x: ArrayLike<number>, d: number): number {
  const rows = x.length / d;
  let total = 0;
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += x[i * d + c] as number;
    mean /= Math.max(1, rows);
    for (let i = 0; i < rows; i++) total += ((x[i * d + c] as number) - mean) ** 2;
  }
  return Math.sqrt(total / Math.max(1, rows * d));
}

export const latentDynamics: TaskDefinition = {
  id: "latent-dynamics",
  version: 2,
  title: "Latent dynamics",
  question: "Computation through dynamics",
  description:
    "From the spikes of a population driven by a low-dimensional dynamical system, infer the latent trajectories and the fixed points of the dynamics, and predict held-out neurons on held-out trials. Score: co-smoothing deviance explained (pooled Poisson pseudo-R², 1 = the held-out counts exactly, 0 = each neuron's mean rate); latent R² (affine-aligned), fixed-point recovery and bits per spike as metrics.",
  mainScore: { id: "co-smoothing", label: "Co-smoothing deviance explained", min: -1, max: 1 },
  metrics: [
    { id: "bitsPerSpike", label: "Co-smoothing bits per spike (NLB co-bps)" },
    { id: "latentR2", label: "Latent R² (affine map fitted on training trials, scored on test trials)" },
    { id: "fpRecall", label: "Fixed points found (fraction of the true ones; a continuum counts once, by the fraction covered)" },
    { id: "fpPrecision", label: "Fixed points correct (fraction of the returned ones on a true point or continuum)" },
    { id: "fpError", label: "Position error of the matched fixed points (RMS spreads; lower is better)" },
    { id: "fpStability", label: "Stability class agreement of the matched fixed points" },
  ],
  paramsSchema: paramsSchema as unknown as TaskDefinition["paramsSchema"],
  inputs: {
    spikes: {
      kind: "array",
      dtype: "float32",
      dims: ["K", "T", "n"],
      description: "Spike counts of the held-in neurons, every trial (the first Ktrain trials are the training trials).",
    },
    heldoutTrain: {
      kind: "array",
      dtype: "float32",
      dims: ["Ktrain", "T", "m"],
      description: "Spike counts of the held-out neurons on the training trials.",
    },
  },
  outputs: {
    latents: {
      kind: "array",
      dims: ["K", "T", "latentDim"],
      description: "Inferred latent state of every trial and bin, in any coordinates (scored up to an affine map).",
    },
    heldoutRates: {
      kind: "array",
      dims: ["K − Ktrain", "T", "m"],
      description: "Predicted rate (expected count per bin, > 0) of each held-out neuron on each test trial and bin.",
    },
    fixedPoints: {
      kind: "array",
      dims: ["p", "latentDim + 1"],
      description:
        "Fixed points of the inferred dynamics, any number p ≥ 0 of rows: the location in the coordinates of `latents`, then the number of unstable directions (0 = stable, latentDim = unstable, between = saddle).",
    },
  },
  truth: {
    heldoutTest: {
      kind: "array",
      dtype: "float32",
      dims: ["K − Ktrain", "T", "m"],
      description: "Spike counts of the held-out neurons on the test trials.",
    },
    latents: {
      kind: "array",
      dtype: "float32",
      dims: ["K", "T", "d"],
      description: "The true latent state (d = 0 columns where none is known, e.g. a recording).",
    },
    fixedPoints: {
      kind: "array",
      dtype: "float32",
      dims: ["p", "d + 2"],
      description:
        "The true fixed points in the coordinates of the true latents, each one's number of unstable directions (marginal directions not counted), and its continuum id (0 = an isolated point; k ≥ 1 = a dense sample of continuum k, a ring or line attractor). A truth of width d + 1 holds isolated points only.",
    },
  },
  outputShapes(instance) {
    const d = dimsOf(instance);
    return {
      latents: [d.trials, d.bins, d.latentDim],
      heldoutRates: [d.testTrials, d.bins, d.heldOut],
      fixedPoints: [-1, d.latentDim + 1],
    };
  },
  score(instance: Instance, outputs: MethodOutputs) {
    const dims = dimsOf(instance);
    const heldoutTest = instance.truth.heldoutTest as NdArray;
    const rates = outputs.heldoutRates as NdArray;
    const { devianceExplained, bitsPerSpike } = coSmoothing(heldoutTest.data, rates.data, dims.heldOut);
    const metrics: Record<string, number> = { bitsPerSpike };
    const trueLatents = instance.truth.latents as NdArray;
    const dTrue = trueLatents.shape[2] as number;
    if (dTrue > 0) {
      const pred = outputs.latents as NdArray;
      const fitRows = dims.trainTrials * dims.bins;
      const { r2, map } = affineAlignedR2(pred.data, dims.latentDim, trueLatents.data, dTrue, fitRows);
      metrics.latentR2 = r2;
      const truthPoints = readTrueFixedPoints(instance.truth.fixedPoints, dTrue);
      if (truthPoints.length > 0 && r2 < FIXED_POINT_MIN_R2) {
        metrics.fpRecall = 0;
        metrics.fpPrecision = 0;
      } else if (truthPoints.length > 0) {
        const scale = rmsSpread(trueLatents.data, dTrue);
        const predicted = readFixedPoints(outputs.fixedPoints as NdArray, dims.latentDim).map((p) => ({
          location: applyAffine(map, p.location, dims.latentDim, dTrue),
          // Counted in the method's own dimension; the class is read in the true one when both agree (the contract).
          unstable: p.unstable,
        }));
        const fp = recoverFixedPoints(predicted, truthPoints, dTrue, FIXED_POINT_TOLERANCE * scale, scale);
        metrics.fpRecall = fp.recall;
        metrics.fpPrecision = fp.precision;
        if (fp.matched > 0) {
          metrics.fpError = fp.positionError;
          metrics.fpStability = fp.stabilityAgreement;
        }
      }
    }
    return { main: Math.max(-1, Math.min(1, devianceExplained)), metrics };
  },
  // The held-out counts themselves (the saturated model: deviance 0), the true latents and fixed points (a continuum as
  // its samples).
  oracle(instance) {
    const dims = dimsOf(instance);
    const heldoutTest = instance.truth.heldoutTest as NdArray;
    const latents = instance.truth.latents as NdArray;
    const dTrue = latents.shape[2] as number;
    const out: MethodOutputs = { heldoutRates: f32([...heldoutTest.shape], heldoutTest.data) };
    if (dTrue === dims.latentDim) {
      out.latents = f32([...latents.shape], latents.data);
      out.fixedPoints = fixedPointArray(readTrueFixedPoints(instance.truth.fixedPoints, dTrue), dTrue);
    } else {
      out.latents = f32([dims.trials, dims.bins, dims.latentDim]);
      out.fixedPoints = f32([0, dims.latentDim + 1]);
    }
    return out;
  },
  // Chance: each held-out neuron's mean training rate (the null model, fitted on the training trials), latents and a
  // few fixed points drawn at random. Its deviance explained is ≤ 0 (README, "Chance level").
  random(instance, rng) {
    const dims = dimsOf(instance);
    const latents = f32([dims.trials, dims.bins, dims.latentDim]);
    for (let i = 0; i < latents.data.length; i++) latents.data[i] = rng.normal();
    const points = Array.from({ length: 1 + rng.int(4) }, () => ({
      location: Float64Array.from({ length: dims.latentDim }, () => rng.normal()),
      unstable: rng.int(dims.latentDim + 1),
    }));
    return {
      latents,
      heldoutRates: meanRates(instance.inputs.heldoutTrain as NdArray, dims.testTrials),
      fixedPoints: fixedPointArray(points, dims.latentDim),
    };
  },
  floors: {
    // The best rates that ignore the instance: each held-out column's mean count pooled over the given truths (over
    // every column where this instance's m differs); no latent signal and no fixed point.
    bestConstant(truths, instance) {
      const dims = dimsOf(instance);
      const sums = new Float64Array(dims.heldOut);
      const counts = new Float64Array(dims.heldOut);
      let all = 0;
      let allCount = 0;
      for (const t of truths) {
        const h = t.heldoutTest;
        if (!h) continue;
        const m = h.shape[2] as number;
        for (let i = 0; i < h.data.length; i++) {
          all += h.data[i] as number;
          allCount++;
          if (m !== dims.heldOut) continue;
          sums[i % m] = (sums[i % m] as number) + (h.data[i] as number);
          counts[i % m] = (counts[i % m] as number) + 1;
        }
      }
      const fallback = allCount > 0 ? all / allCount : 1;
      const heldoutRates = f32([dims.testTrials, dims.bins, dims.heldOut]);
      for (let i = 0; i < heldoutRates.data.length; i++) {
        const j = i % dims.heldOut;
        heldoutRates.data[i] = (counts[j] as number) > 0 ? (sums[j] as number) / (counts[j] as number) : fallback;
      }
      return {
        latents: f32([dims.trials, dims.bins, dims.latentDim]),
        heldoutRates,
        fixedPoints: f32([0, dims.latentDim + 1]),
      };
    },
    // The trial-averaged rate (smoothed PSTH) of each held-out neuron on the training trials, for every test trial:
    // it ignores the held-in neurons of the test trial, the only thing that says where that trial's latent state is.
    shortcut(instance) {
      const dims = dimsOf(instance);
      return {
        latents: f32([dims.trials, dims.bins, dims.latentDim]),
        heldoutRates: trialAveragedRates(instance.inputs.heldoutTrain as NdArray, dims.testTrials),
        fixedPoints: f32([0, dims.latentDim + 1]),
      };
    },
  },
};
