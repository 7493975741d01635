// rnn-flip-flop: the trained network solves the 3-bit flip-flop; its exact fixed points without input are the eight
// memories and the saddles between them (residuals, classes confirmed by running the network, the index-1 saddles
// joining memories one bit apart); the T8 instances (contract, determinism, truth in the readout's coordinates).
// Registry-wide checks (oracle, floors, chance, determinism) run in tests/conformance*.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { buildArtifacts } from "../../../harness/artifacts.ts";
import { hashArrays } from "../../../harness/ndarray.ts";
import { generateInstance } from "../../../harness/registry.ts";
import { type RnnWeights, readout } from "../../../harness/relu-rnn.ts";
import { autonomousStep, fixedPointResidual, type RnnFixedPoint } from "../../../harness/relu-rnn-fixed-points.ts";
import { Rng } from "../../../harness/rng.ts";
import type { Instance, NdArray } from "../../../harness/types.ts";
import { pcaLds } from "../../../methods/pca-lds/method.ts";
import { spikeSmoothing } from "../../../methods/spike-smoothing/method.ts";
import { latentDynamics, readFixedPoints } from "../../../tasks/latent-dynamics/task.ts";
import { rnnFixedPoints } from "./fixed-points.ts";
import { BITS } from "./flip-flop.ts";
import { rnnFlipFlopDynamics } from "./latent-dynamics.ts";
import { flipFlopAccuracy, loadFlipFlopRnn, rnnFlipFlopRecipe } from "./recipe.ts";

/** sha256 of dev instance 0's inputs and truth: generation must give these bytes in every process. */
const DEV0_HASH =
  "ffb0d40c7413e7234267b2e827d5e7790fe51f583e6c68fa1955d7f76a5fd65b:022ed91ee5c36cb5215eb2d4db975cd89d17501057f63f23adb525868f93850c";

let w: RnnWeights;
let points: RnnFixedPoint[];
let dev: Instance[];

beforeAll(async () => {
  // Trains the network when the artifact is missing (≈ 3 core-seconds); the global setup has normally built it.
  await buildArtifacts([rnnFlipFlopRecipe], { progress: false, log: () => undefined });
  w = loadFlipFlopRnn().weights;
  points = rnnFixedPoints(w);
  dev = Array.from({ length: rnnFlipFlopDynamics.sizes.dev }, (_, i) => generateInstance(rnnFlipFlopDynamics, "dev", i));
}, 300_000);

const distance = (a: Float64Array, b: Float64Array) => Math.hypot(...Array.from(a, (v, i) => v - (b[i] as number)));
/** The bits a state's readout holds, as a string of signs. */
const bitsOf = (h: Float64Array) => Array.from(readout(w, h, 1), (y) => (y > 0 ? "+" : "-")).join("");

describe("rnn-flip-flop network", () => {
  it("solves the 3-bit flip-flop: ≥ 99 % of bits right on fresh trials four times the training length", () => {
    const perf = loadFlipFlopRnn().metadata.performance as { bitAccuracy: number; bitAccuracy4x: number };
    // Recorded at build time on 200 held-out trials (measured 1.000 of bits and of steps, at 40 and 160 steps).
    expect(perf.bitAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(perf.bitAccuracy4x).toBeGreaterThanOrEqual(0.99);
    const fresh = flipFlopAccuracy(w, new Rng(20261203), 50, 160);
    expect(fresh.bits).toBeGreaterThanOrEqual(0.99);
    expect(fresh.steps).toBeGreaterThanOrEqual(0.97);
  });
});

describe("rnn-flip-flop fixed points (zero input)", () => {
  it("finds 27 exact, distinct fixed points: 8 stable (one per memory), 12 + 6 saddles and 1 unstable point, far from |λ| = 1", () => {
    const byClass = [0, 1, 2, 3].map((u) => points.filter((p) => p.unstable === u).length);
    expect(byClass).toEqual([8, 12, 6, 1]);
    for (const p of points) {
      expect(fixedPointResidual(w, p.state)).toBeLessThan(1e-9);
      expect(p.margin).toBeGreaterThan(0.04);
      expect(p.unstable === 0 ? p.radius < 1 : p.radius > 1).toBe(true);
    }
    // The stable points are the eight memories: every sign pattern once, the readout within 0.1 of ±1.
    const stable = points.filter((p) => p.unstable === 0);
    expect(new Set(stable.map((p) => bitsOf(p.state))).size).toBe(8);
    for (const p of stable) for (const y of readout(w, p.state, 1)) expect(Math.abs(Math.abs(y) - 1)).toBeLessThan(0.1);
    // Distinct in the truth's coordinates (the readout), not only in the 32-D state.
    const ys = points.map((p) => readout(w, p.state, 1));
    for (let i = 0; i < ys.length; i++)
      for (let j = i + 1; j < ys.length; j++) expect(distance(ys[i] as Float64Array, ys[j] as Float64Array)).toBeGreaterThan(0.15);
  });

  it("classifies stability as the network's own dynamics do, and each index-1 saddle joins two memories one bit apart", () => {
    const rng = new Rng(11);
    const stable = points.filter((p) => p.unstable === 0);
    const settle = (start: Float64Array, steps: number) => {
      let h = start;
      for (let t = 0; t < steps; t++) h = autonomousStep(w, h);
      return h;
    };
    const memoryOf = (h: Float64Array) => stable.find((s) => distance(s.state, h) < 1e-6);
    const edges = new Set<string>();
    for (const p of points) {
      const kicks = p.unstable === 1 ? 12 : 1;
      const reached = new Set<string>();
      for (let k = 0; k < kicks; k++) {
        const start = Float64Array.from(p.state, (v) => (v > 0 ? v + 1e-4 * rng.normal() : v));
        const end = settle(start, 400);
        if (p.unstable === 0) expect(distance(end, p.state)).toBeLessThan(1e-6);
        else expect(distance(end, p.state)).toBeGreaterThan(100 * distance(start, p.state));
        const memory = memoryOf(end);
        if (p.unstable === 1) {
          expect(memory, "a kick off an index-1 saddle ends at a memory").toBeDefined();
          reached.add(bitsOf((memory as RnnFixedPoint).state));
        }
      }
      if (p.unstable === 1) {
        const [a, b] = [...reached] as [string, string];
        expect(reached.size).toBe(2);
        expect([...a].filter((c, i) => c !== b[i]).length).toBe(1);
        edges.add([a, b].sort().join("|"));
      }
    }
    // The twelve edges of the cube of memories, each once.
    expect(edges.size).toBe(12);
  });
});

describe("rnn-flip-flop latent-dynamics instances", () => {
  it("are deterministic and give the recorded bytes", () => {
    const again = generateInstance(rnnFlipFlopDynamics, "dev", 0);
    const hash = `${hashArrays(again.inputs)}:${hashArrays(again.truth)}`;
    expect(hash).toBe(`${hashArrays(dev[0]?.inputs ?? {})}:${hashArrays(dev[0]?.truth ?? {})}`);
    expect(hash).toBe(DEV0_HASH);
  });

  it("give the contract's inputs and truth: the readout as latents, the 27 fixed points in its coordinates", () => {
    for (const instance of dev) {
      const latents = instance.truth.latents as NdArray;
      expect(instance.params).toEqual({ latentDim: BITS, dt: 0.02 });
      expect((instance.inputs.spikes as NdArray).shape).toEqual([30, 60, 23]);
      expect((instance.inputs.heldoutTrain as NdArray).shape).toEqual([22, 60, 8]);
      expect((instance.truth.heldoutTest as NdArray).shape).toEqual([8, 60, 8]);
      expect(latents.shape).toEqual([30, 60, BITS]);
      const truth = readFixedPoints(instance.truth.fixedPoints, BITS);
      expect(truth.length).toBe(27);
      truth.forEach((p, i) => {
        const y = readout(w, (points[i] as RnnFixedPoint).state, 1);
        for (let c = 0; c < BITS; c++) expect(p.location[c]).toBeCloseTo(y[c] as number, 5);
        expect(p.unstable).toBe((points[i] as RnnFixedPoint).unstable);
      });
      // The readout holds the bits: nearly every latent coordinate is within 0.2 of ±1.
      const held = latents.data.filter((v) => Math.abs(Math.abs(v) - 1) < 0.2).length;
      expect(held / latents.data.length).toBeGreaterThan(0.95);
    }
  });

  it("pca-lds recovers the readout up to an affine map and beats smoothing single neurons on co-smoothing", async () => {
    for (const instance of dev) {
      const ctx = {
        task: latentDynamics.id,
        params: instance.params,
        inputs: instance.inputs,
        outputShapes: latentDynamics.outputShapes(instance),
        seed: 1,
      };
      const linear = latentDynamics.score(instance, await pcaLds.run(ctx));
      const smoothing = latentDynamics.score(instance, await spikeSmoothing.run(ctx));
      expect(linear.metrics.latentR2).toBeGreaterThan(0.6);
      expect(linear.main).toBeGreaterThan(smoothing.main);
      // One fixed point of a linear model cannot match 27.
      expect(linear.metrics.fpRecall).toBeLessThanOrEqual(1 / 27);
    }
  });
});
