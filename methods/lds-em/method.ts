// A linear dynamical system fitted by EM (the GPFA / Poisson-LDS family of Yu et al. 2009 and Macke et al. 2011 in
// its Gaussian form): the √counts of the held-in neurons of every trial are y_t = C x_t + b + noise (diagonal, as in
// factor analysis), x_{t+1} = A x_t + c + noise; the latents are the RTS smoother's posterior means, the fixed point
// (I − A)⁻¹c, the held-out neurons a Poisson GLM of the latents fitted on the training trials.
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { fitAffine } from "../../tasks/latent-dynamics/metrics.ts";
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
import { fitLdsEm, type LinearGaussianModel } from "../shared/lds.ts";

/** Gaussian smoothing (bins) of the PCA that initialises EM, as pca-lds. The model itself sees unsmoothed √counts. */
const INIT_SMOOTHING_BINS = 2;
/**
 * EM iterations. Measured on the dev split (README): the smoother alone on the PCA start gets most of the gain,
 * 5 iterations the best mean co-smoothing, more raise the likelihood of the held-in counts but not the co-smoothing.
 */
const EM_ITERATIONS = 5;
/** Variance floor of R, Q and V0 as a fraction of the mean per-neuron variance of the √counts. */
const VARIANCE_FLOOR = 1e-3;
/** L2 penalty of the Poisson readout, as pca-lds. */
const READOUT_RIDGE = 1;

/** The initial model: pca-lds' latents, the least-squares regressions of y and of the next latent on them. */
function initialModel(
  y: Float64Array,
  z: Float64Array,
  trials: number,
  bins: number,
  n: number,
  d: number,
  floor: number,
): LinearGaussianModel {
  const rows = trials * bins;
  const map = fitAffine(z, d, y, n, 0, rows);
  const loading = new Float64Array(n * d);
  const bias = new Float64Array(n);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) loading[i * d + k] = map[k * n + i] as number;
    bias[i] = map[d * n + i] as number;
  }
  for (let row = 0; row < rows; row++)
    for (let i = 0; i < n; i++) {
      let s = (y[row * n + i] as number) - (bias[i] as number);
      for (let k = 0; k < d; k++) s -= (loading[i * d + k] as number) * (z[row * d + k] as number);
      r[i] = (r[i] as number) + (s * s) / rows;
    }
  const { a, c } = fitLinearDynamics(z, trials, bins, d);
  const q = new Float64Array(d * d);
  const mu0 = new Float64Array(d);
  const v0 = new Float64Array(d * d);
  const residual = new Float64Array(d);
  for (let tr = 0; tr < trials; tr++) {
    for (let k = 0; k < d; k++) mu0[k] = (mu0[k] as number) + (z[tr * bins * d + k] as number) / trials;
    for (let t = 0; t + 1 < bins; t++) {
      const from = (tr * bins + t) * d;
      for (let i = 0; i < d; i++) {
        let s = (z[from + d + i] as number) - (c[i] as number);
        for (let k = 0; k < d; k++) s -= (a[i * d + k] as number) * (z[from + k] as number);
        residual[i] = s;
      }
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++)
          q[i * d + j] = (q[i * d + j] as number) + ((residual[i] as number) * (residual[j] as number)) / (trials * (bins - 1));
    }
  }
  for (let tr = 0; tr < trials; tr++)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        v0[i * d + j] =
          (v0[i * d + j] as number) +
          (((z[tr * bins * d + i] as number) - (mu0[i] as number)) * ((z[tr * bins * d + j] as number) - (mu0[j] as number))) / trials;
  // The floors keep a degenerate start (a silent neuron, a constant latent) positive definite.
  for (let i = 0; i < d; i++) {
    q[i * d + i] = (q[i * d + i] as number) + floor;
    v0[i * d + i] = (v0[i * d + i] as number) + floor;
  }
  return { d, n, a, c, q, loading, bias, r: r.map((v) => Math.max(v, floor)), mu0, v0 };
}

export const ldsEm: MethodDefinition = {
  id: "lds-em",
  version: "1.0.0",
  name: "Linear dynamical system (EM, Kalman smoother)",
  kind: "baseline",
  description:
    "A linear Gaussian state-space model of the held-in √counts (diagonal noise, as GPFA/factor analysis) fitted by EM with the Kalman filter and RTS smoother, initialised from PCA; latents = smoothed posterior means; fixed point (I − A)⁻¹c classed by A's eigenvalues; held-out neurons by Poisson regression on the latents.",
  url: "https://doi.org/10.1162/089976699300016674",
  tasks: ["latent-dynamics"],
  async run(ctx) {
    const { dims, spikes, heldoutTrain } = readDynamicsProblem(ctx);
    const { trials, bins, heldIn: n, latentDim: d } = dims;
    const rows = trials * bins;
    const y = Float64Array.from(spikes.data, (v) => Math.sqrt(Math.max(0, v)));
    let meanVariance = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let squares = 0;
      for (let row = 0; row < rows; row++) {
        const v = y[row * n + i] as number;
        sum += v;
        squares += v * v;
      }
      meanVariance += (squares / rows - (sum / rows) ** 2) / n;
    }
    const floor = VARIANCE_FLOOR * Math.max(meanVariance, 1e-6);
    const z = pcaScores(smoothedRoot(spikes, INIT_SMOOTHING_BINS), rows, n, d);
    const fit = fitLdsEm(initialModel(y, z, trials, bins, n, d, floor), y, trials, bins, {
      iterations: EM_ITERATIONS,
      varianceFloor: floor,
    });
    const latents = fit.posterior.means;
    const rates = poissonReadout(latents, d, heldoutTrain.data, dims.heldOut, dims.trainTrials * bins, rows, READOUT_RIDGE);
    return {
      latents: f32([trials, bins, d], latents),
      heldoutRates: heldoutRatesArray(rates, dims),
      fixedPoints: fixedPointArray(affineFixedPoint(fit.model.a, fit.model.c, d), d),
    };
  },
};
