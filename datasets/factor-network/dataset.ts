// T3 artificial dataset: the last hidden layer of an MLP trained to read K = 6 latent factors out of a nonlinear
// 64-dimensional rendering of them, fed inputs in which only k of the factors vary (TASKS.md, `factor-network`).
// Truth d* = k: the network reads the varying factors back (R² ≈ 0.98), so the hidden manifold is k-dimensional.
import { artifactRef, loadArtifact } from "../../harness/artifacts.ts";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance } from "../../harness/types.ts";
import { dimensionTruth } from "../../tasks/intrinsic-dimension/task.ts";
import { forwardMlp, meanR2, mlpFromTensors } from "../trained-mlp/mlp.ts";
import {
  ACTIVATIONS,
  FACTORS,
  factorNetworkRecipe,
  type Generator,
  INPUT_DIM,
  render,
  SIZES,
  TRAINING,
  WORLDS,
  worldPrefix,
} from "./recipe.ts";

const config = {
  artifact: artifactRef(factorNetworkRecipe),
  n: 2000,
  factors: FACTORS,
  inputDim: INPUT_DIM,
  sizes: SIZES,
  /** Index of the layer whose output is the activity: the second hidden layer (48 relu units). */
  layer: 1,
  training: TRAINING,
};

/** Instance i: k = 1 + (i mod 6) varying factors; world (i + ⌊i/6⌋) mod 2, so 12 instances cover every (k, world). */
export function factorRegime(index: number): { k: number; world: number } {
  return { k: 1 + (index % FACTORS), world: (index + Math.floor(index / FACTORS)) % WORLDS };
}

export function loadWorld(world: number) {
  const { tensors } = loadArtifact(factorNetworkRecipe);
  const p = worldPrefix(world);
  const get = (name: string) => {
    const t = tensors[`${p}${name}`];
    if (t?.dtype !== "float32") throw new Error(`factor-network artifact lacks ${p}${name}`);
    return t.data as Float32Array;
  };
  const gen: Generator = { a: get("gen_a"), c: get("gen_c"), b: get("gen_b") };
  return { gen, layers: mlpFromTensors(tensors, p, ACTIVATIONS) };
}

export function generateFactorNetwork(index: number, seed: number): GeneratedInstance {
  const { k, world } = factorRegime(index);
  const { gen, layers } = loadWorld(world);
  const rng = new Rng(seed);
  // Which factors vary (a random k-subset), and where the others are held.
  const varying = Array.from(rng.permutation(FACTORS).subarray(0, k)).sort((a, b) => a - b);
  const held = Float64Array.from({ length: FACTORS }, () => 2 * rng.uniform() - 1);
  const { n } = config;
  const z = new Float32Array(n * FACTORS);
  for (let s = 0; s < n; s++) {
    z.set(held, s * FACTORS);
    for (const f of varying) z[s * FACTORS + f] = 2 * rng.uniform() - 1;
  }
  const outs = forwardMlp(layers, render(gen, z, n), n);
  const hidden = outs[config.layer] as Float64Array;
  const width = SIZES[config.layer + 1] as number;
  // How well the network's own read-out recovers the varying factors on this instance (injectivity check).
  const pred = outs[outs.length - 1] as Float64Array;
  const pick = (a: ArrayLike<number>) =>
    Float64Array.from({ length: n * k }, (_, i) => a[Math.floor(i / k) * FACTORS + (varying[i % k] as number)] as number);
  let silent = 0;
  for (let j = 0; j < width; j++) {
    let max = 0;
    for (let s = 0; s < n; s++) max = Math.max(max, hidden[s * width + j] as number);
    if (max === 0) silent++;
  }
  return {
    params: {},
    inputs: { activity: f32([n, width], hidden) },
    truth: { dimension: dimensionTruth(k) },
    meta: {
      dimension: k,
      varyingFactors: varying,
      world,
      layer: `hidden ${config.layer + 1} (${width} relu units)`,
      silentUnits: silent,
      readoutR2: Number(meanR2(pick(pred), pick(z), n, k).toPrecision(4)),
      n,
    },
  };
}

export const factorNetwork: DatasetDefinition = {
  slug: "factor-network",
  task: "intrinsic-dimension",
  version: 1,
  title: "Factor network (k of 6 latent factors vary)",
  domain: "artificial",
  description:
    "Second hidden layer (48 relu units) of an MLP trained with TensorFlow.js to read 6 latent factors out of a fixed random nonlinear 64-dimensional rendering of them (test R² ≈ 0.98), on n = 2000 noise-free inputs in which only k ∈ 1…6 factors vary (uniform on [−1, 1]^k, the others held); two trained worlds. Truth d* = k.",
  sizes: { dev: 6, official: 12, private: 12 },
  config,
  artifacts: [factorNetworkRecipe],
  generate(_split, index, seed) {
    return generateFactorNetwork(index, seed);
  },
};
