// T3 intrinsic-dimension: scoring, chance level, generators, estimators and the scientific check
// (TwoNN and MLE within 10% of d* on the noise-free benchmark manifolds with d* ≤ 6).
import { describe, expect, it } from "vitest";
import { benchmarkManifolds, embedManifold } from "../../datasets/synthetic/benchmark-manifolds/dataset.ts";
import { neuralEmbeddingDataset } from "../../datasets/synthetic/neural-embedding/dataset.ts";
import { f32 } from "../../harness/ndarray.ts";
import { generateInstance, getMethod } from "../../harness/registry.ts";
import { Rng, seedFrom } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { DatasetDefinition, Instance } from "../../harness/types.ts";
import { validateOutputs } from "../../harness/validate.ts";
import { correlationDimension } from "../../methods/correlation-dimension/method.ts";
import { mleDimension } from "../../methods/mle/method.ts";
import { participationRatio } from "../../methods/participation-ratio/method.ts";
import { covarianceSpectrum, pcaDimension } from "../../methods/pca-90/method.ts";
import { nearestNeighbours } from "../../methods/shared/neighbors.ts";
import { twoNnDimension } from "../../methods/twonn/method.ts";
import { floorScores, methodMean } from "../../tests/helpers/floor-checks.ts";
import { expectedRandomScore, randomScoreVariance } from "./chance.ts";
import { embedWithNoise, normalizeSample, randomIsometry } from "./embed.ts";
import { MANIFOLDS } from "./manifolds.ts";
import {
  bestConstantDimension,
  dimensionScore,
  dimensionTruth,
  intrinsicDimension,
  logDimensionScore,
  randomUpperBound,
  trueDimension,
} from "./task.ts";

function instanceWith(dim: number, ambient = 20): Instance {
  return {
    key: "t/dev/0",
    index: 0,
    seed: 1,
    params: {},
    inputs: { activity: f32([4, ambient]) },
    truth: { dimension: dimensionTruth(dim) },
    meta: {},
  };
}
const score = (dim: number, estimate: number) => intrinsicDimension.score(instanceWith(dim), { result: { dimension: estimate } });

describe("intrinsic-dimension scoring", () => {
  it("is 1 at the truth, linear in the relative error, symmetric, and clipped at 0", () => {
    expect(score(4, 4).main).toBe(1);
    expect(score(4, 5).main).toBeCloseTo(0.75, 12);
    expect(score(4, 3).main).toBeCloseTo(0.75, 12);
    expect(score(4, 4.4).main).toBeCloseTo(0.9, 12);
    expect(score(4, 8).main).toBe(0);
    expect(score(4, 50).main).toBe(0);
    expect(score(1, 0.5).main).toBeCloseTo(0.5, 12);
    expect(score(4, 6).metrics["abs-error"]).toBe(2);
    expect(score(4, 1.5).metrics["abs-error"]).toBe(2.5);
  });

  it("reports the symmetric log-scale score: 1 at the truth, 0 at a factor of 2 either way", () => {
    expect(score(4, 4).metrics.logScore).toBe(1);
    expect(score(4, 8).metrics.logScore).toBe(0);
    expect(score(4, 2).metrics.logScore).toBe(0);
    expect(score(4, 2 * Math.SQRT2).metrics.logScore).toBeCloseTo(0.5, 12);
    expect(score(4, 4 * Math.SQRT2).metrics.logScore).toBeCloseTo(0.5, 12);
    expect(logDimensionScore(1, 19)).toBe(0);
    // The main score gives an underestimate by a factor of 2 credit 0.5; the log score gives it none.
    expect(score(4, 2).main).toBeCloseTo(0.5, 12);
  });

  it("finds the best constant exactly (the mean score's kinks are at each d* and 2d*)", () => {
    const truths = [1, 2, 3, 4, 5, 6, 7, 8];
    const best = bestConstantDimension(truths);
    const mean = (c: number) => truths.reduce((a, d) => a + dimensionScore(c, d), 0) / truths.length;
    for (let c = 0.5; c <= 16; c += 0.01) expect(mean(c)).toBeLessThanOrEqual(mean(best) + 1e-12);
    expect(bestConstantDimension([1, 1, 1, 2])).toBe(1);
    expect(bestConstantDimension([19, 19, 1])).toBe(19);
    const inst = instanceWith(3);
    expect(
      intrinsicDimension.floors.bestConstant(
        [4, 4, 4, 2].map((d) => ({ dimension: dimensionTruth(d) })),
        inst,
      ),
    ).toEqual({
      result: { dimension: 4 },
    });
    expect(intrinsicDimension.floors.shortcut).toBeNull();
  });

  it("is relative: the same absolute error costs less at a higher dimension", () => {
    expect(score(10, 11).main).toBeGreaterThan(score(2, 3).main);
    expect(dimensionScore(12, 10)).toBeCloseTo(dimensionScore(6, 5), 12);
  });

  it("accepts any finite number and rejects arrays and missing keys", () => {
    const inst = instanceWith(3);
    expect(validateOutputs(intrinsicDimension, inst, { result: { dimension: 2.7 } })).toEqual({ ok: true });
    expect(validateOutputs(intrinsicDimension, inst, { result: {} }).ok).toBe(false);
    expect(validateOutputs(intrinsicDimension, inst, { result: { dimension: Number.NaN } }).ok).toBe(false);
    expect(() => intrinsicDimension.score(inst, { result: { dimension: [3] } })).toThrow(/must be a number/);
  });

  it("oracle reads the truth", () => {
    const inst = instanceWith(7);
    expect(intrinsicDimension.oracle(inst)).toEqual({ result: { dimension: 7 } });
    expect(trueDimension(inst)).toBe(7);
  });
});

describe("intrinsic-dimension chance level", () => {
  it("is d*/D whenever D ≥ 2d* − 1 (the triangle of scores sums to d*)", () => {
    for (const [d, D] of [
      [1, 16],
      [4, 16],
      [10, 22],
      [12, 144],
      [8, 100],
    ] as const) {
      expect(expectedRandomScore(d, D)).toBeCloseTo(d / D, 12);
    }
    // Truncated triangle when the ambient dimension is small.
    expect(expectedRandomScore(10, 11)).toBeLessThan(10 / 11);
  });

  it("matches Monte Carlo of the random reference", () => {
    const rng = new Rng(5);
    for (const [d, D] of [
      [3, 16],
      [10, 22],
    ] as const) {
      const inst = instanceWith(d, D);
      let total = 0;
      const trials = 20000;
      for (let t = 0; t < trials; t++) total += intrinsicDimension.score(inst, intrinsicDimension.random(inst, rng)).main;
      expect(Math.abs(total / trials - expectedRandomScore(d, D))).toBeLessThan(4 * Math.sqrt(randomScoreVariance(d, D) / trials) + 1e-3);
    }
  });
});

describe.each([
  ["benchmark-manifolds", benchmarkManifolds],
  ["neural-embedding", neuralEmbeddingDataset],
] as [string, DatasetDefinition][])("dataset %s (dev split)", (_slug, dataset) => {
  const instances = Array.from({ length: dataset.sizes.dev }, (_, i) => generateInstance(dataset, "dev", i));

  it("scores the oracle at 1 and the random reference at its analytic chance level", async () => {
    const oracle = getMethod("oracle");
    const random = getMethod("random");
    let randomTotal = 0;
    let expected = 0;
    let variance = 0;
    for (const inst of instances) {
      const o = await evaluateInstance(oracle, intrinsicDimension, inst);
      expect(o.score).toBe(1);
      const r = await evaluateInstance(random, intrinsicDimension, inst);
      expect(r.status).toBe("ok");
      randomTotal += r.score as number;
      expected += expectedRandomScore(trueDimension(inst), randomUpperBound(inst));
      variance += randomScoreVariance(trueDimension(inst), randomUpperBound(inst));
    }
    const m = instances.length;
    // Mean of m independent draws: within 3 standard errors of its expectation.
    expect(Math.abs(randomTotal / m - expected / m)).toBeLessThan((3 * Math.sqrt(variance)) / m + 1e-9);
    expect(expected / m).toBeLessThan(0.25);
  });

  it("stays within the size limits, with integer truths", () => {
    for (const inst of instances) {
      const [n, d] = (inst.inputs.activity as { shape: number[] }).shape as [number, number];
      expect(n).toBeLessThanOrEqual(5000);
      expect(d).toBeLessThanOrEqual(512);
      expect(Number.isInteger(trueDimension(inst))).toBe(true);
    }
  });
});

// Issue 10: the regime comes from the seed and the shape is drawn independently of it, so neither the instance index
// nor the input's shape tells the truth: the shape-only probe does no better than the best constant on official.
describe.each([
  ["benchmark-manifolds", benchmarkManifolds, "correlation-dimension", 0.2],
  ["neural-embedding", neuralEmbeddingDataset, "correlation-dimension", Number.NaN],
] as [string, DatasetDefinition, string, number][])("floors on %s", (_slug, dataset, best, margin) => {
  const official = Array.from({ length: dataset.sizes.official }, (_, i) => generateInstance(dataset, "official", i));

  it("has a spread of truths, not tied to the index, and shapes that say nothing about them", () => {
    const floors = floorScores(intrinsicDimension, official);
    console.log(`${dataset.slug} official: constant ${floors.constant.toFixed(3)}, shape-only ${floors.shape.toFixed(3)}`);
    expect(floors.oracle).toBe(1);
    expect(floors.constant).toBeLessThan(0.65);
    expect(floors.shape).toBeLessThan(floors.constant + 0.05);
    const truths = official.map(trueDimension);
    expect(new Set(truths).size).toBeGreaterThanOrEqual(6);
    const lengths = new Set(official.map((i) => (i.inputs.activity as { shape: number[] }).shape.join("×")));
    expect(lengths.size).toBeGreaterThan(official.length / 2);
  });

  it.runIf(Number.isFinite(margin))(`the best baseline (${best}) is clearly above the best constant on dev`, async () => {
    const dev = Array.from({ length: dataset.sizes.dev }, (_, i) => generateInstance(dataset, "dev", i));
    const floors = floorScores(intrinsicDimension, dev);
    const score = await methodMean(intrinsicDimension, best, dev);
    console.log(`${dataset.slug} dev: ${best} ${score.toFixed(3)}, constant ${floors.constant.toFixed(3)}`);
    expect(score).toBeGreaterThan(floors.constant + margin);
  });
});

describe("generators", () => {
  it("benchmark-manifolds sums scikit-dimension's repeated coordinates onto their span (an isometry)", () => {
    const m = MANIFOLDS.find((x) => x.id === "nonlinear-12to72");
    if (!m) throw new Error("missing manifold");
    const a = embedManifold(new Rng(3), m, 300, 24, false);
    expect(a.span).toBe(24);
    expect(a.activity.shape).toEqual([300, 24]);
    // Distances are those of the 72-dimensional sample up to the common scale removed by normalizeSample.
    const x = m.sample(new Rng(3), 300);
    const dist = (v: ArrayLike<number>, D: number, i: number, j: number) =>
      Math.hypot(...Array.from({ length: D }, (_, c) => (v[i * D + c] as number) - (v[j * D + c] as number)));
    const ratio = dist(a.activity.data, 24, 0, 1) / dist(x, 72, 0, 1);
    expect(dist(a.activity.data, 24, 5, 9) / dist(x, 72, 5, 9)).toBeCloseTo(ratio, 4);
  });

  it("embeds by an isometry: orthonormal rows, distances preserved, RMS radius 1", () => {
    const rng = new Rng(11);
    const q = randomIsometry(rng, 5, 12);
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) {
        let dot = 0;
        for (let c = 0; c < 12; c++) dot += (q[a * 12 + c] as number) * (q[b * 12 + c] as number);
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
    const m = MANIFOLDS.find((x) => x.id === "affine-3to5");
    if (!m) throw new Error("missing manifold");
    const x = normalizeSample(m.sample(rng, 50), 50, 5);
    let ss = 0;
    for (const v of x) ss += v * v;
    expect(ss / 50).toBeCloseTo(1, 10);
    const y = embedWithNoise(rng, x, 50, 5, 12, 0);
    const dx = Math.hypot(...Array.from({ length: 5 }, (_, c) => (x[c] as number) - (x[5 + c] as number)));
    const dy = Math.hypot(...Array.from({ length: 12 }, (_, c) => (y.data[c] as number) - (y.data[12 + c] as number)));
    expect(dy).toBeCloseTo(dx, 4);
  });
});

describe("estimators", () => {
  it("nearest neighbours match a direct computation and skip duplicates", () => {
    const rng = new Rng(2);
    const n = 40;
    const d = 3;
    const x = Float64Array.from({ length: n * d }, () => rng.normal());
    x.set(x.subarray(0, d), d); // point 1 duplicates point 0
    const { dist } = nearestNeighbours(x, n, d, 3);
    for (const i of [0, 7, 39]) {
      const all: number[] = [];
      for (let j = 0; j < n; j++) {
        const r = Math.hypot(...Array.from({ length: d }, (_, c) => (x[i * d + c] as number) - (x[j * d + c] as number)));
        if (r > 0) all.push(r);
      }
      all.sort((a, b) => a - b);
      for (let k = 0; k < 3; k++) expect(dist[i * 3 + k]).toBeCloseTo(all[k] as number, 10);
    }
  });

  it("recover the dimension of a uniform cube, and PCA/PR of an isotropic Gaussian", () => {
    const rng = new Rng(4);
    const n = 1500;
    const cube = Float64Array.from({ length: n * 3 }, () => rng.uniform());
    expect(twoNnDimension(cube, n, 3)).toBeGreaterThan(2.6);
    expect(twoNnDimension(cube, n, 3)).toBeLessThan(3.3);
    expect(Math.abs(mleDimension(cube, n, 3) - 3)).toBeLessThan(0.35);
    expect(Math.abs(correlationDimension(cube, n, 3) - 3)).toBeLessThan(0.4);
    const gauss = Float64Array.from({ length: n * 6 }, () => rng.normal());
    expect(participationRatio(covarianceSpectrum(gauss, n, 6))).toBeGreaterThan(5.5);
    expect(pcaDimension(covarianceSpectrum(gauss, n, 6))).toBe(6);
    expect(pcaDimension(Float64Array.from([5, 3, 1, 0.5, 0.5]))).toBe(3);
    expect(participationRatio([1, 1, 0, 0])).toBe(2);
  });
});

// SCIENTIFIC CHECK (Facco et al. 2017; Levina & Bickel 2004): on noise-free benchmark manifolds with d* ≤ 6,
// TwoNN and MLE are within 10% of d*, averaged over instances of each manifold. Two fresh noise-free
// samples per manifold, embedded by the dataset's own embedManifold (n = 2000, A = 24).
describe("scientific check: TwoNN and MLE on the noise-free benchmark manifolds with d* ≤ 6", () => {
  const low = MANIFOLDS.filter((m) => m.dim <= 6);
  // MLE's neighbourhoods (k = 10…20) reach across the helicoid's sheets and the spiral's turns at n = 2000
  // (see the README): the literature's claim does not hold there at this density, and MLE overestimates.
  const mleExceptions = new Set(["helix-2d", "spiral-1d"]);
  const estimates = new Map<string, { twonn: number; mle: number }>();

  it("estimates every manifold", () => {
    for (const m of low) {
      let tw = 0;
      let ml = 0;
      for (const rep of [0, 1]) {
        const x = embedManifold(new Rng(seedFrom("t3-scientific-check", m.id, rep)), m, 2000, 24, false).activity;
        const [n, d] = x.shape as [number, number];
        tw += twoNnDimension(x.data, n, d) / 2;
        ml += mleDimension(x.data, n, d) / 2;
      }
      estimates.set(m.id, { twonn: tw, mle: ml });
    }
    console.log(
      "noise-free benchmark manifolds (mean of 2 instances):\n" +
        low
          .map(
            (m) =>
              `  ${m.id.padEnd(16)} d*=${m.dim}  twonn=${estimates.get(m.id)?.twonn.toFixed(2)}  mle=${estimates.get(m.id)?.mle.toFixed(2)}`,
          )
          .join("\n"),
    );
    expect(estimates.size).toBe(low.length);
  });

  it.each(low.map((m) => [m.id, m.dim] as const))("TwoNN is within 10%% of d* on %s", (id, dim) => {
    const e = estimates.get(id);
    expect(e).toBeDefined();
    expect(Math.abs((e?.twonn as number) - dim) / dim).toBeLessThan(0.1);
  });

  it.each(low.filter((m) => !mleExceptions.has(m.id)).map((m) => [m.id, m.dim] as const))("MLE is within 10%% of d* on %s", (id, dim) => {
    const e = estimates.get(id);
    expect(Math.abs((e?.mle as number) - dim) / dim).toBeLessThan(0.1);
  });

  it("MLE overestimates, by less than one dimension, where its neighbourhoods span several sheets or turns", () => {
    for (const id of mleExceptions) {
      const m = MANIFOLDS.find((x) => x.id === id);
      const e = estimates.get(id);
      expect(e?.mle as number).toBeGreaterThan((m?.dim as number) * 1.1);
      expect(e?.mle as number).toBeLessThan((m?.dim as number) + 1);
    }
  });

  it("MLE recovers the spiral once it is sampled densely enough (n = 4000)", () => {
    const m = MANIFOLDS.find((x) => x.id === "spiral-1d");
    if (!m) throw new Error("missing manifold");
    const rng = new Rng(seedFrom("t3-spiral-dense"));
    const n = 4000;
    const x = embedWithNoise(rng, normalizeSample(m.sample(rng, n), n, m.native), n, m.native, 26, 0);
    expect(Math.abs(mleDimension(x.data, n, 26) - 1)).toBeLessThan(0.1);
  });
});

describe("baselines run on a dev instance", () => {
  it.each(["pca-90", "participation-ratio", "twonn", "mle", "correlation-dimension"])("%s", async (id) => {
    const method = getMethod(id);
    const inst = generateInstance(benchmarkManifolds, "dev", 4);
    const out = await evaluateInstance(method, intrinsicDimension, inst);
    expect(out.status).toBe("ok");
    expect(out.score as number).toBeGreaterThanOrEqual(0);
  });
});
