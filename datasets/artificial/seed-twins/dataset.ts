// T5 artificial dataset (TASKS.md, `seed-twins`): networks of one MLP architecture trained on MNIST from
// different seeds, on the same held-out digits (Kornblith et al. 2019, Table 2). Two kinds of network: trained to
// classify the digit (the `mnist-mlp` artifact) and trained to tell odd from even (`recipe.ts`). System A holds one
// network's hidden layers, system B the hidden layers of a twin of the same kind (another seed) and, as
// distractors, the same-depth layers of a network of the other kind; both systems shuffled, every part a random
// subset of units at a random scale (issue 10: neither one system's order nor a per-part scalar gives the answer).
import { artifactRef } from "../../../harness/artifacts.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance, NdArray } from "../../../harness/types.ts";
import { type Mat, matchArray, presentPart, toF32, uniformInt } from "../../../tasks/layer-correspondence/generate.ts";
import { partName } from "../../../tasks/layer-correspondence/parts.ts";
import { type DenseLayer, forwardLayers, MNIST_MLP_RECIPE_CONFIG, mnistMlpRecipe, trainedNetworks } from "../mnist-mlp/recipe.ts";
import { PARITY_RECIPE_CONFIG, parityMlpRecipe, parityNetworks } from "./recipe.ts";

export const NETWORK_KINDS = ["digit", "parity"] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];

export const seedTwinsConfig = {
  artifact: artifactRef(mnistMlpRecipe),
  parityArtifact: artifactRef(parityMlpRecipe),
  /** Held-out digits per instance, drawn without replacement by the instance seed. */
  n: 200,
  /**
   * Parts: the hidden layers (after ReLU, 64 units each). The logits (10 wide) and the input pixels (shared
   * by both networks, 784 wide) are left out: their widths or identity would give the answer away, and
   * Kornblith et al. leave the logits out too.
   */
  hiddenLayers: MNIST_MLP_RECIPE_CONFIG.hidden.length,
  /** Digit networks: the mnist-mlp recipe's seeds 0 … nets − 1. */
  nets: MNIST_MLP_RECIPE_CONFIG.nets,
  /** Parity networks: recipe.ts's seeds 0 … parityNets − 1. */
  parityNets: PARITY_RECIPE_CONFIG.nets,
  /** Every part keeps a random subset of this many of its 64 units (uniform integer), in random order. */
  partWidth: [40, 64] as [number, number],
  /** …scaled by 10^U(−1, 1) and shifted by a per-unit offset (tasks/layer-correspondence/generate.ts presentPart). */
  presentation: "unit subset, global scale ×10^±1, per-unit offsets",
};

export interface SeedTwinsChoice {
  /** Kind of A's network (its twin in B is of the same kind; the distractor network is of the other kind). */
  kind: NetworkKind;
  netA: number;
  netB: number;
  /** The distractor network (of the other kind). */
  netD: number;
}

/** Draws the networks of an instance: A's kind 50/50, two distinct networks of that kind, one of the other kind. */
export function drawSeedTwins(rng: Rng): SeedTwinsChoice {
  const kind = NETWORK_KINDS[rng.int(2)] as NetworkKind;
  const count = (k: NetworkKind) => (k === "digit" ? seedTwinsConfig.nets : seedTwinsConfig.parityNets);
  const K = count(kind);
  const netA = rng.int(K);
  const netB = (netA + 1 + rng.int(K - 1)) % K;
  const netD = rng.int(count(kind === "digit" ? "parity" : "digit"));
  return { kind, netA, netB, netD };
}

export function generateSeedTwins(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  return seedTwinsInstance(rng, drawSeedTwins(rng));
}

/** The instance of the chosen networks; digits, orders and each part's units and scale drawn from `rng`. */
export function seedTwinsInstance(rng: Rng, choice: SeedTwinsChoice): GeneratedInstance {
  const trained = trainedNetworks();
  const H = seedTwinsConfig.hiddenLayers;
  const n = seedTwinsConfig.n;
  const rows = rng.permutation(trained.labels.length).subarray(0, n);
  const other: NetworkKind = choice.kind === "digit" ? "parity" : "digit";
  const net = (kind: NetworkKind, k: number) => ((kind === "digit" ? trained.nets : parityNetworks())[k] ?? []) as DenseLayer[];
  const layers = (kind: NetworkKind, k: number): Mat[] =>
    forwardLayers(net(kind, k), trained.images, rows, H - 1).map((data) => ({ n, d: data.length / n, data: Float64Array.from(data) }));
  const layersA = layers(choice.kind, choice.netA);
  // B's candidates: the twin's layers 0 … H−1, then the distractor network's layers H … 2H−1.
  const candidates = [...layers(choice.kind, choice.netB), ...layers(other, choice.netD)];
  // A part i shows hidden layer aSource[i]; B part j shows candidate bSource[j]; match[i] = bSource⁻¹(aSource[i]).
  const aSource = [...rng.permutation(H)];
  const bSource = [...rng.permutation(2 * H)];
  const match = aSource.map((layer) => bSource.indexOf(layer));
  const inputs: Record<string, NdArray> = {};
  aSource.forEach((layer, i) => {
    inputs[partName("a", i)] = toF32(presentPart(rng, layersA[layer] as Mat, uniformInt(rng, seedTwinsConfig.partWidth)));
  });
  bSource.forEach((c, j) => {
    inputs[partName("b", j)] = toF32(presentPart(rng, candidates[c] as Mat, uniformInt(rng, seedTwinsConfig.partWidth)));
  });
  return {
    params: { L: H, M: 2 * H },
    inputs,
    truth: { match: matchArray(match) },
    // Methods never see meta; it names the networks, not which parts correspond.
    meta: { kind: choice.kind, netA: choice.netA, netB: choice.netB, netD: choice.netD, L: H, M: 2 * H, n },
  };
}

export const seedTwins: DatasetDefinition = {
  slug: "seed-twins",
  task: "layer-correspondence",
  version: 2,
  title: "MNIST MLPs from different seeds",
  domain: "artificial",
  description:
    "784-64-64-64-64-64 ReLU MLPs trained on MNIST from different seeds, on 200 shared held-out digits: 5 digit classifiers (held-out accuracy 95–96 %) and 3 odd/even classifiers (96–97 %). A holds one network's 5 hidden layers, B a twin of the same kind (another seed) and, as distractors, the 5 hidden layers of a network of the other kind; both systems shuffled, every part a random 40–64 of its units at a random scale. Hidden layer i of A corresponds to hidden layer i of the twin (Kornblith et al. 2019).",
  sizes: { dev: 6, official: 60, private: 60 },
  config: seedTwinsConfig,
  artifacts: [mnistMlpRecipe, parityMlpRecipe],
  generate(_split, _index, seed) {
    return generateSeedTwins(seed);
  },
};
