// T3 intrinsic-dimension (TASKS.md): estimate the dimension of the manifold the activity lies on.
import { z } from "zod";
import { f32 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

/** Per-instance main score: max(0, 1 − |d̂ − d*| / d*). */
export function dimensionScore(estimate: number, truth: number): number {
  return Math.max(0, 1 - Math.abs(estimate - truth) / truth);
}

export function trueDimension(instance: Instance): number {
  return (instance.truth.dimension as NdArray).data[0] as number;
}

/** Largest dimension the `random` reference draws: the ambient dimension d of the activity. */
export function randomUpperBound(instance: Instance): number {
  return instance.inputs.activity?.shape[1] as number;
}

export const intrinsicDimension: TaskDefinition = {
  id: "intrinsic-dimension",
  version: 1,
  title: "Intrinsic dimension",
  question: "Neural manifolds",
  description:
    "Estimate the dimension of the manifold the activity lies on. Score: mean over instances of max(0, 1 − |d̂ − d*| / d*), d* the true integer dimension.",
  mainScore: { id: "relative-accuracy", label: "1 − relative error", min: 0, max: 1 },
  metrics: [{ id: "abs-error", label: "Absolute error |d̂ − d*|" }],
  paramsSchema: z.object({}).strict(),
  inputs: {
    activity: { kind: "array", dtype: "float32", dims: ["n", "d"], description: "Population activity, one row per sample." },
  },
  outputs: {
    result: {
      kind: "json",
      keys: ["dimension"],
      description: "The estimated intrinsic dimension d̂ (a number > 0; need not be an integer).",
    },
  },
  truth: {
    dimension: { kind: "array", dtype: "float32", dims: [1], description: "The true (integer) intrinsic dimension d*." },
  },
  outputShapes() {
    return {};
  },
  score(instance: Instance, outputs: MethodOutputs) {
    const estimate = (outputs.result as Record<string, unknown> | undefined)?.dimension;
    // validateOutputs guarantees a finite number; the check keeps score() safe when called directly.
    if (typeof estimate !== "number" || !Number.isFinite(estimate))
      throw new Error(`result.dimension must be a number, got ${JSON.stringify(estimate)}`);
    const truth = trueDimension(instance);
    return { main: dimensionScore(estimate, truth), metrics: { "abs-error": Math.abs(estimate - truth) } };
  },
  oracle(instance) {
    return { result: { dimension: trueDimension(instance) } };
  },
  // Uniform integer on 1…d (d the ambient dimension): the chance level of chance.ts.
  random(instance, rng) {
    return { result: { dimension: 1 + rng.int(randomUpperBound(instance)) } };
  },
};

/** Truth array of an instance. */
export function dimensionTruth(d: number): NdArray {
  return f32([1], [d]);
}
