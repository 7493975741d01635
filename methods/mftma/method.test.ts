// mftma's centre-correlation removal (Cohen et al. 2020; centre-correlations.ts): the residual-correlation cost and its
// gradient against the reference's formulas restated in numpy, the per-rank minima against scipy's, the planted rank
// recovered, and the capacity of independent spheres recovered under a shared low-rank centre component that the
// plain mean-field estimate (version 1.0.0) is fooled by.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { orthonormalizeColumns } from "../../harness/linalg.ts";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import { embedShapes, meanFieldOfShapes, sampleShape } from "../../tasks/manifold-capacity/generate.ts";
import { centreStructure, minimiseResidualCorrelation, ResidualCorrelation, removeCentreCorrelations } from "./centre-correlations.ts";
import { meanFieldCapacity, mftma } from "./method.ts";

const FIXTURE = JSON.parse(readFileSync(path.join(import.meta.dirname, "centre-correlations.scipy.json"), "utf8")) as {
  P: number;
  N: number;
  planted: number;
  centres: number[];
  correlation0: number;
  fixed: { K: number; V: number[]; cost: number; gradient: number[]; residualCorrelation: number }[];
  minima: { K: number; cost: number; residualCorrelation: number }[];
  rank: number;
};

/** The fixture's centres with their mean removed (the reference's Xb), P×N. */
function meanRemoved(): Float64Array {
  const { P, N, centres } = FIXTURE;
  const mean = new Float64Array(N);
  for (let m = 0; m < P; m++) for (let j = 0; j < N; j++) mean[j] = (mean[j] as number) + (centres[m * N + j] as number) / P;
  return Float64Array.from(centres, (v, i) => v - (mean[i % N] as number));
}

describe("centre-correlation removal against the reference's formulas (centre-correlations.scipy.json)", () => {
  it("the cost, its gradient and the residual correlation at given V equal the reference's (numpy)", () => {
    const { P, N } = FIXTURE;
    const xb = meanRemoved();
    for (const f of FIXTURE.fixed) {
      const problem = new ResidualCorrelation(xb, P, N, f.K);
      const v = Float64Array.from(f.V);
      expect(problem.cost(v)).toBeCloseTo(f.cost, 9);
      const gradient = new Float64Array(N * f.K);
      problem.gradientAtLast(gradient);
      const scale = Math.max(...f.gradient.map(Math.abs));
      gradient.forEach((g, i) => {
        expect(Math.abs(g - (f.gradient[i] as number)) / scale).toBeLessThan(1e-9);
      });
      expect(problem.residualStatistics(v).meanAbsCorrelation).toBeCloseTo(f.residualCorrelation, 10);
    }
  });

  it("the minimum over V from random starts is scipy's (ranks 1 and 2), never below it (rank 3); the rank chosen is the planted 2", () => {
    const { P, N } = FIXTURE;
    const structure = centreStructure(Float64Array.from(FIXTURE.centres), P, N, new Rng(11));
    expect(structure.correlation0).toBeCloseTo(FIXTURE.correlation0, 12);
    expect(FIXTURE.rank).toBe(FIXTURE.planted);
    expect(structure.rank).toBe(FIXTURE.planted);
    // Minimise in the centres' span (V outside it would change the problem): coordinates in an orthonormal basis.
    const xb = meanRemoved();
    const basis = new Float64Array(N * P);
    for (let m = 0; m < P; m++) for (let j = 0; j < N; j++) basis[j * P + m] = xb[m * N + j] as number;
    expect(orthonormalizeColumns(basis, N, P)).toBe(P - 1);
    // The one dependent column (the centres sum to zero) comes back as zeros.
    const kept = [...Array(P).keys()].filter((c) => basis.some((value, i) => i % P === c && value !== 0));
    const d = kept.length;
    const x = new Float64Array(P * d);
    for (let m = 0; m < P; m++)
      kept.forEach((c, i) => {
        let s = 0;
        for (let j = 0; j < N; j++) s += (xb[m * N + j] as number) * (basis[j * P + c] as number);
        x[m * d + i] = s;
      });
    const rng = new Rng(4);
    for (const K of [1, 2, 3]) {
      const problem = new ResidualCorrelation(x, P, d, K);
      let lowest = Number.POSITIVE_INFINITY;
      for (let start = 0; start < 10; start++) {
        const v0 = Float64Array.from({ length: d * K }, () => rng.normal());
        orthonormalizeColumns(v0, d, K);
        lowest = Math.min(lowest, problem.cost(minimiseResidualCorrelation(problem, v0)));
      }
      const scipy = FIXTURE.minima[K - 1]?.cost as number;
      expect(lowest).toBeGreaterThan(scipy - 1e-6);
      if (K <= 2) expect(lowest).toBeLessThan(scipy + 1e-4);
    }
  });
});

describe("mftma with centre-correlation removal", () => {
  // Independent spheres (Chung et al. 2018's ensemble: random centres and axes, radius 1 relative to the centre norm),
  // then a shared rank-2 component added to every manifold's points: a_μ·u, u two random directions, a_μ ~ N(0, 1.5²).
  const P = 16;
  const M = 10;
  const D = 3;
  const N = 160;
  const planted = 2;
  const rng = new Rng(2);
  const shapes = Array.from({ length: P }, () => sampleShape(rng, { kind: "sphere", dimension: D, radius: 1, decay: 0 }, M));
  const clean = embedShapes(rng, shapes, M, D, N);
  const u = Float64Array.from({ length: planted * N }, () => rng.normal() / Math.sqrt(N));
  const a = Float64Array.from({ length: P * planted }, () => 1.5 * rng.normal());
  const shared = f32(
    [P, M, N],
    clean.data.map((v, i) => {
      const mu = Math.floor(i / (M * N));
      const j = i % N;
      let s = v;
      for (let k = 0; k < planted; k++) s += (a[mu * planted + k] as number) * (u[k * N + j] as number);
      return s;
    }),
  );

  it("recovers the capacity of the spheres without the shared component (the plain mean-field estimate does not), and the planted rank", async () => {
    const truth = meanFieldOfShapes(new Rng(9), shapes, M, D, 1000).capacity;
    const { structure } = removeCentreCorrelations(shared, new Rng(3));
    const run = async (manifolds: typeof shared) =>
      (
        (await mftma.run({ task: "manifold-capacity", params: {}, inputs: { manifolds }, outputShapes: {}, seed: 5 })).result as {
          capacity: number;
        }
      ).capacity;
    const withRemoval = await run(shared);
    const withoutRemoval = meanFieldCapacity(shared, new Rng(5)).capacity;
    console.log(
      `planted rank ${planted}: chosen ${structure.rank}; α* ${truth.toFixed(3)}, mftma ${withRemoval.toFixed(3)}, without removal ${withoutRemoval.toFixed(3)}`,
    );
    expect(structure.rank).toBe(planted);
    expect(Math.abs(withRemoval / truth - 1)).toBeLessThan(0.05);
    expect(withoutRemoval / truth).toBeGreaterThan(1.2);
  });

  it("leaves independent centres alone: rank 0 and the manifolds returned as given", () => {
    const { manifolds, structure } = removeCentreCorrelations(clean, new Rng(3));
    expect(structure.rank).toBe(0);
    expect(structure.residualCorrelation[0]).toBeGreaterThan(structure.correlation0);
    expect(Array.from(manifolds.data)).toEqual(Array.from(clean.data));
  });
});
