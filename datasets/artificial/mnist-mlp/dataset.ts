// T2 artificial dataset (TASKS.md, `mnist-mlp`): decode the digit class from one hidden layer of an MLP
// trained on MNIST. The networks and the held-out digits come from the recipe's artifact; an instance is
// one network's hidden layer on the held-out digits in an order drawn by the instance seed.
import { artifactRef } from "../../../harness/artifacts.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance } from "../../../harness/types.ts";
import { decodingInstance } from "../../../tasks/latent-decoding/generate.ts";
import { forwardLayers, MNIST_MLP_RECIPE_CONFIG, mnistMlpRecipe, trainedNetworks } from "./recipe.ts";

const config = {
  artifact: artifactRef(mnistMlpRecipe),
  /** Every held-out digit (1 996) in an instance-seeded order; the first 75 % train the decoder, the rest test it. */
  trainFraction: 0.75,
  /** Hidden layers 1 … 5 (after their ReLU, 64 units each); instance i reads layer (i mod 5) + 1 … */
  hiddenLayers: MNIST_MLP_RECIPE_CONFIG.hidden.length,
  /** … of network (i + ⌊i / 5⌋) mod 5, so 10 official instances visit every layer twice and every network twice. */
  nets: MNIST_MLP_RECIPE_CONFIG.nets,
};

/** Network (seed) and hidden layer (1-based) of instance `index`. */
export function mnistMlpRegime(index: number): { net: number; layer: number } {
  const H = config.hiddenLayers;
  return { net: (index + Math.floor(index / H)) % config.nets, layer: (index % H) + 1 };
}

export function generateMnistMlp(index: number, seed: number): GeneratedInstance {
  const { net, layer } = mnistMlpRegime(index);
  const trained = trainedNetworks();
  const n = trained.labels.length;
  const order = new Rng(seed).permutation(n);
  const activity = forwardLayers(trained.nets[net] ?? [], trained.images, order, layer - 1)[layer - 1] as Float32Array;
  const d = activity.length / n;
  const target = Float32Array.from(order, (r) => trained.labels[r] as number);
  let silent = 0; // units that are zero on every digit (dead ReLUs): shown in meta, left in the data
  for (let j = 0; j < d; j++) {
    let any = false;
    for (let s = 0; s < n && !any; s++) any = (activity[s * d + j] as number) !== 0;
    if (!any) silent++;
  }
  return decodingInstance(
    { activity, target, T: n, d, q: 1, targetKind: "categorical", targetNames: ["digit"], nClasses: 10 },
    config.trainFraction,
    { net, layer, silentUnits: silent, netTestAccuracy: trained.testAccuracy[net] as number },
  );
}

export const mnistMlp: DatasetDefinition = {
  slug: "mnist-mlp",
  task: "latent-decoding",
  version: 1,
  title: "MNIST MLP hidden layers",
  domain: "artificial",
  description:
    "Hidden-layer activity (64 ReLU units) of 784-64-64-64-64-64-10 MLPs trained on MNIST from 5 seeds (held-out accuracy 95–96 %), on the 1 996 held-out digits in an instance-seeded order: decode the digit class (10 classes) from the first 1 497 digits' activity to the last 499. Instances cycle through hidden layers 1–5 and the five networks.",
  sizes: { dev: 5, official: 10, private: 10 },
  config,
  artifacts: [mnistMlpRecipe],
  generate(_split, index, seed) {
    return generateMnistMlp(index, seed);
  },
};
