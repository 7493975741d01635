// The head-direction task datasets (datasets.ts): references at the ceiling and at chance on every dataset,
// contiguous held-out blocks, and the published facts the issue asks for — heading decoded about as well as
// this class of decoders does on ADn, one dominant H1 bar in the wake activity (a ring), and sparse-coding
// methods ahead of PCA on the hybrid when features outnumber cells.
import { describe, expect, it } from "vitest";
import { generateInstance, getMethod, getTask, methodSeed } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, Instance, NdArray } from "../../harness/types.ts";
import { activityBarcode, BETTI_RULE, bettiFromBars } from "../../methods/persistent-homology/pipeline.ts";
import { devAndRegimeInstances, methodMmcs, referenceCheck, splitInstances } from "../../tasks/feature-recovery/hybrid-checks.ts";
import { expectedRandomScore } from "../../tasks/intrinsic-dimension/chance.ts";
import { medianAngularErrorDeg } from "../../tasks/latent-decoding/task.ts";
import { skipReason } from "../converted-bundles.ts";
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

  it("T3: random is at chance and the baselines overestimate d* = 1 (noise inflates them)", async () => {
    const task = getTask("intrinsic-dimension");
    for (const dataset of [hdWakeDimension, hdRemDimension]) {
      const instances = [0, 1].map((i) => generateInstance(dataset, "dev", i));
      for (const inst of instances) {
        const rng = new Rng(inst.seed);
        let total = 0;
        for (let r = 0; r < 400; r++) total += task.score(inst, task.random(inst, rng)).main;
        expect(Math.abs(total / 400 - expectedRandomScore(1, HD_CELLS))).toBeLessThan(0.04);
        for (const m of ["twonn", "mle"]) {
          const out = await getMethod(m).run({ task: task.id, params: {}, inputs: inst.inputs, outputShapes: {}, seed: 1 });
          const dim = (out.result as { dimension: number }).dimension;
          expect(dim, `${m} on ${inst.key}`).toBeGreaterThan(2.5);
        }
      }
    }
  });

  it("T4: random is at chance; persistent homology finds one dominant H1 bar in the wake activity", () => {
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
    const instances = [...splitInstances(hdWakeTopology, "dev"), ...splitInstances(hdWakeTopology, "official")];
    for (const inst of instances) {
      const x = inst.inputs.activity as NdArray;
      const { bars, coverRadius } = activityBarcode(x.data, x.shape[0] as number, x.shape[1] as number);
      const h1 = bars
        .filter((b) => b.dim === 1)
        .map((b) => (b.death - b.birth) / coverRadius)
        .sort((a, b) => b - a);
      const [first = 0, second = 0] = h1;
      rows.push(`${inst.key} ${first.toFixed(2)}ε/${second.toFixed(2)}ε`);
      // One bar stands out: past the method's threshold with a clear margin, and well above every other bar.
      expect(first, inst.key).toBeGreaterThan(1.3 * BETTI_RULE.h1);
      expect(first / second, inst.key).toBeGreaterThan(1.2);
      if (first / second >= 1.8) clear++;
      const betti = bettiFromBars(bars, coverRadius);
      if (betti[0] === 1 && betti[1] === 1 && betti[2] === 0) ringFound++;
    }
    console.log(
      `${card.id} T4 wake H1 bars (longest/second, in covering radii): ${rows.join("; ")}; Betti [1, 1, 0] on ${ringFound}/${instances.length}`,
    );
    expect(clear / instances.length).toBeGreaterThanOrEqual(2 / 3);
    expect(ringFound / instances.length).toBeGreaterThanOrEqual(2 / 3);
  });

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
