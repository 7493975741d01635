// T4 synthetic dataset: Poisson spike counts of a population tuned to a latent variable on a space of
// known topology (TASKS.md, `neural-manifolds`; Kang, Xu & Morozov 2021 style).
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition } from "../../../harness/types.ts";
import { BETTI, bettiTruth, encodeLatent, LATENT_SPACES } from "../../../tasks/topology/generate.ts";

const config = {
  /** n ~ U{nMin…nMax} samples and N ~ U{neuronsMin…neuronsMax} neurons, drawn from the seed independently of the space. */
  nMin: 1000,
  nMax: 1500,
  neuronsMin: 60,
  neuronsMax: 140,
  /** Latent space uniform on these. */
  latentSpaces: [...LATENT_SPACES],
  /** Expected count at the peak of a tuning curve: the default level and a sparse-spiking level, each with probability 1/2. */
  peakCounts: [10, 3],
  /** Baseline count as a fraction of the peak. */
  baselineFraction: 0.05,
};

/** The regime of an instance, drawn from its seed (never from the index); the shape is independent of the space. */
export function manifoldRegime(rng: Rng) {
  const space = LATENT_SPACES[rng.int(LATENT_SPACES.length)] as (typeof LATENT_SPACES)[number];
  const peakCount = config.peakCounts[rng.int(config.peakCounts.length)] as number;
  const n = config.nMin + rng.int(config.nMax - config.nMin + 1);
  const neurons = config.neuronsMin + rng.int(config.neuronsMax - config.neuronsMin + 1);
  return { space, peakCount, n, neurons };
}

export const neuralManifolds: DatasetDefinition = {
  slug: "neural-manifolds",
  task: "topology",
  version: 4,
  title: "Neural manifolds of known topology",
  domain: "synthetic",
  description:
    "N ~ U{60…140} neurons tuned to a latent point, interval, circle, two circles, figure-eight (figure-8 maze), sphere or torus (uniform), n ~ U{1000…1500} Poisson count vectors at peak count 10 (default) or 3 (sparse spiking); everything drawn from the seed.",
  sizes: { dev: 7, official: 128, private: 128 },
  config,
  generate(_split, _index, seed) {
    const rng = new Rng(seed);
    const { space, peakCount, n, neurons } = manifoldRegime(rng);
    const { activity } = encodeLatent(rng, space, {
      neurons,
      samples: n,
      peakCount,
      baselineCount: config.baselineFraction * peakCount,
    });
    return {
      params: {},
      inputs: { activity },
      truth: { betti: bettiTruth(space) },
      meta: { latent: space, betti: [...BETTI[space]], peakCount, neurons, n },
    };
  },
};
