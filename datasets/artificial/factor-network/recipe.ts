// The trained networks behind `factor-network` (T3): two "worlds", each a fixed random nonlinear generator that
// renders K = 6 latent factors as a 64-dimensional input, and an MLP trained with TensorFlow.js to read the
// factors back out of that input. Versioned and seeded; the file's sha256 is pinned below (README.md).
import type { ArtifactRecipe } from "../../../harness/artifacts.ts";
import { forwardMlp, meanR2, mlpTensors, trainMlp } from "../../../harness/mlp.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import type { JsonValue, NdArray } from "../../../harness/types.ts";
import type { Activation } from "../../../tasks/causal-attribution/network.ts";

export const FACTORS = 6;
export const INPUT_DIM = 64;
export const WORLDS = 2;
export const SIZES = [INPUT_DIM, 48, 48, FACTORS];
export const ACTIVATIONS: Activation[] = ["relu", "relu", "linear"];

export const GENERATOR = {
  /** Std of the first generator layer's weights A [K, 64] and bias c [64]. */
  weightStd: 1.2,
  biasStd: 0.5,
  /** Std × √64 of the second layer's square mixing matrix B [64, 64]. */
  mixGain: 1.5,
};

export const TRAINING = {
  trainSamples: 3000,
  testSamples: 2000,
  epochs: 20,
  batchSize: 64,
  learningRate: 0.003,
  decayFactor: 0.2,
  decayEpochs: 5,
};

/** A world's generator x = tanh(tanh(z A + c) B), float32 weights as stored in the artifact. */
export interface Generator {
  a: Float32Array;
  c: Float32Array;
  b: Float32Array;
}

export function randomGenerator(rng: Rng): Generator {
  const D = INPUT_DIM;
  const a = Float32Array.from({ length: FACTORS * D }, () => GENERATOR.weightStd * rng.normal());
  const c = Float32Array.from({ length: D }, () => GENERATOR.biasStd * rng.normal());
  const b = Float32Array.from({ length: D * D }, () => (GENERATOR.mixGain / Math.sqrt(D)) * rng.normal());
  return { a, c, b };
}

/**
 * Render factors z [n, K] as inputs [n, 64]: x = tanh(tanh(z A + c) B). Injective: A has full column rank (K ≤ 64,
 * Gaussian), B is invertible (almost surely) and tanh is strictly monotone, so x determines z.
 */
export function render(gen: Generator, z: ArrayLike<number>, n: number): Float32Array {
  const D = INPUT_DIM;
  const x = new Float32Array(n * D);
  const g = new Float64Array(D);
  const acc = new Float64Array(D);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < D; j++) g[j] = gen.c[j] as number;
    for (let f = 0; f < FACTORS; f++) {
      const zf = z[s * FACTORS + f] as number;
      for (let j = 0; j < D; j++) g[j] = (g[j] as number) + zf * (gen.a[f * D + j] as number);
    }
    for (let j = 0; j < D; j++) g[j] = Math.tanh(g[j] as number);
    acc.fill(0);
    for (let i = 0; i < D; i++) {
      const gi = g[i] as number;
      for (let j = 0; j < D; j++) acc[j] = (acc[j] as number) + gi * (gen.b[i * D + j] as number);
    }
    for (let j = 0; j < D; j++) x[s * D + j] = Math.tanh(acc[j] as number);
  }
  return x;
}

/** Factors uniform on the box [−1, 1]^K. */
export function uniformFactors(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n * FACTORS }, () => 2 * rng.uniform() - 1);
}

export const worldPrefix = (w: number) => `world${w}/`;

export const factorNetworkRecipe: ArtifactRecipe = {
  id: "factor-network",
  version: 1,
  title: "Factor read-out MLPs (K = 6 latent factors through a random nonlinear generator)",
  sha256: "b584c75fe7a89e13feb758735742d9303d074ae58e096abb48704a46af0e9a4e",
  estimatedSeconds: 8,
  async build(log) {
    const { tf } = await initTf();
    const tensors: Record<string, NdArray> = {};
    const worlds: JsonValue[] = [];
    const performance: Record<string, number> = {};
    for (let w = 0; w < WORLDS; w++) {
      const rng = new Rng(seedFrom("factor-network", 1, w));
      const gen = randomGenerator(rng.fork("generator"));
      const zTrain = uniformFactors(rng.fork("train-data"), TRAINING.trainSamples);
      const { layers, finalLoss } = trainMlp(
        tf,
        rng.fork("train"),
        render(gen, zTrain, TRAINING.trainSamples),
        zTrain,
        TRAINING.trainSamples,
        {
          sizes: SIZES,
          activations: ACTIVATIONS,
          epochs: TRAINING.epochs,
          batchSize: TRAINING.batchSize,
          learningRate: TRAINING.learningRate,
          decayFactor: TRAINING.decayFactor,
          decayEpochs: TRAINING.decayEpochs,
        },
      );
      const zTest = uniformFactors(rng.fork("test-data"), TRAINING.testSamples);
      const outs = forwardMlp(layers, render(gen, zTest, TRAINING.testSamples), TRAINING.testSamples);
      const pred = outs[outs.length - 1] as Float64Array;
      const perFactor = Array.from({ length: FACTORS }, (_, f) => {
        const p = Float64Array.from({ length: TRAINING.testSamples }, (_, s) => pred[s * FACTORS + f] as number);
        const t = Float64Array.from({ length: TRAINING.testSamples }, (_, s) => zTest[s * FACTORS + f] as number);
        return Number(meanR2(p, t, TRAINING.testSamples, 1).toPrecision(6));
      });
      const r2 = Number(meanR2(pred, zTest, TRAINING.testSamples, FACTORS).toPrecision(6));
      log(`world ${w}: test R² ${r2} (per factor ${perFactor.join(", ")})`);
      Object.assign(tensors, mlpTensors(worldPrefix(w), layers), {
        [`${worldPrefix(w)}gen_a`]: f32([FACTORS, INPUT_DIM], gen.a),
        [`${worldPrefix(w)}gen_c`]: f32([INPUT_DIM], gen.c),
        [`${worldPrefix(w)}gen_b`]: f32([INPUT_DIM, INPUT_DIM], gen.b),
      });
      worlds.push({ world: w, testR2: r2, testR2PerFactor: perFactor, trainLoss: Number(finalLoss.toPrecision(6)) });
      performance[`testR2_world${w}`] = r2;
    }
    return { tensors, metadata: { performance, worlds, sizes: SIZES, activations: ACTIVATIONS, generator: GENERATOR, training: TRAINING } };
  },
};
