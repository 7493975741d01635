// T8 on the head-direction RNN: the exact fixed-point search (residuals, stability checked by running the network,
// the same points from another set of starts) and the instances (contract, truth in the readout's coordinates, what
// the baselines recover). Registry-wide checks (oracle, floors, chance, determinism) run in tests/conformance.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { buildArtifacts } from "../../../harness/artifacts.ts";
import { generateInstance } from "../../../harness/registry.ts";
import { type RnnWeights, readout, runRnn } from "../../../harness/relu-rnn.ts";
import { autonomousStep, findFixedPoints, fixedPointResidual, type RnnFixedPoint } from "../../../harness/relu-rnn-fixed-points.ts";
import { Rng } from "../../../harness/rng.ts";
import type { Instance, NdArray } from "../../../harness/types.ts";
import { pcaLds } from "../../../methods/pca-lds/method.ts";
import { polyDynamics } from "../../../methods/poly-dynamics/method.ts";
import { spikeSmoothing } from "../../../methods/spike-smoothing/method.ts";
import { latentDynamics, readFixedPoints } from "../../../tasks/latent-dynamics/task.ts";
import { FIXED_POINT_SEARCH, rnnFixedPoints } from "./fixed-points.ts";
import { rnnHeadDirectionDynamics } from "./latent-dynamics.ts";
import { loadRnnWeights, MOTION, rnnHeadDirectionRecipe } from "./recipe.ts";
import { simulateTrial } from "./rnn.ts";

let w: RnnWeights;
let points: RnnFixedPoint[];

beforeAll(async () => {
  // Trains the network when the artifact is missing (≈ 40 s), as the other rnn-head-direction tests do.
  await buildArtifacts([rnnHeadDirectionRecipe], { progress: false, log: () => undefined });
  w = loadRnnWeights().weights;
  points = rnnFixedPoints(w);
}, 300_000);

const distance = (a: Float64Array, b: Float64Array) => Math.hypot(...Array.from(a, (v, i) => v - (b[i] as number)));
const angleOf = (p: RnnFixedPoint) => {
  const y = readout(w, p.state, 1);
  return Math.atan2(y[1] as number, y[0] as number);
};

describe("rnn-head-direction fixed points (zero input)", () => {
  it("finds 20 exact fixed points, 10 stable and 10 saddles alternating around the ring, far from |λ| = 1", () => {
    expect(points.length).toBe(20);
    for (const p of points) {
      expect(fixedPointResidual(w, p.state)).toBeLessThan(1e-9);
      expect([0, 1]).toContain(p.unstable);
      expect(p.margin).toBeGreaterThan(0.004);
      expect(p.unstable === 0 ? p.radius < 1 : p.radius > 1).toBe(true);
    }
    expect(points.filter((p) => p.unstable === 0).length).toBe(10);
    // Sorted by the readout's heading, the classes alternate: between two attractors of the ring lies a saddle.
    const classes = [...points].sort((a, b) => angleOf(a) - angleOf(b)).map((p) => p.unstable);
    classes.forEach((c, i) => {
      expect(c).not.toBe(classes[(i + 1) % classes.length]);
    });
  });

  it("classifies stability as the network's own dynamics do: perturbations decay at stable points and grow at saddles", () => {
    const rng = new Rng(11);
    for (const p of points) {
      const start = Float64Array.from(p.state, (v) => (v > 0 ? v + 1e-6 * rng.normal() : v));
      let h: Float64Array = start;
      let farthest = 0;
      for (let t = 0; t < 3000; t++) {
        h = autonomousStep(w, h);
        farthest = Math.max(farthest, distance(h, p.state));
      }
      const initial = distance(start, p.state);
      if (p.unstable === 0) expect(distance(h, p.state)).toBeLessThan(initial);
      else expect(farthest).toBeGreaterThan(100 * initial);
    }
  });

  it("finds only these points from another set of starts (other trials, settled and turning states)", () => {
    const rng = new Rng(2026);
    const H = w.hidden;
    const rows = 300;
    const starts = new Float64Array(rows * H);
    for (let r = 0; r < rows; r++) {
      const trial = simulateTrial(rng, MOTION, 20 + rng.int(60), { restSteps: rng.int(2) * 30 });
      starts.set(runRnn(w, trial.inputs, trial.steps).subarray((trial.steps - 1) * H, trial.steps * H), r * H);
    }
    const again = findFixedPoints(w, starts, rows, FIXED_POINT_SEARCH);
    expect(again.length).toBeGreaterThan(10);
    for (const p of again) {
      const same = points.find((q) => distance(q.state, p.state) < 1e-8);
      expect(same?.unstable).toBe(p.unstable);
    }
  });
});

describe("rnn-head-direction latent-dynamics instances", () => {
  const dev = () =>
    Array.from({ length: rnnHeadDirectionDynamics.sizes.dev }, (_, i) => generateInstance(rnnHeadDirectionDynamics, "dev", i));

  it("give the contract's inputs and truth: fixed points in the readout's coordinates, latents the network's readout", () => {
    for (const instance of dev()) {
      const spikes = instance.inputs.spikes as NdArray;
      const heldoutTrain = instance.inputs.heldoutTrain as NdArray;
      const latents = instance.truth.latents as NdArray;
      expect(spikes.shape.slice(0, 2)).toEqual([30, 60]);
      expect(heldoutTrain.shape).toEqual([22, 60, 8]);
      expect((instance.truth.heldoutTest as NdArray).shape).toEqual([8, 60, 8]);
      expect(latents.shape).toEqual([30, 60, 2]);
      expect(instance.params).toEqual({ latentDim: 2, dt: 0.02 });
      const truth = readFixedPoints(instance.truth.fixedPoints, 2);
      expect(truth.length).toBe(20);
      truth.forEach((p, i) => {
        const y = readout(w, (points[i] as RnnFixedPoint).state, 1);
        expect(p.location[0]).toBeCloseTo(y[0] as number, 5);
        expect(p.location[1]).toBeCloseTo(y[1] as number, 5);
        expect(p.unstable).toBe((points[i] as RnnFixedPoint).unstable);
      });
      // The readout is the heading estimate: the latents lie near the unit circle.
      let radius = 0;
      for (let i = 0; i < latents.data.length; i += 2) radius += Math.hypot(latents.data[i] as number, latents.data[i + 1] as number);
      expect(radius / (latents.data.length / 2)).toBeCloseTo(1, 0);
    }
  });

  it("pca-lds recovers the readout up to an affine map and beats smoothing single neurons on co-smoothing", async () => {
    for (const instance of dev() as Instance[]) {
      const ctx = {
        task: latentDynamics.id,
        params: instance.params,
        inputs: instance.inputs,
        outputShapes: latentDynamics.outputShapes(instance),
        seed: 1,
      };
      const linear = latentDynamics.score(instance, await pcaLds.run(ctx));
      const smoothing = latentDynamics.score(instance, await spikeSmoothing.run(ctx));
      const poly = latentDynamics.score(instance, await polyDynamics.run(ctx));
      expect(linear.metrics.latentR2).toBeGreaterThan(0.75);
      expect(linear.main).toBeGreaterThan(smoothing.main);
      // One fixed point of a linear model cannot match a ring of 20 (recall ≤ 1/20).
      expect(linear.metrics.fpRecall).toBeLessThanOrEqual(0.05);
      expect(poly.metrics.fpRecall).toBeLessThan(0.5);
    }
  });
});
