// T7 manifold-capacity: the score, chance level and floors; the mean-field theory against its known limits and the
// ball formula; the separability test and F(T) against scipy (pinned fixture, and a live run when python3 has scipy);
// Cover's α = 2 and the mean-field truth of generated instances against the empirical (simulated) capacity.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { forwardLayers, trainedNetworks } from "../../datasets/artificial/mnist-mlp/recipe.ts";
import { capacityManifolds } from "../../datasets/synthetic/capacity-manifolds/dataset.ts";
import { f32 } from "../../harness/ndarray.ts";
import { generateInstance, getMethod } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { Instance } from "../../harness/types.ts";
import { validateOutputs } from "../../harness/validate.ts";
import { runMethod } from "../../tests/helpers/floor-checks.ts";
import { expectedRandomScore } from "./chance.ts";
import { embedShapes, meanFieldOfShapes, sampleShape } from "./generate.ts";
import { nnlsGram } from "./nnls.ts";
import { empiricalCapacity, separable } from "./separability.ts";
import {
  bestConstantCapacity,
  capacityBounds,
  capacityTruth,
  logRatioScore,
  manifoldCapacity,
  manifoldShape,
  trueCapacity,
} from "./task.ts";
import { ballCapacity, combineMeanField, meanFieldSums } from "./theory.ts";

function instanceWith(capacity: number, M = 8): Instance {
  return {
    key: "t/dev/0",
    index: 0,
    seed: 1,
    params: {},
    inputs: { manifolds: f32([4, M, 10]) },
    truth: capacityTruth(capacity, 0.5, 3),
    meta: {},
  };
}

describe("manifold-capacity scoring", () => {
  it("is 1 at the truth and falls linearly in |log2 ratio| to 0 at a factor of 2 either way", () => {
    const inst = instanceWith(0.8);
    const score = (c: number) => manifoldCapacity.score(inst, { result: { capacity: c } });
    expect(score(0.8).main).toBeCloseTo(1, 6);
    expect(score(1.6).main).toBeCloseTo(0, 6);
    expect(score(0.4).main).toBeCloseTo(0, 6);
    expect(score(0.8 * Math.SQRT2).main).toBeCloseTo(0.5, 6);
    expect(score(0.8 / Math.SQRT2).main).toBeCloseTo(0.5, 6);
    expect(score(-1).main).toBe(0);
    expect(score(1).metrics["relative-error"]).toBeCloseTo(0.25, 6);
    // Radius and dimension count as metrics only when reported.
    expect(score(1).metrics["radius-score"]).toBeUndefined();
    const full = manifoldCapacity.score(inst, { result: { capacity: 0.8, radius: 1, dimension: 3 } });
    expect(full.metrics["radius-score"]).toBeCloseTo(0, 6);
    expect(full.metrics["dimension-score"]).toBeCloseTo(1, 6);
  });

  it("validates outputs and reads the oracle off the truth", () => {
    const inst = instanceWith(0.7);
    expect(validateOutputs(manifoldCapacity, inst, { result: { capacity: 0.5 } })).toEqual({ ok: true });
    expect(validateOutputs(manifoldCapacity, inst, { result: {} }).ok).toBe(false);
    expect(validateOutputs(manifoldCapacity, inst, { result: { capacity: Number.POSITIVE_INFINITY } }).ok).toBe(false);
    expect(() => manifoldCapacity.score(inst, { result: { capacity: [1] } })).toThrow(/finite number/);
    const oracle = manifoldCapacity.oracle(inst);
    expect(manifoldCapacity.score(inst, oracle).main).toBeCloseTo(1, 6);
    expect(manifoldShape(inst)).toEqual([4, 8, 10]);
  });

  it("finds the best constant exactly (kinks of the mean score at α*, α*/2, 2α*)", () => {
    const truths = [0.3, 0.45, 0.7, 1.1, 1.6, 1.9];
    const best = bestConstantCapacity(truths);
    const mean = (c: number) => truths.reduce((s, t) => s + logRatioScore(c, t), 0) / truths.length;
    for (let x = -3; x <= 2; x += 0.01) expect(mean(2 ** x)).toBeLessThanOrEqual(mean(best) + 1e-12);
    expect(bestConstantCapacity([2, 2, 0.5])).toBe(2);
  });

  it("the shortcut is the point count 2/M", () => {
    expect(manifoldCapacity.floors.shortcut?.(instanceWith(1, 10), new Rng(1))).toEqual({ result: { capacity: 0.2 } });
  });
});

describe("manifold-capacity chance level", () => {
  it("matches Monte Carlo of the random reference", () => {
    const rng = new Rng(5);
    for (const [truth, M] of [
      [0.4, 8],
      [1.5, 6],
      [1.99, 10],
    ] as const) {
      const inst = instanceWith(truth, M);
      const trials = 20000;
      let total = 0;
      for (let t = 0; t < trials; t++) total += manifoldCapacity.score(inst, manifoldCapacity.random(inst, rng)).main;
      const [lo, hi] = capacityBounds(M);
      // Scores lie in [0, 1]: the standard error is at most 0.5/√trials.
      expect(Math.abs(total / trials - expectedRandomScore(truth, lo, hi))).toBeLessThan(4 * (0.5 / Math.sqrt(trials)));
    }
  });
});

describe("mean-field theory", () => {
  it("the ball formula has Cover's 2 at R → 0 and the subspace's 1/(D + ½) at R → ∞", () => {
    expect(ballCapacity(1e-6, 3)).toBeCloseTo(2, 3);
    for (const D of [1, 3, 6]) expect(ballCapacity(1e4, D)).toBeCloseTo(1 / (D + 0.5), 3);
    // α(R = 1, D = 2) = 2/3 exactly: at R = 1 the middle regime is symmetric.
    expect(ballCapacity(1, 2)).toBeCloseTo(2 / 3, 5);
  });

  it("the sampled F(T) of a single point gives α = 2, and of a dense circle the ball formula", () => {
    const rng = new Rng(11);
    expect(Math.abs(combineMeanField([meanFieldSums(Float64Array.from([1, 0]), 1, 2, rng, 4000)]).capacity - 2)).toBeLessThan(1e-9);
    for (const R of [0.5, 1.5]) {
      const M = 48;
      const pts = new Float64Array(M * 3);
      for (let i = 0; i < M; i++) {
        pts[i * 3] = 1;
        pts[i * 3 + 1] = R * Math.cos((2 * Math.PI * i) / M);
        pts[i * 3 + 2] = R * Math.sin((2 * Math.PI * i) / M);
      }
      const mf = combineMeanField([meanFieldSums(pts, M, 3, rng, 4000)]);
      expect(Math.abs(mf.capacity / ballCapacity(R, 2) - 1)).toBeLessThan(0.03);
      // The anchor points lie on the circle where it touches the solution and inside it (convex combinations) where
      // the whole circle is embedded in the margin: R_M is just under R; they align with t (dimension D = 2).
      expect(mf.radius).toBeLessThanOrEqual(R * 1.001);
      expect(mf.radius).toBeGreaterThan(0.9 * R);
      expect(Math.abs(mf.dimension - 2)).toBeLessThan(0.1);
    }
  });
});

// The Python peer: scipy's HiGHS linear program for separability, scipy's NNLS for F(T).
const FIXTURE = JSON.parse(readFileSync(path.join(import.meta.dirname, "capacity.scipy.json"), "utf8")) as {
  separability: { n: number; d: number; z: number[]; separable: boolean }[];
  meanField: { m: number; k: number; points: number[]; t: number[]; F: number[] }[];
};
const HAVE_SCIPY = spawnSync("python3", ["-c", "import scipy.optimize, numpy"], { stdio: "ignore" }).status === 0;

describe("against scipy (capacity.scipy.json)", () => {
  it("the separability test agrees with scipy's linprog on every case, with a positive margin when separable", () => {
    for (const c of FIXTURE.separability) {
      const r = separable(Float64Array.from(c.z), c.n, c.d);
      expect(r.separable, `n=${c.n} d=${c.d}`).toBe(c.separable);
      if (r.separable) expect(r.margin).toBeGreaterThan(0);
    }
    expect(FIXTURE.separability.filter((c) => c.separable).length).toBeGreaterThan(2);
    expect(FIXTURE.separability.filter((c) => !c.separable).length).toBeGreaterThan(2);
  });

  it("F(T) agrees with scipy's nnls to 1e-9", () => {
    for (const c of FIXTURE.meanField) {
      const { m, k } = c;
      const pts = Float64Array.from(c.points);
      const column = (j: number) =>
        Float64Array.from({ length: m }, (_, i) => {
          let s = 0;
          for (let a = 0; a < k; a++) s += (pts[i * k + a] as number) * (pts[j * k + a] as number);
          return s;
        });
      c.F.forEach((expected, s) => {
        const t = c.t.slice(s * k, (s + 1) * k);
        const atb = Float64Array.from({ length: m }, (_, i) => -t.reduce((acc, v, a) => acc + v * (pts[i * k + a] as number), 0));
        const lambda = nnlsGram(column, atb, m);
        let f = 0;
        for (let a = 0; a < k; a++) {
          let v = 0;
          for (let i = 0; i < m; i++) v += (lambda[i] as number) * (pts[i * k + a] as number);
          f += v * v;
        }
        expect(Math.abs(f - expected)).toBeLessThan(1e-9 * Math.max(1, expected));
      });
    }
  });

  it.runIf(HAVE_SCIPY)("the fixture is what scipy computes (live run of capacity.scipy.py)", () => {
    const out = execFileSync("python3", [path.join(import.meta.dirname, "capacity.scipy.py")]).toString();
    const live = JSON.parse(out) as typeof FIXTURE;
    expect(live.separability.map((c) => c.separable)).toEqual(FIXTURE.separability.map((c) => c.separable));
    live.meanField.forEach((c, i) => {
      for (const [s, f] of c.F.entries()) expect(Math.abs(f - (FIXTURE.meanField[i]?.F[s] as number))).toBeLessThan(1e-12);
    });
  });
});

describe("empirical capacity", () => {
  it("points in general position: α = 2 (Cover 1965) at any N", () => {
    const rng = new Rng(3);
    const P = 20;
    const N = 24;
    const x = Float64Array.from({ length: P * N }, () => rng.normal());
    const curve = empiricalCapacity(x, P, 1, N, rng, 300);
    expect(Math.abs(curve.capacity - 2)).toBeLessThan(0.12);
  });

  it("the mean-field truth of generated manifolds matches their simulated capacity (within 12 %)", () => {
    // Two regimes far apart: small Gaussian clouds (α near Cover's 2) and large spheres (α well below 1).
    const rng = new Rng(17);
    for (const spec of [
      { kind: "gaussian" as const, dimension: 3, radius: 0.25, decay: 1 },
      { kind: "sphere" as const, dimension: 4, radius: 1.2, decay: 0 },
    ]) {
      const P = 14;
      const M = 8;
      const N = 72;
      const shapes = Array.from({ length: P }, () => sampleShape(rng, spec, M));
      const truth = meanFieldOfShapes(rng, shapes, M, spec.dimension, 600).capacity;
      const x = embedShapes(rng, shapes, M, spec.dimension, N);
      const sim = empiricalCapacity(x.data, P, M, N, rng, 60, Math.round(P / truth)).capacity;
      console.log(`${spec.kind} D=${spec.dimension} R=${spec.radius}: mean-field ${truth.toFixed(3)}, simulated ${sim.toFixed(3)}`);
      expect(Math.abs(sim / truth - 1)).toBeLessThan(0.12);
    }
  });
});

describe("dataset capacity-manifolds", () => {
  const dev = Array.from({ length: capacityManifolds.sizes.dev }, (_, i) => generateInstance(capacityManifolds, "dev", i));

  it("scores the oracle at 1 and random near its analytic chance level; truths spread over more than a factor of 2", async () => {
    const oracle = getMethod("oracle");
    const random = getMethod("random");
    let expected = 0;
    let got = 0;
    for (const inst of dev) {
      expect((await evaluateInstance(oracle, manifoldCapacity, inst)).score).toBeCloseTo(1, 6);
      got += (await evaluateInstance(random, manifoldCapacity, inst)).score as number;
      const [lo, hi] = capacityBounds(manifoldShape(inst)[1]);
      expected += expectedRandomScore(trueCapacity(inst), lo, hi);
    }
    // Each instance's random score is a mean of 8 draws in [0, 1]: its standard deviation is at most 0.5/√8.
    expect(Math.abs(got - expected) / dev.length).toBeLessThan((3 * 0.5) / Math.sqrt(8 * dev.length));
    const truths = dev.map(trueCapacity);
    expect(Math.max(...truths) / Math.min(...truths)).toBeGreaterThan(2);
    for (const t of truths) expect(t).toBeLessThanOrEqual(2.05);
  });

  it("MFTMA beats the PCA heuristic and the best constant on dev", async () => {
    const mean = async (id: string) => {
      let s = 0;
      for (const inst of dev) s += manifoldCapacity.score(inst, await runMethod(id, inst)).main;
      return s / dev.length;
    };
    const constant =
      dev.reduce(
        (s, i) =>
          s +
          manifoldCapacity.score(
            i,
            manifoldCapacity.floors.bestConstant(
              dev.map((x) => x.truth),
              i,
            ),
          ).main,
        0,
      ) / dev.length;
    const mftma = await mean("mftma");
    const pca = await mean("capacity-pca");
    console.log(`capacity-manifolds dev: mftma ${mftma.toFixed(3)}, capacity-pca ${pca.toFixed(3)}, constant ${constant.toFixed(3)}`);
    expect(mftma).toBeGreaterThan(0.9);
    expect(mftma).toBeGreaterThan(pca);
    expect(pca).toBeGreaterThan(constant);
  });
});

// SCIENTIFIC CHECK (Cohen et al. 2020): the capacity of class manifolds rises with depth in a trained network. The
// trained MNIST MLP of `mnist-mlp` (784-64×5-10, held-out accuracy 95–96 %): 8 held-out digits per class (P = 10,
// M = 8) at each hidden layer, centred by their global mean. Measured (network 0): simulated α 0.43, 0.48, 0.66, 0.73,
// 0.92 at layers 1–5; MFTMA 0.40 → 0.83 (0.55 → 0.92 before mftma 1.1.0 removed the centre correlations).
describe("scientific check: class-manifold capacity rises with depth in a trained MNIST MLP", () => {
  const M = 8;
  const manifoldsAt = (layer: number) => {
    const trained = trainedNetworks();
    const rng = new Rng(2020);
    const rows: number[] = [];
    for (let c = 0; c < 10; c++) {
      const members = [...trained.labels.keys()].filter((i) => trained.labels[i] === c);
      const order = rng.permutation(members.length);
      for (let k = 0; k < M; k++) rows.push(members[order[k] as number] as number);
    }
    const act = forwardLayers(trained.nets[0] ?? [], trained.images, rows, layer - 1)[layer - 1] as Float32Array;
    const N = act.length / rows.length;
    const mean = new Float64Array(N);
    for (let s = 0; s < rows.length; s++)
      for (let j = 0; j < N; j++) mean[j] = (mean[j] as number) + (act[s * N + j] as number) / rows.length;
    return f32(
      [10, M, N],
      Float64Array.from(act, (v, i) => v - (mean[i % N] as number)),
    );
  };

  it("MFTMA's and the PCA heuristic's capacity rise layer by layer, and the simulated capacity from layer 1 to layer 5", async () => {
    const estimates: Record<string, number[]> = { mftma: [], "capacity-pca": [] };
    const layers = [1, 2, 3, 4, 5].map(manifoldsAt);
    for (const id of Object.keys(estimates)) {
      for (const manifolds of layers) {
        const out = await getMethod(id).run({ task: "manifold-capacity", params: {}, inputs: { manifolds }, outputShapes: {}, seed: 7 });
        estimates[id]?.push((out.result as { capacity: number }).capacity);
      }
    }
    const simulated = [layers[0], layers[4]].map((m) => {
      const [P, , N] = (m as { shape: number[] }).shape as [number, number, number];
      return empiricalCapacity((m as { data: Float32Array }).data, P, M, N, new Rng(5), 32, 12).capacity;
    });
    console.log(
      `mnist-mlp net 0, layers 1–5: mftma ${estimates.mftma?.map((v) => v.toFixed(2)).join(" ")}; capacity-pca ${estimates["capacity-pca"]?.map((v) => v.toFixed(2)).join(" ")}; simulated layer 1 ${simulated[0]?.toFixed(2)}, layer 5 ${simulated[1]?.toFixed(2)}`,
    );
    for (const values of Object.values(estimates))
      for (let l = 1; l < values.length; l++) expect(values[l]).toBeGreaterThan(values[l - 1] as number);
    expect(simulated[1] as number).toBeGreaterThan(1.5 * (simulated[0] as number));
  });
});
