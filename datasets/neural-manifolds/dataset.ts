// T4 synthetic dataset: Poisson spike counts of a population tuned to a latent variable on a space of
// known topology (TASKS.md, `neural-manifolds`; Kang, Xu & Morozov 2021 style).
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition } from "../../harness/types.ts";
import { BETTI, bettiTruth, encodeLatent, LATENT_SPACES } from "../../tasks/topology/generate.ts";

const config = {
  n: 1500,
  neurons: 100,
  latentSpaces: [...LATENT_SPACES],
  /** Expected count at the peak of a tuning curve: the default level and a sparse-spiking level. */
  peakCounts: [10, 3],
  /** Baseline count as a fraction of the peak. */
  baselineFraction: 0.05,
};

/** Instance i: latent space i mod 7, count level i mod 2 (7 is odd, so 14 instances cover every pair). */
export function manifoldRegime(index: number) {
  const space = LATENT_SPACES[index % LATENT_SPACES.length] as (typeof LATENT_SPACES)[number];
  const peakCount = config.peakCounts[index % 2] as number;
  return { space, peakCount };
}

export const neuralManifolds: DatasetDefinition = {
  slug: "neural-manifolds",
  task: "topology",
  version: 1,
  title: "Neural manifolds of known topology",
  domain: "synthetic",
  description:
    "100 neurons tuned to a latent point, interval, circle, two circles, figure-eight (figure-8 maze), sphere or torus; n = 1500 Poisson count vectors at peak counts 10 (default) or 3 (sparse spiking).",
  sizes: { dev: 7, official: 14, private: 14 },
  config,
  generate(_split, index, seed) {
    const { space, peakCount } = manifoldRegime(index);
    const { activity } = encodeLatent(new Rng(seed), space, {
      neurons: config.neurons,
      samples: config.n,
      peakCount,
      baselineCount: config.baselineFraction * peakCount,
    });
    return {
      params: {},
      inputs: { activity },
      truth: { betti: bettiTruth(space) },
      meta: { latent: space, betti: [...BETTI[space]], peakCount, neurons: config.neurons, n: config.n },
    };
  },
};
