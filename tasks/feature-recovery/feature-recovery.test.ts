// T1 scoring: MMCS invariances, the recovered@0.9 metric and the analytic chance level.
import { describe, expect, it } from "vitest";
import { f32, hashArrays } from "../../harness/ndarray.ts";
import { listDatasets } from "../../harness/registry.ts";
import { Rng, seedFrom } from "../../harness/rng.ts";
import type { Instance, MethodOutputs, NdArray } from "../../harness/types.ts";
import { instance } from "../../tests/helpers/feature-recovery.ts";
import { expectedRandomMmcs } from "./chance.ts";
import { REGIMES, randomUnitFeatures, regimeFromSeed } from "./generate.ts";
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

describe("feature-recovery floors", () => {
  // One dev-stream instance of every synthetic regime (k/d 1, 2, 4 × p 0.01, 0.05), so the floors are checked on each.
  const instances = Array.from({ length: 6 }, (_, slot) => instance("sparse-linear", slot));
  const truths = instances.map((i) => i.truth);
  const mmcs = (inst: Instance, outputs: MethodOutputs) => featureRecovery.score(inst, outputs).main;
  const chance = (inst: Instance) => {
    const [k, d] = (inst.truth.features as NdArray).shape as [number, number];
    return expectedRandomMmcs(d, k);
  };

  it("oracle scores 1 and random sits at the analytic chance level on every regime", () => {
    for (const inst of instances) {
      expect(mmcs(inst, featureRecovery.oracle(inst))).toBeCloseTo(1, 6);
      // Not Rng(inst.seed): the generator's own stream would replay the truth's first directions.
      const rng = new Rng(seedFrom(inst.seed, "random"));
      const draws = Array.from({ length: 20 }, () => mmcs(inst, featureRecovery.random(inst, rng)));
      expect(Math.abs(draws.reduce((a, b) => a + b, 0) / draws.length - chance(inst)), inst.key).toBeLessThan(0.02);
    }
  });

  it("the best constant is one answer per shape, independent of the instance, and scores at chance", () => {
    for (const inst of instances) {
      const answer = featureRecovery.floors.bestConstant(truths, inst).dictionary as NdArray;
      expect(answer.shape).toEqual(featureRecovery.outputShapes(inst).dictionary);
      // The same answer for any other instance of the same shape, and for a pool without this instance.
      const twin = {
        ...inst,
        truth: { features: randomUnitFeatures(new Rng(inst.seed + 1), ...((inst.truth.features as NdArray).shape as [number, number])) },
      };
      expect(Array.from((featureRecovery.floors.bestConstant(truths, twin).dictionary as NdArray).data)).toEqual(Array.from(answer.data));
      // Chance: within 0.05 of the analytic level on the instance (spread rows cover the sphere a little better).
      expect(Math.abs(mmcs(inst, { dictionary: answer }) - chance(inst)), inst.key).toBeLessThan(0.05);
    }
    // Leave-one-out pool (what floor-shape does) or the whole split: on average within 0.02 of chance.
    const gap = instances.map((inst) => mmcs(inst, featureRecovery.floors.bestConstant(truths, inst)) - chance(inst));
    expect(Math.abs(gap.reduce((a, b) => a + b, 0) / gap.length)).toBeLessThan(0.02);
  });

  it("the shortcut (k random data rows) is reported, and is far above chance on sparse data", () => {
    const shortcut = featureRecovery.floors.shortcut;
    if (!shortcut) throw new Error("T1 has a shortcut");
    const rows: string[] = [];
    for (const inst of instances) {
      const outputs = shortcut(inst, new Rng(seedFrom(inst.seed, "shortcut")));
      const dictionary = outputs.dictionary as NdArray;
      expect(dictionary.shape).toEqual(featureRecovery.outputShapes(inst).dictionary);
      // Every row is one centred data row at unit norm.
      const [k, d] = dictionary.shape as [number, number];
      for (let r = 0; r < k; r++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += (dictionary.data[r * d + c] as number) ** 2;
        expect(s).toBeCloseTo(1, 4);
      }
      const score = mmcs(inst, outputs);
      rows.push(`${inst.key} (k/d ${inst.meta.ratio}, p ${inst.meta.p}): shortcut ${score.toFixed(3)}, chance ${chance(inst).toFixed(3)}`);
      expect(score, inst.key).toBeGreaterThan(chance(inst) + 0.05);
    }
    console.log(`sparse-linear dev, shortcut floor: ${rows.join("; ")}`);
  });
});

describe("feature-recovery instances (issue 10)", () => {
  it("are a function of the seed alone: neither the index nor the split changes an instance", () => {
    const seed = 424242;
    for (const dataset of listDatasets("feature-recovery")) {
      if (dataset.unavailable?.()) continue;
      const a = dataset.generate("dev", 0, seed);
      const b = dataset.generate("official", 5, seed);
      expect(hashArrays(b.inputs), dataset.slug).toBe(hashArrays(a.inputs));
      expect(hashArrays(b.truth), dataset.slug).toBe(hashArrays(a.truth));
      expect(b.meta, dataset.slug).toEqual(a.meta);
    }
  });

  it("draw every synthetic regime about equally often from the seed", () => {
    const counts = new Map<(typeof REGIMES)[number], number>();
    for (let seed = 0; seed < 3000; seed++) {
      const r = regimeFromSeed(seed);
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    expect(counts.size).toBe(REGIMES.length);
    for (const c of counts.values()) expect(Math.abs(c / 3000 - 1 / REGIMES.length)).toBeLessThan(0.03);
  });
});
