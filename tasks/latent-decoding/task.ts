// T2 latent-decoding (TASKS.md): predict a held-out variable from population activity.
// One contract for three kinds of target: linear (R²), circular (mean cosine of the angular error) and
// categorical (balanced accuracy). Train and test are contiguous blocks of one time series.
import { z } from "zod";
import { f32 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

/**
 * The single value per target column that ignores the activity and scores best on `columns` (pooled values of
 * that column): linear → the mean (the constant with the smallest squared error), circular → the circular mean
 * direction (the angle with the largest mean cosine), categorical → the most frequent class (a constant scores
 * 1/(classes present) in balanced accuracy whenever its class is present, so the most frequent class is the
 * safest). NaN-free: an empty column gives 0.
 */
export function constantPrediction(kind: TargetKind, values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  if (kind === "linear") {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i] as number;
    return mean / n;
  }
  if (kind === "circular") {
    let c = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      c += Math.cos(values[i] as number);
      s += Math.sin(values[i] as number);
    }
    return c === 0 && s === 0 ? 0 : Math.atan2(s, c);
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = Math.round(values[i] as number);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [k, count] of [...counts.entries()].sort((x, y) => x[0] - y[0])) {
    if (count > bestCount) {
      best = k;
      bestCount = count;
    }
  }
  return best;
}

/** Column j of every [rows, q] array in `arrays` that has one, pooled. */
function pooledColumn(arrays: readonly NdArray[], j: number): number[] {
  const out: number[] = [];
  for (const a of arrays) {
    const [rows, q] = a.shape as [number, number];
    if (j >= q) continue;
    for (let i = 0; i < rows; i++) out.push(a.data[i * q + j] as number);
  }
  return out;
}

/** [nTest, q] prediction filled column by column with constantPrediction of the pooled column values. */
function constantOutputs(instance: Instance, kind: TargetKind, sources: readonly NdArray[]): MethodOutputs {
  const nTest = instance.inputs.testActivity?.shape[0] as number;
  const q = instance.inputs.trainTarget?.shape[1] as number;
  const testPrediction = f32([nTest, q]);
  for (let j = 0; j < q; j++) {
    const value = constantPrediction(kind, pooledColumn(sources, j));
    for (let i = 0; i < nTest; i++) testPrediction.data[i * q + j] = value;
  }
  return { testPrediction };
}

export const TARGET_KINDS = ["linear", "circular", "categorical"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const paramsSchema = z
  .object({
    targetKind: z.enum(TARGET_KINDS),
    targetNames: z.array(z.string().min(1)).min(1),
    nClasses: z.number().int().min(2).optional(),
  })
  .strict()
  .refine((p) => (p.targetKind === "categorical") === (p.nClasses !== undefined), {
    message: "nClasses is required for categorical targets and only allowed for them",
    path: ["nClasses"],
  });

export type DecodingParams = z.infer<typeof paramsSchema>;

/**
 * Coefficient of determination of each column of `pred` against `truth` (both [n, q]), about the
 * truth's own (test-block) mean. A column whose truth is constant scores 1 when predicted exactly
 * and 0 otherwise (R² is undefined there; this keeps the score finite and the oracle at 1).
 */
export function r2PerTarget(truth: NdArray, pred: NdArray): number[] {
  const [n, q] = truth.shape as [number, number];
  const out: number[] = [];
  for (let j = 0; j < q; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += truth.data[i * q + j] as number;
    mean /= Math.max(1, n);
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < n; i++) {
      const y = truth.data[i * q + j] as number;
      ssRes += (y - (pred.data[i * q + j] as number)) ** 2;
      ssTot += (y - mean) ** 2;
    }
    out.push(ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0);
  }
  return out;
}

/** Mean over all entries of cos(predicted − true) (angles in radians; invariant to whole turns). */
export function meanCosine(truth: NdArray, pred: NdArray): number {
  let s = 0;
  for (let i = 0; i < truth.data.length; i++) s += Math.cos((pred.data[i] as number) - (truth.data[i] as number));
  return s / Math.max(1, truth.data.length);
}

/** Median absolute angular error in degrees (wrapped to [0, 180]). */
export function medianAngularErrorDeg(truth: NdArray, pred: NdArray): number {
  const errors = Array.from(truth.data, (t, i) => {
    const e = Math.abs((((((pred.data[i] as number) - t) % (2 * Math.PI)) + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
    return (e * 180) / Math.PI;
  }).sort((a, b) => a - b);
  const m = errors.length;
  if (m === 0) return 0;
  return m % 2 ? (errors[(m - 1) / 2] as number) : ((errors[m / 2 - 1] as number) + (errors[m / 2] as number)) / 2;
}

/**
 * Balanced accuracy and plain accuracy of class predictions, averaged over the q columns. A predicted
 * value is read as the class round(value); values that round outside 0…nClasses−1 are simply wrong.
 * Balanced accuracy is the mean recall over the classes present in the truth (absent classes have no
 * recall), so a constant prediction scores 1/(classes present) and a perfect one 1.
 */
export function classScores(truth: NdArray, pred: NdArray, nClasses: number): { balanced: number; accuracy: number } {
  const [n, q] = truth.shape as [number, number];
  let balanced = 0;
  let accuracy = 0;
  for (let j = 0; j < q; j++) {
    const total = new Float64Array(nClasses);
    const hits = new Float64Array(nClasses);
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const t = Math.round(truth.data[i * q + j] as number);
      const p = Math.round(pred.data[i * q + j] as number);
      if (t >= 0 && t < nClasses) total[t] = (total[t] as number) + 1;
      if (p === t) {
        correct++;
        if (t >= 0 && t < nClasses) hits[t] = (hits[t] as number) + 1;
      }
    }
    let recall = 0;
    let present = 0;
    for (let c = 0; c < nClasses; c++) {
      if ((total[c] as number) === 0) continue;
      present++;
      recall += (hits[c] as number) / (total[c] as number);
    }
    balanced += present > 0 ? recall / present : 0;
    accuracy += correct / Math.max(1, n);
  }
  return { balanced: balanced / q, accuracy: accuracy / q };
}

/** Main score and secondary metrics of predictions for one instance's parameters. */
export function scoreDecoding(params: DecodingParams, truth: NdArray, pred: NdArray): { main: number; metrics: Record<string, number> } {
  switch (params.targetKind) {
    case "linear": {
      const r2 = r2PerTarget(truth, pred);
      const main = r2.reduce((a, b) => a + b, 0) / r2.length;
      return { main, metrics: { r2: main } };
    }
    case "circular": {
      const main = meanCosine(truth, pred);
      return { main, metrics: { meanCos: main, medianErrorDeg: medianAngularErrorDeg(truth, pred) } };
    }
    case "categorical": {
      const { balanced, accuracy } = classScores(truth, pred, params.nClasses as number);
      return { main: balanced, metrics: { balancedAccuracy: balanced, accuracy } };
    }
  }
}

export const latentDecoding: TaskDefinition = {
  id: "latent-decoding",
  version: 1,
  title: "Latent decoding",
  question: "Linear and nonlinear decoding",
  description:
    "Predict a held-out variable (position, heading, category …) from population activity, training on one contiguous block of a time series and predicting the next. Score: R² averaged over targets (linear), mean cos(predicted − true) (circular), or balanced accuracy (categorical).",
  mainScore: { id: "decoding-score", label: "R² / mean cos / balanced accuracy", min: -1, max: 1 },
  metrics: [
    { id: "r2", label: "R² (linear targets)" },
    { id: "meanCos", label: "Mean cos error (circular targets)" },
    { id: "medianErrorDeg", label: "Median angular error, degrees (circular targets; lower is better)" },
    { id: "balancedAccuracy", label: "Balanced accuracy (categorical targets)" },
    { id: "accuracy", label: "Accuracy (categorical targets)" },
  ],
  paramsSchema: paramsSchema as unknown as TaskDefinition["paramsSchema"],
  inputs: {
    trainActivity: {
      kind: "array",
      dtype: "float32",
      dims: ["nTrain", "d"],
      description: "Population activity of the training block, one row per time bin.",
    },
    trainTarget: {
      kind: "array",
      dtype: "float32",
      dims: ["nTrain", "q"],
      description:
        "Target of the training block: values (linear), angles in radians (circular) or class indices 0…nClasses−1 (categorical).",
    },
    testActivity: {
      kind: "array",
      dtype: "float32",
      dims: ["nTest", "d"],
      description: "Population activity of the test block (the bins after the training block).",
    },
  },
  outputs: {
    testPrediction: {
      kind: "array",
      dims: ["nTest", "q"],
      description:
        "Predicted target of every test bin: values (linear), angles in radians (circular) or class indices as numbers (categorical).",
    },
  },
  truth: {
    testTarget: { kind: "array", dtype: "float32", dims: ["nTest", "q"], description: "The held-out target of the test block." },
  },
  outputShapes(instance: Instance) {
    const nTest = instance.inputs.testActivity?.shape[0] as number;
    const q = instance.inputs.trainTarget?.shape[1] as number;
    return { testPrediction: [nTest, q] };
  },
  score(instance: Instance, outputs: MethodOutputs) {
    const params = paramsSchema.parse(instance.params);
    return scoreDecoding(params, instance.truth.testTarget as NdArray, outputs.testPrediction as NdArray);
  },
  oracle(instance) {
    return { testPrediction: instance.truth.testTarget as NdArray };
  },
  // Chance: a prediction that ignores the activity. circular → uniform angles (mean cos 0);
  // categorical → uniform classes (balanced accuracy 1/nClasses); linear → the training mean of each
  // target (R² = −(test mean − train mean)² / test variance ≈ 0). See README "Chance level".
  random(instance, rng) {
    const params = paramsSchema.parse(instance.params);
    const shape = this.outputShapes(instance).testPrediction as [number, number];
    const [nTest, q] = shape;
    const testPrediction = f32(shape);
    if (params.targetKind === "circular") {
      for (let i = 0; i < testPrediction.data.length; i++) testPrediction.data[i] = (rng.uniform() * 2 - 1) * Math.PI;
    } else if (params.targetKind === "categorical") {
      for (let i = 0; i < testPrediction.data.length; i++) testPrediction.data[i] = rng.int(params.nClasses as number);
    } else {
      const train = instance.inputs.trainTarget as NdArray;
      const nTrain = train.shape[0] as number;
      for (let j = 0; j < q; j++) {
        let mean = 0;
        for (let i = 0; i < nTrain; i++) mean += train.data[i * q + j] as number;
        mean /= Math.max(1, nTrain);
        for (let i = 0; i < nTest; i++) testPrediction.data[i * q + j] = mean;
      }
    }
    return { testPrediction };
  },
  floors: {
    // The best training-free constant over the truths of other instances: pooled test targets' mean (linear),
    // circular mean (circular) or most frequent class (categorical), column by column.
    bestConstant(truths, instance) {
      const params = paramsSchema.parse(instance.params);
      const sources = truths.map((t) => t.testTarget).filter((t): t is NdArray => t !== undefined);
      return constantOutputs(instance, params.targetKind, sources);
    },
    // Uses trainTarget only, never the activity: its mean (linear), circular mean (circular) or majority class
    // (categorical), predicted for every test bin.
    shortcut(instance) {
      const params = paramsSchema.parse(instance.params);
      return constantOutputs(instance, params.targetKind, [instance.inputs.trainTarget as NdArray]);
    },
  },
};
