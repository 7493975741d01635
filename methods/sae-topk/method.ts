// Baseline: TopK sparse autoencoder (Gao et al. 2024): only the K largest pre-activations of each
// sample stay on, which sets the sparsity directly instead of through an L1 penalty.
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { type SaeConfig, trainSae } from "../shared/sae.ts";

/** Hyper-parameters; README.md says why. */
export const SAE_TOPK_CONFIG: SaeConfig = {
  activation: { kind: "topk", k: 4 },
  steps: 800,
  batchSize: 256,
  learningRate: 0.02,
  decayFraction: 0.3,
  resampleEvery: 100,
  resampleUntil: 0.6,
};

export const saeTopk: MethodDefinition = {
  id: "sae-topk",
  version: "1.1.1",
  name: "Sparse autoencoder (TopK)",
  kind: "baseline",
  description:
    "TopK sparse autoencoder (Gao et al. 2024) with k latents of which the K = 4 largest stay on per sample, unit-norm decoder rows, trained with Adam; the dictionary is the decoder.",
  url: "https://arxiv.org/abs/2406.04093",
  tasks: ["feature-recovery"],
  async run(ctx) {
    const x = ctx.inputs.activations as NdArray;
    const [n, d] = x.shape as [number, number];
    const shape = ctx.outputShapes.dictionary as [number, number];
    const { decoder } = await trainSae(x.data, n, d, shape[0], ctx.seed, SAE_TOPK_CONFIG);
    return { dictionary: f32(shape, decoder) };
  },
};
