// T1 feature-recovery (TASKS.md): recover the feature directions a population encodes in superposition.
import { z } from "zod";
import { f32, row } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

/** Threshold of the secondary metric `recovered@0.9`. */
export const RECOVERED_THRESHOLD = 0.9;

/** For every true feature, the largest |cosine| with any predicted row (zero rows count as 0). */
export function bestMatches(truth: NdArray, dictionary: NdArray): number[] {
  const [k, d] = truth.shape as [number, number];
  const rows = dictionary.shape[0] as number;
  const norms = new Float64Array(rows);
  for (let j = 0; j < rows; j++) {
    const r = row(dictionary, j);
    let s = 0;
    for (let c = 0; c < d; c++) s += (r[c] as number) ** 2;
    norms[j] = Math.sqrt(s);
  }
  const best: number[] = [];
  for (let i = 0; i < k; i++) {
    const t = row(truth, i);
    let tn = 0;
    for (let c = 0; c < d; c++) tn += (t[c] as number) ** 2;
    tn = Math.sqrt(tn);
    let max = 0;
    for (let j = 0; j < rows; j++) {
      const nj = norms[j] as number;
      if (nj === 0) continue;
      const r = row(dictionary, j);
      let dot = 0;
      for (let c = 0; c < d; c++) dot += (t[c] as number) * (r[c] as number);
      const cos = Math.abs(dot) / (tn * nj);
      if (cos > max) max = cos;
    }
    best.push(Math.min(1, max));
  }
  return best;
}

export const featureRecovery: TaskDefinition = {
  id: "feature-recovery",
  version: 1,
  title: "Feature recovery",
  question: "Monosemanticity, polysemanticity, superposition",
  description:
    "Recover the feature directions that a population encodes in superposition. Score: mean over true features of the best |cosine| with any predicted dictionary row (MMCS).",
  mainScore: { id: "mmcs", label: "MMCS", min: 0, max: 1 },
  metrics: [{ id: "recovered@0.9", label: "Recovered@0.9" }],
  paramsSchema: z.object({ nFeatures: z.number().int().positive() }).strict(),
  inputs: {
    activations: { kind: "array", dtype: "float32", dims: ["n", "d"], description: "Population activity, one row per sample." },
  },
  outputs: {
    dictionary: { kind: "array", dims: ["nFeatures", "d"], description: "One row per feature direction, any sign or scale." },
  },
  truth: {
    features: { kind: "array", dtype: "float32", dims: ["nFeatures", "d"], description: "True feature directions, unit rows." },
  },
  outputShapes(instance: Instance) {
    const d = instance.inputs.activations?.shape[1] as number;
    return { dictionary: [instance.params.nFeatures as number, d] };
  },
  score(instance: Instance, outputs: MethodOutputs) {
    const best = bestMatches(instance.truth.features as NdArray, outputs.dictionary as NdArray);
    const main = best.reduce((a, b) => a + b, 0) / best.length;
    const recovered = best.filter((c) => c > RECOVERED_THRESHOLD).length / best.length;
    return { main, metrics: { "recovered@0.9": recovered } };
  },
  oracle(instance) {
    return { dictionary: instance.truth.features as NdArray };
  },
  // Isotropic Gaussian rows are uniformly random directions: the chance level of chance.ts.
  random(instance, rng) {
    const dictionary = f32(this.outputShapes(instance).dictionary as number[]);
    for (let i = 0; i < dictionary.data.length; i++) dictionary.data[i] = rng.normal();
    return { dictionary };
  },
};
