// rnn-dynamics: the fixed-point finder against a tanh network whose fixed points and their stability are known in
// closed form, and what the fitted RNN recovers on T8's dev instances (determinism and tensor hygiene included).
import { describe, expect, it } from "vitest";
import { dynamicalSystems } from "../../datasets/synthetic/dynamical-systems/dataset.ts";
import { hashArrays } from "../../harness/ndarray.ts";
import { generateInstance } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import type { Instance, NdArray } from "../../harness/types.ts";
import { latentDynamics } from "../../tasks/latent-dynamics/task.ts";
import { polyDynamics } from "../poly-dynamics/method.ts";
import { rnnDynamics } from "./method.ts";
import { findFixedPoints, type LatentRnn, rnnJacobian } from "./rnn.ts";

/**
 * A flip-flop built from six tanh units: along each axis q_c of a rotation Q the increment is
 * g(u) = −a tanh(u) + b tanh(2u) with b = a tanh(1) / tanh(2), an odd function whose zeros are exactly −1, 0 and 1
 * (g(1) = −a tanh 1 + a tanh 1 = 0). So the fixed points are Q v for v ∈ {−1, 0, 1}³, and the map's Jacobian there
 * has the eigenvalues 1 + g′(v_c): 1 − a + 2b > 1 on a zero coordinate (unstable), 1 − a sech²1 + 2b sech²2 ∈ (0, 1)
 * on ±1 (stable). The unstable directions of Q v are its zero coordinates.
 */
/** The network, and Q's rows (the axes) to place the expected points. */
function flipFlopNetwork(a: number): LatentRnn & { q: number[] } {
  const d = 3;
  const b = (a * Math.tanh(1)) / Math.tanh(2);
  // A rotation, so that the Jacobian is not diagonal in the coordinates the finder sees.
  const [s, c] = [Math.sin(0.7), Math.cos(0.7)];
  const q = [c, -s, 0, s * c, c * c, -s, s * s, c * s, c]; // rows are the axes q_c (orthonormal)
  const hidden = 2 * d;
  const w1 = new Float64Array(d * hidden);
  const w2 = new Float64Array(hidden * d);
  for (let axis = 0; axis < d; axis++)
    for (let k = 0; k < d; k++) {
      const qk = q[axis * d + k] as number;
      w1[k * hidden + 2 * axis] = qk; // unit 2·axis: tanh(q_axis · z)
      w1[k * hidden + 2 * axis + 1] = 2 * qk; // unit 2·axis + 1: tanh(2 q_axis · z)
      w2[2 * axis * d + k] = -a * qk;
      w2[(2 * axis + 1) * d + k] = b * qk;
    }
  return { d, hidden, w1, b1: new Float64Array(hidden), w2, b2: new Float64Array(d), q };
}

describe("fixed-point finder", () => {
  it("finds exactly the 27 fixed points of a hand-built tanh flip-flop, with their stability, and leaves no tensor behind", async () => {
    const { tf } = await initTf();
    const net = flipFlopNetwork(0.5);
    const rng = new Rng(7);
    const starts = Float64Array.from({ length: 300 * 3 }, () => (2 * rng.uniform() - 1) * 1.4);
    const before = tf.memory().numTensors;
    const found = findFixedPoints(tf, net, starts, {
      steps: 20,
      learningRate: 0.05,
      newtonIterations: 30,
      residual: 1e-10,
      deduplicate: 0.1,
      inside: (z) => z.every((v) => Math.abs(v) < 2),
    });
    expect(tf.memory().numTensors).toBe(before);
    const expected: { location: number[]; unstable: number }[] = [];
    for (const x of [-1, 0, 1])
      for (const y of [-1, 0, 1])
        for (const z of [-1, 0, 1]) {
          const v = [x, y, z];
          // Q v = Σ_c v_c q_c.
          const location = [0, 1, 2].map((k) => v.reduce((sum, vc, axis) => sum + vc * (net.q[axis * 3 + k] as number), 0));
          expected.push({ location, unstable: v.filter((e) => e === 0).length });
        }
    expect(found.length).toBe(27);
    const unmatched = [...expected];
    for (const p of found) {
      const i = unmatched.findIndex((e) => Math.hypot(...e.location.map((v, k) => v - (p.location[k] as number))) < 1e-9);
      expect(i, `found ${Array.from(p.location)}`).toBeGreaterThanOrEqual(0);
      expect(p.unstable).toBe(unmatched[i]?.unstable);
      unmatched.splice(i, 1);
    }
    expect(unmatched).toEqual([]);
    // The Jacobian at a corner against its closed form: eigenvalues 1 + g′(±1) (all three equal, so J = λ I).
    const b = (0.5 * Math.tanh(1)) / Math.tanh(2);
    const lambda = 1 - 0.5 / Math.cosh(1) ** 2 + (2 * b) / Math.cosh(2) ** 2;
    const corner = expected.find((e) => e.unstable === 0)?.location as number[];
    expect(Array.from(rnnJacobian(net, corner))).toEqual([lambda, 0, 0, 0, lambda, 0, 0, 0, lambda].map((v) => expect.closeTo(v, 12)));
  });
});

describe("rnn-dynamics on dynamical-systems (dev)", () => {
  const dev: Instance[] = Array.from({ length: dynamicalSystems.sizes.dev }, (_, i) => generateInstance(dynamicalSystems, "dev", i));
  const ctx = (instance: Instance) => ({
    task: latentDynamics.id,
    params: instance.params,
    inputs: instance.inputs,
    outputShapes: latentDynamics.outputShapes(instance),
    seed: 1,
  });

  it("finds the limit cycle's focus alone and calls it unstable (poly-dynamics adds spurious zeros); same outputs twice; every tensor disposed", async () => {
    const { tf } = await initTf();
    const cycles = dev.filter((x) => x.meta.system === "limit-cycle");
    expect(cycles.length).toBeGreaterThan(0);
    for (const instance of cycles) {
      const before = tf.memory().numTensors;
      const first = await rnnDynamics.run(ctx(instance));
      expect(tf.memory().numTensors).toBe(before);
      const second = await rnnDynamics.run(ctx(instance));
      expect(hashArrays({ fixedPoints: second.fixedPoints as NdArray, latents: second.latents as NdArray })).toBe(
        hashArrays({ fixedPoints: first.fixedPoints as NdArray, latents: first.latents as NdArray }),
      );
      const s = latentDynamics.score(instance, first).metrics;
      expect(s.fpRecall).toBe(1);
      expect(s.fpPrecision).toBe(1);
      expect(s.fpStability).toBe(1);
      // The polynomial's extra zeros inside the data's range (dev: precision 0.33; official 0.46).
      expect(latentDynamics.score(instance, await polyDynamics.run(ctx(instance))).metrics.fpPrecision).toBeLessThan(0.6);
    }
  });
});
