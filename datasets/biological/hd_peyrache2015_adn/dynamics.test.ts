// T8 `hd-co-smoothing` (dynamics.ts): skipped cleanly without the recording; with it, instances are what the README
// says (40 two-second trials of 50 ms bins inside tracking segments, 6 of the 19 cells held out, the measured heading
// as the truth latents, no fixed point), deterministic in the seed, and the ring code is there to be found: the
// designated baseline and a Poisson readout of the measured heading both beat the trial-averaged shortcut.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { f32 } from "../../../harness/ndarray.ts";
import { generateInstance } from "../../../harness/registry.ts";
import { Rng } from "../../../harness/rng.ts";
import type { Instance, NdArray } from "../../../harness/types.ts";
import { pcaLds } from "../../../methods/pca-lds/method.ts";
import { poissonReadout } from "../../../methods/shared/dynamics.ts";
import { latentDynamics } from "../../../tasks/latent-dynamics/task.ts";
import { hdCoSmoothing, hdCoSmoothingInstance } from "./dynamics.ts";
import { HD_CELLS, loadHdPeyrache2015 } from "./load.ts";

describe("hd-co-smoothing without the recording", () => {
  const empty = mkdtempSync(path.join(tmpdir(), "cajal-no-data-"));
  const before = process.env.CAJAL_DATA_DIR;
  afterAll(() => {
    if (before === undefined) delete process.env.CAJAL_DATA_DIR;
    else process.env.CAJAL_DATA_DIR = before;
    rmSync(empty, { recursive: true, force: true });
  });
  it("says why it is unavailable instead of failing", () => {
    process.env.CAJAL_DATA_DIR = empty;
    expect(hdCoSmoothing.unavailable?.()).toMatch(/dataHD\.mat/);
  });
});

const skip = hdCoSmoothing.unavailable?.() ?? null;
if (skip) console.log(`hd-co-smoothing: skipped: ${skip}`);
describe.skipIf(skip !== null)("hd-co-smoothing (recording present)", () => {
  const dev = Array.from({ length: hdCoSmoothing.sizes.dev }, (_, i) => generateInstance(hdCoSmoothing, "dev", i));
  const FINE = 5; // 10 ms bins per 50 ms bin
  const T = 40;

  it("40 trials × 40 bins of 50 ms inside tracking segments, 6 of 19 cells held out, counts and heading read back from the recording", () => {
    const { wake } = loadHdPeyrache2015();
    for (const instance of dev) {
      expect(instance.params).toEqual({ latentDim: 2, dt: 0.05 });
      const spikes = instance.inputs.spikes as NdArray;
      const train = instance.inputs.heldoutTrain as NdArray;
      const test = instance.truth.heldoutTest as NdArray;
      const latents = instance.truth.latents as NdArray;
      expect(spikes.shape).toEqual([40, T, 13]);
      expect(train.shape).toEqual([28, T, 6]);
      expect(test.shape).toEqual([12, T, 6]);
      expect(latents.shape).toEqual([40, T, 2]);
      expect(instance.truth.fixedPoints?.shape).toEqual([0, 3]);

      const firsts = String(instance.meta.trials).split(",").map(Number);
      const out = String(instance.meta.heldOut).split(",").map(Number);
      expect(new Set(firsts).size).toBe(40);
      expect(new Set(out).size).toBe(6);
      const held = Array.from({ length: HD_CELLS }, (_, c) => c).filter((c) => !out.includes(c));
      for (const first of firsts) {
        // The whole trial lies in one segment of continuous tracking, and no two trials overlap.
        const segment = wake.segments.find((s) => s.start <= first && first < s.end);
        expect(first + T * FINE).toBeLessThanOrEqual(segment?.end as number);
        for (const other of firsts) if (other !== first) expect(Math.abs(other - first)).toBeGreaterThanOrEqual(T * FINE);
      }
      const fineSum = (first: number, bin: number, cell: number) => {
        let s = 0;
        for (let t = first + bin * FINE; t < first + (bin + 1) * FINE; t++) s += wake.counts[t * HD_CELLS + cell] as number;
        return s;
      };
      // Every count of the first training trial and of the last test trial, held in and held out.
      for (const k of [0, 39]) {
        const first = firsts[k] as number;
        for (let b = 0; b < T; b++) {
          held.forEach((cell, c) => {
            expect(spikes.data[(k * T + b) * 13 + c]).toBe(fineSum(first, b, cell));
          });
          out.forEach((cell, c) => {
            const value = k < 28 ? train.data[(k * T + b) * 6 + c] : test.data[((k - 28) * T + b) * 6 + c];
            expect(value).toBe(fineSum(first, b, cell));
          });
          // The truth latents: the measured heading of the bin (circular mean of its five samples) as (cos θ, sin θ).
          let sx = 0;
          let sy = 0;
          for (let t = first + b * FINE; t < first + (b + 1) * FINE; t++) {
            sx += Math.cos(wake.angle[t] as number);
            sy += Math.sin(wake.angle[t] as number);
          }
          const theta = Math.atan2(sy, sx);
          expect(latents.data[(k * T + b) * 2]).toBeCloseTo(Math.cos(theta), 6);
          expect(latents.data[(k * T + b) * 2 + 1]).toBeCloseTo(Math.sin(theta), 6);
        }
      }
    }
    // The two dev instances hold out different cells or draw different trials.
    expect(`${dev[0]?.meta.heldOut}|${dev[0]?.meta.trials}`).not.toBe(`${dev[1]?.meta.heldOut}|${dev[1]?.meta.trials}`);
  });

  it("is deterministic in the seed, and seeds differ", () => {
    const a = hdCoSmoothingInstance(7);
    const b = hdCoSmoothingInstance(7);
    const c = hdCoSmoothingInstance(8);
    expect(b.meta).toEqual(a.meta);
    expect(b.inputs.spikes?.data).toEqual(a.inputs.spikes?.data);
    expect(b.truth.heldoutTest?.data).toEqual(a.truth.heldoutTest?.data);
    expect(c.meta.trials).not.toBe(a.meta.trials);
  });

  it("the ring is there to be found: pca-lds and a Poisson readout of the measured heading beat the trial-averaged shortcut", async () => {
    for (const instance of dev) {
      const score = (outputs: Parameters<typeof latentDynamics.score>[1]) => latentDynamics.score(instance as Instance, outputs);
      const shortcut = score(latentDynamics.floors.shortcut?.(instance, new Rng(1)) ?? {}).main;
      const outputs = await pcaLds.run({
        task: latentDynamics.id,
        params: instance.params,
        inputs: instance.inputs,
        outputShapes: latentDynamics.outputShapes(instance),
        seed: 1,
      });
      const baseline = score(outputs);
      // The heading's own tuning: log-rate linear in (cos θ, sin θ) (von Mises), fitted on the training trials.
      const heading = Float64Array.from((instance.truth.latents as NdArray).data);
      const rates = poissonReadout(heading, 2, (instance.inputs.heldoutTrain as NdArray).data, 6, 28 * T, 40 * T, 1);
      const tuning = score({ heldoutRates: f32([12, T, 6], rates), latents: instance.truth.latents as NdArray }).main;
      console.log(
        `hd-co-smoothing dev: shortcut ${shortcut.toFixed(3)}, pca-lds ${baseline.main.toFixed(3)} (latent R² ${baseline.metrics.latentR2?.toFixed(3)}), heading tuning ${tuning.toFixed(3)}`,
      );
      expect(baseline.main).toBeGreaterThan(shortcut + 0.1);
      expect(tuning).toBeGreaterThan(shortcut + 0.1);
      // Latent R² against the measured heading is reported; fixed points are not (the truth has none).
      expect(baseline.metrics.latentR2).toBeDefined();
      expect(baseline.metrics.fpRecall).toBeUndefined();
    }
  });
});
