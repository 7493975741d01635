// T1 feature-recovery (TASKS.md): recover the feature directions a population encodes in superposition.
import { z } from "zod";
import { f32, row } from "../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../harness/rng.ts";
import { bestConstant } from "../../harness/scoring.ts";
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

/** Rows of `x` [rows, d] scaled to unit norm (zero rows stay zero). */
function normalizeRows(x: NdArray): NdArray {
  const [rows, d] = x.shape as [number, number];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (x.data[r * d + c] as number) ** 2;
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < d; c++) x.data[r * d + c] = (x.data[r * d + c] as number) * inv;
  }
  return x;
}

/** k directions i.i.d. uniform on the sphere from a fixed seed of (k, d): the same for every instance of that shape. */
function fixedRandomDictionary(k: number, d: number): NdArray {
  const rng = new Rng(seedFrom("feature-recovery", "constant", k, d));
  const x = f32([k, d]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  return normalizeRows(x);
}

/** The coordinate axes e_1…e_d, then (k > d) fixed random directions: right if the truth had a privileged basis. */
function axesDictionary(k: number, d: number): NdArray {
  const x = fixedRandomDictionary(k, d);
  for (let r = 0; r < Math.min(k, d); r++) {
    x.data.fill(0, r * d, r * d + d);
    x.data[r * d + r] = 1;
  }
  return x;
}

/**
 * k directions spread over the projective sphere (sign-blind, as MMCS is): the fixed random ones pushed apart by
 * 60 steps of repulsion between nearest rows. Covers the sphere more evenly than i.i.d. directions, which is what a
 * constant can do best against isotropic truths.
 */
function spreadDictionary(k: number, d: number): NdArray {
  const x = fixedRandomDictionary(k, d);
  const v = Float64Array.from(x.data);
  const step = new Float64Array(k * d);
  for (let it = 0; it < 60; it++) {
    step.fill(0);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if (i === j) continue;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += (v[i * d + c] as number) * (v[j * d + c] as number);
        // push row i away from ±row j, strongest for the closest pairs (|cos|³)
        const w = Math.sign(dot) * dot * dot * dot;
        for (let c = 0; c < d; c++) step[i * d + c] = (step[i * d + c] as number) - w * (v[j * d + c] as number);
      }
    }
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const u = (v[i * d + c] as number) + (0.5 / Math.sqrt(k)) * (step[i * d + c] as number);
        v[i * d + c] = u;
        s += u * u;
      }
      const inv = 1 / Math.sqrt(s);
      for (let c = 0; c < d; c++) v[i * d + c] = (v[i * d + c] as number) * inv;
    }
  }
  return f32([k, d], v);
}

const constantCache = new Map<string, NdArray[]>();
/** The fixed candidate answers of shape [k, d] among which `bestConstant` chooses; none depends on any instance. */
export function constantCandidates(k: number, d: number): NdArray[] {
  const key = `${k}x${d}`;
  let found = constantCache.get(key);
  if (!found) {
    found = [fixedRandomDictionary(k, d), axesDictionary(k, d), spreadDictionary(k, d)];
    constantCache.set(key, found);
  }
  return found;
}

/** MMCS of `dictionary` against one truth. */
function mmcsOf(truth: NdArray, dictionary: NdArray): number {
  const best = bestMatches(truth, dictionary);
  return best.reduce((a, b) => a + b, 0) / best.length;
}

/**
 * T1's best constant: of three fixed dictionaries (fixed random, axes, spread), the one with the highest mean MMCS
 * over `truths` of the same width d. The candidates are fixed in advance, so the answer is the same for every
 * instance of a shape and cannot carry an instance's own features (choosing one of three leaks at most a
 * selection effect); against isotropic truths every candidate sits at chance.
 */
export function bestConstantDictionary(truths: readonly Record<string, NdArray>[], k: number, d: number): NdArray {
  // The floor references pass the split's truths for every instance (in a fresh array each time): choose once per
  // pool, recognised by its truths' shapes and first values.
  const fingerprint = truths.map((t) => {
    const f = t.features as NdArray;
    return `${f.shape.join("x")}:${f.data[0]}:${f.data[f.data.length - 1]}`;
  });
  const key = `${k}x${d}|${fingerprint.join(",")}`;
  let found = chosenConstants.get(key);
  if (!found) {
    found = chooseConstant(truths, k, d);
    if (chosenConstants.size > 256) chosenConstants.clear();
    chosenConstants.set(key, found);
  }
  return found;
}

const chosenConstants = new Map<string, NdArray>();

function chooseConstant(truths: readonly Record<string, NdArray>[], k: number, d: number): NdArray {
  const candidates = constantCandidates(k, d);
  const pool = truths.map((t) => t.features as NdArray).filter((t) => t.shape[1] === d);
  return bestConstant(candidates, pool, (candidate, t) => mmcsOf(t, candidate)) ?? (candidates[0] as NdArray);
}

/**
 * T1's shortcut: k random data rows, centred on the column means and scaled to unit norm, drawn (without
 * replacement while there are enough) from the half of the samples with the largest centred norm, since nearly
 * empty samples carry no feature. Where codes are sparse, a row with a single active feature is that feature, so
 * this scores far above chance without any learning.
 */
export function randomDataRows(activations: NdArray, k: number, rng: Rng): NdArray {
  const [n, d] = activations.shape as [number, number];
  const mean = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (activations.data[s * d + c] as number);
  for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) / n;
  const norm2 = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let t = 0;
    for (let c = 0; c < d; c++) t += ((activations.data[s * d + c] as number) - (mean[c] as number)) ** 2;
    norm2[s] = t;
  }
  // The upper half by norm (ties broken by index, so the pool is deterministic), at least k rows when n allows.
  const order = Array.from({ length: n }, (_, s) => s).sort((a, b) => (norm2[b] as number) - (norm2[a] as number) || a - b);
  const pool = order.slice(0, Math.min(n, Math.max(k, Math.ceil(n / 2))));
  const pick = rng.permutation(pool.length);
  const out = f32([k, d]);
  for (let r = 0; r < k; r++) {
    const s = pool[r < pool.length ? (pick[r] as number) : rng.int(pool.length)] as number;
    for (let c = 0; c < d; c++) out.data[r * d + c] = (activations.data[s * d + c] as number) - (mean[c] as number);
  }
  return normalizeRows(out);
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
  floors: {
    bestConstant(truths, instance) {
      const [k, d] = featureRecovery.outputShapes(instance).dictionary as [number, number];
      const chosen = bestConstantDictionary(truths, k, d);
      return { dictionary: f32([k, d], chosen.data) };
    },
    shortcut(instance, rng) {
      return { dictionary: randomDataRows(instance.inputs.activations as NdArray, instance.params.nFeatures as number, rng) };
    },
  },
};
