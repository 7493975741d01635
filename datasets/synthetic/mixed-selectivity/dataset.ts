// T1 synthetic dataset, neural style: Poisson spike counts with rate = softplus(b + g Σ s_i f_i).
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition } from "../../../harness/types.ts";
import { mix, randomUnitFeatures, regimeFromSeed, sparseCodes } from "../../../tasks/feature-recovery/generate.ts";

const config = { d: 32, n: 4096, baseline: 4, gain: 20, ratios: [1, 2, 4], sparsities: [0.01, 0.05] };

const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));

export const mixedSelectivity: DatasetDefinition = {
  slug: "mixed-selectivity",
  task: "feature-recovery",
  version: 2,
  title: "Mixed selectivity (Poisson)",
  domain: "synthetic",
  description:
    "d = 32 model neurons emit Poisson counts whose rate is softplus(4 + 20 Σ s_i f_i): every neuron responds to many sparse latent features (mixed selectivity) through a rectifying nonlinearity, with Poisson noise.",
  sizes: { dev: 6, official: 12, private: 12 },
  config,
  generate(_split, _index, seed) {
    const { ratio, p } = regimeFromSeed(seed);
    const { d, n, baseline, gain } = config;
    const k = ratio * d;
    const rng = new Rng(seed);
    const features = randomUnitFeatures(rng, k, d);
    const drive = mix(sparseCodes(rng, n, k, p), features, n);
    const activations = f32([n, d]);
    for (let i = 0; i < drive.length; i++) activations.data[i] = rng.poisson(softplus(baseline + gain * (drive[i] as number)));
    return {
      params: { nFeatures: k },
      inputs: { activations },
      truth: { features },
      meta: { k, d, n, p, ratio, baseline, gain },
    };
  },
};
