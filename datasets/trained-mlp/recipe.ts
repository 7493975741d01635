// The trained networks behind `trained-mlp` (T6): three small MLPs fitted with TensorFlow.js to one scalar
// regression task, with a group lasso on the scored layer's outgoing weights so that each network uses only some
// of its hidden units. Versioned and seeded; the built file's sha256 is pinned below (README.md, "Recipe").
import type { ArtifactRecipe } from "../../harness/artifacts.ts";
import { Rng, seedFrom } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import type { JsonValue, NdArray } from "../../harness/types.ts";
import type { Activation } from "../../tasks/causal-attribution/network.ts";
import { forwardMlp, meanR2, mlpTensors, trainMlp } from "./mlp.ts";

/** Inputs of the regression task: x_i ~ U(0, 2), x6 a noisy copy of x0, x7…x9 irrelevant. */
export const INPUTS = 10;

export interface NetworkArch {
  name: string;
  sizes: number[];
  activations: Activation[];
}

/** The scored layer is always layer 0; its outgoing weights (layer 1's rows) carry the group lasso. */
export const ARCHS: readonly NetworkArch[] = [
  { name: "relu-linear", sizes: [INPUTS, 32, 1], activations: ["relu", "linear"] },
  { name: "relu-relu", sizes: [INPUTS, 48, 16, 1], activations: ["relu", "relu", "linear"] },
  { name: "tanh-relu", sizes: [INPUTS, 32, 16, 1], activations: ["tanh", "relu", "linear"] },
];

export const TRAINING = {
  trainSamples: 4000,
  testSamples: 2000,
  epochs: 25,
  batchSize: 64,
  learningRate: 0.003,
  /** The last `decayEpochs` epochs run at learningRate × decayFactor. */
  decayFactor: 0.1,
  decayEpochs: 8,
  /** λ of the group lasso λ Σ_j ‖W1[j, :]‖₂ (one group per scored unit). */
  groupLasso: 0.015,
};

/**
 * Fills `x` [n, 10] and `y` [n] with the regression task: u = x − 1,
 * y = 1.5 u0 + 0.9 u1 + 0.8 |u2| + 0.6 · 1[u3 > 0.3] + 1.2 u4 u5 — a dominant linear drive, an even term, a step
 * and a product (the last three have weak marginal correlation with y); x6 = 0.7 x0 + 0.6 v (v ~ U(0, 1)) is a
 * redundant copy of the dominant input, x7…x9 are irrelevant.
 */
export function sampleTask(rng: Rng, n: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n * INPUTS);
  const y = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    const o = s * INPUTS;
    for (let i = 0; i < INPUTS; i++) x[o + i] = 2 * rng.uniform();
    x[o + 6] = 0.7 * (x[o] as number) + 0.6 * rng.uniform();
    const u = (i: number) => (x[o + i] as number) - 1;
    y[s] = 1.5 * u(0) + 0.9 * u(1) + 0.8 * Math.abs(u(2)) + 0.6 * (u(3) > 0.3 ? 1 : 0) + 1.2 * u(4) * u(5);
  }
  return { x, y };
}

/** Tensor-name prefix of network k. */
export const netPrefix = (k: number) => `net${k}/`;

export const trainedMlpRecipe: ArtifactRecipe = {
  id: "trained-mlp",
  version: 1,
  title: "Three small MLPs (group lasso) on a scalar regression task",
  sha256: "3623b325284ddc5ea3643cb18d0ae9fc882e36d74582b0dbd31c40cfaac6ea9e",
  estimatedSeconds: 12,
  async build(log) {
    const { tf } = await initTf();
    const tensors: Record<string, NdArray> = {};
    const networks: JsonValue[] = [];
    const performance: Record<string, number> = {};
    for (const [k, arch] of ARCHS.entries()) {
      const rng = new Rng(seedFrom("trained-mlp", 1, arch.name));
      const train = sampleTask(rng.fork("train-data"), TRAINING.trainSamples);
      const { layers, finalLoss } = trainMlp(tf, rng.fork("train"), train.x, train.y, TRAINING.trainSamples, {
        sizes: arch.sizes,
        activations: arch.activations,
        epochs: TRAINING.epochs,
        batchSize: TRAINING.batchSize,
        learningRate: TRAINING.learningRate,
        decayFactor: TRAINING.decayFactor,
        decayEpochs: TRAINING.decayEpochs,
        groupL1: { layer: 1, weight: TRAINING.groupLasso },
      });
      const test = sampleTask(rng.fork("test-data"), TRAINING.testSamples);
      const outs = forwardMlp(layers, test.x, TRAINING.testSamples);
      const r2 = meanR2(outs[outs.length - 1] as Float64Array, test.y, TRAINING.testSamples, 1);
      // Units the lasso left a read-out for (‖W1[j, :]‖ > 1e-3).
      const next = layers[1] as (typeof layers)[number];
      let used = 0;
      for (let j = 0; j < next.nIn; j++) {
        let s = 0;
        for (let o = 0; o < next.nOut; o++) s += (next.w[j * next.nOut + o] as number) ** 2;
        if (Math.sqrt(s) > 1e-3) used++;
      }
      log(`${arch.name}: test R² ${r2.toFixed(3)}, ${used}/${next.nIn} scored units with a read-out`);
      Object.assign(tensors, mlpTensors(netPrefix(k), layers));
      const round = (v: number) => Number(v.toPrecision(6));
      networks.push({
        name: arch.name,
        sizes: arch.sizes,
        activations: arch.activations,
        testR2: round(r2),
        trainLoss: round(finalLoss),
        usedUnits: used,
      });
      performance[`testR2_${arch.name}`] = round(r2);
    }
    return { tensors, metadata: { performance, networks, training: TRAINING } };
  },
};
