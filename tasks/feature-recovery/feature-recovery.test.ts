// T1 scoring: MMCS invariances, the recovered@0.9 metric and the analytic chance level.
import { describe, expect, it } from "vitest";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import type { Instance } from "../../harness/types.ts";
import { expectedRandomMmcs } from "./chance.ts";
import { randomUnitFeatures } from "./generate.ts";
import { bestMatches, featureRecovery } from "./task.ts";

function instanceWith(features: ReturnType<typeof f32>): Instance {
  const [k, d] = features.shape as [number, number];
  return {
    key: "t/dev/0",
    index: 0,
    seed: 1,
    params: { nFeatures: k },
    inputs: { activations: f32([4, d]) },
    truth: { features },
    meta: {},
  };
}

describe("feature-recovery scoring", () => {
  const truth = randomUnitFeatures(new Rng(7), 16, 8);

  it("is 1 for the truth under any row order, sign and scale", () => {
    const permuted = f32([16, 8]);
    for (let i = 0; i < 16; i++) {
      const src = (i * 5) % 16;
      const scale = (i % 2 ? -1 : 1) * (0.1 + i);
      for (let c = 0; c < 8; c++) permuted.data[i * 8 + c] = (truth.data[src * 8 + c] as number) * scale;
    }
    const score = featureRecovery.score(instanceWith(truth), { dictionary: permuted });
    expect(score.main).toBeCloseTo(1, 6);
    expect(score.metrics["recovered@0.9"]).toBe(1);
  });

  it("counts zero rows as no match and scores a half-right dictionary in between", () => {
    const half = f32([16, 8]);
    half.data.set(truth.data.subarray(0, 8 * 8));
    const matches = bestMatches(truth, half);
    expect(matches.slice(0, 8).every((m) => Math.abs(m - 1) < 1e-6)).toBe(true);
    expect(matches.slice(8).every((m) => m < 0.999)).toBe(true);
    const zero = featureRecovery.score(instanceWith(truth), { dictionary: f32([16, 8]) });
    expect(zero.main).toBe(0);
    expect(zero.metrics["recovered@0.9"]).toBe(0);
    const score = featureRecovery.score(instanceWith(truth), { dictionary: half });
    expect(score.metrics["recovered@0.9"]).toBeGreaterThanOrEqual(0.5);
    expect(score.main).toBeGreaterThan(0.5);
    expect(score.main).toBeLessThan(1);
  });

  it("analytic chance level matches Monte Carlo of random dictionaries", () => {
    const rng = new Rng(3);
    for (const [d, rows] of [
      [32, 32],
      [32, 128],
      [8, 4],
    ] as const) {
      let total = 0;
      const trials = 300;
      for (let t = 0; t < trials; t++) {
        const truthT = randomUnitFeatures(rng, 4, d);
        const dict = randomUnitFeatures(rng, rows, d);
        total += bestMatches(truthT, dict).reduce((a, b) => a + b, 0) / 4;
      }
      expect(Math.abs(total / trials - expectedRandomMmcs(d, rows))).toBeLessThan(0.01);
    }
  });
});
