// T3 synthetic dataset: Poisson spike counts of neurons tuned to a d*-dimensional latent variable,
// d* ∈ 1…8 (TASKS.md, `neural-embedding`).
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition } from "../../../harness/types.ts";
import { neuralEmbedding } from "../../../tasks/intrinsic-dimension/neural.ts";
import { dimensionTruth } from "../../../tasks/intrinsic-dimension/task.ts";

const config = {
  /** n ~ U{nMin…nMax} samples and N ~ U{neuronsMin…neuronsMax} neurons, drawn from the seed independently of d*. */
  nMin: 800,
  nMax: 1600,
  neuronsMin: 50,
  neuronsMax: 150,
  /** d* uniform on these. */
  latentDims: [1, 2, 3, 4, 5, 6, 7, 8],
  /** Expected count at the peak of a tuning curve: short bins (10) and long bins / trial averages (200), each with probability 1/2. */
  peakCounts: [10, 200],
  /** Baseline count as a fraction of the peak. */
  baselineFraction: 0.05,
  kappaMin: 0.5,
  kappaMax: 2,
  mixedProbability: 0.5,
};

/** The regime of an instance, drawn from its seed (never from the index); the shape is independent of d*. */
export function neuralRegime(rng: Rng) {
  const latentDim = config.latentDims[rng.int(config.latentDims.length)] as number;
  const peakCount = config.peakCounts[rng.int(config.peakCounts.length)] as number;
  const n = config.nMin + rng.int(config.nMax - config.nMin + 1);
  const neurons = config.neuronsMin + rng.int(config.neuronsMax - config.neuronsMin + 1);
  return { latentDim, peakCount, n, neurons };
}

export const neuralEmbeddingDataset: DatasetDefinition = {
  slug: "neural-embedding",
  task: "intrinsic-dimension",
  version: 3,
  title: "Neural embedding of a d*-dimensional latent",
  domain: "synthetic",
  description:
    "N ~ U{50…150} neurons with von Mises tuning along random (pure or mixed) directions of a latent on the d*-torus, d* uniform on 1…8, n ~ U{800…1600} Poisson count vectors at peak count 10 or 200; everything drawn from the seed.",
  sizes: { dev: 12, official: 128, private: 128 },
  config,
  generate(_split, _index, seed) {
    const rng = new Rng(seed);
    const { latentDim, peakCount, n, neurons } = neuralRegime(rng);
    const { activity } = neuralEmbedding(rng, {
      latentDim,
      neurons,
      samples: n,
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
      meta: { dimension: latentDim, peakCount, neurons, n },
    };
  },
};
