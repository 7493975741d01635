// T8's own checks: the scores against numpy (reference.numpy.json), their invariances, the chance level, the
// systems' fixed points, and what the baselines should and should not recover. Registry-wide checks (oracle at the
// ceiling, floors, determinism) run in tests/conformance.test.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dynamicalSystems } from "../../datasets/synthetic/dynamical-systems/dataset.ts";
import { f32 } from "../../harness/ndarray.ts";
import { generateInstance } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import type { Instance, NdArray } from "../../harness/types.ts";
import { ldsEm } from "../../methods/lds-em/method.ts";
import { pcaLds } from "../../methods/pca-lds/method.ts";
import { polyDynamics } from "../../methods/poly-dynamics/method.ts";
import { eigenvalueModuli } from "../../methods/shared/dynamics.ts";
import { spikeSmoothing } from "../../methods/spike-smoothing/method.ts";
import { affineAlignedR2, coSmoothing, matchFixedPoints, stabilityClass } from "./metrics.ts";
import { system } from "./systems.ts";
import { dimsOf, latentDynamics, readFixedPoints } from "./task.ts";

interface Fixture {
  generatedBy: string;
  cases: (
    | { kind: "co-smoothing"; name: string; m: number; spikes: number[]; rates: number[]; bitsPerSpike: number; devianceExplained: number }
    | { kind: "affine-r2"; name: string; fitRows: number; dp: number; dt: number; pred: number[]; truth: number[]; r2: number }
  )[];
}
const FIXTURE = JSON.parse(readFileSync(path.join(import.meta.dirname, "reference.numpy.json"), "utf8")) as Fixture;

const dev: Instance[] = Array.from({ length: dynamicalSystems.sizes.dev }, (_, index) => generateInstance(dynamicalSystems, "dev", index));

function ctx(instance: Instance) {
  return {
    task: latentDynamics.id,
    params: instance.params,
    inputs: instance.inputs,
    outputShapes: latentDynamics.outputShapes(instance),
    seed: 1,
  };
}

describe("latent-dynamics scores", () => {
  it("co-smoothing and affine-aligned R² match numpy on fixed vectors (NLB's bits per spike, sklearn's variance-weighted R²)", () => {
    expect(FIXTURE.cases.length).toBe(4);
    for (const c of FIXTURE.cases) {
      if (c.kind === "co-smoothing") {
        const s = coSmoothing(c.spikes, c.rates, c.m);
        expect(s.bitsPerSpike, c.name).toBeCloseTo(c.bitsPerSpike, 9);
        expect(s.devianceExplained, c.name).toBeCloseTo(c.devianceExplained, 9);
      } else {
        expect(affineAlignedR2(c.pred, c.dp, c.truth, c.dt, c.fitRows).r2, c.name).toBeCloseTo(c.r2, 9);
      }
    }
  });

  it("latent R² is invariant to any invertible affine map of the latents; fixed points are matched through it", () => {
    const instance = dev.find((x) => x.meta.system === "lorenz") ?? (dev[0] as Instance);
    const truth = instance.truth.latents as NdArray;
    const d = truth.shape[2] as number;
    const a = [2, -1, 0.5, 0.3, 1, 0, -0.7, 0.2, 3].slice(0, d * d);
    const moved = (x: ArrayLike<number>) =>
      Float64Array.from({ length: d }, (_, r) => 5 + a.slice(r * d, r * d + d).reduce((s, v, c) => s + v * (x[c] as number), 0));
    const latents = f32([...truth.shape]);
    for (let i = 0; i < truth.data.length / d; i++) latents.data.set(moved(truth.data.subarray(i * d, i * d + d)), i * d);
    const points = readFixedPoints(instance.truth.fixedPoints, d);
    const fixedPoints = f32([points.length, d + 1]);
    points.forEach((p, i) => {
      fixedPoints.data.set(moved(p.location), i * (d + 1));
      fixedPoints.data[i * (d + 1) + d] = p.unstable;
    });
    const oracle = latentDynamics.oracle(instance);
    const s = latentDynamics.score(instance, { ...oracle, latents, fixedPoints });
    expect(s.main).toBe(1);
    expect(s.metrics.latentR2).toBeCloseTo(1, 6);
    expect(s.metrics.fpRecall).toBe(1);
    expect(s.metrics.fpPrecision).toBe(1);
    expect(s.metrics.fpStability).toBe(1);
    // Uninformative latents: the map sends everything to the true mean, and no fixed point may count as found there.
    const noise = f32(
      [...truth.shape],
      Float32Array.from(truth.data, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1),
    );
    const junk = latentDynamics.score(instance, { ...oracle, latents: noise, fixedPoints });
    expect(junk.metrics.latentR2).toBeLessThan(0.1);
    expect(junk.metrics.fpRecall).toBe(0);
  });

  it("fixed-point matching: greedy one-to-one within the tolerance, stability read as stable / saddle / unstable", () => {
    const truth = [
      { location: Float64Array.of(0, 0), unstable: 2 },
      { location: Float64Array.of(1, 0), unstable: 0 },
    ];
    const predicted = [
      { location: Float64Array.of(0.05, 0), unstable: 1 },
      { location: Float64Array.of(0.02, 0), unstable: 2 },
      { location: Float64Array.of(3, 3), unstable: 0 },
    ];
    const r = matchFixedPoints(predicted, truth, 2, 0.1, 1);
    expect(r.matched).toBe(1);
    expect(r.recall).toBe(0.5);
    expect(r.precision).toBeCloseTo(1 / 3, 12);
    expect(r.positionError).toBeCloseTo(0.02, 12);
    expect(r.stabilityAgreement).toBe(1);
    expect([0, 1, 2, 3].map((k) => stabilityClass(k, 3))).toEqual(["stable", "saddle", "saddle", "unstable"]);
  });

  it("chance level: the random reference's rates are the training mean, whose deviance explained is ≤ 0 and close to it", () => {
    const rng = new Rng(3);
    for (const instance of dev) {
      const random = latentDynamics.score(instance, latentDynamics.random(instance, rng)).main;
      const { testTrials, heldOut } = dimsOf(instance);
      const train = instance.inputs.heldoutTrain as NdArray;
      const test = instance.truth.heldoutTest as NdArray;
      // Closed form: the null model fitted on the training trials instead of the test ones.
      const trainMean = new Float64Array(heldOut);
      for (let i = 0; i < train.data.length; i++)
        trainMean[i % heldOut] = (trainMean[i % heldOut] as number) + (train.data[i] as number) / (train.data.length / heldOut);
      const rates = Float64Array.from({ length: test.data.length }, (_, i) => trainMean[i % heldOut] as number);
      expect(random).toBeCloseTo(coSmoothing(test.data, rates, heldOut).devianceExplained, 5);
      expect(random).toBeLessThanOrEqual(1e-12);
      expect(random).toBeGreaterThan(-0.15);
      expect(testTrials * (test.shape[1] as number) * heldOut).toBe(test.data.length);
    }
  });
});

describe("latent-dynamics systems and baselines", () => {
  it("the true fixed points are zeros of each system's vector field with the stated number of unstable directions", () => {
    // Lorenz (σ = 10, ρ = 28, β = 8/3) in the normalised coordinates z = (x/8, y/8, (z − 24)/8).
    const lorenz = system("lorenz");
    for (const p of lorenz.fixedPoints) {
      const [x, y, z] = [8 * (p.location[0] as number), 8 * (p.location[1] as number), 8 * (p.location[2] as number) + 24];
      expect(Math.hypot(10 * (y - x), x * (28 - z) - y, x * y - (8 / 3) * z)).toBeLessThan(1e-9);
      // Unstable directions of the flow = eigenvalues of I + hJ outside the unit circle for a small step h.
      const j = [-10, 10, 0, 28 - z, -1, -x, y, x, -8 / 3];
      const step = j.map((v, i) => (i % 4 === 0 ? 1 : 0) + 1e-3 * v);
      expect(eigenvalueModuli(step, 3).filter((m) => m > 1).length).toBe(p.unstable);
    }
    const flipFlop = system("flip-flop");
    expect(flipFlop.fixedPoints.length).toBe(27);
    expect(flipFlop.fixedPoints.filter((p) => p.unstable === 0).length).toBe(8);
    for (const p of flipFlop.fixedPoints) for (const v of p.location) expect(v - v ** 3).toBe(0);
    expect(eigenvalueModuli([0, -1.2, 1.2, 0], 2)).toEqual([expect.closeTo(1.2, 9), expect.closeTo(1.2, 9)]);
  });

  it("every baseline beats the trial-averaged shortcut on every dev instance; a low-dimensional readout beats smoothing each neuron", async () => {
    const mean: Record<string, number> = {};
    for (const instance of dev) {
      const shortcut = latentDynamics.score(instance, latentDynamics.floors.shortcut?.(instance, new Rng(1)) ?? {}).main;
      for (const method of [pcaLds, spikeSmoothing, polyDynamics, ldsEm]) {
        const s = latentDynamics.score(instance, await method.run(ctx(instance)));
        expect(s.main, `${method.id} on ${instance.meta.system}`).toBeGreaterThan(shortcut + 0.1);
        expect(s.metrics.latentR2, `${method.id} on ${instance.meta.system}`).toBeGreaterThan(0.7);
        mean[method.id] = (mean[method.id] ?? 0) + s.main / dev.length;
      }
    }
    // Yu et al. (2009): a shared low-dimensional state denoises sparse spikes better than smoothing neuron by neuron.
    expect(mean["pca-lds"]).toBeGreaterThan((mean["spike-smoothing"] as number) + 0.02);
    // The same with the state inferred by a dynamical model's smoother (GPFA's argument): dev 0.227 vs 0.161.
    expect(mean["lds-em"]).toBeGreaterThan((mean["spike-smoothing"] as number) + 0.03);
  });

  it("a linear fit cannot hold a limit cycle (its focus comes out stable), the polynomial fit finds it unstable", async () => {
    const cycles = dev.filter((x) => x.meta.system === "limit-cycle");
    expect(cycles.length).toBeGreaterThan(0);
    for (const instance of cycles) {
      const linear = latentDynamics.score(instance, await pcaLds.run(ctx(instance))).metrics;
      const poly = latentDynamics.score(instance, await polyDynamics.run(ctx(instance))).metrics;
      expect(linear.fpRecall).toBe(1);
      expect(linear.fpStability).toBe(0);
      expect(poly.fpRecall).toBe(1);
      expect(poly.fpStability).toBe(1);
    }
  });
});
