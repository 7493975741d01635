// T4 topology (TASKS.md): find the Betti numbers [b0, b1, b2] of the manifold the activity lies on.
import { z } from "zod";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

/** Values the `random` reference draws each Betti number from, uniformly. */
export const RANDOM_BETTI_VALUES = [0, 1, 2] as const;

export function trueBetti(instance: Instance): number[] {
  return Array.from((instance.truth.betti as NdArray).data);
}

/** The predicted [b0, b1, b2]; anything but an array of three numbers is a contract violation. */
export function predictedBetti(outputs: MethodOutputs): number[] {
  const betti = (outputs.result as Record<string, unknown> | undefined)?.betti;
  if (!Array.isArray(betti) || betti.length !== 3 || !betti.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new Error(`result.betti must be an array of three numbers [b0, b1, b2], got ${JSON.stringify(betti)}`);
  }
  return betti as number[];
}

/** Per-Betti correctness: an estimate counts only if it is exactly the true integer. */
export function bettiMatches(predicted: readonly number[], truth: readonly number[]): boolean[] {
  return truth.map((t, k) => predicted[k] === t);
}

/**
 * The single Betti vector with the best mean exact-match score over `truths`: the most frequent one (ties: the first
 * in lexicographic order). Exact match gives no credit per component, so no mixed vector can do better.
 */
export function mostFrequentBetti(truths: readonly (readonly number[])[]): number[] {
  const counts = new Map<string, { betti: number[]; count: number }>();
  for (const t of truths) {
    const key = t.join(",");
    const hit = counts.get(key);
    if (hit) hit.count++;
    else counts.set(key, { betti: [...t], count: 1 });
  }
  const ranked = [...counts.values()].sort((a, b) => b.count - a.count || a.betti.join(",").localeCompare(b.betti.join(",")));
  return ranked[0]?.betti ?? [1, 0, 0];
}

export const topology: TaskDefinition = {
  id: "topology",
  version: 1,
  title: "Topology",
  question: "Shape of the neural code",
  description:
    "Find the Betti numbers [b0, b1, b2] of the manifold the activity lies on. Score: exact-match accuracy of all three numbers; per-Betti accuracies as secondary metrics.",
  mainScore: { id: "exact-match", label: "Exact match of [b0, b1, b2]", min: 0, max: 1 },
  metrics: [
    { id: "b0", label: "b0 accuracy" },
    { id: "b1", label: "b1 accuracy" },
    { id: "b2", label: "b2 accuracy" },
  ],
  paramsSchema: z.object({}).strict(),
  inputs: {
    activity: { kind: "array", dtype: "float32", dims: ["n", "d"], description: "Population activity (spike counts), one row per sample." },
  },
  outputs: {
    result: {
      kind: "json",
      keys: ["betti"],
      lengths: { betti: 3 },
      description: "betti: [b0, b1, b2], the Betti numbers (non-negative integers) of the latent manifold.",
    },
  },
  truth: {
    betti: { kind: "array", dtype: "int32", dims: [3], description: "True Betti numbers [b0, b1, b2] of the latent space." },
  },
  outputShapes() {
    return {};
  },
  score(instance: Instance, outputs: MethodOutputs) {
    const matches = bettiMatches(predictedBetti(outputs), trueBetti(instance));
    const metrics = Object.fromEntries(matches.map((m, k) => [`b${k}`, m ? 1 : 0]));
    return { main: matches.every(Boolean) ? 1 : 0, metrics };
  },
  oracle(instance) {
    return { result: { betti: trueBetti(instance) } };
  },
  // Each Betti number uniform on {0, 1, 2}: exact match with probability 1/27 (every truth has entries in {0, 1, 2}).
  random(_instance, rng) {
    return { result: { betti: [0, 1, 2].map(() => RANDOM_BETTI_VALUES[rng.int(RANDOM_BETTI_VALUES.length)] as number) } };
  },
  floors: {
    bestConstant(truths) {
      return { result: { betti: mostFrequentBetti(truths.map((t) => Array.from((t.betti as NdArray).data))) } };
    },
    shortcut: null,
  },
};
