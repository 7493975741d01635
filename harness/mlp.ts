// A small dense MLP trained with TensorFlow.js (wasm backend: single-threaded, deterministic) and run in plain
// float64 JavaScript afterwards. Shared by the recipes of `trained-mlp`, `factor-network` and `torus-network`:
// instance generators must be synchronous, so they read the trained weights from the artifact and never call tfjs.
import type * as tfType from "@tensorflow/tfjs";
import type { Rng } from "./rng.ts";
import { denseVariables, epochBatches, gatherRows, toNdArray } from "./train.ts";
import type { NdArray } from "./types.ts";

/** The activations these networks use; the same names as T6's network format, which trained-mlp writes. */
export type Activation = "relu" | "tanh" | "linear";

type Tf = typeof tfType;

export interface MlpLayer {
  /** [nIn, nOut] row-major, as T6's network.json stores it. */
  w: Float32Array;
  b: Float32Array;
  nIn: number;
  nOut: number;
  activation: Activation;
}

export interface TrainOptions {
  /** Layer widths, input first: [dIn, h1, …, dOut]. */
  sizes: number[];
  /** One activation per layer (sizes.length − 1 of them). */
  activations: Activation[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Learning rate × this factor for the last `decayEpochs` epochs (a fresh Adam optimizer: its moments restart). */
  decayFactor?: number;
  decayEpochs?: number;
  /**
   * Group lasso λ Σ_j ‖W_k[j, :]‖₂ on the rows of layer k's kernel (Yuan & Lin 2006): whole units of layer k − 1
   * lose their outgoing weights, so the trained network uses few of them (T6).
   */
  groupL1?: { layer: number; weight: number };
  /**
   * Connectivity mask of layer k's kernel ([in, out], 1 = connection, 0 = none): the layer computes
   * a · (W ⊙ mask) + b and the exported kernel is W ⊙ mask (trained-mlp: scored units that see only some inputs).
   */
  mask?: { layer: number; mask: Float32Array };
}

export interface TrainResult {
  layers: MlpLayer[];
  /** Mean training objective (MSE, plus the group lasso when set) over the last epoch. */
  finalLoss: number;
}

/**
 * Train an MLP on (x [n, dIn], y [n, dOut]) with Adam on MSE (+ optional group lasso), Glorot-uniform weights and batch
 * order both drawn from `rng`. Deterministic on the wasm backend.
 */
export function trainMlp(tf: Tf, rng: Rng, x: Float32Array, y: Float32Array, n: number, o: TrainOptions): TrainResult {
  const { sizes, activations } = o;
  if (activations.length !== sizes.length - 1) throw new Error("one activation per layer");
  const dIn = sizes[0] as number;
  const dOut = sizes[sizes.length - 1] as number;
  const vars = activations.map((_, k) => denseVariables(tf, rng, sizes[k] as number, sizes[k + 1] as number, `l${k}`));
  const act = (a: Activation, t: tfType.Tensor) => (a === "relu" ? tf.relu(t) : a === "tanh" ? tf.tanh(t) : t);
  const mask = o.mask ? tf.tensor2d(o.mask.mask, [sizes[o.mask.layer] as number, sizes[o.mask.layer + 1] as number]) : null;
  const kernelOf = (k: number) => {
    const kernel = (vars[k] as (typeof vars)[number]).kernel;
    return mask && o.mask?.layer === k ? tf.mul(kernel, mask) : kernel;
  };
  const predict = (input: tfType.Tensor) => {
    let h = input;
    vars.forEach((v, k) => {
      h = act(activations[k] as Activation, tf.add(tf.matMul(h, mask ? kernelOf(k) : v.kernel), v.bias));
    });
    return h;
  };
  const varList = vars.flatMap((v) => [v.kernel, v.bias]);
  let lr = o.learningRate;
  let optimizer = tf.train.adam(lr);
  let finalLoss = Number.NaN;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    if (o.decayFactor && o.decayEpochs && epoch === o.epochs - o.decayEpochs) {
      // A new optimizer at a lower step size: tfjs's Adam has no public learning-rate setter.
      optimizer.dispose();
      lr *= o.decayFactor;
      optimizer = tf.train.adam(lr);
    }
    let total = 0;
    for (const batch of epochBatches(rng, n, o.batchSize)) {
      const xb = tf.tensor2d(gatherRows(x, dIn, batch), [batch.length, dIn]);
      const yb = tf.tensor2d(gatherRows(y, dOut, batch), [batch.length, dOut]);
      const cost = optimizer.minimize(
        () => {
          const mse = tf.mean(tf.square(tf.sub(predict(xb), yb))) as tfType.Scalar;
          if (!o.groupL1) return mse;
          const kernel = (vars[o.groupL1.layer] as (typeof vars)[number]).kernel;
          // ε inside the root keeps the gradient finite at a zero row.
          const rows = tf.sqrt(tf.add(tf.sum(tf.square(kernel), 1), 1e-8));
          return tf.add(mse, tf.mul(tf.sum(rows), o.groupL1.weight)) as tfType.Scalar;
        },
        true,
        varList,
      );
      total += (cost?.dataSync()[0] as number) * batch.length;
      cost?.dispose();
      xb.dispose();
      yb.dispose();
    }
    finalLoss = total / n;
  }
  optimizer.dispose();
  const layers = vars.map((v, k) => {
    const w = toNdArray(mask && o.mask?.layer === k ? (kernelOf(k) as tfType.Tensor) : v.kernel);
    const b = toNdArray(v.bias);
    v.kernel.dispose();
    v.bias.dispose();
    return {
      w: w.data as Float32Array,
      b: b.data as Float32Array,
      nIn: sizes[k] as number,
      nOut: sizes[k + 1] as number,
      activation: activations[k] as Activation,
    };
  });
  mask?.dispose();
  return { layers, finalLoss };
}

/** Every layer's output a_1 … a_L on rows x [n, dIn], in float64 (a fixed order of + and ×: same bits everywhere). */
export function forwardMlp(layers: readonly MlpLayer[], x: ArrayLike<number>, n: number): Float64Array[] {
  const outs: Float64Array[] = [];
  let a: ArrayLike<number> = x;
  for (const layer of layers) {
    const { nIn, nOut, w, b, activation } = layer;
    const z = new Float64Array(n * nOut);
    for (let s = 0; s < n; s++) {
      const zo = s * nOut;
      for (let j = 0; j < nOut; j++) z[zo + j] = b[j] as number;
      for (let i = 0; i < nIn; i++) {
        const ai = a[s * nIn + i] as number;
        if (ai === 0) continue;
        const wo = i * nOut;
        for (let j = 0; j < nOut; j++) z[zo + j] = (z[zo + j] as number) + ai * (w[wo + j] as number);
      }
    }
    if (activation === "relu") for (let i = 0; i < z.length; i++) z[i] = Math.max(0, z[i] as number);
    else if (activation === "tanh") for (let i = 0; i < z.length; i++) z[i] = Math.tanh(z[i] as number);
    outs.push(z);
    a = z;
  }
  return outs;
}

/** The tensors of an MLP under `prefix` (`<prefix>w0`, `<prefix>b0`, …), for a safetensors artifact. */
export function mlpTensors(prefix: string, layers: readonly MlpLayer[]): Record<string, NdArray> {
  const out: Record<string, NdArray> = {};
  layers.forEach((l, k) => {
    out[`${prefix}w${k}`] = { dtype: "float32", shape: [l.nIn, l.nOut], data: l.w };
    out[`${prefix}b${k}`] = { dtype: "float32", shape: [l.nOut], data: l.b };
  });
  return out;
}

/** An MLP read back from artifact tensors written by `mlpTensors`. */
export function mlpFromTensors(tensors: Record<string, NdArray>, prefix: string, activations: readonly Activation[]): MlpLayer[] {
  return activations.map((activation, k) => {
    const w = tensors[`${prefix}w${k}`];
    const b = tensors[`${prefix}b${k}`];
    if (!w || !b || w.dtype !== "float32" || b.dtype !== "float32") throw new Error(`artifact lacks float32 layer ${prefix}w${k}/b${k}`);
    const [nIn, nOut] = w.shape as [number, number];
    return { w: w.data as Float32Array, b: b.data as Float32Array, nIn, nOut, activation };
  });
}

/** Coefficient of determination of predictions p against targets t ([n, q] row-major), averaged over the q columns. */
export function meanR2(p: ArrayLike<number>, t: ArrayLike<number>, n: number, q: number): number {
  let total = 0;
  for (let c = 0; c < q; c++) {
    let mean = 0;
    for (let s = 0; s < n; s++) mean += t[s * q + c] as number;
    mean /= n;
    let ssRes = 0;
    let ssTot = 0;
    for (let s = 0; s < n; s++) {
      ssRes += ((p[s * q + c] as number) - (t[s * q + c] as number)) ** 2;
      ssTot += ((t[s * q + c] as number) - mean) ** 2;
    }
    total += 1 - ssRes / ssTot;
  }
  return total / q;
}
