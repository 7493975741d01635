// Helpers shared by T2's decoding baselines (ridge, knn, mlp, population-vector): reading an instance, standardising
// activity, encoding targets as regression outputs (circular → (cos, sin), categorical → one-hot) and back, and
// blocked (contiguous) cross-validation folds, which respect the time order of the series. Reads the task's params
// schema and main score (hyper-parameters are chosen on the task's own metric), nothing else of the task.
import { f32 } from "../../harness/ndarray.ts";
import type { MethodContext, NdArray } from "../../harness/types.ts";
import { type DecodingParams, paramsSchema, scoreDecoding } from "../../tasks/latent-decoding/task.ts";

export interface DecodingProblem {
  params: DecodingParams;
  /** Training activity [nTrain, d] and test activity [nTest, d], float64 row-major. */
  xTrain: Float64Array;
  xTest: Float64Array;
  /** Training target [nTrain, q] as given (angles, values or class indices). */
  yTrain: Float64Array;
  nTrain: number;
  nTest: number;
  d: number;
  q: number;
}

export function readProblem(ctx: MethodContext): DecodingProblem {
  const params = paramsSchema.parse(ctx.params);
  const xTr = ctx.inputs.trainActivity as NdArray;
  const xTe = ctx.inputs.testActivity as NdArray;
  const yTr = ctx.inputs.trainTarget as NdArray;
  const [nTrain, d] = xTr.shape as [number, number];
  return {
    params,
    xTrain: Float64Array.from(xTr.data),
    xTest: Float64Array.from(xTe.data),
    yTrain: Float64Array.from(yTr.data),
    nTrain,
    nTest: xTe.shape[0] as number,
    d,
    q: yTr.shape[1] as number,
  };
}

/** Column means and standard deviations of the training rows (a constant column gets std 1). */
export function standardizer(x: Float64Array, n: number, d: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (x[s * d + c] as number);
  for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) / Math.max(1, n);
  for (let s = 0; s < n; s++)
    for (let c = 0; c < d; c++) std[c] = (std[c] as number) + ((x[s * d + c] as number) - (mean[c] as number)) ** 2;
  for (let c = 0; c < d; c++) {
    const v = Math.sqrt((std[c] as number) / Math.max(1, n));
    std[c] = v > 1e-8 ? v : 1;
  }
  return { mean, std };
}

/** (x − mean) / std, row by row, into a new array. */
export function applyStandardizer(x: Float64Array, n: number, d: number, s: { mean: Float64Array; std: Float64Array }): Float64Array {
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < d; c++) out[r * d + c] = ((x[r * d + c] as number) - (s.mean[c] as number)) / (s.std[c] as number);
  return out;
}

/** Width of the regression encoding of a target: q (linear), 2q (circular), q·nClasses (categorical). */
export function encodedWidth(params: DecodingParams, q: number): number {
  if (params.targetKind === "circular") return 2 * q;
  if (params.targetKind === "categorical") return q * (params.nClasses as number);
  return q;
}

/**
 * Regression outputs for a target [n, q]: the values (linear), (cos θ, sin θ) per column (circular) or
 * one-hot class indicators per column (categorical).
 */
export function encodeTargets(params: DecodingParams, y: ArrayLike<number>, n: number, q: number): Float64Array {
  const m = encodedWidth(params, q);
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < q; j++) {
      const v = y[i * q + j] as number;
      if (params.targetKind === "linear") out[i * m + j] = v;
      else if (params.targetKind === "circular") {
        out[i * m + 2 * j] = Math.cos(v);
        out[i * m + 2 * j + 1] = Math.sin(v);
      } else {
        const k = params.nClasses as number;
        const c = Math.round(v);
        if (c >= 0 && c < k) out[i * m + j * k + c] = 1;
      }
    }
  }
  return out;
}

/** Predictions [n, q] from regression outputs [n, m]: as is, atan2(sin, cos), or argmax (lowest index on ties). */
export function decodeOutputs(params: DecodingParams, z: ArrayLike<number>, n: number, q: number): Float64Array {
  const m = encodedWidth(params, q);
  const out = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < q; j++) {
      if (params.targetKind === "linear") out[i * q + j] = z[i * m + j] as number;
      else if (params.targetKind === "circular") out[i * q + j] = Math.atan2(z[i * m + 2 * j + 1] as number, z[i * m + 2 * j] as number);
      else {
        const k = params.nClasses as number;
        let best = 0;
        for (let c = 1; c < k; c++) if ((z[i * m + j * k + c] as number) > (z[i * m + j * k + best] as number)) best = c;
        out[i * q + j] = best;
      }
    }
  }
  return out;
}

/** k contiguous folds [start, end) covering 0…n−1 in order (sizes differ by at most one). */
export function blockedFolds(n: number, k: number): [number, number][] {
  const folds: [number, number][] = [];
  for (let f = 0; f < k; f++) folds.push([Math.round((f * n) / k), Math.round(((f + 1) * n) / k)]);
  return folds.filter(([a, b]) => b > a);
}

/** The task's main score of predictions [n, q] against a target [n, q] (used to select hyper-parameters). */
export function taskScore(params: DecodingParams, truth: ArrayLike<number>, pred: ArrayLike<number>, n: number, q: number): number {
  return scoreDecoding(params, f32([n, q], truth), f32([n, q], pred)).main;
}

/** Rows [start, end) of a row-major matrix with `width` columns. */
export function rows(x: Float64Array, width: number, start: number, end: number): Float64Array {
  return x.subarray(start * width, end * width);
}

/** Training mean (linear), circular mean (circular) or most frequent class (categorical) of each target column. */
export function constantPrediction(params: DecodingParams, y: Float64Array, n: number, q: number): Float64Array {
  const out = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    if (params.targetKind === "linear") {
      let s = 0;
      for (let i = 0; i < n; i++) s += y[i * q + j] as number;
      out[j] = s / Math.max(1, n);
    } else if (params.targetKind === "circular") {
      let c = 0;
      let s = 0;
      for (let i = 0; i < n; i++) {
        c += Math.cos(y[i * q + j] as number);
        s += Math.sin(y[i * q + j] as number);
      }
      out[j] = Math.atan2(s, c);
    } else {
      const k = params.nClasses as number;
      const counts = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        const c = Math.round(y[i * q + j] as number);
        if (c >= 0 && c < k) counts[c] = (counts[c] as number) + 1;
      }
      let best = 0;
      for (let c = 1; c < k; c++) if ((counts[c] as number) > (counts[best] as number)) best = c;
      out[j] = best;
    }
  }
  return out;
}
