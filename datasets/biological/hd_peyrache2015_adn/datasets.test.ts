// The head-direction task datasets (datasets.ts): references at the ceiling and at chance on every dataset,
// contiguous held-out blocks, and the published facts the issue asks for — heading decoded about as well as
// this class of decoders does on ADn, one dominant H1 bar in the wake activity (a ring), and sparse-coding
// methods ahead of PCA on the hybrid when features outnumber cells.
import { describe, expect, it } from "vitest";
import { generateInstance, getMethod, getTask, methodSeed } from "../../../harness/registry.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, Instance, NdArray } from "../../../harness/types.ts";
import { activityBarcode, BETTI_RULE, bettiFromBars } from "../../../methods/persistent-homology/pipeline.ts";
import { expectedRandomScore } from "../../../tasks/intrinsic-dimension/chance.ts";
import { medianAngularErrorDeg } from "../../../tasks/latent-decoding/task.ts";
import { varyingColumns } from "../../../tasks/topology/controls.ts";
import { skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { floorScores, methodMean, runMethod } from "../../../tests/helpers/floor-checks.ts";
import { devAndRegimeInstances, methodMmcs, referenceCheck, splitInstances } from "../../../tests/helpers/hybrid-checks.ts";
import { hdPeyrache2015Card as card } from "./card.ts";
import { decodingCut, hdDecoding, hdRemDimension, hdRemTopology, hdWakeDimension, hdWakeTopology, hybridHd } from "./datasets.ts";
import { HD_CELLS, loadHdPeyrache2015, rebinWake } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

const ALL: DatasetDefinition[] = [hdDecoding, hdWakeDimension, hdRemDimension, hdWakeTopology, hdRemTopology, hybridHd];
const TAU = 2 * Math.PI;
const wrap = (a: number) => ((((a + Math.PI) % TAU) + TAU) % TAU) - Math.PI;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** A T2 baseline's outputs on an instance, with the harness's method seed. */
async function decode(methodId: string, instance: Instance) {
  const task = getTask("latent-decoding");
  return getMethod(methodId).run({
    task: task.id,
    params: instance.params,
    inputs: instance.inputs,
    outputShapes: task.outputShapes(instance),
    seed: methodSeed(instance, methodId),
  });
}

/**
 * The classic population vector (Georgopoulos et al. 1986) as the data layer's sanity test uses it: preferred
 * direction of each cell from its occupancy-normalised tuning curve on the training block (60 bins), test bins
 * decoded as Σ (count / mean count) · e^{i·pref}. Median |error| in degrees.
 */
function classicPopulationVector(instance: Instance): number {
  const x = instance.inputs.trainActivity as NdArray;
  const y = instance.inputs.trainTarget as NdArray;
  const xt = instance.inputs.testActivity as NdArray;
  const yt = instance.truth.testTarget as NdArray;
  const d = HD_CELLS;
  const nTrain = y.data.length;
  const bins = 60;
  const occupancy = new Float64Array(bins);
  const sums = new Float64Array(bins * d);
  for (let t = 0; t < nTrain; t++) {
    const b = Math.min(bins - 1, Math.floor((((y.data[t] as number) + TAU) % TAU) / (TAU / bins)));
    occupancy[b] = (occupancy[b] as number) + 1;
    for (let c = 0; c < d; c++) sums[b * d + c] = (sums[b * d + c] as number) + (x.data[t * d + c] as number);
  }
  const pref = new Float64Array(d);
  const meanCount = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    let sx = 0;
    let sy = 0;
    let total = 0;
    for (let b = 0; b < bins; b++) {
      const rate = (occupancy[b] as number) > 0 ? (sums[b * d + c] as number) / (occupancy[b] as number) : 0;
      sx += rate * Math.cos(((b + 0.5) * TAU) / bins);
      sy += rate * Math.sin(((b + 0.5) * TAU) / bins);
      total += sums[b * d + c] as number;
    }
    pref[c] = Math.atan2(sy, sx);
    meanCount[c] = total / nTrain;
  }
  const errors: number[] = [];
  for (let t = 0; t < yt.data.length; t++) {
    let sx = 0;
    let sy = 0;
    for (let c = 0; c < d; c++) {
      const w = (xt.data[t * d + c] as number) / (meanCount[c] as number);
      sx += w * Math.cos(pref[c] as number);
      sy += w * Math.sin(pref[c] as number);
    }
    errors.push((Math.abs(wrap(Math.atan2(sy, sx) - (yt.data[t] as number))) * 180) / Math.PI);
  }
  return median(errors);
}

describe.skipIf(skip !== undefined)("hd_peyrache2015_adn task datasets", () => {
  it("every dataset scores the oracle at the ceiling and has a real preview plot", () => {
    for (const dataset of ALL) {
      const task = getTask(dataset.task);
      for (let i = 0; i < dataset.sizes.dev; i++) {
        const instance = generateInstance(dataset, "dev", i);
        expect(task.score(instance, task.oracle(instance)).main, instance.key).toBeGreaterThanOrEqual(task.mainScore.max - 1e-6);
      }
      const preview = dataset.preview?.();
      expect(preview, dataset.slug).toBeDefined();
      const points = (preview?.series ?? []).reduce((a, s) => a + s.x.length, 0);
      expect(points).toBeGreaterThan(100);
      expect(points).toBeLessThanOrEqual(3000);
      for (const s of preview?.series ?? []) {
        expect(s.x.length).toBe(s.y.length);
        expect([...s.x, ...s.y].every(Number.isFinite)).toBe(true);
      }
    }
  });

  it("T2: train and test are contiguous blocks of one window, cut at a tracking gap where one is near 75 %", () => {
    const w = rebinWake(loadHdPeyrache2015().wake, 10);
    for (const split of ["dev", "official"] as const) {
      for (let i = 0; i < hdDecoding.sizes[split]; i++) {
        const inst = generateInstance(hdDecoding, split, i);
        const start = inst.meta.startBin as number;
        const nTrain = inst.meta.nTrain as number;
        const train = inst.inputs.trainActivity as NdArray;
        const test = inst.inputs.testActivity as NdArray;
        // Rows are the window's bins in order: train = [start, start + nTrain), test right after.
        expect(Array.from(train.data.subarray(0, HD_CELLS))).toEqual(
          Array.from(w.counts.subarray(start * HD_CELLS, (start + 1) * HD_CELLS)),
        );
        const t0 = start + nTrain;
        expect(Array.from(test.data.subarray(0, HD_CELLS))).toEqual(Array.from(w.counts.subarray(t0 * HD_CELLS, (t0 + 1) * HD_CELLS)));
        expect(inst.meta.cutAtGap).toBe(decodingCut(w.segments, start, 4800).atGap);
        if (inst.meta.cutAtGap) expect(w.segments.some((s) => s.start === t0)).toBe(true);
      }
    }
  });

  it("T2: random is at chance (mean cos 0) and heading is decoded as well as this class of decoders does on ADn", async () => {
    const rows: string[] = [];
    const pv: number[] = [];
    const classic: number[] = [];
    const ridge: number[] = [];
    for (let i = 0; i < hdDecoding.sizes.dev; i++) {
      const inst = generateInstance(hdDecoding, "dev", i);
      const truth = inst.truth.testTarget as NdArray;
      const task = getTask("latent-decoding");
      let randomTotal = 0;
      const rng = new Rng(inst.seed);
      for (let r = 0; r < 20; r++) randomTotal += task.score(inst, task.random(inst, rng)).main;
      expect(Math.abs(randomTotal / 20)).toBeLessThan(0.03);
      pv.push(medianAngularErrorDeg(truth, (await decode("population-vector", inst)).testPrediction as NdArray));
      ridge.push(medianAngularErrorDeg(truth, (await decode("ridge", inst)).testPrediction as NdArray));
      classic.push(classicPopulationVector(inst));
      rows.push(
        `#${i}: population-vector ${pv.at(-1)?.toFixed(1)}°, classic PV ${classic.at(-1)?.toFixed(1)}°, ridge ${ridge.at(-1)?.toFixed(1)}°`,
      );
    }
    console.log(`${card.id} T2 dev median |error|: ${rows.join("; ")}`);
    // README: the classic PV lands in the 10–20° of ADn decoders; the registered baseline, which centres the
    // activity on its training mean, loses ~8° on these 19 unevenly spread preferred directions.
    expect(mean(classic)).toBeLessThan(20);
    for (const e of classic) expect(e).toBeLessThan(25);
    expect(mean(pv)).toBeLessThan(32);
    expect(mean(ridge)).toBeLessThan(18);
  });

  it("T3/T4 controls have their documented truths, and each regime occurs", () => {
    for (const dataset of [hdWakeDimension, hdRemDimension, hdWakeTopology, hdRemTopology]) {
      const instances = splitInstances(dataset, "official");
      expect(new Set(instances.map((i) => i.meta.regime)).size, dataset.slug).toBe(3);
      for (const inst of instances) {
        const x = inst.inputs.activity as NdArray;
        expect(x.shape[1]).toBe(HD_CELLS);
        const regime = inst.meta.regime as string;
        const offsets = inst.meta.offsets as number[];
        if (regime === "recorded") expect(new Set(offsets)).toEqual(new Set([0]));
        if (regime === "product") expect(new Set(offsets).size).toBe(2);
        if (regime === "shuffled") expect(new Set(offsets).size).toBe(HD_CELLS);
        if (dataset.task === "intrinsic-dimension") {
          const d = (inst.truth.dimension as NdArray).data[0];
          expect(d).toBe(regime === "recorded" ? 1 : regime === "product" ? 2 : varyingColumns(x));
        } else {
          const expected = { recorded: [1, 1, 0], product: [1, 2, 1], shuffled: [1, 0, 0] }[regime];
          expect(Array.from((inst.truth.betti as NdArray).data)).toEqual(expected);
        }
      }
    }
  });

  it("T3: random at chance; constant and shape-only probe at the floor; the baselines see ≈ 4–6 dimensions in every regime", async () => {
    const task = getTask("intrinsic-dimension");
    for (const dataset of [hdWakeDimension, hdRemDimension]) {
      const official = splitInstances(dataset, "official");
      const floors = floorScores(task, official);
      console.log(`${dataset.slug} T3 official: constant ${floors.constant.toFixed(3)}, shape-only ${floors.shape.toFixed(3)}`);
      expect(floors.constant).toBeLessThan(0.65);
      expect(floors.shape).toBeLessThan(floors.constant + 0.1);
      const instances = splitInstances(dataset, "dev");
      for (const inst of instances.slice(0, 4)) {
        const rng = new Rng(inst.seed);
        let total = 0;
        for (let r = 0; r < 400; r++) total += task.score(inst, task.random(inst, rng)).main;
        const truth = (inst.truth.dimension as NdArray).data[0] as number;
        expect(Math.abs(total / 400 - expectedRandomScore(truth, HD_CELLS))).toBeLessThan(0.06);
      }
      // Transfer gap: TwoNN and MLE return ≈ 4–6 on the ring (d* = 1), the torus (2) and the shuffled box (19) alike —
      // spike-count noise sets their scale — so on this dataset no built-in estimator beats the best constant.
      for (const inst of instances) {
        for (const m of ["twonn", "mle"]) {
          const dim = ((await runMethod(m, inst)).result as { dimension: number }).dimension;
          expect(dim, `${m} on ${inst.key}`).toBeGreaterThan(2.5);
          expect(dim, `${m} on ${inst.key}`).toBeLessThan(8);
        }
      }
    }
  });

  it("T4: random at chance; persistent homology finds the recorded ring and the shuffled box, and beats the best constant", async () => {
    const task = getTask("topology");
    for (const dataset of [hdWakeTopology, hdRemTopology]) {
      const inst = generateInstance(dataset, "dev", 0);
      const rng = new Rng(inst.seed);
      let total = 0;
      for (let r = 0; r < 1000; r++) total += task.score(inst, task.random(inst, rng)).main;
      expect(Math.abs(total / 1000 - 1 / 27)).toBeLessThan(0.02);
    }
    const rows: string[] = [];
    let ringFound = 0;
    let clear = 0;
    const all = [...splitInstances(hdWakeTopology, "dev"), ...splitInstances(hdWakeTopology, "official")];
    const instances = all.filter((i) => i.meta.regime === "recorded");
    const firsts: [string, number, number][] = [];
    for (const inst of instances) {
      const x = inst.inputs.activity as NdArray;
      const { bars, coverRadius } = activityBarcode(x.data, x.shape[0] as number, x.shape[1] as number);
      const h1 = bars
        .filter((b) => b.dim === 1)
        .map((b) => (b.death - b.birth) / coverRadius)
        .sort((a, b) => b - a);
      const [first = 0, second = 0] = h1;
      rows.push(`${inst.key} ${first.toFixed(2)}ε/${second.toFixed(2)}ε`);
      firsts.push([inst.key, first, first / second]);
      if (first / second >= 1.8) clear++;
      const betti = bettiFromBars(bars, coverRadius);
      if (betti[0] === 1 && betti[1] === 1 && betti[2] === 0) ringFound++;
    }
    console.log(
      `${card.id} T4 wake, recorded regime: H1 bars (longest/second, in covering radii): ${rows.join("; ")}; Betti [1, 1, 0] on ${ringFound}/${instances.length}`,
    );
    // One bar stands out on all recorded instances but at most one: past the method's threshold with a margin, and
    // above every other bar. Observed (version 2, 18 recorded wake instances of dev + official): 17 with the longest
    // bar at 1.76–2.94 ε and ≥ 2.5 × the next; one stretch (official/42) at 1.20 ε, below the 1.4 ε threshold.
    const standing = firsts.filter(([, first, ratio]) => first > 1.2 * BETTI_RULE.h1 && ratio > 1.2);
    expect(standing.length).toBeGreaterThanOrEqual(firsts.length - 1);
    expect(instances.length).toBeGreaterThan(5);
    expect(clear / instances.length).toBeGreaterThanOrEqual(2 / 3);
    expect(ringFound / instances.length).toBeGreaterThanOrEqual(2 / 3);
    // Shuffled cells: no loop survives (the box is contractible).
    for (const inst of all.filter((i) => i.meta.regime === "shuffled")) {
      const x = inst.inputs.activity as NdArray;
      const { bars, coverRadius } = activityBarcode(x.data, x.shape[0] as number, x.shape[1] as number);
      expect(bettiFromBars(bars, coverRadius), inst.key).toEqual([1, 0, 0]);
    }
    for (const dataset of [hdWakeTopology, hdRemTopology]) {
      const official = splitInstances(dataset, "official");
      const floors = floorScores(task, official);
      const ph = await methodMean(task, "persistent-homology", official);
      console.log(
        `${dataset.slug} T4 official: constant ${floors.constant.toFixed(3)}, shape-only ${floors.shape.toFixed(3)}, persistent-homology ${ph.toFixed(3)}`,
      );
      expect(floors.constant).toBeLessThan(0.6);
      expect(floors.shape).toBeLessThan(floors.constant + 0.1);
      expect(ph).toBeGreaterThan(floors.constant + 0.05);
    }
  }, 300_000);

  it("T1 hybrid: oracle 1, random at the analytic chance, sparse coding ahead of PCA when k = 2d", async () => {
    const rows: string[] = [];
    // Regimes are drawn from the seed: the dev split plus a dev-stream instance of every regime it misses.
    for (const inst of devAndRegimeInstances(hybridHd)) {
      const check = referenceCheck(inst);
      expect(check.oracle).toBeCloseTo(1, 6);
      expect(Math.abs(check.randomMean - check.chance), inst.key).toBeLessThan(0.02);
      expect(inst.meta.d).toBe(HD_CELLS);
      if (inst.meta.ratio !== 2) continue;
      const pca = await methodMmcs("pca", inst);
      const dl = await methodMmcs("dictionary-learning", inst);
      rows.push(`${inst.key} (amplitude ${inst.meta.amplitude}): pca ${pca.toFixed(3)}, dictionary-learning ${dl.toFixed(3)}`);
      expect(dl - pca, inst.key).toBeGreaterThan(0.15);
    }
    console.log(`${card.id} T1 hybrid k = 2d: ${rows.join("; ")}`);
  });
});
