// The variable-length inputs of T5: system A's parts are the inputs `a0 … a{L-1}`, system B's are
// `b0 … b{M-1}` (TASKS.md). TaskDefinition.inputs is a static record, so the task declares the parts every
// instance has (a0, a1, b0, b1; L, M ≥ 2) and documents the rest through these helpers.
import { rowDots } from "../../harness/row-dots.ts";
import type { JsonValue, NdArray } from "../../harness/types.ts";

export type System = "a" | "b";

/** Name of part `i` of a system: "a3", "b0". */
export function partName(system: System, i: number): string {
  return `${system}${i}`;
}

/** Every input name of an instance with L parts in A and M parts in B, A first. */
export function partNames(L: number, M: number): string[] {
  return [...Array.from({ length: L }, (_, i) => partName("a", i)), ...Array.from({ length: M }, (_, j) => partName("b", j))];
}

/** Matches every part name (a0, a1, …, b0, …). */
export const PART_NAME_PATTERN = /^[ab](0|[1-9][0-9]*)$/;

/** Both systems' parts, in order, read from an instance's inputs and its params L, M. */
export function readParts(inputs: Record<string, NdArray>, params: Record<string, JsonValue>): { a: NdArray[]; b: NdArray[] } {
  const L = params.L as number;
  const M = params.M as number;
  const get = (system: System, i: number) => {
    const array = inputs[partName(system, i)];
    if (!array) throw new Error(`input "${partName(system, i)}" is missing (L = ${L}, M = ${M})`);
    return array;
  };
  return {
    a: Array.from({ length: L }, (_, i) => get("a", i)),
    b: Array.from({ length: M }, (_, j) => get("b", j)),
  };
}

/** A part as a row-major float64 matrix with centred columns (every measure here centres first). */
export interface CentredPart {
  n: number;
  d: number;
  data: Float64Array;
}

export function centreColumns(x: NdArray): CentredPart {
  const [n, d] = x.shape as [number, number];
  const src = x.data;
  const data = new Float64Array(n * d);
  const mean = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let k = 0; k < d; k++) mean[k] = (mean[k] as number) + (src[s * d + k] as number);
  for (let k = 0; k < d; k++) mean[k] = (mean[k] as number) / n;
  for (let s = 0; s < n; s++) for (let k = 0; k < d; k++) data[s * d + k] = (src[s * d + k] as number) - (mean[k] as number);
  return { n, d, data };
}

/**
 * Xᵀ Y (d × e, row-major) of two column-centred parts with the same rows: what CKA, SVCCA, Procrustes and the
 * within-system ordering probe are built on. Computed as dot products of the transposed columns, four at a time
 * (harness/row-dots.ts): each sum still runs over the samples in order, so every entry is the same float as the
 * sample-by-sample outer-product accumulation it replaces, which rewrote all d·e sums per sample (T5's ordering
 * probe ≈ 1.9× faster on `seed-twins`).
 */
export function crossProduct(x: CentredPart, y: CentredPart): Float64Array {
  const { n, d } = x;
  const e = y.d;
  const xt = transposeRows(x);
  const yt = x === y ? xt : transposeRows(y);
  const out = new Float64Array(d * e);
  for (let p = 0; p < d; p++) rowDots(yt, e, n, xt.subarray(p * n, (p + 1) * n), out, 0, p * e);
  return out;
}

/** The d × n transpose of a row-major n × d part. */
function transposeRows(x: CentredPart): Float64Array {
  const { n, d, data } = x;
  const out = new Float64Array(d * n);
  for (let s = 0; s < n; s++) for (let k = 0; k < d; k++) out[k * n + s] = data[s * d + k] as number;
  return out;
}
