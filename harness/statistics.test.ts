// Paired statistics against independent references: scipy.stats.wilcoxon (pinned values, and a live run
// when a python3 with scipy is on PATH), Holm worked by hand, and synthetic data with a known truth.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { STATISTICS_EXAMPLE } from "../lib/statistics-example.ts";
import { Rng } from "./rng.ts";
import { analyze, holm, type MethodScores, normalSf, pairedBootstrap, rankGroups, rankIntervals, wilcoxon } from "./statistics.ts";

interface ScipyCase {
  name: string;
  x: number[];
  y: number[];
  statistic: number;
  p: number;
}

// Pinned with scipy 1.17.1: for each case, r = scipy.stats.wilcoxon(x, y) (defaults: zero_method="wilcox",
// correction=False, method="auto"), stored as {x, y, statistic: r.statistic, p: r.pvalue}. The cases cover the
// exact distribution (n ≤ 50, no ties or zeros), the sign-flip permutation (ties or zeros, n ≤ 13) and the normal
// approximation with tie correction (ties/zeros with n > 13, or n > 50).
const FIXTURE = JSON.parse(readFileSync(path.join(import.meta.dirname, "statistics.scipy.json"), "utf8")) as { cases: ScipyCase[] };

const HAVE_SCIPY = spawnSync("python3", ["-c", "import scipy.stats"], { stdio: "ignore" }).status === 0;

function scores(values: number[]): Map<number, number> {
  return new Map(values.map((v, i) => [i, v]));
}

describe("wilcoxon", () => {
  it.each(FIXTURE.cases)("$name: statistic and p equal scipy's", (c) => {
    const r = wilcoxon(c.x, c.y);
    expect(r.statistic).toBeCloseTo(c.statistic, 9);
    expect(Math.abs(r.p - c.p) / c.p).toBeLessThan(1e-12);
  });

  it("covers every branch of scipy's method='auto'", () => {
    const methods = new Set(FIXTURE.cases.map((c) => wilcoxon(c.x, c.y).method));
    expect([...methods].sort()).toEqual(["exact", "normal", "permutation"]);
  });

  it("identical methods: no non-zero difference, p = 1", () => {
    expect(wilcoxon([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])).toMatchObject({ p: 1, n: 0 });
  });

  it.skipIf(!HAVE_SCIPY)("live: random inputs agree with the scipy on PATH", () => {
    const rng = new Rng(7);
    const cases = [5, 12, 20, 49, 51, 150].flatMap((n) =>
      [1, 2].map((round) => {
        // round = 1 makes ties and zeros likely; 2 keeps almost every value distinct.
        const digits = round === 1 ? 1 : 6;
        const r = (v: number) => Number(v.toFixed(digits));
        return {
          x: Array.from({ length: n }, () => r(0.5 + 0.1 * rng.normal())),
          y: Array.from({ length: n }, () => r(0.48 + 0.1 * rng.normal())),
        };
      }),
    );
    const script =
      "import json,sys\nfrom scipy.stats import wilcoxon\nprint(json.dumps([float(wilcoxon(c['x'], c['y']).pvalue) for c in json.load(sys.stdin)]))";
    const expected = JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(cases) }).toString()) as number[];
    cases.forEach((c, i) => {
      const p = wilcoxon(c.x, c.y).p;
      expect(Math.abs(p - (expected[i] as number)), `case ${i}`).toBeLessThan(1e-12);
    });
  });

  it("normalSf matches known tail values", () => {
    expect(normalSf(0)).toBe(0.5);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 14);
    // scipy.stats.norm.sf(5) and sf(-1)
    expect(Math.abs(normalSf(5) - 2.866515718791939e-7) / 2.866515718791939e-7).toBeLessThan(1e-12);
    expect(normalSf(-1)).toBeCloseTo(0.8413447460685429, 14);
  });
});

describe("holm", () => {
  it("matches a hand-worked example", () => {
    // Sorted: 0.005·4 = 0.02; 0.01·3 = 0.03; 0.03·2 = 0.06; 0.04·1 = 0.04 → raised to 0.06 (monotone).
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => {
      expect(adjusted[i]).toBeCloseTo(v, 15);
    });
  });

  it("caps at 1 and keeps a single p-value", () => {
    expect(holm([0.5, 0.6])).toEqual([1, 1]);
    expect(holm([0.2])).toEqual([0.2]);
    expect(holm([])).toEqual([]);
  });
});

describe("pairedBootstrap", () => {
  it("the 95% CI covers the true mean difference about 95% of the time", () => {
    const rng = new Rng(11);
    const trials = 200;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      // Shared instance difficulty plus independent noise: the paired difference has mean 0.05.
      const difficulty = Array.from({ length: 40 }, () => rng.uniform());
      const a = difficulty.map((v) => v + 0.05 + 0.1 * rng.normal());
      const b = difficulty.map((v) => v + 0.1 * rng.normal());
      const ci = pairedBootstrap(a, b, { resamples: 1000, seed: t });
      if (ci.low <= 0.05 && 0.05 <= ci.high) covered++;
    }
    // Percentile intervals at n = 40 cover slightly under 95%; a wrong CI (unpaired, or a mis-set quantile) does not land here.
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it("is deterministic and centred on the observed mean", () => {
    const a = [0.9, 0.8, 0.85, 0.7, 0.95];
    const b = [0.6, 0.5, 0.7, 0.6, 0.65];
    const first = pairedBootstrap(a, b);
    expect(pairedBootstrap(a, b)).toEqual(first);
    expect(first.mean).toBeCloseTo(0.23, 12);
    expect(first.low).toBeLessThan(first.mean);
    expect(first.high).toBeGreaterThan(first.mean);
    expect(first.p).toBe(0);
    expect(pairedBootstrap(a, a)).toMatchObject({ mean: 0, low: 0, high: 0, p: 1 });
  });
});

describe("rank groups", () => {
  it("follows the leader rule on a given p-value table", () => {
    // 0~1 not separated, 0 vs 2 separated; 2~3 not separated: groups 1, 1, 3, 3.
    const p: Record<string, number> = { "0:1": 0.4, "0:2": 0.001, "0:3": 0.0001, "1:2": 0.03, "1:3": 0.01, "2:3": 0.2 };
    expect(rankGroups(4, (i, j) => p[`${i}:${j}`] as number)).toEqual([1, 1, 3, 3]);
    // Every pair separated: 1, 2, 3.
    expect(rankGroups(3, () => 0.001)).toEqual([1, 2, 3]);
  });

  it("two indistinguishable leaders share rank 1; a clearly worse method is rank 3", () => {
    const rng = new Rng(3);
    const base = Array.from({ length: 40 }, () => 0.5 + 0.2 * rng.uniform());
    const a = base;
    // Same scores up to a symmetric ±0.001 wobble: no evidence either is better.
    const b = base.map((v, i) => v + (i % 2 ? 0.001 : -0.001) * (1 + (i % 3)));
    const c = base.map((v) => v - 0.2 + 0.01 * rng.normal());
    const result = analyze([
      { id: "c", scores: scores(c) },
      { id: "b", scores: scores(b) },
      { id: "a", scores: scores(a) },
    ]);
    expect(result.map((r) => r.group)).toEqual([1, 1, 3]);
    expect(result[2]?.id).toBe("c");
    expect(result[1]?.vsAbove?.pAdjusted).toBeGreaterThan(0.05);
    expect(result[2]?.vsAbove?.pAdjusted).toBeLessThan(0.001);
    expect(result[2]?.vsAbove?.difference.high).toBeLessThan(0);
    expect(result[2]).toMatchObject({ rankLow: 3, rankHigh: 3 });
  });

  it("identical scores: p = 1 and one group", () => {
    const s = scores([0.1, 0.5, 0.9, 0.4]);
    const result = analyze([
      { id: "x", scores: s },
      { id: "y", scores: new Map(s) },
    ]);
    expect(result.map((r) => r.group)).toEqual([1, 1]);
    expect(result[1]?.vsAbove).toMatchObject({ p: 1, pAdjusted: 1 });
  });

  it("pairs only over the instances both methods have", () => {
    const result = analyze([
      {
        id: "x",
        scores: new Map([
          [0, 1],
          [1, 1],
          [2, 1],
        ]),
      },
      {
        id: "y",
        scores: new Map([
          [1, 0.5],
          [2, 0.5],
          [3, 0.5],
        ]),
      },
    ]);
    expect(result[1]?.vsAbove?.difference).toMatchObject({ n: 2, mean: -0.5 });
  });
});

describe("rank intervals", () => {
  it("contain the true rank", () => {
    const rng = new Rng(5);
    const n = 60;
    const difficulty = Array.from({ length: n }, () => 0.2 * rng.normal());
    const method = (id: string, mean: number): MethodScores => ({
      id,
      scores: scores(difficulty.map((d) => mean + d + 0.1 * rng.normal())),
    });
    // Two tied at the top (true rank 1–2), then two clearly separated.
    const methods = [method("top-1", 0.8), method("top-2", 0.8), method("mid", 0.6), method("low", 0.3)];
    const intervals = rankIntervals(methods);
    expect(intervals[0]).toEqual({ low: 1, high: 2 });
    expect(intervals[1]).toEqual({ low: 1, high: 2 });
    expect(intervals[2]).toEqual({ low: 3, high: 3 });
    expect(intervals[3]).toEqual({ low: 4, high: 4 });
  });
});

describe("the worked example of /about/statistics", () => {
  it("reads as the page says: A ~ B share 1, C starts group 3, D stays in it only after Holm", () => {
    const result = analyze(Object.entries(STATISTICS_EXAMPLE).map(([id, v]) => ({ id, scores: scores(v) })));
    expect(result.map((r) => [r.id, r.group, r.rankLow, r.rankHigh])).toEqual([
      ["method A", 1, 1, 2],
      ["method B", 1, 1, 2],
      ["method C", 3, 3, 3],
      ["method D", 3, 4, 4],
    ]);
    const [, b, c, d] = result;
    expect(b?.vsAbove?.pAdjusted).toBeGreaterThan(0.05);
    expect(c?.vsAbove?.pAdjusted).toBeLessThan(0.05);
    expect(d?.vsAbove?.p).toBeLessThan(0.05);
    expect(d?.vsAbove?.pAdjusted).toBeGreaterThan(0.05);
    // C is below B on every instance: the exact two-sided p of R+ = 0 with 12 pairs is 2 / 2^12.
    expect(c?.vsAbove?.p).toBe(2 / 4096);
  });
});
