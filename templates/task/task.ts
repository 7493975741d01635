// Template task: copy it with `npm run new -- task <id>` (CONTRIBUTING.md, "Add a task"). Small on purpose but real:
// find the one axis along which a population's activity varies beyond isotropic noise. Every part a task needs is
// here in its simplest form: the contract, the score, the oracle, chance, and the floors a method must beat.
// Instances come from a dataset (templates/dataset/source.ts generates them for this task).
import { z } from "zod";
import { principalAxes } from "../../harness/linalg.ts";
import { f32 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

/** |cos| between an estimated and the true axis: w and −w are the same axis, so the sign cannot count. A zero estimate scores 0. */
export function axisCosine(estimate: ArrayLike<number>, truth: ArrayLike<number>): number {
  let dot = 0;
  let ee = 0;
  let tt = 0;
  for (let i = 0; i < truth.length; i++) {
    const e = estimate[i] as number;
    const t = truth[i] as number;
    dot += e * t;
    ee += e * e;
    tt += t * t;
  }
  return ee > 0 && tt > 0 ? Math.min(1, Math.abs(dot) / Math.sqrt(ee * tt)) : 0;
}

/**
 * Chance level: E|cos| between a uniformly random axis and a fixed one in d dimensions, Γ(d/2) / (√π Γ((d+1)/2)),
 * by the recurrence c(d + 2) = c(d) · d / (d + 1) from c(1) = 1 and c(2) = 2/π (≈ √(2 / (π d)) for large d).
 */
export function chanceScore(d: number): number {
  let c = d % 2 === 1 ? 1 : 2 / Math.PI;
  for (let k = d % 2 === 1 ? 1 : 2; k < d; k += 2) c *= k / (k + 1);
  return c;
}

function activityShape(instance: Pick<Instance, "inputs">): [number, number] {
  const activity = instance.inputs.activity;
  if (!activity) throw new Error("instance has no input 'activity'");
  return activity.shape as [number, number];
}

export function trueAxis(instance: Pick<Instance, "truth">): NdArray {
  const axis = instance.truth.axis;
  if (!axis) throw new Error("instance has no truth 'axis'");
  return axis;
}

/**
 * The one axis closest to all of `axes` in mean cos² (a close stand-in for mean |cos|): the top eigenvector of Σ w wᵀ.
 * Each axis enters with its negation, so the rows have mean 0 and principalAxes' covariance is Σ w wᵀ / n whatever
 * the signs.
 */
export function commonAxis(axes: readonly ArrayLike<number>[], d: number): Float32Array {
  if (axes.length === 0) return Float32Array.from({ length: d }, (_, i) => (i === 0 ? 1 : 0));
  const rows = new Float64Array(2 * axes.length * d);
  axes.forEach((w, r) => {
    for (let c = 0; c < d; c++) {
      rows[2 * r * d + c] = w[c] as number;
      rows[(2 * r + 1) * d + c] = -(w[c] as number);
    }
  });
  return Float32Array.from(principalAxes(rows, 2 * axes.length, d).vectors.subarray(0, d));
}

export const myTask: TaskDefinition = {
  id: "my-task",
  // Bump only when scores would change (contract, score, oracle or chance); results are keyed by it.
  version: 1,
  title: "My task",
  question: "Template: a planted axis",
  description:
    "Find the axis along which the activity varies beyond isotropic noise. Score: |cos| between the estimated and the true axis (1 = exact; the sign is ignored).",
  mainScore: { id: "abs-cosine", label: "|cos(estimate, truth)|", min: 0, max: 1 },
  metrics: [{ id: "angle-deg", label: "Angle to the true axis (degrees)" }],
  // What every method is told besides the arrays (T1 gives nFeatures); nothing here. Checked on every instance.
  paramsSchema: z.object({}).strict(),
  inputs: {
    activity: { kind: "array", dtype: "float32", dims: ["n", "d"], description: "Population activity, one row per sample." },
  },
  outputs: {
    axis: { kind: "array", dims: ["d"], description: "The estimated axis: any non-zero length, either sign." },
  },
  truth: {
    axis: { kind: "array", dtype: "float32", dims: ["d"], description: "The planted unit axis w (never given to methods)." },
  },
  outputShapes(instance) {
    return { axis: [activityShape(instance)[1]] };
  },
  score(instance: Instance, outputs: MethodOutputs) {
    // validateOutputs has checked the shape and finiteness against outputShapes before score() is called.
    const estimate = outputs.axis as NdArray;
    const cos = axisCosine(estimate.data, trueAxis(instance).data);
    return { main: cos, metrics: { "angle-deg": (Math.acos(cos) * 180) / Math.PI } };
  },
  oracle(instance) {
    const truth = trueAxis(instance);
    return { axis: f32([...truth.shape], truth.data) };
  },
  // An isotropic Gaussian vector is a uniformly random axis, so its mean score is chanceScore(d) exactly.
  random(instance, rng) {
    const d = activityShape(instance)[1];
    return {
      axis: f32(
        [d],
        Float32Array.from({ length: d }, () => rng.normal()),
      ),
    };
  },
  floors: {
    // Only truths of this instance's d can be averaged; with none, any fixed axis is as good as another.
    bestConstant(truths, instance) {
      const d = activityShape(instance)[1];
      const axes = truths.map((t) => t.axis?.data).filter((w): w is NonNullable<typeof w> => w?.length === d);
      return { axis: f32([d], commonAxis(axes, d)) };
    },
    // The obvious one-liner that skips the analysis: one sample's direction (it leans towards the axis, noisily).
    shortcut(instance) {
      const [, d] = activityShape(instance);
      return { axis: f32([d], (instance.inputs.activity as NdArray).data.subarray(0, d)) };
    },
  },
};
