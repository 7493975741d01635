// Mean-field theoretic manifold analysis (MFTMA; Chung, Lee & Sompolinsky 2018; Cohen, Chung, Lee & Sompolinsky
// 2020): first the low-rank structure shared by the manifold centres is projected out (centre-correlations.ts, the
// reference's manifold_analysis_corr); then each manifold's points, in units of its centre norm, define the mean-field
// problem F(T) (a small quadratic program per Gaussian sample T, solved exactly as an NNLS); α⁻¹ = mean over manifolds
// of ⟨F⟩. The anchor points give the manifold radius and dimension.
import { Rng, seedFrom } from "../../harness/rng.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { centredManifolds, manifoldCoordinates } from "../../tasks/manifold-capacity/manifolds.ts";
import { combineMeanField, meanFieldSums } from "../../tasks/manifold-capacity/theory.ts";
import { CENTRE_RESTARTS, removeCentreCorrelations } from "./centre-correlations.ts";

/** Gaussian samples T per manifold (Cohen et al.'s code uses n_t = 200 on larger manifolds). */
export const SAMPLES_PER_MANIFOLD = 150;

/** The mean-field capacity, radius and dimension of `manifolds` [P, M, N] as given (version 1.0.0's whole method). */
export function meanFieldCapacity(manifolds: NdArray, rng: Rng): { capacity: number; radius: number; dimension: number } {
  const { M, N, list } = centredManifolds(manifolds);
  return combineMeanField(
    list.map((m) => {
      const { points, k } = manifoldCoordinates(m, M, N);
      return meanFieldSums(points, M, k, rng, SAMPLES_PER_MANIFOLD);
    }),
  );
}

export const mftma: MethodDefinition = {
  id: "mftma",
  version: "1.1.0",
  name: "MFTMA (mean-field manifold analysis)",
  kind: "baseline",
  description: `Mean-field theoretic manifold analysis (Chung et al. 2018; Cohen et al. 2020): the centres' common low-rank subspace (rank K by the residual centre correlation, ${CENTRE_RESTARTS} restarts per rank) projected out of every manifold, as in Cohen et al.'s manifold_analysis_corr; then per manifold, centre and residuals in units of the centre norm, ${SAMPLES_PER_MANIFOLD} Gaussian samples of the mean-field quadratic program (exact NNLS); α̂⁻¹ = mean of ⟨F⟩ over manifolds. Also reports the anchor-point radius and dimension.`,
  url: "https://doi.org/10.1038/s41467-020-14578-5",
  tasks: ["manifold-capacity"],
  async run(ctx) {
    const input = ctx.inputs.manifolds;
    if (!input) throw new Error("mftma needs the input 'manifolds'");
    // The centre search draws from its own stream: the Gaussian samples T stay those of version 1.0.0.
    const { manifolds } = removeCentreCorrelations(input, new Rng(seedFrom(ctx.seed, "centre-correlations")));
    const { capacity, radius, dimension } = meanFieldCapacity(manifolds, new Rng(ctx.seed));
    return { result: { capacity, radius, dimension } };
  },
};
