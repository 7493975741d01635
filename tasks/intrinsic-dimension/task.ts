// T3 intrinsic-dimension (TASKS.md): estimate the dimension of the manifold the activity lies on.
import { z } from "zod";
import { f32 } from "../../harness/ndarray.ts";
import { bestConstant, logRatioScore } from "../../harness/scoring.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

/** Per-instance main score: max(0, 1 − |d̂ − d*| / d*). */
export function dimensionScore(estimate: number, truth: number): number {
  return Math.max(0, 1 - Math.abs(estimate - truth) / truth);
}

/**
 * Symmetric log-scale score (issue 10): harness/scoring.ts's logRatioScore, 1 at the truth, 0 at a factor of 2 either
 * way. Proposed as the main score of a TASKS.md v2.
 */
export const logDimensionScore = logRatioScore;

/**
 * The single d̂ with the best mean main score over `truths`. The mean of max(0, 1 − |d̂ − d|/d) is piecewise linear
 * in d̂ with kinks only at each d and 2d, so its maximum is at one of them; a 0.05 grid is searched too (ties: smallest).
 */
export function bestConstantDimension(truths: readonly number[]): number {
  if (truths.length === 0) return 1;
  const candidates = new Set<number>();
  for (const d of truths) {
    candidates.add(d);
    candidates.add(2 * d);
  }
  const top = 2 * Math.max(...truths);
  for (let k = 1; k * 0.05 <= top; k++) candidates.add(Math.round(k * 5) / 100);
  return (
    bestConstant(
      [...candidates].sort((a, b) => a - b),
      truths,
      dimensionScore,
    ) ?? 1
  );
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
  version: 2,
  title: "Intrinsic dimension",
  question: "Neural manifolds",
  description:
    "Estimate the dimension of the manifold the activity lies on. Score: mean over instances of max(0, 1 − |d̂ − d*| / d*), d* the true integer dimension.",
  mainScore: { id: "relative-accuracy", label: "1 − relative error", min: 0, max: 1 },
  metrics: [
    { id: "abs-error", label: "Absolute error |d̂ − d*|" },
    { id: "logScore", label: "Log-scale score 1 − min(1, |log2(d̂/d*)|)" },
  ],
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
    return {
      main: dimensionScore(estimate, truth),
      metrics: { "abs-error": Math.abs(estimate - truth), logScore: logDimensionScore(estimate, truth) },
    };
  },
  oracle(instance) {
    return { result: { dimension: trueDimension(instance) } };
  },
  // Uniform integer on 1…d (d the ambient dimension): the chance level of chance.ts.
  random(instance, rng) {
    return { result: { dimension: 1 + rng.int(randomUpperBound(instance)) } };
  },
  floors: {
    bestConstant(truths) {
      return { result: { dimension: bestConstantDimension(truths.map((t) => (t.dimension as NdArray).data[0] as number)) } };
    },
    // No one-line shortcut beyond the constant and shape floors: the linear estimators (pca-90, participation ratio)
    // are already baselines.
    shortcut: null,
  },
};

/** Truth array of an instance. */
export function dimensionTruth(d: number): NdArray {
  return f32([1], [d]);
}
