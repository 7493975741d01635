// A small RNN fitted to the latents, and fixed-point search on it (Sussillo & Barak 2013; FixedPointFinder, Golub &
// Sussillo 2018): the closest thing to LFADS (Pandarinath et al. 2018) that fits T8's CPU budget (README.md says
// why and what a real LFADS iteration costs). Latents and held-out readout as pca-lds; the dynamics a tanh RNN
// z_{t+1} = z_t + W₂ᵀ tanh(W₁ᵀ z_t + b₁) + b₂ in the z-scored latents, fitted in tfjs on k-step rollouts; its fixed
// points found from many visited states and classed by the Jacobian's eigenvalues.
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { fixedPointArray } from "../../tasks/latent-dynamics/task.ts";
import { heldoutRatesArray, pcaScores, poissonReadout, readDynamicsProblem, smoothedRoot } from "../shared/dynamics.ts";
import { type FixedPointOptions, findFixedPoints, fitLatentRnn, type RnnFitOptions } from "./rnn.ts";

export interface RnnDynamicsOptions {
  fit: RnnFitOptions;
  fixedPoints: Omit<FixedPointOptions, "inside">;
  /** Starts of the fixed-point search: this many data states, evenly spaced through the trials. */
  starts: number;
  /** Fixed points must lie within the data's range widened by this fraction of it on each side. */
  rangeMargin: number;
}

/** Hyper-parameters (README.md: what each costs and buys). */
export const RNN_DYNAMICS_DEFAULTS: RnnDynamicsOptions = {
  fit: { hidden: 32, rollout: 4, steps: 30, batch: 64, learningRate: 0.003, ridge: 1e-3 },
  fixedPoints: { steps: 20, learningRate: 0.05, newtonIterations: 30, residual: 1e-6, deduplicate: 0.1 },
  starts: 128,
  rangeMargin: 0.2,
};
const SMOOTHING_BINS = 2;
const READOUT_RIDGE = 1;

export function rnnDynamicsMethod(options: RnnDynamicsOptions): MethodDefinition {
  return {
    id: "rnn-dynamics",
    version: "1.0.0",
    name: "PCA + latent RNN, fixed-point search",
    kind: "baseline",
    description:
      "PCA latents of smoothed √counts; a 32-unit tanh RNN z_{t+1} = z_t + W₂ᵀ tanh(W₁ᵀ z_t + b₁) + b₂ fitted in TensorFlow.js by Adam on 4-step rollouts; fixed points by minimising ½‖F(z) − z‖² from 128 visited states, then Newton (residual < 1e-6, inside the data's range, deduplicated), classed by the Jacobian's eigenvalues; held-out neurons by Poisson regression on the latents.",
    url: "https://doi.org/10.1162/NECO_a_00409",
    tasks: ["latent-dynamics"],
    async run(ctx) {
      const { tf } = await initTf();
      const { dims, spikes, heldoutTrain } = readDynamicsProblem(ctx);
      const { trials, bins, heldIn, latentDim: d } = dims;
      const rows = trials * bins;
      const z = pcaScores(smoothedRoot(spikes, SMOOTHING_BINS), rows, heldIn, d);
      // z-score each latent (PCA scores are centred): the initial weights and learning rates are then in data units.
      const sd = new Float64Array(d);
      for (let i = 0; i < rows * d; i++) sd[i % d] = (sd[i % d] as number) + (z[i] as number) ** 2 / rows;
      for (let c = 0; c < d; c++) sd[c] = Math.sqrt(sd[c] as number) || 1;
      const zs = z.map((v, i) => v / (sd[i % d] as number));

      const rng = new Rng(ctx.seed);
      const rnn = fitLatentRnn(tf, zs, trials, bins, d, rng, options.fit);
      const lo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
      const hi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
      for (let i = 0; i < rows * d; i++) {
        lo[i % d] = Math.min(lo[i % d] as number, zs[i] as number);
        hi[i % d] = Math.max(hi[i % d] as number, zs[i] as number);
      }
      const inside = (x: Float64Array) =>
        x.every((v, c) => {
          const margin = options.rangeMargin * ((hi[c] as number) - (lo[c] as number));
          return v >= (lo[c] as number) - margin && v <= (hi[c] as number) + margin;
        });
      const starts = new Float64Array(options.starts * d);
      for (let s = 0; s < options.starts; s++) {
        const row = Math.floor(((s + 0.5) * rows) / options.starts);
        starts.set(zs.subarray(row * d, (row + 1) * d), s * d);
      }
      const points = findFixedPoints(tf, rnn, starts, { ...options.fixedPoints, inside }).map((p) => ({
        location: p.location.map((v, c) => v * (sd[c] as number)),
        unstable: p.unstable,
      }));
      const rates = poissonReadout(z, d, heldoutTrain.data, dims.heldOut, dims.trainTrials * bins, rows, READOUT_RIDGE);
      return {
        latents: f32([trials, bins, d], z),
        heldoutRates: heldoutRatesArray(rates, dims),
        fixedPoints: fixedPointArray(points, d),
      };
    },
  };
}

export const rnnDynamics = rnnDynamicsMethod(RNN_DYNAMICS_DEFAULTS);
