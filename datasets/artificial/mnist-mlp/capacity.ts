// T7 artificial dataset: the class manifolds of the trained MNIST MLPs' hidden layers (P = 10 digit classes, M
// held-out digits each, the layer's 64 units), centred. Truth: the empirical capacity measured by the harness
// (random dichotomies, exact separability, bisection on the projection dimension), since no theory gives it for
// real representations. Cohen et al. (2020) predict that it rises with depth.
import { artifactRef } from "../../../harness/artifacts.ts";
import { principalAxes } from "../../../harness/linalg.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance, NdArray } from "../../../harness/types.ts";
import { empiricalCapacity } from "../../../tasks/manifold-capacity/separability.ts";
import { capacityTruth } from "../../../tasks/manifold-capacity/task.ts";
import { forwardLayers, MNIST_MLP_RECIPE_CONFIG, mnistMlpRecipe, trainedNetworks } from "./recipe.ts";

const config = {
  artifact: artifactRef(mnistMlpRecipe),
  /** Network ~ U{0…nets−1} and hidden layer ~ U{1…hiddenLayers}, from the instance seed. */
  nets: MNIST_MLP_RECIPE_CONFIG.nets,
  hiddenLayers: MNIST_MLP_RECIPE_CONFIG.hidden.length,
  /** Held-out digits per class (drawn from the seed): the points of each of the 10 class manifolds. */
  digitsPerClass: 8,
  /** Random dichotomies of the truth's measurement (≈ ±2 % on α*). */
  dichotomies: 96,
};

/** The instance's class manifolds: M held-out digits per class (from `rng`) at one layer, centred, [10, M, 64]. */
function classManifolds(rng: Rng, net: number, layer: number): NdArray {
  const trained = trainedNetworks();
  const classes = MNIST_MLP_RECIPE_CONFIG.classes;
  const M = config.digitsPerClass;
  const rows: number[] = [];
  for (let c = 0; c < classes; c++) {
    const members: number[] = [];
    trained.labels.forEach((label, i) => {
      if (label === c) members.push(i);
    });
    const order = rng.permutation(members.length);
    for (let k = 0; k < M; k++) rows.push(members[order[k] as number] as number);
  }
  const act = forwardLayers(trained.nets[net] ?? [], trained.images, rows, layer - 1)[layer - 1] as Float32Array;
  const N = act.length / rows.length;
  // Centred by the instance's global mean: ReLU units share a large positive offset, which a readout's bias would
  // absorb; the task's readout has none (Cohen et al. 2020 centre too).
  const mean = new Float64Array(N);
  for (let s = 0; s < rows.length; s++)
    for (let j = 0; j < N; j++) mean[j] = (mean[j] as number) + (act[s * N + j] as number) / rows.length;
  return f32(
    [classes, M, N],
    Float64Array.from(act, (v, i) => v - (mean[i % N] as number)),
  );
}

export function generateMnistCapacity(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const net = rng.int(config.nets);
  const layer = 1 + rng.int(config.hiddenLayers);
  const manifolds = classManifolds(rng, net, layer);
  const [classes, M, N] = manifolds.shape as [number, number, number];
  const measured = empiricalCapacity(manifolds.data, classes, M, N, rng, config.dichotomies, Math.round(classes / 0.6));
  // N_c > N (fewer than half separable in all 64 units) never happens on these layers; P / N would bound it.
  const capacity = Number.isFinite(measured.criticalDimension) ? measured.capacity : classes / N;
  return {
    params: {},
    inputs: { manifolds },
    truth: capacityTruth(capacity),
    meta: {
      net,
      layer,
      digitsPerClass: M,
      criticalDimension: Number(measured.criticalDimension.toFixed(3)),
      capacity: Number(capacity.toFixed(4)),
    },
  };
}

export const mnistMlpCapacity: DatasetDefinition = {
  slug: "mnist-mlp",
  task: "manifold-capacity",
  version: 1,
  title: "MNIST MLP class manifolds",
  domain: "artificial",
  description:
    "The 10 digit-class manifolds (8 held-out digits each, drawn from the seed) in one hidden layer (64 ReLU units, centred) of one of the five MNIST MLPs of `mnist-mlp`, network and layer drawn from the seed. Truth: the empirical capacity measured by the harness (96 random dichotomies, exact separability, bisection on the projection dimension).",
  sizes: { dev: 4, official: 10, private: 10 },
  config,
  artifacts: [mnistMlpRecipe],
  preview(): DatasetPreview {
    // The class manifolds of network 0 at the first and last hidden layer on their first two principal components:
    // what "capacity rises with depth" looks like (tighter, more separate classes at layer 5).
    const series: DatasetPreview["series"] = [];
    for (const layer of [1, config.hiddenLayers]) {
      const m = classManifolds(new Rng(seedFrom("mnist-mlp-capacity-preview")), 0, layer);
      const [P, M, N] = m.shape as [number, number, number];
      const { vectors } = principalAxes(m.data, P * M, N);
      for (let c = 0; c < P; c++) {
        const x: number[] = [];
        const y: number[] = [];
        for (let k = 0; k < M; k++) {
          let a = 0;
          let b = 0;
          for (let j = 0; j < N; j++) {
            const v = m.data[(c * M + k) * N + j] as number;
            a += v * (vectors[j] as number);
            b += v * (vectors[N + j] as number);
          }
          x.push(a);
          y.push(b);
        }
        series.push({ name: `layer ${layer}, digit ${c}`, x, y });
      }
    }
    // Layer 5 shifted right of layer 1 (with a gap) so both share one plot.
    const half = series.length / 2;
    const left = Math.max(...series.slice(0, half).flatMap((s) => s.x));
    const right = Math.min(...series.slice(half).flatMap((s) => s.x));
    for (const s of series.slice(half)) s.x = s.x.map((v) => v - right + left + 5);
    return {
      title: "Class manifolds at hidden layers 1 and 5 (network 0)",
      kind: "points",
      xLabel: "PC 1 (layer 5 shifted right)",
      yLabel: "PC 2",
      series,
      caption: "8 held-out digits per class, centred; each layer's own two principal components.",
    };
  },
  generate(_split, _index, seed) {
    return generateMnistCapacity(seed);
  },
};
