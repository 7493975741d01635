// PCA + linear dynamics: latents are the top principal components of the smoothed √counts, the dynamics the
// least-squares affine map between consecutive bins, its one fixed point (I − A)⁻¹c with the eigenvalues of A for
// the stability, and the held-out neurons a Poisson GLM of the latents fitted on the training trials.
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { fixedPointArray } from "../../tasks/latent-dynamics/task.ts";
import {
  affineFixedPoint,
  fitLinearDynamics,
  heldoutRatesArray,
  pcaScores,
  poissonReadout,
  readDynamicsProblem,
  smoothedRoot,
} from "../shared/dynamics.ts";

/** Gaussian smoothing width in bins before PCA (≈ 40 ms at 20 ms bins). */
const SMOOTHING_BINS = 2;
/** L2 penalty of the Poisson readout (per weight, in units of the log-likelihood). */
const READOUT_RIDGE = 1;

export const pcaLds: MethodDefinition = {
  id: "pca-lds",
  version: "1.0.1",
  name: "PCA + linear dynamics",
  kind: "baseline",
  description:
    "Top principal components of Gaussian-smoothed √counts as latents; z_{t+1} = A z_t + c by least squares, its fixed point and the eigenvalues of A (|λ| > 1 unstable); held-out neurons by Poisson regression on the latents.",
  url: "https://doi.org/10.1038/nn.3776",
  tasks: ["latent-dynamics"],
  async run(ctx) {
    const { dims, spikes, heldoutTrain } = readDynamicsProblem(ctx);
    const { trials, bins, heldIn, latentDim: d } = dims;
    const rows = trials * bins;
    const z = pcaScores(smoothedRoot(spikes, SMOOTHING_BINS), rows, heldIn, d);
    const { a, c } = fitLinearDynamics(z, trials, bins, d);
    const rates = poissonReadout(z, d, heldoutTrain.data, dims.heldOut, dims.trainTrials * bins, rows, READOUT_RIDGE);
    return {
      latents: f32([trials, bins, d], z),
      heldoutRates: heldoutRatesArray(rates, dims),
      fixedPoints: fixedPointArray(affineFixedPoint(a, c, d), d),
    };
  },
};
