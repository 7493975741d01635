// Centred kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019), shared by linear-cka and rbf-cka; svcca and
// procrustes use its Xᵀ Y (crossProduct, from the task's parts.ts, which the task's probes use too).
import type { TfHandle } from "../../harness/tf.ts";
import type { NdArray } from "../../harness/types.ts";
import { type CentredPart, crossProduct } from "../../tasks/layer-correspondence/parts.ts";

export { crossProduct };

export function frobeniusSquared(m: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += (m[i] as number) ** 2;
  return s;
}

/** A part prepared for linear CKA: centred data and ‖XᵀX‖_F. */
export interface LinearCkaPart extends CentredPart {
  selfNorm: number;
}

export function prepareLinear(x: CentredPart): LinearCkaPart {
  return { n: x.n, d: x.d, data: x.data, selfNorm: Math.sqrt(frobeniusSquared(crossProduct(x, x))) };
}

/** Linear CKA = ‖XᵀY‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F), computed in feature space (O(n·d·e)). */
export function linearCka(x: LinearCkaPart, y: LinearCkaPart): number {
  return frobeniusSquared(crossProduct(x, y)) / (x.selfNorm * y.selfNorm);
}

/**
 * Linear CKA of every part of A against every part of B (L×M, row-major), with the products Xᵀ Y as tfjs
 * matrix products: all A parts stacked (Σd × n) against each B part (n × e), and Xᵀ X per part. The parts
 * are centred in float64 (as centreColumns) and multiplied in float32 (tfjs), so the result agrees with
 * linearCka to float32 precision. Xᵀ is built explicitly: a transposed operand is slow on the wasm backend.
 * Undefined similarities (a constant part) are 0.
 */
export function linearCkaMatrix(tf: TfHandle["tf"], a: readonly NdArray[], b: readonly NdArray[]): Float32Array {
  const n = (a[0]?.shape[0] ?? 0) as number;
  /** Row-major n×d float32 copy with centred columns (means in float64). */
  const centred = (part: NdArray): Float32Array => {
    const [rows, d] = part.shape as [number, number];
    if (rows !== n) throw new Error(`linear CKA: parts must share their rows (${rows} ≠ ${n})`);
    const src = part.data;
    const mean = new Float64Array(d);
    for (let s = 0; s < n; s++) for (let k = 0; k < d; k++) mean[k] = (mean[k] as number) + (src[s * d + k] as number);
    for (let k = 0; k < d; k++) mean[k] = (mean[k] as number) / n;
    const x = new Float32Array(n * d);
    for (let s = 0; s < n; s++) for (let k = 0; k < d; k++) x[s * d + k] = (src[s * d + k] as number) - (mean[k] as number);
    return x;
  };
  /** The transpose (d×n) of a row-major n×d matrix, written at `offset` of `out`. */
  const transposeInto = (x: Float32Array, d: number, out: Float32Array, offset: number) => {
    for (let s = 0; s < n; s++) for (let k = 0; k < d; k++) out[offset + k * n + s] = x[s * d + k] as number;
  };
  const sumSquares = (m: Float32Array, from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += (m[i] as number) ** 2;
    return s;
  };
  /** left (rows×n, a tensor) · right (n×cols, row-major): rows×cols, row-major. */
  const product = (left: ReturnType<typeof tf.tensor2d>, right: Float32Array, cols: number): Float32Array => {
    const r = tf.tensor2d(right, [n, cols]);
    const m = tf.matMul(left, r);
    // Read outside tf.tidy: tidy would walk a returned typed array element by element.
    const data = m.dataSync() as Float32Array;
    tf.dispose([r, m]);
    return data;
  };
  const da = a.map((p) => p.shape[1] as number);
  const db = b.map((p) => p.shape[1] as number);
  const oa = da.map((_, i) => da.slice(0, i).reduce((s, v) => s + v, 0));
  const DA = da.reduce((s, v) => s + v, 0);
  const xa = a.map(centred);
  const xb = b.map(centred);
  // ‖XᵀX‖_F of one part.
  const selfNorm = (x: Float32Array, t: Float32Array, d: number) => {
    const left = tf.tensor2d(t, [d, n]);
    const norm = Math.sqrt(sumSquares(product(left, x, d), 0, d * d));
    left.dispose();
    return norm;
  };
  // All A parts transposed and stacked (DA×n).
  const at = new Float32Array(DA * n);
  for (const [i, x] of xa.entries()) transposeInto(x, da[i] as number, at, (oa[i] as number) * n);
  const na = xa.map((x, i) => {
    const from = oa[i] as number;
    const d = da[i] as number;
    return selfNorm(x, at.subarray(from * n, (from + d) * n), d);
  });
  const nb = xb.map((x, j) => {
    const e = db[j] as number;
    const t = new Float32Array(e * n);
    transposeInto(x, e, t, 0);
    return selfNorm(x, t, e);
  });
  const L = a.length;
  const M = b.length;
  const out = new Float32Array(L * M);
  const left = tf.tensor2d(at, [DA, n]);
  for (const [j, y] of xb.entries()) {
    const e = db[j] as number;
    const cross = product(left, y, e); // DA×e: the rows of A part i are oa[i] … oa[i] + da[i]
    for (let i = 0; i < L; i++) {
      const from = oa[i] as number;
      const v = sumSquares(cross, from * e, (from + (da[i] as number)) * e) / ((na[i] as number) * (nb[j] as number));
      out[i * M + j] = Number.isFinite(v) ? v : 0;
    }
  }
  left.dispose();
  return out;
}

/** Centre a symmetric n×n kernel matrix in place: K ← HKH with H = I − 11ᵀ/n. */
export function centreGram(k: Float64Array, n: number): Float64Array {
  const rowMean = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += k[i * n + j] as number;
    rowMean[i] = s / n;
    total += s;
  }
  const grand = total / (n * n);
  for (let i = 0; i < n; i++) {
    const ri = rowMean[i] as number;
    for (let j = 0; j < n; j++) k[i * n + j] = (k[i * n + j] as number) - ri - (rowMean[j] as number) + grand;
  }
  return k;
}

/** Kernel CKA from two centred Gram matrices: ⟨K, L⟩ / (‖K‖_F ‖L‖_F). */
export function gramCka(k: Float64Array, kNorm: number, l: Float64Array, lNorm: number): number {
  let s = 0;
  for (let i = 0; i < k.length; i++) s += (k[i] as number) * (l[i] as number);
  return s / (kNorm * lNorm);
}
