// T1 artificial dataset: the ReLU output model of Elhage et al. (2022), "Toy Models of Superposition",
// trained per instance; activations are its hidden layer on fresh sparse inputs, truth is the direction
// of every feature the model represents (TASKS.md, `toy-superposition`).
import { f32 } from "../../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance, NdArray } from "../../../harness/types.ts";
import { drawFromSeed, sparseCodes } from "../../../tasks/feature-recovery/generate.ts";
import { batchSizeFor, columnNorms, evaluateLoss, importances, type ToyModel, type ToyModelConfig, trainToyModel } from "./model.ts";

const config = {
  /**
   * n input features, m hidden units. m = 10 (not 20) so that high sparsity packs up to 3.5 features per
   * dimension: with m = 20 all 40 features fit as m antipodal pairs (README.md, "Why m = 10").
   */
  nFeatures: 40,
  nHidden: 10,
  /** Feature importance I_i = 0.9^i. */
  importanceDecay: 0.9,
  /** Feature sparsities S of Elhage et al.'s first experiment; each instance draws one from its seed. */
  sparsities: [0, 0.7, 0.9, 0.97, 0.99],
  /** Adam (β = 0.9, 0.999, ε = 1e−8), learning rate constant, then linear decay to 0 over the last 30 %. */
  steps: 3000,
  learningRate: 0.01,
  decayFraction: 0.3,
  /** Batch size B = round(8 / (1 − S)): each feature is active in ≈ 8 samples of every batch. */
  activePerBatch: 8,
  /** Fresh inputs whose hidden layer h = W x is the instance's activations. */
  samples: 4096,
  /** Every feature is active in at least this many of the fresh samples (`sparseCodes`). */
  minActive: 8,
  /** A feature is represented when ‖W_i‖ exceeds this. */
  representedThreshold: 0.5,
  /** Retrain with a new seed when no feature is represented (never seen with this recipe). */
  maxAttempts: 3,
};

/** The sparsity S of an instance, drawn uniformly from its seed (never from its index). */
export function sparsityFromSeed(seed: number): number {
  return drawFromSeed(config.sparsities, seed, "sparsity");
}

export function modelConfig(sparsity: number): ToyModelConfig {
  const { nFeatures, nHidden, importanceDecay, steps, activePerBatch, learningRate, decayFraction } = config;
  return { nFeatures, nHidden, importanceDecay, sparsity, steps, activePerBatch, learningRate, decayFraction };
}

/** Indices of the represented features (‖W_i‖ > threshold), in order of importance. */
export function representedFeatures(model: ToyModel): number[] {
  const norms = columnNorms(model);
  const out: number[] = [];
  for (let i = 0; i < model.nFeatures; i++) if ((norms[i] as number) > config.representedThreshold) out.push(i);
  return out;
}

/** The trained model of an instance seed and sparsity (retrained with the next seed if it represents nothing). */
export function trainInstanceModel(seed: number, sparsity: number): { model: ToyModel; attempt: number } {
  const cfg = modelConfig(sparsity);
  for (let attempt = 0; attempt < config.maxAttempts; attempt++) {
    const model = trainToyModel(new Rng(seedFrom(seed, "train", attempt)), cfg);
    if (representedFeatures(model).length > 0) return { model, attempt };
  }
  throw new Error(`toy-superposition: no feature represented after ${config.maxAttempts} trainings (seed ${seed}, S = ${sparsity})`);
}

/**
 * Expected loss of the best model without superposition, the linear x̂ = WᵀWx + b: it represents the m
 * most important features exactly and predicts the mean of the others, Σ_{i ≥ m} I_i Var(x_i) with
 * Var(x_i) = (1 − S)/3 − ((1 − S)/2)².
 */
export function linearOptimumLoss(sparsity: number): number {
  const imp = importances(config.nFeatures, config.importanceDecay);
  const p = 1 - sparsity;
  const variance = p / 3 - (p / 2) ** 2;
  let loss = 0;
  for (let i = config.nHidden; i < config.nFeatures; i++) loss += (imp[i] as number) * variance;
  return loss;
}

export function generateToySuperposition(seed: number): GeneratedInstance {
  const sparsity = sparsityFromSeed(seed);
  const { nFeatures: n, nHidden: m, samples } = config;
  const { model, attempt } = trainInstanceModel(seed, sparsity);
  const { w } = model;

  // Hidden layer on fresh inputs: h = W x, accumulated in float64, stored as float32.
  const x = sparseCodes(new Rng(seedFrom(seed, "activations")), samples, n, 1 - sparsity, config.minActive);
  const activations = f32([samples, m]);
  const h = new Float64Array(m);
  for (let s = 0; s < samples; s++) {
    h.fill(0);
    for (let i = 0; i < n; i++) {
      const xi = x[s * n + i] as number;
      if (xi === 0) continue;
      for (let a = 0; a < m; a++) h[a] = (h[a] as number) + (w[a * n + i] as number) * xi;
    }
    activations.data.set(h, s * m);
  }

  // Truth: unit columns of W of the represented features.
  const represented = representedFeatures(model);
  const norms = columnNorms(model);
  const k = represented.length;
  const features: NdArray = f32([k, m]);
  represented.forEach((i, r) => {
    const norm = norms[i] as number;
    for (let a = 0; a < m; a++) features.data[r * m + a] = (w[a * n + i] as number) / norm;
  });

  // ‖W‖_F² = Σ_i ‖W_i‖²: Elhage et al.'s count of embedded features (m / ‖W‖_F² = dimensions per feature).
  let frobenius2 = 0;
  for (const v of norms) frobenius2 += v * v;
  const { loss, zero } = evaluateLoss(model, config.importanceDecay, x, samples);
  const linear = linearOptimumLoss(sparsity);
  const round = (v: number) => Number(v.toPrecision(4));
  return {
    params: { nFeatures: k },
    inputs: { activations },
    truth: { features },
    meta: {
      sparsity,
      nFeatures: n,
      nHidden: m,
      represented: k,
      superposition: round(k / m),
      frobenius2: round(frobenius2),
      batchSize: batchSizeFor(modelConfig(sparsity)),
      loss: round(loss),
      lossZero: round(zero),
      lossRatio: round(loss / zero),
      lossLinear: round(linear),
      attempt,
    },
  };
}

export const toySuperposition: DatasetDefinition = {
  slug: "toy-superposition",
  task: "feature-recovery",
  version: 2,
  title: "Toy models of superposition",
  domain: "artificial",
  description:
    "Hidden layer (m = 10 units) of the ReLU output model x̂ = ReLU(WᵀWx + b) of Elhage et al. 2022, trained per instance on n = 40 sparse features with importance 0.9^i at sparsity S ∈ {0, 0.7, 0.9, 0.97, 0.99}, on 4096 fresh inputs; truth is the unit columns of W with ‖W_i‖ > 0.5: 10 features at S = 0 (no superposition), about 16, 22, 28 and 35 as sparsity grows.",
  sizes: { dev: 5, official: 16, private: 16 },
  config,
  generate(_split, _index, seed) {
    return generateToySuperposition(seed);
  },
};

export { config as toySuperpositionConfig };
