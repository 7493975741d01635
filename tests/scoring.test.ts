import { describe, expect, it } from "vitest";
import { countFailuresAtMinimum, floorOf } from "../harness/results.ts";
import { bootstrapCi, mean, normalizedScore } from "../harness/scoring.ts";

describe("scoring", () => {
  it("bootstrap CI is deterministic, brackets the mean and narrows with more data", () => {
    const values = Array.from({ length: 12 }, (_, i) => 0.5 + 0.04 * Math.sin(i * 1.7));
    const a = bootstrapCi(values);
    expect(bootstrapCi(values)).toEqual(a);
    expect(a.low).toBeLessThan(mean(values));
    expect(a.high).toBeGreaterThan(mean(values));
    const more = bootstrapCi([...values, ...values, ...values, ...values]);
    expect(more.high - more.low).toBeLessThan(a.high - a.low);
  });

  it("bootstrap CI of a constant is that constant", () => {
    const ci = bootstrapCi([0.7, 0.7, 0.7]);
    expect(ci.low).toBeCloseTo(0.7, 12);
    expect(ci.high).toBeCloseTo(0.7, 12);
  });

  it("normalized score maps the floor to 0 and oracle to 1 and refuses degenerate references", () => {
    expect(normalizedScore(0.3, 0.3, 1)).toBe(0);
    expect(normalizedScore(1, 0.3, 1)).toBe(1);
    expect(normalizedScore(0.65, 0.3, 1)).toBeCloseTo(0.5);
    expect(normalizedScore(0.5, 0.5, 0.5)).toBeNull();
    expect(normalizedScore(0.5, null, 1)).toBeNull();
    // A floor at (or above) the oracle: a trivial answer is perfect, the dataset cannot rank anything.
    expect(normalizedScore(1, 1, 1)).toBeNull();
    expect(normalizedScore(0.9, 1, 0.95)).toBeNull();
  });

  it("the floor is the best of random and the floor references, whichever it is", () => {
    const lower = new Map([
      ["random", 0.2],
      ["floor-constant", 0.6],
      ["floor-shape", 0.55],
    ]);
    expect(floorOf({ oracle: 1, lower })).toEqual({ floor: 0.6, floorMethod: "floor-constant" });
    expect(floorOf({ oracle: 1, lower: new Map([["random", 0.2]]) })).toEqual({ floor: 0.2, floorMethod: "random" });
    expect(floorOf(undefined)).toEqual({ floor: null, floorMethod: null });
    // A method at random's level is below 0 once a floor reference is stronger than chance.
    expect(normalizedScore(0.2, floorOf({ oracle: 1, lower }).floor, 1) as number).toBeLessThan(0);
  });

  it("failed instances count at the task's lowest score, so failing never beats answering", () => {
    const answered = [0.1, 0.9, 0.8, 0.05].map((score) => ({ status: "ok", score }));
    const plain = countFailuresAtMinimum(answered, 0) as number;
    expect(plain).toBeCloseTo(mean([0.1, 0.9, 0.8, 0.05]));
    // Erroring on the two worst instances instead of answering them.
    const dodging = answered.map((r) => (r.score < 0.2 ? { status: "error", score: null } : r));
    expect(countFailuresAtMinimum(dodging, 0) as number).toBeLessThanOrEqual(plain);
    expect(countFailuresAtMinimum(dodging, 0)).toBeCloseTo((0.9 + 0.8) / 4);
    // T2's lowest score is −1: a failure there costs more than any answer scoring above −1.
    expect(
      countFailuresAtMinimum(
        [
          { status: "timeout", score: null },
          { status: "ok", score: 0.5 },
        ],
        -1,
      ),
    ).toBeCloseTo(-0.25);
    expect(countFailuresAtMinimum([], 0)).toBeNull();
  });
});
