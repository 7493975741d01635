// T2 floors (issue 10): the best training-free constant and the trainTarget-only shortcut. Both ignore the activity;
// the best constant over an instance's own truth is the score ceiling of any constant answer.
import { describe, expect, it } from "vitest";
import { Rng } from "../../harness/rng.ts";
import type { Instance, MethodOutputs, NdArray } from "../../harness/types.ts";
import { decodingInstance } from "./generate.ts";
import { constantPrediction, latentDecoding as task } from "./task.ts";

type Kind = "linear" | "circular" | "categorical";

/** A series whose activity carries the target (so a real decoder would score well) and whose test block drifts. */
function instance(kind: Kind, seed: number): Instance {
  const rng = new Rng(seed);
  const T = 400;
  const d = 6;
  const q = kind === "linear" ? 2 : 1;
  const target = new Float64Array(T * q);
  const activity = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < q; j++) {
      const drift = t / T;
      target[t * q + j] =
        kind === "linear"
          ? drift + rng.normal()
          : kind === "circular"
            ? 0.8 + 0.6 * rng.normal()
            : rng.uniform() < 0.5 + 0.3 * drift
              ? 2
              : rng.int(4);
    }
    for (let k = 0; k < d; k++) activity[t * d + k] = (target[t * q + (k % q)] as number) + 0.1 * rng.normal();
  }
  const generated = decodingInstance(
    {
      activity,
      target,
      T,
      d,
      q,
      targetKind: kind,
      targetNames: q === 2 ? ["x", "y"] : ["z"],
      ...(kind === "categorical" ? { nClasses: 4 } : {}),
    },
    0.75,
    {},
  );
  return { key: `floors/${kind}/${seed}`, index: 0, seed, ...generated };
}

const KINDS: Kind[] = ["linear", "circular", "categorical"];
/** The task's shortcut (T2 has one; a missing one fails the test). */
function shortcut(inst: Instance): MethodOutputs {
  const f = task.floors.shortcut;
  if (!f) throw new Error("latent-decoding has no floors.shortcut");
  return f(inst, new Rng(0));
}
const score = (inst: Instance, outputs: MethodOutputs) => task.score(inst, outputs).main;

describe("T2 floors", () => {
  it("constantPrediction: mean, circular mean and most frequent class", () => {
    expect(constantPrediction("linear", [1, 2, 6])).toBeCloseTo(3);
    expect(constantPrediction("circular", [Math.PI - 0.1, -Math.PI + 0.1])).toBeCloseTo(Math.PI);
    expect(constantPrediction("categorical", [0, 2, 2, 1, 2, 0])).toBe(2);
    expect(constantPrediction("linear", [])).toBe(0);
  });

  for (const kind of KINDS) {
    it(`${kind}: the shortcut reads trainTarget only, never the activity`, () => {
      const inst = instance(kind, 1);
      const out = shortcut(inst);
      const scrambled: Instance = {
        ...inst,
        inputs: {
          ...inst.inputs,
          trainActivity: {
            ...(inst.inputs.trainActivity as NdArray),
            data: new Float32Array((inst.inputs.trainActivity as NdArray).data.length),
          },
          testActivity: {
            ...(inst.inputs.testActivity as NdArray),
            data: new Float32Array((inst.inputs.testActivity as NdArray).data.length),
          },
        },
      };
      const again = shortcut(scrambled);
      expect(Array.from((again.testPrediction as NdArray).data)).toEqual(Array.from((out.testPrediction as NdArray).data));
      // One constant per target column, equal to that column's constantPrediction over trainTarget.
      const train = inst.inputs.trainTarget as NdArray;
      const [nTrain, q] = train.shape as [number, number];
      const pred = out.testPrediction as NdArray;
      for (let j = 0; j < q; j++) {
        const column = Array.from({ length: nTrain }, (_, i) => train.data[i * q + j] as number);
        const expected = Math.fround(constantPrediction(kind, column));
        for (let i = 0; i < (pred.shape[0] as number); i++) expect(pred.data[i * q + j]).toBe(expected);
      }
    });

    it(`${kind}: the best constant over the instance's own truth beats the shortcut and every other constant tried`, () => {
      const inst = instance(kind, 2);
      const own = score(inst, task.floors.bestConstant([inst.truth], inst));
      const viaShortcut = score(inst, shortcut(inst));
      expect(own).toBeGreaterThanOrEqual(viaShortcut - 1e-9);
      // Other constants: shift every column of the best constant (linear, circular) or pick another class.
      const best = task.floors.bestConstant([inst.truth], inst).testPrediction as NdArray;
      for (const delta of kind === "categorical" ? [1, 2, 3] : [-0.5, -0.1, 0.1, 0.5]) {
        const other = { ...best, data: best.data.map((v) => (kind === "categorical" ? (v + delta) % 4 : v + delta)) };
        expect(score(inst, { testPrediction: other })).toBeLessThanOrEqual(own + 1e-9);
      }
      // Its value is the chance level of each metric: R² 0 (the test mean itself), the mean resultant length of the
      // test angles (circular), 1/(classes present) (categorical).
      const truth = Array.from((inst.truth.testTarget as NdArray).data);
      if (kind === "linear") expect(own).toBeCloseTo(0, 5);
      if (kind === "circular") {
        const c = truth.reduce((a, v) => a + Math.cos(v), 0) / truth.length;
        const s = truth.reduce((a, v) => a + Math.sin(v), 0) / truth.length;
        expect(own).toBeCloseTo(Math.hypot(c, s), 5);
      }
      if (kind === "categorical") expect(own).toBeCloseTo(1 / new Set(truth.map(Math.round)).size, 9);
    });

    it(`${kind}: the best constant pools the truths of other instances`, () => {
      const target = instance(kind, 3);
      const others = [4, 5, 6].map((s) => instance(kind, s).truth);
      const out = task.floors.bestConstant(others, target).testPrediction as NdArray;
      expect(out.shape).toEqual(task.outputShapes(target).testPrediction);
      const q = out.shape[1] as number;
      for (let j = 0; j < q; j++) {
        const pooled = others.flatMap((t) => {
          const a = t.testTarget as NdArray;
          return Array.from({ length: a.shape[0] as number }, (_, i) => a.data[i * q + j] as number);
        });
        expect(out.data[j]).toBe(Math.fround(constantPrediction(kind, pooled)));
      }
    });
  }
});
