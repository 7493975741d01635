// The trained networks behind `trained-mlp` (T6): three small MLPs fitted with TensorFlow.js to one context-gated
// scalar regression task (the scored layer sees the features, a few of its units the context; the layers after it
// must gate each context's computation), with a group lasso on the scored layer's outgoing weights. Versioned and seeded; the built file's sha256 is pinned below (README.md, "Recipe").
import type { ArtifactRecipe } from "../../../harness/artifacts.ts";
import { forwardMlp, type MlpLayer, meanR2, mlpTensors, trainMlp } from "../../../harness/mlp.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import type { JsonValue, NdArray } from "../../../harness/types.ts";
import type { Activation } from "../../../tasks/causal-attribution/network.ts";

/** Features of the regression task: x_i ~ U(0, 2), i < FEATURES; context k reads features 3k, 3k + 1, 3k + 2. */
export const FEATURES = 12;
/** Contexts, given one-hot after the features. */
export const CONTEXTS = 4;
export const INPUTS = FEATURES + CONTEXTS;
/**
 * Weight ρ of the latent that feature i of every context shares (corr ≈ 0.84 between contexts): units that serve an
 * absent context still follow the present context's inputs, so they correlate with the output without causing it.
 */
export const SHARED = 0.7;
/** Value of the active context input (the others are 0): a strong signal lets the next layers gate cleanly. */
export const CONTEXT_LEVEL = 3;
/** The first CONTEXT_UNITS scored units see only the context inputs; all others see only the features. */
export const CONTEXT_UNITS = 4;

export interface NetworkArch {
  name: string;
  sizes: number[];
  activations: Activation[];
}

/** The scored layer is always layer 0; its outgoing weights (layer 1's rows) carry the group lasso. */
export const ARCHS: readonly NetworkArch[] = [
  { name: "relu-relu", sizes: [INPUTS, 40, 32, 1], activations: ["relu", "relu", "linear"] },
  { name: "tanh-relu", sizes: [INPUTS, 32, 32, 1], activations: ["tanh", "relu", "linear"] },
  { name: "relu-relu-relu", sizes: [INPUTS, 48, 32, 16, 1], activations: ["relu", "relu", "relu", "linear"] },
];

export const TRAINING = {
  trainSamples: 6000,
  testSamples: 2000,
  epochs: 20,
  batchSize: 64,
  learningRate: 0.003,
  /** The last `decayEpochs` epochs run at learningRate × decayFactor. */
  decayFactor: 0.1,
  decayEpochs: 8,
  /** λ of the group lasso λ Σ_j ‖W1[j, :]‖₂ (one group per scored unit). */
  groupLasso: 0,
};

/**
 * Drop the scored units that are constant on the training inputs (dead relus; nothing else is exactly constant),
 * folding their constant value into the next layer's bias: the network computes exactly the same function, and no
 * scored unit is trivially non-causal for every input distribution.
 */
export function dropConstantUnits(layers: MlpLayer[], x: Float32Array, n: number): { layers: MlpLayer[]; dropped: number } {
  const [l0, l1, ...rest] = layers as [MlpLayer, MlpLayer, ...MlpLayer[]];
  const hidden = forwardMlp([l0], x, n)[0] as Float64Array;
  const H = l0.nOut;
  const keep: number[] = [];
  const b1 = Float64Array.from(l1.b);
  for (let j = 0; j < H; j++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < n; s++) {
      const v = hidden[s * H + j] as number;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (hi > lo) keep.push(j);
    else for (let o = 0; o < l1.nOut; o++) b1[o] = (b1[o] as number) + lo * (l1.w[j * l1.nOut + o] as number);
  }
  const K = keep.length;
  const w0 = new Float32Array(l0.nIn * K);
  const w1 = new Float32Array(K * l1.nOut);
  keep.forEach((src, j) => {
    for (let i = 0; i < l0.nIn; i++) w0[i * K + j] = l0.w[i * H + src] as number;
    w1.set(l1.w.subarray(src * l1.nOut, (src + 1) * l1.nOut), j * l1.nOut);
  });
  return {
    layers: [
      { ...l0, nOut: K, w: w0, b: Float32Array.from(keep, (j) => l0.b[j] as number) },
      { ...l1, nIn: K, w: w1, b: Float32Array.from(b1) },
      ...rest,
    ],
    dropped: H - K,
  };
}

/** The context-dependent target f_c(u), u = x − 1 (README.md): each context reads its own three features. */
export function target(context: number, u: (i: number) => number): number {
  if (context === 0) return 1.5 * u(0) + 0.9 * Math.abs(u(1)) + 0.6 * (u(2) > 0.3 ? 1 : 0);
  if (context === 1) return 1.2 * u(3) + 1.2 * u(4) * u(5) - 0.6 * u(5);
  if (context === 2) return 1.5 * u(6) + 0.8 * Math.abs(u(7)) - 0.9 * u(8);
  return 1.2 * u(9) * u(10) + 0.8 * u(9) + 1.0 * Math.abs(u(11));
}

/**
 * Fills `x` [n, 16] and `y` [n] with the regression task: twelve features x_i ~ U(0, 2), a context c drawn uniformly
 * from `contexts` and given one-hot in x12…x15, and y = f_c(x − 1): each context reads its own three features
 * through a linear drive, an even term, a step or a product. The network must gate each context's
 * computation by c; a unit that serves only contexts absent from a sample set does not cause its output.
 */
export function sampleTask(rng: Rng, n: number, contexts: readonly number[] = [0, 1, 2, 3]): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n * INPUTS);
  const y = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    const o = s * INPUTS;
    // Feature i of every context shares a latent z_i: x_{3k+i} = ρ z_i + (1 − ρ) v, z_i, v ~ U(0, 2).
    const z = [2 * rng.uniform(), 2 * rng.uniform(), 2 * rng.uniform()];
    for (let i = 0; i < FEATURES; i++) x[o + i] = SHARED * (z[i % 3] as number) + (1 - SHARED) * 2 * rng.uniform();
    const c = contexts[rng.int(contexts.length)] as number;
    x[o + FEATURES + c] = CONTEXT_LEVEL;
    y[s] = target(c, (i) => (x[o + i] as number) - 1);
  }
  return { x, y };
}

/**
 * Layer 0's connectivity: the first CONTEXT_UNITS units see only the context inputs; every other unit j sees only the
 * three features of context (j − CONTEXT_UNITS) mod CONTEXTS. Each scored unit serves one context (or carries the
 * context), so on inputs from other contexts only the layers after it can silence it.
 */
export function scoredMask(width: number): Float32Array {
  const mask = new Float32Array(INPUTS * width);
  for (let j = 0; j < width; j++) {
    if (j < CONTEXT_UNITS) for (let c = 0; c < CONTEXTS; c++) mask[(FEATURES + c) * width + j] = 1;
    else {
      const k = (j - CONTEXT_UNITS) % CONTEXTS;
      for (let i = 3 * k; i < 3 * k + 3; i++) mask[i * width + j] = 1;
    }
  }
  return mask;
}

/** Tensor-name prefix of network k. */
export const netPrefix = (k: number) => `net${k}/`;

export const trainedMlpRecipe: ArtifactRecipe = {
  id: "trained-mlp",
  version: 2,
  title: "Three small MLPs (group lasso) on a context-gated scalar regression task",
  sha256: "218d553118e1e3a1afb21e9c7057dc1060a7da3f61e6e0845a8ed946532206a9",
  estimatedSeconds: 25,
  async build(log) {
    const { tf } = await initTf();
    const tensors: Record<string, NdArray> = {};
    const networks: JsonValue[] = [];
    const performance: Record<string, number> = {};
    for (const [k, arch] of ARCHS.entries()) {
      const rng = new Rng(seedFrom("trained-mlp", 2, arch.name));
      const train = sampleTask(rng.fork("train-data"), TRAINING.trainSamples);
      const trained = trainMlp(tf, rng.fork("train"), train.x, train.y, TRAINING.trainSamples, {
        sizes: arch.sizes,
        activations: arch.activations,
        epochs: TRAINING.epochs,
        batchSize: TRAINING.batchSize,
        learningRate: TRAINING.learningRate,
        decayFactor: TRAINING.decayFactor,
        decayEpochs: TRAINING.decayEpochs,
        groupL1: { layer: 1, weight: TRAINING.groupLasso },
        mask: { layer: 0, mask: scoredMask(arch.sizes[1] as number) },
      });
      const { layers, dropped } = dropConstantUnits(trained.layers, train.x, TRAINING.trainSamples);
      const finalLoss = trained.finalLoss;
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
      log(`${arch.name}: test R² ${r2.toFixed(3)}, ${dropped} constant scored units dropped, ${used}/${next.nIn} with a read-out`);
      Object.assign(tensors, mlpTensors(netPrefix(k), layers));
      const round = (v: number) => Number(v.toPrecision(6));
      networks.push({
        name: arch.name,
        sizes: arch.sizes,
        activations: arch.activations,
        testR2: round(r2),
        trainLoss: round(finalLoss),
        usedUnits: used,
        scoredUnits: next.nIn,
        droppedConstantUnits: dropped,
      });
      performance[`testR2_${arch.name}`] = round(r2);
    }
    return { tensors, metadata: { performance, networks, training: TRAINING } };
  },
};
