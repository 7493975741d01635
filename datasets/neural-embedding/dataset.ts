// T3 synthetic dataset: Poisson spike counts of neurons tuned to a d*-dimensional latent variable,
// d* ∈ 1…8 (TASKS.md, `neural-embedding`).
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition } from "../../harness/types.ts";
import { neuralEmbedding } from "../../tasks/intrinsic-dimension/neural.ts";
import { dimensionTruth } from "../../tasks/intrinsic-dimension/task.ts";

const config = {
  n: 2000,
  neurons: 100,
  latentDims: [1, 2, 3, 4, 5, 6, 7, 8],
  /** Expected count at the peak of a tuning curve: short bins (10) and long bins / trial averages (200). */
  peakCounts: [10, 200],
  /** Baseline count as a fraction of the peak. */
  baselineFraction: 0.05,
  kappaMin: 0.5,
  kappaMax: 2,
  mixedProbability: 0.5,
};

/**
 * Instance i: d* = 1 + (i mod 8); count level (i + ⌊i/8⌋) mod 2, so the first 8 instances alternate levels
 * and the next 8 take the other one: 16 instances cover every (d*, level) pair once.
 */
export function neuralRegime(index: number) {
  const latentDim = config.latentDims[index % 8] as number;
  const peakCount = config.peakCounts[(index + Math.floor(index / 8)) % 2] as number;
  return { latentDim, peakCount };
}

export const neuralEmbeddingDataset: DatasetDefinition = {
  slug: "neural-embedding",
  task: "intrinsic-dimension",
  version: 1,
  title: "Neural embedding of a d*-dimensional latent",
  domain: "synthetic",
  description:
    "100 neurons with von Mises tuning along random (pure or mixed) directions of a latent on the d*-torus, d* ∈ 1…8, n = 2000 Poisson count vectors at peak counts 10 or 200.",
  sizes: { dev: 8, official: 16, private: 16 },
  config,
  generate(_split, index, seed) {
    const { latentDim, peakCount } = neuralRegime(index);
    const rng = new Rng(seed);
    const { activity } = neuralEmbedding(rng, {
      latentDim,
      neurons: config.neurons,
      samples: config.n,
      peakCount,
      baselineCount: config.baselineFraction * peakCount,
      kappaMin: config.kappaMin,
      kappaMax: config.kappaMax,
      mixedProbability: config.mixedProbability,
    });
    return {
      params: {},
      inputs: { activity },
      truth: { dimension: dimensionTruth(latentDim) },
      meta: { dimension: latentDim, peakCount, neurons: config.neurons, n: config.n },
    };
  },
};
