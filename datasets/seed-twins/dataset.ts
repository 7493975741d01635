// T5 artificial dataset (TASKS.md, `seed-twins`): two MLPs of the same architecture trained on MNIST from
// different seeds (Kornblith et al. 2019, Table 2). A holds network p's hidden layers in order, B network
// q's hidden layers in a shuffled order, both on the same held-out digits; layer i of p ↔ layer i of q.
import { artifactRef } from "../../harness/artifacts.ts";
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance, NdArray } from "../../harness/types.ts";
import { matchArray } from "../../tasks/layer-correspondence/generate.ts";
import { partName } from "../../tasks/layer-correspondence/parts.ts";
import { forwardLayers, MNIST_MLP_RECIPE_CONFIG, mnistMlpRecipe, trainedNetworks } from "../mnist-mlp/recipe.ts";

export const seedTwinsConfig = {
  artifact: artifactRef(mnistMlpRecipe),
  /** Held-out digits per instance, drawn without replacement by the instance seed. */
  n: 600,
  /**
   * Parts: the hidden layers (after ReLU, 64 units each). The logits (10 wide) and the input pixels (shared
   * by both networks, 784 wide) are left out: their widths or identity would give the answer away, and
   * Kornblith et al. leave the logits out too.
   */
  hiddenLayers: MNIST_MLP_RECIPE_CONFIG.hidden.length,
  nets: MNIST_MLP_RECIPE_CONFIG.nets,
};

export function generateSeedTwins(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const K = seedTwinsConfig.nets;
  // Two distinct networks, uniformly over the K·(K − 1) ordered pairs.
  const netA = rng.int(K);
  const netB = (netA + 1 + rng.int(K - 1)) % K;
  return seedTwinsInstance(rng, netA, netB);
}

/** The instance of networks netA (system A) and netB (system B); digits and B's order drawn from `rng`. */
export function seedTwinsInstance(rng: Rng, netA: number, netB: number): GeneratedInstance {
  const trained = trainedNetworks();
  const H = seedTwinsConfig.hiddenLayers;
  const rows = rng.permutation(trained.labels.length).subarray(0, seedTwinsConfig.n);
  const layersA = forwardLayers(trained.nets[netA] ?? [], trained.images, rows, H - 1);
  const layersB = forwardLayers(trained.nets[netB] ?? [], trained.images, rows, H - 1);
  // B part j shows hidden layer bSource[j] of network B; A part i is layer i, so match[i] = bSource⁻¹(i).
  const bSource = [...rng.permutation(H)];
  const match = Array.from({ length: H }, (_, i) => bSource.indexOf(i));
  const inputs: Record<string, NdArray> = {};
  const part = (data: Float32Array): NdArray => ({ dtype: "float32", shape: [seedTwinsConfig.n, data.length / seedTwinsConfig.n], data });
  for (let i = 0; i < H; i++) inputs[partName("a", i)] = part(layersA[i] as Float32Array);
  bSource.forEach((layer, j) => {
    inputs[partName("b", j)] = part(layersB[layer] as Float32Array);
  });
  return {
    params: { L: H, M: H },
    inputs,
    truth: { match: matchArray(match) },
    // Methods see meta: which networks, never which parts correspond.
    meta: { netA, netB, L: H, M: H, n: seedTwinsConfig.n },
  };
}

export const seedTwins: DatasetDefinition = {
  slug: "seed-twins",
  task: "layer-correspondence",
  version: 1,
  title: "MNIST MLPs from different seeds",
  domain: "artificial",
  description:
    "Two 784-64-64-64-64-64-10 ReLU MLPs trained on MNIST from different seeds (init and data order; 5 networks, held-out accuracy 95–96 %), on 600 shared held-out digits. A holds one network's 5 hidden layers in order, B the other's in a shuffled order; hidden layer i of A corresponds to hidden layer i of B (Kornblith et al. 2019).",
  sizes: { dev: 6, official: 12, private: 12 },
  config: seedTwinsConfig,
  artifacts: [mnistMlpRecipe],
  generate(_split, _index, seed) {
    return generateSeedTwins(seed);
  },
};
