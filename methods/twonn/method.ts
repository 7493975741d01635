// Baseline: TwoNN (Facco, d'Errico, Rodriguez & Laio 2017). For every point, μ = r₂/r₁ (second over first
// nearest-neighbour distance) is Pareto distributed with exponent d on a locally uniform d-manifold, so
// −log(1 − F(μ)) = d log μ. The estimate is the slope of that line through the origin, fitted on the
// empirical distribution after discarding the 10% largest μ (the paper's recipe).
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { nearestNeighbours } from "../shared/neighbors.ts";

export const DISCARD_FRACTION = 0.1;

export function twoNnDimension(x: ArrayLike<number>, n: number, d: number, discard = DISCARD_FRACTION): number {
  const { dist } = nearestNeighbours(x, n, d, 2);
  const mu: number[] = [];
  for (let i = 0; i < n; i++) {
    const r1 = dist[2 * i] as number;
    const r2 = dist[2 * i + 1] as number;
    if (Number.isFinite(r2) && r1 > 0) mu.push(r2 / r1);
  }
  mu.sort((a, b) => a - b);
  const m = mu.length;
  const keep = Math.floor(m * (1 - discard));
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < keep; i++) {
    const xv = Math.log(mu[i] as number);
    const yv = -Math.log(1 - (i + 1) / m);
    sxy += xv * yv;
    sxx += xv * xv;
  }
  return sxx > 0 ? sxy / sxx : 1;
}

export const twonn: MethodDefinition = {
  id: "twonn",
  version: "1.0.2",
  name: "TwoNN",
  kind: "baseline",
  description:
    "Two-nearest-neighbour estimator: slope through the origin of −log(1 − F(μ)) against log μ, μ = r₂/r₁, after discarding the 10% largest μ.",
  url: "https://doi.org/10.1038/s41598-017-11873-y",
  tasks: ["intrinsic-dimension"],
  async run(ctx) {
    const x = ctx.inputs.activity as NdArray;
    const [n, d] = x.shape as [number, number];
    return { result: { dimension: Math.max(twoNnDimension(x.data, n, d), 1e-6) } };
  },
};
