// Shared pieces of the TensorFlow.js training recipes behind the artificial datasets. Initial weights
// come from Cajal's own seeded Rng (not tf.random*), so a recipe's result depends only on its seed and
// the backend's arithmetic; the wasm backend is single-threaded and deterministic.
import type * as tfType from "@tensorflow/tfjs";
import { f32 } from "./ndarray.ts";
import type { Rng } from "./rng.ts";
import type { NdArray } from "./types.ts";

type Tf = typeof tfType;

/** Glorot-uniform [fanIn, fanOut] weights (Keras's default dense initializer), drawn from `rng`. */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  return out;
}

/** A dense layer's trainable weights: kernel [fanIn, fanOut] and zero bias. */
export function denseVariables(tf: Tf, rng: Rng, fanIn: number, fanOut: number, name: string) {
  // tf.variable keeps its initial tensor registered (it shares the data): tidy frees it once the variable holds it.
  return tf.tidy(() => ({
    kernel: tf.variable(tf.tensor2d(glorotUniform(rng, fanIn, fanOut), [fanIn, fanOut]), true, `${name}/kernel`),
    bias: tf.variable(tf.zeros([fanOut]), true, `${name}/bias`),
  }));
}

/** Copy a tensor out of tfjs as a float32 NdArray (for safetensors artifacts). */
export function toNdArray(tensor: tfType.Tensor): NdArray {
  return f32([...tensor.shape], tensor.dataSync() as Float32Array);
}

/** Index batches of one epoch in an order drawn from `rng` (the last, short batch is kept). */
export function epochBatches(rng: Rng, n: number, batchSize: number): Int32Array[] {
  const order = rng.permutation(n);
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) batches.push(order.subarray(start, Math.min(n, start + batchSize)));
  return batches;
}

/** Rows `indices` of a row-major [n, d] array, as a new contiguous Float32Array. */
export function gatherRows(data: Float32Array, d: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * d);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] as number;
    out.set(data.subarray(r * d, (r + 1) * d), i * d);
  }
  return out;
}

/**
 * tf.matMul whose gradient transposes explicitly: the wasm backend's transposed products (what autodiff of matMul
 * uses) run ≈ 10× slower than a transpose followed by a plain product at the sizes of Cajal's networks.
 */
export function matMulWithFastGrad(tf: Tf): (a: tfType.Tensor2D, b: tfType.Tensor2D) => tfType.Tensor2D {
  return tf.customGrad((...inputs: (tfType.Tensor | tfType.GradSaveFunc)[]) => {
    const [a, b, save] = inputs as [tfType.Tensor2D, tfType.Tensor2D, tfType.GradSaveFunc];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy, saved) => {
        const [x, y] = saved as [tfType.Tensor2D, tfType.Tensor2D];
        return [tf.matMul(dy as tfType.Tensor2D, tf.transpose(y)), tf.matMul(tf.transpose(x), dy as tfType.Tensor2D)];
      },
    };
  }) as (a: tfType.Tensor2D, b: tfType.Tensor2D) => tfType.Tensor2D;
}
