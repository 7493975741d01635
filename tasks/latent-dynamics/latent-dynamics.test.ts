// The task's own checks: its score and chance level, on hand-made instances. Registry-wide checks (oracle at the
// ceiling, random below it, floors, determinism) run for every registered task in tests/conformance.test.ts.
import { describe, expect, it } from "vitest";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import type { Instance } from "../../harness/types.ts";
import { axisCosine, chanceScore, latentDynamics } from "./task.ts";

function instance(d: number, rng: Rng): Instance {
  const activity = f32(
    [3, d],
    Float32Array.from({ length: 3 * d }, () => rng.normal()),
  );
  const axis = f32(
    [d],
    Float32Array.from({ length: d }, () => rng.normal()),
  );
  return { key: "hand/dev/0", index: 0, seed: 0, params: {}, inputs: { activity }, truth: { axis }, meta: {} };
}

describe("latent-dynamics", () => {
  it("scores the axis, not its sign or length, and a zero vector at 0", () => {
    const x = instance(5, new Rng(1));
    const w = x.truth.axis?.data as Float32Array;
    expect(
      latentDynamics.score(x, {
        axis: f32(
          [5],
          w.map((v) => -3 * v),
        ),
      }).main,
    ).toBeCloseTo(1, 6);
    expect(latentDynamics.score(x, { axis: f32([5]) }).main).toBe(0);
    expect(axisCosine([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it("chance level: the closed form matches the mean score of the random reference", () => {
    expect(chanceScore(1)).toBe(1);
    expect(chanceScore(2)).toBeCloseTo(2 / Math.PI, 12);
    expect(chanceScore(3)).toBeCloseTo(0.5, 12);
    const rng = new Rng(2);
    for (const d of [4, 24]) {
      const x = instance(d, rng);
      let sum = 0;
      const draws = 4000;
      for (let i = 0; i < draws; i++) sum += latentDynamics.score(x, latentDynamics.random(x, rng)).main;
      // Standard error ≤ 0.3 / √4000 ≈ 0.005.
      expect(Math.abs(sum / draws - chanceScore(d))).toBeLessThan(0.02);
    }
  });
});
