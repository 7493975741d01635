// Validation of method outputs against the task contract. Every rejection names the output and what
// was expected, so a method author can fix it without reading Cajal's code.
import { firstNonFinite, isNdArray, shapeMatches } from "./ndarray.ts";
import type { Instance, MethodOutputs, TaskDefinition } from "./types.ts";

export type Validation = { ok: true } | { ok: false; message: string };

const fmt = (shape: readonly number[]) => `[${shape.map((s) => (s === -1 ? "any" : s)).join(", ")}]`;

export function validateOutputs(task: TaskDefinition, instance: Instance, outputs: unknown): Validation {
  if (typeof outputs !== "object" || outputs === null) {
    return { ok: false, message: `method returned ${outputs === null ? "null" : typeof outputs}; expected an object of outputs (${Object.keys(task.outputs).join(", ")})` };
  }
  const given = outputs as MethodOutputs;
  const shapes = task.outputShapes(instance);
  for (const [name, spec] of Object.entries(task.outputs)) {
    const value = given[name];
    if (value === undefined) return { ok: false, message: `output "${name}" is missing; expected ${spec.kind === "array" ? `an array of shape ${fmt(shapes[name] ?? [])}` : `a JSON object with keys ${spec.keys.join(", ")}`}` };
    if (spec.kind === "array") {
      const expected = shapes[name] ?? [];
      if (!isNdArray(value)) return { ok: false, message: `output "${name}" is not an array; expected float32/float64 of shape ${fmt(expected)}` };
      if (value.dtype !== "float32" && value.dtype !== "float64") {
        return { ok: false, message: `output "${name}" has dtype ${value.dtype}; expected float32 or float64` };
      }
      const size = value.shape.reduce((a, b) => a * b, 1);
      if (size !== value.data.length) {
        return { ok: false, message: `output "${name}" declares shape ${fmt(value.shape)} (${size} values) but holds ${value.data.length} values` };
      }
      if (!shapeMatches(value.shape, expected)) {
        return { ok: false, message: `output "${name}" has shape ${fmt(value.shape)}; expected ${fmt(expected)}` };
      }
      const bad = firstNonFinite(value.data);
      if (bad >= 0) return { ok: false, message: `output "${name}" has a non-finite value (${value.data[bad]}) at flat index ${bad}; outputs must be finite` };
    } else {
      if (typeof value !== "object" || value === null || isNdArray(value)) {
        return { ok: false, message: `output "${name}" must be a JSON object with keys ${spec.keys.join(", ")}` };
      }
      for (const key of spec.keys) {
        const v = (value as Record<string, unknown>)[key];
        // A key holds a finite number, or a non-empty array of finite numbers (e.g. topology's betti = [b0, b1, b2]).
        const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
        if (!finite(v) && !(Array.isArray(v) && v.length > 0 && v.every(finite))) {
          return {
            ok: false,
            message: `output "${name}" key "${key}" is ${v === undefined ? "missing" : JSON.stringify(v)}; expected a finite number or an array of finite numbers`,
          };
        }
      }
    }
  }
  return { ok: true };
}
