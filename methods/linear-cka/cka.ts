// Centred kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019), shared by linear-cka and rbf-cka.
import type { CentredPart } from "../../tasks/layer-correspondence/parts.ts";

/** Xᵀ Y of two column-centred parts with the same rows (d×e, row-major). */
export function crossProduct(x: CentredPart, y: CentredPart): Float64Array {
  const { n, d } = x;
  const e = y.d;
  const xd = x.data;
  const yd = y.data;
  const out = new Float64Array(d * e);
  for (let s = 0; s < n; s++) {
    const xo = s * d;
    const yo = s * e;
    for (let p = 0; p < d; p++) {
      const v = xd[xo + p] as number;
      if (v === 0) continue;
      const ro = p * e;
      for (let q = 0; q < e; q++) out[ro + q] = (out[ro + q] as number) + v * (yd[yo + q] as number);
    }
  }
  return out;
}

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
