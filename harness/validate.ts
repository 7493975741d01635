// Validation of method outputs against the task contract. Every rejection names the output and what
// was expected, so a method author can fix it without reading Cajal's code.
import { firstNonFinite, isNdArray, shapeMatches } from "./ndarray.ts";
import type { Instance, JsonOutputSpec, MethodOutputs, TaskDefinition } from "./types.ts";

export type Validation = { ok: true } | { ok: false; message: string };

const fmt = (shape: readonly number[]) => `[${shape.map((s) => (s === -1 ? "any" : s)).join(", ")}]`;

export function validateOutputs(task: TaskDefinition, instance: Instance, outputs: unknown): Validation {
  if (typeof outputs !== "object" || outputs === null) {
    return {
      ok: false,
      message: `method returned ${outputs === null ? "null" : typeof outputs}; expected an object of outputs (${Object.keys(task.outputs).join(", ")})`,
    };
  }
  const given = outputs as MethodOutputs;
  const shapes = task.outputShapes(instance);
  for (const [name, spec] of Object.entries(task.outputs)) {
    const value = given[name];
    if (value === undefined)
      return {
        ok: false,
        message: `output "${name}" is missing; expected ${spec.kind === "array" ? `an array of shape ${fmt(shapes[name] ?? [])}` : `a JSON object with keys ${spec.keys.join(", ")}`}`,
      };
    if (spec.kind === "array") {
      const expected = shapes[name] ?? [];
      if (!isNdArray(value))
        return { ok: false, message: `output "${name}" is not an array; expected float32/float64 of shape ${fmt(expected)}` };
      if (value.dtype !== "float32" && value.dtype !== "float64") {
        return { ok: false, message: `output "${name}" has dtype ${value.dtype}; expected float32 or float64` };
      }
      const size = value.shape.reduce((a, b) => a * b, 1);
      if (size !== value.data.length) {
        return {
          ok: false,
          message: `output "${name}" declares shape ${fmt(value.shape)} (${size} values) but holds ${value.data.length} values`,
        };
      }
      if (!shapeMatches(value.shape, expected)) {
        return { ok: false, message: `output "${name}" has shape ${fmt(value.shape)}; expected ${fmt(expected)}` };
      }
      const bad = firstNonFinite(value.data);
      if (bad >= 0)
        return {
          ok: false,
          message: `output "${name}" has a non-finite value (${value.data[bad]}) at flat index ${bad}; outputs must be finite`,
        };
    } else {
      if (typeof value !== "object" || value === null || isNdArray(value)) {
        return { ok: false, message: `output "${name}" must be a JSON object with keys ${spec.keys.join(", ")}` };
      }
      for (const key of spec.keys) {
        const problem = checkJsonKey(spec, key, (value as Record<string, unknown>)[key]);
        if (problem) return { ok: false, message: `output "${name}" ${problem}` };
      }
    }
  }
  return { ok: true };
}

/** What a JSON output key must hold, in words (for messages). */
export function expectedJsonKey(spec: JsonOutputSpec, key: string): string {
  const length = spec.lengths?.[key];
  return length === undefined ? "a finite number" : `an array of ${length} finite numbers`;
}

/** null when `value` is what `key` must hold, else the problem, e.g. `key "betti" is [1,1]; expected an array of 3 finite numbers`. */
export function checkJsonKey(spec: JsonOutputSpec, key: string, value: unknown): string | null {
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  const length = spec.lengths?.[key];
  const ok = length === undefined ? finite(value) : Array.isArray(value) && value.length === length && value.every(finite);
  if (ok) return null;
  return `key "${key}" is ${value === undefined ? "missing" : JSON.stringify(value)}; expected ${expectedJsonKey(spec, key)}`;
}
