// T7 manifold-capacity (proposed for TASKS.md; README "Proposed catalogue entry"): how many object manifolds per
// neuron can a linear readout separate? Given P point clouds in N dimensions, estimate their capacity α.
import { z } from "zod";
import { f32 } from "../../harness/ndarray.ts";
import { bestConstant, logRatioScore } from "../../harness/scoring.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

/** Per-instance main score 1 − min(1, |log2(α̂ / α*)|): 1 at the truth, 0 at a factor of 2 either way (or α̂ ≤ 0). */
export { logRatioScore };

/** The [P, M, N] shape of an instance's `manifolds`. */
export function manifoldShape(instance: Pick<Instance, "inputs">): [number, number, number] {
  const m = instance.inputs.manifolds;
  if (m?.shape.length !== 3) throw new Error("instance has no input 'manifolds' of rank 3");
  return m.shape as [number, number, number];
}

const truthValue = (truth: Record<string, NdArray>, name: string) => (truth[name]?.data[0] as number | undefined) ?? Number.NaN;
export const trueCapacity = (instance: Pick<Instance, "truth">) => truthValue(instance.truth, "capacity");

/**
 * Physical bounds of the capacity of M-point manifolds: at most Cover's 2 (points, radius 0), at least that of their
 * (M − 1)-dimensional affine span, 1/(M − ½) (Chung et al. 2018: a D-dimensional subspace has α = 1/(D + ½)). The
 * `random` reference draws log-uniformly between them.
 */
export function capacityBounds(M: number): [number, number] {
  return [1 / (Math.max(1, M) - 0.5), 2];
}

/**
 * The single α̂ with the best mean log-ratio score over `truths`: that mean is piecewise linear in log2 α̂ with kinks
 * only at each log2 α* and log2 α* ± 1, so its maximum is at one of them (ties: the smallest).
 */
export function bestConstantCapacity(truths: readonly number[]): number {
  const valid = truths.filter((t) => t > 0);
  if (valid.length === 0) return 1;
  const candidates = new Set<number>();
  for (const t of valid) for (const f of [0.5, 1, 2]) candidates.add(t * f);
  return (
    bestConstant(
      [...candidates].sort((a, b) => a - b),
      valid,
      logRatioScore,
    ) ?? 1
  );
}

/** Truth arrays of an instance: α*, and the mean-field radius R_M and dimension D_M where a theory gives them (NaN otherwise). */
export function capacityTruth(capacity: number, radius = Number.NaN, dimension = Number.NaN): Record<string, NdArray> {
  return { capacity: f32([1], [capacity]), radius: f32([1], [radius]), dimension: f32([1], [dimension]) };
}

function optionalNumber(result: Record<string, unknown>, key: string): number | null {
  const v = result[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export const manifoldCapacity: TaskDefinition = {
  id: "manifold-capacity",
  // Bump only when scores would change (contract, score, oracle or chance); results are keyed by it.
  version: 1,
  title: "Manifold capacity",
  question: "Statistical physics of representations",
  description:
    "Estimate how many object manifolds per neuron a linear readout can separate: given P point clouds in N dimensions, the capacity α = P / N_c, N_c the number of random projections at which half of the random dichotomies of the manifolds are linearly separable (Chung, Lee & Sompolinsky 2018). Score: mean over instances of 1 − min(1, |log2(α̂ / α*)|).",
  mainScore: { id: "log-ratio", label: "1 − min(1, |log2(α̂/α*)|)", min: 0, max: 1 },
  metrics: [
    { id: "relative-error", label: "Relative error |α̂ − α*| / α*" },
    { id: "radius-score", label: "Radius: 1 − min(1, |log2(R̂/R_M)|) (when reported and known)" },
    { id: "dimension-score", label: "Dimension: 1 − min(1, |log2(D̂/D_M)|) (when reported and known)" },
  ],
  paramsSchema: z.object({}).strict(),
  inputs: {
    manifolds: {
      kind: "array",
      dtype: "float32",
      dims: ["P", "M", "N"],
      description:
        "P manifolds (object classes) of M points each, in N dimensions (neurons or units): manifolds[μ, k] is point k of manifold μ.",
    },
  },
  outputs: {
    result: {
      kind: "json",
      keys: ["capacity"],
      description:
        "`capacity`: the estimated α̂ > 0 (manifolds per dimension). Optional `radius` and `dimension`: the manifolds' mean-field radius R_M (relative to the centre norm) and dimension D_M, scored as metrics where the truth is known.",
    },
  },
  truth: {
    capacity: { kind: "array", dtype: "float32", dims: [1], description: "The capacity α* (mean-field or measured; see the dataset)." },
    radius: { kind: "array", dtype: "float32", dims: [1], description: "Mean-field manifold radius R_M (NaN where no theory gives it)." },
    dimension: {
      kind: "array",
      dtype: "float32",
      dims: [1],
      description: "Mean-field manifold dimension D_M (NaN where no theory gives it).",
    },
  },
  outputShapes() {
    return {};
  },
  score(instance: Instance, outputs: MethodOutputs) {
    const result = (outputs.result ?? {}) as Record<string, unknown>;
    const estimate = optionalNumber(result, "capacity");
    // validateOutputs guarantees a finite number; the check keeps score() safe when called directly.
    if (estimate === null) throw new Error(`result.capacity must be a finite number, got ${JSON.stringify(result.capacity)}`);
    const truth = trueCapacity(instance);
    const metrics: Record<string, number> = { "relative-error": Math.abs(estimate - truth) / truth };
    for (const key of ["radius", "dimension"] as const) {
      const value = optionalNumber(result, key);
      const known = truthValue(instance.truth, key);
      if (value !== null && Number.isFinite(known) && known > 0) metrics[`${key}-score`] = logRatioScore(value, known);
    }
    return { main: logRatioScore(estimate, truth), metrics };
  },
  oracle(instance) {
    const result: Record<string, number> = { capacity: trueCapacity(instance) };
    for (const key of ["radius", "dimension"] as const) {
      const known = truthValue(instance.truth, key);
      if (Number.isFinite(known)) result[key] = known;
    }
    return { result };
  },
  // Log-uniform between the physical bounds of M-point manifolds (chance.ts gives its exact expected score).
  random(instance, rng) {
    const [lo, hi] = capacityBounds(manifoldShape(instance)[1]);
    return { result: { capacity: lo * (hi / lo) ** rng.uniform() } };
  },
  floors: {
    bestConstant(truths) {
      return { result: { capacity: bestConstantCapacity(truths.map((t) => (t.capacity?.data[0] as number) ?? Number.NaN)) } };
    },
    // The point count: every point treated as its own manifold, Cover's 2 per dimension shared by M points.
    shortcut(instance) {
      return { result: { capacity: 2 / manifoldShape(instance)[1] } };
    },
  },
};
