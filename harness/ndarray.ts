// Small helpers for dense C-ordered arrays and their validation.
import { createHash } from "node:crypto";
import type { DType, NdArray, TypedArray } from "./types.ts";

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function f32(shape: number[], data?: ArrayLike<number>): NdArray {
  const out = new Float32Array(sizeOf(shape));
  if (data) out.set(data);
  return { dtype: "float32", shape, data: out };
}

export function f64(shape: number[], data?: ArrayLike<number>): NdArray {
  const out = new Float64Array(sizeOf(shape));
  if (data) out.set(data);
  return { dtype: "float64", shape, data: out };
}

export function i32(shape: number[], data?: ArrayLike<number>): NdArray {
  const out = new Int32Array(sizeOf(shape));
  if (data) out.set(data);
  return { dtype: "int32", shape, data: out };
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

/** Row i of a 2-D array as a view. */
export function row(a: NdArray, i: number): TypedArray {
  const cols = a.shape[1] ?? 1;
  return a.data.subarray(i * cols, (i + 1) * cols);
}

export function isNdArray(value: unknown): value is NdArray {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<NdArray>;
  return Array.isArray(v.shape) && (v.data instanceof Float32Array || v.data instanceof Float64Array || v.data instanceof Int32Array);
}

/** Whether `shape` matches `expected`, where -1 in `expected` means any length. */
export function shapeMatches(shape: readonly number[], expected: readonly number[]): boolean {
  return shape.length === expected.length && shape.every((s, i) => expected[i] === -1 || s === expected[i]);
}

/** Index of the first NaN or infinite value, or -1. */
export function firstNonFinite(data: TypedArray): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

export function hashArrays(arrays: Record<string, NdArray>): string {
  const h = createHash("sha256");
  for (const name of Object.keys(arrays).sort()) {
    const a = arrays[name] as NdArray;
    h.update(`${name}:${a.dtype}:${a.shape.join("x")};`);
    h.update(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
  }
  return h.digest("hex");
}

/** Identifies the exact inputs a result was computed on: the arrays plus any JSON inputs. */
// Generated inputs are never changed after generation, and every method of a dataset is evaluated on the same instance
// object (the runner's instance cache), whose inputs are hashed for registration and for each result: hash them once.
const inputHashes = new WeakMap<object, string>();

export function hashInputs(instance: { inputs: Record<string, NdArray>; jsonInputs?: Record<string, unknown> }): string {
  const known = inputHashes.get(instance.inputs);
  if (known) return known;
  const arrays = hashArrays(instance.inputs);
  const hash =
    !instance.jsonInputs || Object.keys(instance.jsonInputs).length === 0
      ? arrays
      : createHash("sha256").update(arrays).update(JSON.stringify(instance.jsonInputs)).digest("hex");
  inputHashes.set(instance.inputs, hash);
  return hash;
}
