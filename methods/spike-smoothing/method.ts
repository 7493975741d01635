// The Neural Latents Benchmark's spike-smoothing baseline (Pei et al. 2021): Gaussian-smoothed held-in spikes, a
// Poisson GLM from them to each held-out neuron fitted on the training trials. No dynamics model, so no fixed points;
// the latents are the smoothed activity's top principal components.
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { heldoutRatesArray, pcaScores, poissonReadout, readDynamicsProblem, smoothedRoot } from "../shared/dynamics.ts";

/** Gaussian smoothing width in bins (NLB tunes 10–60 ms; ≈ 40 ms at 20 ms bins). */
const SMOOTHING_BINS = 2;
/**
 * The readout is fitted on every FIT_STRIDE-th training bin: neighbouring bins of the smoothed activity carry nearly
 * the same information (σ = 2 bins), and the fit's cost is linear in its rows.
 */
const FIT_STRIDE = 2;
/** L2 penalty of the Poisson readout: n held-in weights per held-out neuron need more than pca-lds' d (README: 10 overfits M1, 300 underfits the synthetic systems). */
const READOUT_RIDGE = 100;

export const spikeSmoothing: MethodDefinition = {
  id: "spike-smoothing",
  version: "1.0.1",
  name: "Spike smoothing + Poisson GLM",
  kind: "baseline",
  description:
    "NLB's smoothing baseline: Gaussian-smoothed √counts of the held-in neurons, a ridge Poisson GLM from all of them to each held-out neuron; latents = top principal components; no fixed points.",
  url: "https://arxiv.org/abs/2109.04463",
  tasks: ["latent-dynamics"],
  async run(ctx) {
    const { dims, spikes, heldoutTrain } = readDynamicsProblem(ctx);
    const { trials, bins, heldIn, latentDim: d } = dims;
    const rows = trials * bins;
    const smooth = smoothedRoot(spikes, SMOOTHING_BINS);
    // Rows of the fit (every FIT_STRIDE-th training bin) first, then every test bin, as poissonReadout takes them.
    const fitRows = dims.trainTrials * bins;
    const kept = Array.from({ length: Math.ceil(fitRows / FIT_STRIDE) }, (_, k) => k * FIT_STRIDE);
    const order = [...kept, ...Array.from({ length: rows - fitRows }, (_, k) => fitRows + k)];
    const x = new Float64Array(order.length * heldIn);
    const y = new Float64Array(kept.length * dims.heldOut);
    for (const [i, r] of order.entries()) x.set(smooth.subarray(r * heldIn, (r + 1) * heldIn), i * heldIn);
    for (const [i, r] of kept.entries()) y.set(heldoutTrain.data.subarray(r * dims.heldOut, (r + 1) * dims.heldOut), i * dims.heldOut);
    const rates = poissonReadout(x, heldIn, y, dims.heldOut, kept.length, order.length, READOUT_RIDGE / FIT_STRIDE);
    return {
      latents: f32([trials, bins, d], pcaScores(smooth, rows, heldIn, d)),
      heldoutRates: heldoutRatesArray(rates, dims),
      fixedPoints: f32([0, d + 1]),
    };
  },
};
