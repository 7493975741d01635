// Simulation capacity on few dichotomies (Chung et al. 2018; Cohen et al. 2020): the harness's own measurement of
// the empirical capacity (tasks/manifold-capacity/separability.ts), with a handful of random dichotomies instead of
// the hundreds a ±2 % answer needs. Exact separability tests; the error is the sampling of dichotomies.
import { Rng } from "../../harness/rng.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { empiricalCapacity } from "../../tasks/manifold-capacity/separability.ts";

/** Random dichotomies (each with its own random projection); N_c is their median smallest separable dimension. */
export const DICHOTOMIES = 8;

export const capacitySimulation: MethodDefinition = {
  id: "capacity-simulation",
  version: "1.0.0",
  name: "Simulation capacity (few dichotomies)",
  kind: "baseline",
  description: `Empirical capacity from ${DICHOTOMIES} random dichotomies: per dichotomy a random Gaussian projection, an exact linear-separability test (NNLS with a certificate) and bisection for the smallest separable dimension; N_c where half are separable, α̂ = P / N_c (P / N when fewer than half are separable in all N dimensions).`,
  url: "https://doi.org/10.1103/PhysRevX.8.031003",
  tasks: ["manifold-capacity"],
  async run(ctx) {
    const manifolds = ctx.inputs.manifolds;
    if (!manifolds) throw new Error("capacity-simulation needs the input 'manifolds'");
    const [P, M, N] = manifolds.shape as [number, number, number];
    const curve = empiricalCapacity(manifolds.data, P, M, N, new Rng(ctx.seed), DICHOTOMIES, Math.round(P / 1.2));
    // Fewer than half separable even in all N dimensions: N_c > N, so P / N bounds α from above.
    return { result: { capacity: Number.isFinite(curve.criticalDimension) ? curve.capacity : P / N } };
  },
};
