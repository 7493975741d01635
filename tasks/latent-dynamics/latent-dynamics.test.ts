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
import { affineAlignedR2, coSmoothing, recoverFixedPoints, stabilityClass } from "./metrics.ts";
import { system } from "./systems.ts";
import { dimsOf, FIXED_POINT_TOLERANCE, fixedPointArray, latentDynamics, readTrueFixedPoints, rmsSpread } from "./task.ts";

interface Fixture {
  generatedBy: string;
  cases: (
    | { kind: "co-smoothing"; name: string; m: number; spikes: number[]; rates: number[]; bitsPerSpike: number; devianceExplained: number }
    | { kind: "affine-r2"; name: string; fitRows: number; dp: number; dt: number; pred: number[]; truth: number[]; r2: number }
    | {
        kind: "fixed-points";
        name: string;
        d: number;
        tolerance: number;
        scale: number;
        predicted: number[];
        predictedUnstable: number[];
        truth: number[];
        truthUnstable: number[];
        truthContinuum: number[];
        recall: number;
        precision: number;
        positionError: number;
        stabilityAgreement: number;
        coverage: number[];
      }
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
  it("co-smoothing, affine-aligned R² and fixed-point recovery with continua match numpy on fixed vectors (NLB's bits per spike, sklearn's variance-weighted R², the README's rule)", () => {
    expect(FIXTURE.cases.map((c) => c.kind)).toEqual(["co-smoothing", "co-smoothing", "affine-r2", "affine-r2", "fixed-points"]);
    for (const c of FIXTURE.cases) {
      if (c.kind === "co-smoothing") {
        const s = coSmoothing(c.spikes, c.rates, c.m);
        expect(s.bitsPerSpike, c.name).toBeCloseTo(c.bitsPerSpike, 9);
        expect(s.devianceExplained, c.name).toBeCloseTo(c.devianceExplained, 9);
      } else if (c.kind === "affine-r2") {
        expect(affineAlignedR2(c.pred, c.dp, c.truth, c.dt, c.fitRows).r2, c.name).toBeCloseTo(c.r2, 9);
      } else {
        const rows = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
        const predicted = rows(c.predictedUnstable.length, (i) => ({
          location: Float64Array.from(c.predicted.slice(i * c.d, (i + 1) * c.d)),
          unstable: c.predictedUnstable[i] as number,
        }));
        const truth = rows(c.truthUnstable.length, (i) => ({
          location: Float64Array.from(c.truth.slice(i * c.d, (i + 1) * c.d)),
          unstable: c.truthUnstable[i] as number,
          continuum: c.truthContinuum[i] as number,
        }));
        const r = recoverFixedPoints(predicted, truth, c.d, c.tolerance, c.scale);
        for (const key of ["recall", "precision", "positionError", "stabilityAgreement"] as const)
          expect(r[key], key).toBeCloseTo(c[key], 9);
        expect(r.coverage.length).toBe(c.coverage.length);
        r.coverage.forEach((v, k) => {
          expect(v).toBeCloseTo(c.coverage[k] as number, 12);
        });
      }
    }
  });

  it("latent R² is invariant to any invertible affine map of the latents; fixed points and continua are matched through it", () => {
    for (const name of ["lorenz", "ring-attractor"]) {
      const instance = dev.find((x) => x.meta.system === name) as Instance;
      const truth = instance.truth.latents as NdArray;
      const d = truth.shape[2] as number;
      const a = [2, -1, 0.5, 0.3, 1, 0, -0.7, 0.2, 3].slice(0, d * d);
      const moved = (x: ArrayLike<number>) =>
        Float64Array.from({ length: d }, (_, r) => 5 + a.slice(r * d, r * d + d).reduce((s, v, c) => s + v * (x[c] as number), 0));
      const latents = f32([...truth.shape]);
      for (let i = 0; i < truth.data.length / d; i++) latents.data.set(moved(truth.data.subarray(i * d, i * d + d)), i * d);
      const points = readTrueFixedPoints(instance.truth.fixedPoints, d);
      const fixedPoints = fixedPointArray(
        points.map((p) => ({ location: moved(p.location), unstable: p.unstable })),
        d,
      );
      const oracle = latentDynamics.oracle(instance);
      const s = latentDynamics.score(instance, { ...oracle, latents, fixedPoints });
      expect(s.main, name).toBe(1);
      expect(s.metrics.latentR2, name).toBeCloseTo(1, 6);
      expect(s.metrics.fpRecall, name).toBe(1);
      expect(s.metrics.fpPrecision, name).toBe(1);
      expect(s.metrics.fpStability, name).toBe(1);
      // Uninformative latents: the map sends everything to the true mean, and no fixed point may count as found there.
      const noise = f32(
        [...truth.shape],
        Float32Array.from(truth.data, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1),
      );
      const junk = latentDynamics.score(instance, { ...oracle, latents: noise, fixedPoints });
      expect(junk.metrics.latentR2, name).toBeLessThan(0.1);
      expect(junk.metrics.fpRecall, name).toBe(0);
    }
  });

  it("fixed-point matching: greedy one-to-one within the tolerance, stability read as stable / saddle / unstable", () => {
    const truth = [
      { location: Float64Array.of(0, 0), unstable: 2, continuum: 0 },
      { location: Float64Array.of(1, 0), unstable: 0, continuum: 0 },
    ];
    const predicted = [
      { location: Float64Array.of(0.05, 0), unstable: 1 },
      { location: Float64Array.of(0.02, 0), unstable: 2 },
      { location: Float64Array.of(3, 3), unstable: 0 },
    ];
    const r = recoverFixedPoints(predicted, truth, 2, 0.1, 1);
    expect(r.matched).toBe(1);
    expect(r.recall).toBe(0.5);
    expect(r.precision).toBeCloseTo(1 / 3, 12);
    expect(r.positionError).toBeCloseTo(0.02, 12);
    expect(r.stabilityAgreement).toBe(1);
    expect([0, 1, 2, 3].map((k) => stabilityClass(k, 3))).toEqual(["stable", "saddle", "saddle", "unstable"]);
  });

  it("continua: one unit of recall each, by the fraction of samples covered; a point on one is correct; its marginal direction reads either way", () => {
    // An isolated unstable origin and a unit circle of 400 samples (continuum 1), stable but for the marginal direction.
    const ring = Array.from({ length: 400 }, (_, i) => ({
      location: Float64Array.of(Math.cos((2 * Math.PI * i) / 400), Math.sin((2 * Math.PI * i) / 400)),
      unstable: 0,
      continuum: 1,
    }));
    const truth = [{ location: Float64Array.of(0, 0), unstable: 2, continuum: 0 }, ...ring];
    const at = (angle: number, unstable: number, r = 1) => ({
      location: Float64Array.of(r * Math.cos(angle), r * Math.sin(angle)),
      unstable,
    });
    const tolerance = 0.1;
    // Two points on the ring (a stable one and a saddle, as a fitted model breaks a ring), one 0.05 off it, one far off.
    const predicted = [at(0, 0), at(Math.PI, 1), at(Math.PI / 2, 2, 1.05), at(0, 0, 0.5)];
    const r = recoverFixedPoints(predicted, truth, 2, tolerance, 1);
    // Each point covers the samples within 0.1: an arc of 4·asin(0.05) ≈ 0.2 rad for the on-ring ones, 0.17 rad for the
    // one 0.05 off, so ≈ 0.09 of the ring in all.
    const coveredBy = (p: { location: Float64Array }) =>
      ring.filter(
        (s) =>
          Math.hypot((s.location[0] as number) - (p.location[0] as number), (s.location[1] as number) - (p.location[1] as number)) <=
          tolerance,
      ).length;
    const coverage = predicted.slice(0, 3).reduce((n, p) => n + coveredBy(p), 0) / 400;
    expect(coverage).toBeGreaterThan(0.085);
    expect(coverage).toBeLessThan(0.1);
    expect(r.coverage).toEqual([coverage]);
    // The origin is missed (the 0.5 point is 0.5 away): recall = (0 + coverage) / 2 units, not 3 / 401 samples.
    expect(r.recall).toBeCloseTo(coverage / 2, 12);
    expect(r.precision).toBe(3 / 4);
    // Stable and saddle agree with a stable sample plus one marginal direction; "unstable" (2 of 2) does not.
    expect(r.stabilityAgreement).toBeCloseTo(2 / 3, 12);
    expect(r.positionError).toBeCloseTo((0 + 0 + 0.05) / 3, 3);
    // Forty points on one spot of the ring still cover one arc: a continuum is not worth forty isolated points.
    const piled = recoverFixedPoints(
      Array.from({ length: 40 }, () => at(1, 0)),
      truth,
      2,
      tolerance,
      1,
    );
    expect(piled.recall).toBeLessThan(0.02);
    expect(piled.precision).toBe(1);
    // Covering the whole ring and the origin is full recall.
    const full = recoverFixedPoints(
      [...Array.from({ length: 40 }, (_, i) => at((2 * Math.PI * i) / 40, 0)), at(0, 2, 0)],
      truth,
      2,
      tolerance,
      1,
    );
    expect([full.recall, full.precision, full.stabilityAgreement]).toEqual([1, 1, 1]);
  });

  it("with isolated points only, a truth with the continuum column scores exactly as version 1's truth without it", () => {
    for (const instance of dev.filter((x) => x.meta.continua === 0)) {
      const d = (instance.truth.latents as NdArray).shape[2] as number;
      const points = readTrueFixedPoints(instance.truth.fixedPoints, d);
      expect(instance.truth.fixedPoints?.shape).toEqual([points.length, d + 2]);
      expect(points.every((p) => p.continuum === 0)).toBe(true);
      // The same truth as version 1 wrote it ([p, d + 1]): read as isolated points, every score identical.
      const v1 = { ...instance, truth: { ...instance.truth, fixedPoints: fixedPointArray(points, d) } };
      // The true points moved by 0, 0.15 or 0.3 along one axis (within the tolerance of ≈ 0.18–0.26 or not), and random ones.
      const shifted = points.map((p, i) => ({
        location: p.location.map((v, c) => v + (i % d === c ? 0.15 * (i % 3) : 0)),
        unstable: (p.unstable + i) % (d + 1),
      }));
      const near = latentDynamics.score(instance, { ...latentDynamics.oracle(instance), fixedPoints: fixedPointArray(shifted, d) });
      expect(near.metrics.fpRecall).toBeGreaterThan(0);
      if (points.length >= 3) expect(near.metrics.fpRecall).toBeLessThan(1);
      for (const out of [
        { ...latentDynamics.oracle(instance), fixedPoints: fixedPointArray(shifted, d) },
        latentDynamics.random(instance, new Rng(5)),
      ]) {
        expect(latentDynamics.score(v1, out), String(instance.meta.system)).toEqual(latentDynamics.score(instance, out));
      }
    }
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

  it("ring and line attractors: the continua are exactly the zeros of the resting vector field, stable across and marginal along", () => {
    const tau = 5;
    const step = (j: number[]) => j.map((v, i) => (i % 3 === 0 ? 1 : 0) + 1e-3 * v);
    // Ring: f = (1 − r²)/τ · (x, y); Jacobian (1 − r²)/τ · I − 2/τ · (x, y)(x, y)ᵀ.
    const ring = system("ring-attractor");
    const ringField = (x: number, y: number) => [((1 - x * x - y * y) / tau) * x, ((1 - x * x - y * y) / tau) * y];
    const ringJacobian = (x: number, y: number) => {
      const g = (1 - x * x - y * y) / tau;
      return [g - (2 * x * x) / tau, (-2 * x * y) / tau, (-2 * x * y) / tau, g - (2 * y * y) / tau];
    };
    expect(ring.fixedPoints.filter((p) => p.continuum === 0).map((p) => [...p.location, p.unstable])).toEqual([[0, 0, 2]]);
    const circle = ring.fixedPoints.filter((p) => p.continuum === 1);
    expect(circle.length).toBe(360);
    for (const p of ring.fixedPoints) {
      const [x, y] = [p.location[0] as number, p.location[1] as number];
      expect(Math.hypot(...ringField(x, y))).toBeLessThan(1e-12);
      const moduli = eigenvalueModuli(step(ringJacobian(x, y)), 2);
      expect(moduli.filter((m) => m > 1 + 1e-9).length).toBe(p.unstable);
      // On the ring one direction is marginal (|λ| = 1 exactly), the other stable.
      if (p.continuum === 1) expect(moduli.some((m) => Math.abs(m - 1) < 1e-12)).toBe(true);
    }
    // Line: f = (−(x − clip(x, −1, 1))/τ_w, −y/τ): zero on y = 0, −1 ≤ x ≤ 1 and nowhere else.
    const line = system("line-attractor");
    const lineField = (x: number, y: number) => [-(x - Math.max(-1, Math.min(1, x))) / 2, -y / tau];
    const xs = line.fixedPoints.map((p) => p.location[0] as number);
    expect(line.fixedPoints.every((p) => p.continuum === 1 && p.unstable === 0 && p.location[1] === 0)).toBe(true);
    expect([Math.min(...xs), Math.max(...xs), xs.length]).toEqual([-1, 1, 201]);
    for (const x of xs) expect(Math.hypot(...lineField(x, 0))).toBe(0);
    for (const [x, y] of [
      [1.01, 0],
      [-1.01, 0],
      [0.3, 0.01],
    ])
      expect(Math.hypot(...lineField(x as number, y as number))).toBeGreaterThan(1e-3);
  });

  it("on every dev instance with a continuum, its samples are dense (spacing < tolerance / 5) and the trajectories visit all of it", () => {
    const withContinua = dev.filter((x) => (x.meta.continua as number) > 0);
    expect(withContinua.map((x) => x.meta.system).sort()).toEqual(["line-attractor", "ring-attractor"]);
    for (const instance of withContinua) {
      const latents = instance.truth.latents as NdArray;
      const tolerance = FIXED_POINT_TOLERANCE * rmsSpread(latents.data, 2);
      const samples = readTrueFixedPoints(instance.truth.fixedPoints, 2).filter((p) => p.continuum === 1);
      const gaps = samples
        .slice(1)
        .map((p, i) => Math.hypot(...p.location.map((v, c) => v - ((samples[i] as { location: Float64Array }).location[c] as number))));
      expect(Math.max(...gaps), String(instance.meta.system)).toBeLessThan(tolerance / 5);
      // The oracle's trajectories pass within the tolerance of every sample: the whole continuum is in the data.
      const visited = samples.filter((p) => {
        for (let r = 0; r < latents.data.length / 2; r++)
          if (
            Math.hypot(
              (latents.data[2 * r] as number) - (p.location[0] as number),
              (latents.data[2 * r + 1] as number) - (p.location[1] as number),
            ) <= tolerance
          )
            return true;
        return false;
      });
      expect(visited.length, String(instance.meta.system)).toBe(samples.length);
      const oracle = latentDynamics.score(instance, latentDynamics.oracle(instance)).metrics;
      expect([oracle.fpRecall, oracle.fpPrecision, oracle.fpStability]).toEqual([1, 1, 1]);
      expect(oracle.fpError).toBeCloseTo(0, 6);
    }
  });

  it("every baseline beats the trial-averaged shortcut on every dev instance; a low-dimensional readout beats smoothing each neuron", async () => {
    const mean: Record<string, number> = {};
    for (const instance of dev) {
      const shortcut = latentDynamics.score(instance, latentDynamics.floors.shortcut?.(instance, new Rng(1)) ?? {}).main;
      for (const method of [pcaLds, spikeSmoothing, polyDynamics, ldsEm]) {
        const s = latentDynamics.score(instance, await method.run(ctx(instance)));
        expect(s.main, `${method.id} on ${instance.meta.system}`).toBeGreaterThan(shortcut + 0.05);
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
