// Baseline: ReLU sparse autoencoder with an L1 penalty on the latents (Bricken et al. 2023 style).
// The dictionary is the unit-norm decoder rows, one per latent (latents = nFeatures).
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { type SaeConfig, trainSae } from "../shared/sae.ts";

/** Hyper-parameters; README.md says why. */
export const SAE_L1_CONFIG: SaeConfig = {
  activation: { kind: "l1", l1: 0.3 },
  steps: 800,
  batchSize: 256,
  learningRate: 0.02,
  decayFraction: 0.3,
  resampleEvery: 100,
  resampleUntil: 0.6,
};

export const saeL1: MethodDefinition = {
  id: "sae-l1",
  version: "1.1.1",
  name: "Sparse autoencoder (L1)",
  kind: "baseline",
  description:
    "ReLU sparse autoencoder with k latents, an L1 penalty on the codes and unit-norm decoder rows, trained with Adam; the dictionary is the decoder.",
  url: "https://transformer-circuits.pub/2023/monosemantic-features",
  tasks: ["feature-recovery"],
  async run(ctx) {
    const x = ctx.inputs.activations as NdArray;
    const [n, d] = x.shape as [number, number];
    const shape = ctx.outputShapes.dictionary as [number, number];
    const { decoder } = await trainSae(x.data, n, d, shape[0], ctx.seed, SAE_L1_CONFIG);
    return { dictionary: f32(shape, decoder) };
  },
};
