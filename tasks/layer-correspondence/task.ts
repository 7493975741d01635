// T5 layer-correspondence (TASKS.md): given two systems' representations of the same stimuli, say which parts
// correspond. Inputs a0 … a{L-1} and b0 … b{M-1} vary in number with the params L and M (see parts.ts).
import { z } from "zod";
import { f32 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";
import { partName } from "./parts.ts";
import { bestConstantSimilarity, orderingShortcut } from "./probes.ts";

/**
 * Credit and rank of the true match in one row of the similarity matrix. Ties are shared: when t entries tie
 * for the maximum and the match is one of them, the credit is 1/t (the expected accuracy of breaking ties at
 * random), so a constant row scores chance and never the ceiling. The rank is the average rank over ties.
 */
export function rowScore(row: ArrayLike<number>, match: number): { credit: number; rank: number } {
  const target = row[match] as number;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < row.length; j++) if ((row[j] as number) > max) max = row[j] as number;
  let atMax = 0;
  let greater = 0;
  let equal = 0;
  for (let j = 0; j < row.length; j++) {
    const v = row[j] as number;
    if (v === max) atMax++;
    if (v > target) greater++;
    else if (v === target && j !== match) equal++;
  }
  return { credit: target === max ? 1 / atMax : 0, rank: 1 + greater + equal / 2 };
}

/** Accuracy (mainScore) and mean reciprocal rank of the true matches. */
export function correspondenceScores(similarity: NdArray, match: ArrayLike<number>): { accuracy: number; mrr: number } {
  const [L, M] = similarity.shape as [number, number];
  let accuracy = 0;
  let mrr = 0;
  for (let i = 0; i < L; i++) {
    const { credit, rank } = rowScore(similarity.data.subarray(i * M, (i + 1) * M), match[i] as number);
    accuracy += credit;
    mrr += 1 / rank;
  }
  return { accuracy: accuracy / L, mrr: mrr / L };
}

const part = (dim: string, what: string) => ({
  kind: "array" as const,
  dtype: "float32" as const,
  dims: ["n", dim],
  description: `${what} Rows are the n shared stimuli, in the same order in every part.`,
});

export const layerCorrespondence: TaskDefinition = {
  id: "layer-correspondence",
  version: 1,
  title: "Layer correspondence",
  question: "Representational similarity across systems",
  description:
    "Two systems represent the same n stimuli in parts (layers, areas, epochs): A in a0 … a{L-1}, B in b0 … b{M-1}. Output an L×M similarity matrix; score: fraction of A parts whose most similar B part is the true match (Kornblith et al. 2019).",
  mainScore: { id: "accuracy", label: "Identification accuracy", min: 0, max: 1 },
  metrics: [{ id: "mrr", label: "Mean reciprocal rank" }],
  paramsSchema: z
    .object({
      L: z.number().int().min(2),
      M: z.number().int().min(2),
    })
    .strict(),
  // TaskDefinition.inputs is a static record but the number of parts varies with L and M: every instance has
  // a0 … a{L-1} and b0 … b{M-1} (names from parts.ts partName); only the parts every instance has (L, M ≥ 2) are
  // declared here. The rest follow the same pattern: `a{i}` f32 [n, d_i], `b{j}` f32 [n, e_j].
  inputs: {
    [partName("a", 0)]: part("d_0", "Part 0 of system A; parts a0 … a{L-1} all exist (a{i}: [n, d_i])."),
    [partName("a", 1)]: part("d_1", "Part 1 of system A."),
    [partName("b", 0)]: part("e_0", "Part 0 of system B; parts b0 … b{M-1} all exist (b{j}: [n, e_j])."),
    [partName("b", 1)]: part("e_1", "Part 1 of system B."),
  },
  outputs: {
    similarity: { kind: "array", dims: ["L", "M"], description: "similarity[i, j] of A part i and B part j; higher = more similar." },
  },
  truth: {
    match: { kind: "array", dtype: "int32", dims: ["L"], description: "Index in B of the part that corresponds to each A part." },
  },
  outputShapes(instance: Instance) {
    return { similarity: [instance.params.L as number, instance.params.M as number] };
  },
  score(instance: Instance, outputs: MethodOutputs) {
    const { accuracy, mrr } = correspondenceScores(outputs.similarity as NdArray, (instance.truth.match as NdArray).data);
    return { main: accuracy, metrics: { mrr } };
  },
  // One-hot rows at the true matches.
  oracle(instance) {
    const L = instance.params.L as number;
    const M = instance.params.M as number;
    const similarity = f32([L, M]);
    const match = (instance.truth.match as NdArray).data;
    for (let i = 0; i < L; i++) similarity.data[i * M + (match[i] as number)] = 1;
    return { similarity };
  },
  // Independent Uniform(0, 1) similarities: the argmax of each row is uniform over B, so the expected accuracy
  // is 1/M and the expected MRR is H_M / M (README).
  random(instance, rng) {
    const similarity = f32(this.outputShapes(instance).similarity as number[]);
    for (let i = 0; i < similarity.data.length; i++) similarity.data[i] = rng.uniform();
    return { similarity };
  },
  floors: {
    // Row i of the matrix counts how often each B index is the match of A part i over the truths (probes.ts).
    bestConstant(truths, instance) {
      return bestConstantSimilarity(truths, instance.params.L as number, instance.params.M as number);
    },
    // Order each system's parts by their similarity chain within that system and match equal relative positions;
    // never compares A with B (probes.ts orderingShortcut).
    shortcut(instance) {
      return orderingShortcut(instance.inputs, instance.params);
    },
  },
};
