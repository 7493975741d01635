// T1 synthetic dataset: x = Σ s_i f_i + Gaussian noise (TASKS.md, `sparse-linear`).
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition } from "../../../harness/types.ts";
import { mix, randomUnitFeatures, regimeFromSeed, sparseCodes } from "../../../tasks/feature-recovery/generate.ts";

const config = { d: 32, n: 4096, noiseStd: 0.01, ratios: [1, 2, 4], sparsities: [0.01, 0.05] };

export const sparseLinear: DatasetDefinition = {
  slug: "sparse-linear",
  task: "feature-recovery",
  version: 2,
  title: "Sparse linear superposition",
  domain: "synthetic",
  description:
    "Activations are sparse non-negative combinations of k random unit features in d = 32 dimensions plus small Gaussian noise, with k/d ∈ {1, 2, 4} and activation probability p ∈ {0.01, 0.05}.",
  sizes: { dev: 6, official: 8, private: 8 },
  config,
  generate(_split, _index, seed) {
    const { ratio, p } = regimeFromSeed(seed);
    const { d, n, noiseStd } = config;
    const k = ratio * d;
    const rng = new Rng(seed);
    const features = randomUnitFeatures(rng, k, d);
    const clean = mix(sparseCodes(rng, n, k, p), features, n);
    const activations = f32([n, d]);
    for (let i = 0; i < clean.length; i++) activations.data[i] = (clean[i] as number) + noiseStd * rng.normal();
    return {
      params: { nFeatures: k },
      inputs: { activations },
      truth: { features },
      meta: { k, d, n, p, ratio, noiseStd },
    };
  },
};
