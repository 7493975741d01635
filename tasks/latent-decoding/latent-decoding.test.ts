// T2 latent-decoding: scoring (R², circular, balanced accuracy), the contiguous split, references at
// their ceiling and chance level, and the scientific checks on the tuning-curves dataset.
import { beforeAll, describe, expect, it } from "vitest";
import { tuningCurves } from "../../datasets/synthetic/tuning-curves/dataset.ts";
import { f32 } from "../../harness/ndarray.ts";
import { generateInstance } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { evaluateInstance, methodContext } from "../../harness/runner.ts";
import type { Instance, MethodDefinition, NdArray } from "../../harness/types.ts";
import { knn } from "../../methods/knn/method.ts";
import { mlp } from "../../methods/mlp/method.ts";
import { populationVector } from "../../methods/population-vector/method.ts";
import { ridge } from "../../methods/ridge/method.ts";
import { blockedFolds, decodeOutputs, encodeTargets } from "../../methods/shared/decoding.ts";
import { boxWalk, decodingInstance, headingWalk, wrapAngle } from "./generate.ts";
import { classScores, latentDecoding, meanCosine, paramsSchema, r2PerTarget, scoreDecoding } from "./task.ts";

const col = (values: number[], q = 1) => f32([values.length / q, q], values);

describe("latent-decoding scoring", () => {
  it("R²: 1 for the truth, 0 for the test mean, averaged over targets, invariant to a shared affine change", () => {
    const truth = col([1, 2, 3, 4, 10, 20, 30, 45], 2);
    expect(r2PerTarget(truth, truth)).toEqual([1, 1]);
    const meanPred = col([11, 17.75, 11, 17.75, 11, 17.75, 11, 17.75], 2);
    for (const r of r2PerTarget(truth, meanPred)) expect(r).toBeCloseTo(0, 12);
    const noisy = col([1.5, 12, 1.5, 18, 3.5, 33, 3.9, 40], 2);
    const score = scoreDecoding({ targetKind: "linear", targetNames: ["a", "b"] }, truth, noisy);
    const per = r2PerTarget(truth, noisy);
    expect(score.main).toBeCloseTo(((per[0] as number) + (per[1] as number)) / 2, 12);
    const affine = (a: NdArray) =>
      col(
        Array.from(a.data, (v) => 3 * v - 7),
        2,
      );
    const again = r2PerTarget(affine(truth), affine(noisy));
    expect(again[0]).toBeCloseTo(per[0] as number, 6);
    expect(again[1]).toBeCloseTo(per[1] as number, 6);
    // Worse than the mean is negative; a constant truth scores 1 only when hit exactly.
    expect(r2PerTarget(col([1, 2, 3]), col([3, 2, 1]))[0]).toBeCloseTo(-3, 12);
    expect(r2PerTarget(col([5, 5]), col([5, 5]))).toEqual([1]);
    expect(r2PerTarget(col([5, 5]), col([5, 6]))).toEqual([0]);
  });

  it("circular: mean cos of the error, blind to whole turns", () => {
    const truth = col([0, 1, -2, 3]);
    expect(meanCosine(truth, truth)).toBeCloseTo(1, 12);
    expect(meanCosine(truth, col([2 * Math.PI, 1 - 4 * Math.PI, -2 + 2 * Math.PI, 3 + 6 * Math.PI]))).toBeCloseTo(1, 5);
    expect(meanCosine(truth, col(Array.from(truth.data, (v) => v + Math.PI)))).toBeCloseTo(-1, 6);
    expect(meanCosine(truth, col(Array.from(truth.data, (v) => v + 0.3)))).toBeCloseTo(Math.cos(0.3), 6);
    const s = scoreDecoding({ targetKind: "circular", targetNames: ["h"] }, truth, col(Array.from(truth.data, (v) => v + Math.PI / 2)));
    expect(s.main).toBeCloseTo(0, 6);
    expect(s.metrics.medianErrorDeg).toBeCloseTo(90, 4);
  });

  it("categorical: balanced accuracy over present classes, rounding, out-of-range counts as wrong", () => {
    const truth = col([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(classScores(truth, truth, 2)).toEqual({ balanced: 1, accuracy: 1 });
    // Majority vote is 75 % accurate but only at chance in balanced accuracy.
    expect(classScores(truth, col([0, 0, 0, 0, 0, 0, 0, 0]), 2)).toEqual({ balanced: 0.5, accuracy: 0.75 });
    expect(classScores(truth, col([0.2, -0.3, 0, 0, 0, 0, 1.4, 0.6]), 2).balanced).toBe(1);
    expect(classScores(truth, col([0, 0, 0, 0, 0, 0, 7, -1]), 2).balanced).toBe(0.5);
    // A class absent from the truth has no recall; with 3 classes declared, a constant still gets 1/2.
    expect(classScores(truth, col([1, 1, 1, 1, 1, 1, 1, 1]), 3).balanced).toBe(0.5);
    const s = scoreDecoding({ targetKind: "categorical", targetNames: ["c"], nClasses: 2 }, truth, col([0, 1, 0, 0, 0, 0, 1, 0]));
    expect(s.main).toBeCloseTo((5 / 6 + 1 / 2) / 2, 12);
    expect(s.metrics.accuracy).toBeCloseTo(6 / 8, 12);
  });

  it("params: strict, nClasses exactly for categorical targets", () => {
    expect(paramsSchema.safeParse({ targetKind: "linear", targetNames: ["x"] }).success).toBe(true);
    expect(paramsSchema.safeParse({ targetKind: "categorical", targetNames: ["c"], nClasses: 3 }).success).toBe(true);
    expect(paramsSchema.safeParse({ targetKind: "categorical", targetNames: ["c"] }).success).toBe(false);
    expect(paramsSchema.safeParse({ targetKind: "circular", targetNames: ["h"], nClasses: 3 }).success).toBe(false);
    expect(paramsSchema.safeParse({ targetKind: "linear", targetNames: ["x"], extra: 1 }).success).toBe(false);
    expect(paramsSchema.safeParse({ targetKind: "angle", targetNames: ["x"] }).success).toBe(false);
  });
});

describe("latent-decoding generators and helpers", () => {
  it("splits a series into a contiguous training block followed by the test block", () => {
    const T = 10;
    const activity = Array.from({ length: T * 2 }, (_, i) => i);
    const target = Array.from({ length: T }, (_, t) => t * 1.0);
    const inst = decodingInstance({ activity, target, T, d: 2, q: 1, targetKind: "linear", targetNames: ["t"] }, 0.7, {});
    expect(inst.inputs.trainActivity?.shape).toEqual([7, 2]);
    expect(inst.inputs.testActivity?.shape).toEqual([3, 2]);
    expect(Array.from(inst.inputs.trainTarget?.data ?? [])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(inst.truth.testTarget?.data ?? [])).toEqual([7, 8, 9]);
    expect(Array.from(inst.inputs.testActivity?.data ?? [])).toEqual([14, 15, 16, 17, 18, 19]);
    expect(() => decodingInstance({ activity, target, T, d: 2, q: 1, targetKind: "categorical", targetNames: ["t"] }, 0.7, {})).toThrow();
  });

  it("wraps angles, keeps walks in their box, and round-trips target encodings", () => {
    for (const a of [-7, -Math.PI, 0, 3, Math.PI, 12]) {
      const w = wrapAngle(a);
      expect(w).toBeGreaterThanOrEqual(-Math.PI);
      expect(w).toBeLessThan(Math.PI);
      expect(Math.cos(w - a)).toBeCloseTo(1, 9);
    }
    const rng = new Rng(1);
    expect(headingWalk(rng, 100, 0.9, 0.3)).toHaveLength(100);
    const walk = boxWalk(rng, 500, 2, -1, 1, 0.9, 0.5);
    expect(Math.min(...walk)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...walk)).toBeLessThanOrEqual(1);
    const angles = [0.5, -2, 3];
    const circ = { targetKind: "circular" as const, targetNames: ["h"] };
    const decoded = decodeOutputs(circ, encodeTargets(circ, angles, 3, 1), 3, 1);
    for (let i = 0; i < 3; i++) expect(decoded[i]).toBeCloseTo(angles[i] as number, 12);
    const cat = { targetKind: "categorical" as const, targetNames: ["c"], nClasses: 3 };
    expect(Array.from(decodeOutputs(cat, encodeTargets(cat, [2, 0, 1], 3, 1), 3, 1))).toEqual([2, 0, 1]);
    expect(blockedFolds(10, 3)).toEqual([
      [0, 3],
      [3, 7],
      [7, 10],
    ]);
  });
});

const devInstances: Instance[] = Array.from({ length: tuningCurves.sizes.dev }, (_, i) => generateInstance(tuningCurves, "dev", i));

describe("latent-decoding references on tuning-curves (dev)", () => {
  it("covers every regime in every split", () => {
    for (const split of ["dev", "official"] as const) {
      const regimes = new Set(
        Array.from({ length: tuningCurves.sizes[split] }, (_, i) => generateInstance(tuningCurves, split, i).meta.regime),
      );
      expect(regimes.size).toBe(4);
    }
  });

  it("scores the oracle at 1 and random at its chance level", () => {
    for (const inst of devInstances) {
      expect(latentDecoding.score(inst, latentDecoding.oracle(inst)).main).toBeCloseTo(1, 9);
      const random = latentDecoding.score(inst, latentDecoding.random(inst, new Rng(inst.seed))).main;
      const kind = inst.params.targetKind;
      if (kind === "circular") expect(Math.abs(random)).toBeLessThan(0.12);
      if (kind === "categorical") expect(Math.abs(random - 1 / (inst.params.nClasses as number))).toBeLessThan(0.12);
      if (kind === "linear") {
        // Predicting the training mean: R² = −(test mean − train mean)² / test variance, per target.
        const truth = inst.truth.testTarget as NdArray;
        const train = inst.inputs.trainTarget as NdArray;
        const [n, q] = truth.shape as [number, number];
        const nTrain = train.shape[0] as number;
        let expected = 0;
        for (let j = 0; j < q; j++) {
          let mTest = 0;
          let mTrain = 0;
          for (let i = 0; i < n; i++) mTest += (truth.data[i * q + j] as number) / n;
          for (let i = 0; i < nTrain; i++) mTrain += (train.data[i * q + j] as number) / nTrain;
          let v = 0;
          for (let i = 0; i < n; i++) v += ((truth.data[i * q + j] as number) - mTest) ** 2 / n;
          expected -= (mTest - mTrain) ** 2 / v / q;
        }
        expect(random).toBeCloseTo(expected, 4);
        expect(random).toBeLessThanOrEqual(1e-9);
        expect(random).toBeGreaterThan(-0.2);
      }
    }
  });

  it("random's chance level holds on average (circular 0, categorical 1/nClasses)", () => {
    for (const inst of devInstances.filter((i) => i.params.targetKind !== "linear")) {
      let total = 0;
      const trials = 200;
      for (let t = 0; t < trials; t++) total += latentDecoding.score(inst, latentDecoding.random(inst, new Rng(1000 + t))).main;
      const chance = inst.params.targetKind === "circular" ? 0 : 1 / (inst.params.nClasses as number);
      expect(Math.abs(total / trials - chance)).toBeLessThan(0.01);
    }
  });
});

describe("latent-decoding baselines on tuning-curves (dev): scientific checks", () => {
  const methods: MethodDefinition[] = [ridge, knn, mlp, populationVector];
  // scores[method][regime] = per-instance main scores
  const scores: Record<string, Record<string, number[]>> = {};
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const of = (method: string, regime: string) => scores[method]?.[regime] ?? [];

  beforeAll(async () => {
    for (const m of methods) {
      scores[m.id] = {};
      for (const inst of devInstances) {
        const outcome = await evaluateInstance(m, latentDecoding, inst);
        expect(outcome.status, `${m.id} on ${inst.key}: ${outcome.message}`).toBe("ok");
        const regime = inst.meta.regime as string;
        const bucket = scores[m.id] as Record<string, number[]>;
        bucket[regime] ??= [];
        bucket[regime].push(outcome.score as number);
      }
    }
  }, 300_000);

  it("nonlinear decoders (mlp, knn) beat ridge by a clear margin on mixed selectivity with a nonlinear target", () => {
    for (const regime of ["mixed-xor", "mixed-product"]) {
      const r = of("ridge", regime);
      for (const id of ["mlp", "knn"]) {
        const s = of(id, regime);
        expect(mean(s) - mean(r), `${id} vs ridge on ${regime}`).toBeGreaterThan(0.25);
        for (let i = 0; i < s.length; i++)
          expect((s[i] as number) - (r[i] as number), `${id} vs ridge on ${regime} #${i}`).toBeGreaterThan(0.15);
      }
    }
    // Ridge is at chance there: balanced accuracy ≈ 1/2, R² ≈ 0.
    expect(mean(of("ridge", "mixed-xor"))).toBeLessThan(0.6);
    expect(mean(of("ridge", "mixed-product"))).toBeLessThan(0.1);
    expect(mean(of("mlp", "mixed-xor"))).toBeGreaterThan(0.72);
    expect(mean(of("mlp", "mixed-product"))).toBeGreaterThan(0.55);
  });

  it("ridge does well where the target is (close to) a linear function of the population", () => {
    expect(mean(of("ridge", "head-direction"))).toBeGreaterThan(0.85);
    expect(mean(of("ridge", "place-cells"))).toBeGreaterThan(0.6);
  });

  it("the population vector is competitive on head direction", () => {
    const pv = of("population-vector", "head-direction");
    expect(mean(pv)).toBeGreaterThan(0.85);
    for (const id of ["ridge", "knn", "mlp"])
      expect(mean(pv), `population-vector vs ${id}`).toBeGreaterThan(mean(of(id, "head-direction")) - 0.05);
  });

  it("the population vector falls back to a constant (training mean / majority class) on non-circular targets", async () => {
    for (const inst of devInstances.filter((i) => i.params.targetKind !== "circular")) {
      const out = (await populationVector.run(methodContext(populationVector, latentDecoding, inst))).testPrediction as NdArray;
      const q = out.shape[1] as number;
      for (let i = 1; i < (out.shape[0] as number); i++) for (let j = 0; j < q; j++) expect(out.data[i * q + j]).toBe(out.data[j]);
      if (inst.params.targetKind === "linear") {
        expect(latentDecoding.score(inst, { testPrediction: out }).main).toBeCloseTo(
          latentDecoding.score(inst, latentDecoding.random(inst, new Rng(0))).main,
          5,
        );
      }
    }
  });
});
