import { describe, expect, it } from "vitest";
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

  it("normalized score maps random to 0 and oracle to 1 and refuses degenerate references", () => {
    expect(normalizedScore(0.3, 0.3, 1)).toBe(0);
    expect(normalizedScore(1, 0.3, 1)).toBe(1);
    expect(normalizedScore(0.65, 0.3, 1)).toBeCloseTo(0.5);
    expect(normalizedScore(0.5, 0.5, 0.5)).toBeNull();
    expect(normalizedScore(0.5, null, 1)).toBeNull();
  });
});
