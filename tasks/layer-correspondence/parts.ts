// The variable-length inputs of T5: system A's parts are the inputs `a0 … a{L-1}`, system B's are
// `b0 … b{M-1}` (TASKS.md). TaskDefinition.inputs is a static record, so the task declares the parts every
// instance has (a0, a1, b0, b1; L, M ≥ 2) and documents the rest through these helpers.
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
