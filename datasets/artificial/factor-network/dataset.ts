// T3 artificial dataset: the last hidden layer of an MLP trained to read K = 6 latent factors out of a nonlinear
// 64-dimensional rendering of them, fed inputs in which only k of the factors vary (TASKS.md, `factor-network`).
// Truth d* = k: the network reads the varying factors back (R² ≈ 0.98), so the hidden manifold is k-dimensional.
import { artifactRef, loadArtifact } from "../../../harness/artifacts.ts";
import { forwardMlp, meanR2, mlpFromTensors } from "../../../harness/mlp.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance } from "../../../harness/types.ts";
import { dimensionTruth } from "../../../tasks/intrinsic-dimension/task.ts";
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
  /** n ~ U{nMin…nMax} inputs, drawn from the seed independently of k. */
  nMin: 800,
  nMax: 1600,
  /** A random subset of unitsMin…48 of the layer's units, in random order (the width says nothing about k). */
  unitsMin: 36,
  factors: FACTORS,
  inputDim: INPUT_DIM,
  sizes: SIZES,
  /** Index of the layer whose output is the activity: the second hidden layer (48 relu units). */
  layer: 1,
  training: TRAINING,
};

/** The regime of an instance, drawn from its seed (never from the index): k uniform on 1…6, world uniform on the two. */
export function factorRegime(rng: Rng): { k: number; world: number } {
  const k = 1 + rng.int(FACTORS);
  return { k, world: rng.int(WORLDS) };
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

export function generateFactorNetwork(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const { k, world } = factorRegime(rng);
  const { gen, layers } = loadWorld(world);
  // Which factors vary (a random k-subset), and where the others are held.
  const varying = Array.from(rng.permutation(FACTORS).subarray(0, k)).sort((a, b) => a - b);
  const held = Float64Array.from({ length: FACTORS }, () => 2 * rng.uniform() - 1);
  const n = config.nMin + rng.int(config.nMax - config.nMin + 1);
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
  const units = config.unitsMin + rng.int(width - config.unitsMin + 1);
  const kept = rng.permutation(width).subarray(0, units);
  const activity = f32([n, units]);
  for (let s = 0; s < n; s++)
    for (let u = 0; u < units; u++) activity.data[s * units + u] = hidden[s * width + (kept[u] as number)] as number;
  return {
    params: {},
    inputs: { activity },
    truth: { dimension: dimensionTruth(k) },
    meta: {
      dimension: k,
      varyingFactors: varying,
      world,
      layer: `hidden ${config.layer + 1} (${width} relu units)`,
      units,
      silentUnits: silent,
      readoutR2: Number(meanR2(pick(pred), pick(z), n, k).toPrecision(4)),
      n,
    },
  };
}

export const factorNetwork: DatasetDefinition = {
  slug: "factor-network",
  task: "intrinsic-dimension",
  version: 2,
  title: "Factor network (k of 6 latent factors vary)",
  domain: "artificial",
  description:
    "Second hidden layer (48 relu units) of an MLP trained with TensorFlow.js to read 6 latent factors out of a fixed random nonlinear 64-dimensional rendering of them (test R² ≈ 0.98), on n ~ U{800…1600} noise-free inputs in which only k ∈ 1…6 factors vary (uniform on [−1, 1]^k, the others held; k uniform from the seed); a random subset of 36–48 units; two trained worlds. Truth d* = k.",
  sizes: { dev: 12, official: 24, private: 24 },
  config,
  artifacts: [factorNetworkRecipe],
  generate(_split, _index, seed) {
    return generateFactorNetwork(seed);
  },
};
