// T8 instances from a trained ReLU RNN (rnn-head-direction, rnn-flip-flop): its hidden units, run on fresh trials of
// its task, read out as Poisson neurons; the truth latents are the network's own readout y = h W_hy + b_y and the
// truth fixed points are its exact fixed points at zero input (harness/relu-rnn-fixed-points.ts), mapped through the
// same readout.
import { type RnnWeights, readout, runRnn } from "../../harness/relu-rnn.ts";
import type { RnnFixedPoint } from "../../harness/relu-rnn-fixed-points.ts";
import { Rng } from "../../harness/rng.ts";
import type { GeneratedInstance } from "../../harness/types.ts";
import { poisson, populationInstance } from "./systems.ts";
import type { FixedPoint } from "./task.ts";

/** How the network is recorded (part of each dataset's hashed config). */
export interface RnnRecording {
  trials: number;
  trainTrials: number;
  /** One network step per bin. */
  bins: number;
  dt: number;
  /** Neurons: the units whose largest activity over the reference states reaches this. */
  minUnitScale: number;
  heldOut: number;
  /** Rate link: λ = dt · (baseRateHz + peakRateHz · h / scale), scale = the unit's largest activity. */
  baseRateHz: number;
  peakRateHz: number;
}

/** The recorded units and their scales (largest activity over `states` [rows, H]): a property of the network. */
export function recordedUnits(
  w: RnnWeights,
  states: Float64Array,
  rows: number,
  minUnitScale: number,
): { units: number[]; scales: number[] } {
  const H = w.hidden;
  const units: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < H; j++) {
    let top = 0;
    for (let r = 0; r < rows; r++) top = Math.max(top, states[r * H + j] as number);
    if (top >= minUnitScale) {
      units.push(j);
      scales.push(top);
    }
  }
  return { units, scales };
}

/**
 * The recording of `seed`: latents (readout) [trials · bins, outputs], true rates and counts [trials · bins, neurons]
 * with the neurons in a seeded order (the last `heldOut` are held out), and the fixed points in the readout's
 * coordinates. `trialInputs` draws one trial's inputs [bins, inputs] from the instance's stream.
 */
export function recordRnn(
  w: RnnWeights,
  population: { units: number[]; scales: number[] },
  points: readonly RnnFixedPoint[],
  rec: RnnRecording,
  seed: number,
  trialInputs: (rng: Rng, steps: number) => Float32Array,
): { latents: Float64Array; rates: Float64Array; counts: Float64Array; neurons: number; points: FixedPoint[] } {
  const H = w.hidden;
  const d = w.bY.length;
  const { trials, bins, dt, baseRateHz, peakRateHz } = rec;
  const { units, scales } = population;
  const rng = new Rng(seed);
  const order = rng.permutation(units.length);
  const neurons = units.length;
  const latents = new Float64Array(trials * bins * d);
  const rates = new Float64Array(trials * bins * neurons);
  const counts = new Float64Array(trials * bins * neurons);
  for (let k = 0; k < trials; k++) {
    const states = runRnn(w, trialInputs(rng, bins), bins);
    latents.set(readout(w, states, bins), k * bins * d);
    for (let t = 0; t < bins; t++) {
      const row = k * bins + t;
      for (let c = 0; c < neurons; c++) {
        const u = order[c] as number;
        const rate = dt * (baseRateHz + (peakRateHz * (states[t * H + (units[u] as number)] as number)) / (scales[u] as number));
        rates[row * neurons + c] = rate;
        counts[row * neurons + c] = poisson(rate, rng);
      }
    }
  }
  return { latents, rates, counts, neurons, points: points.map((p) => ({ location: readout(w, p.state, 1), unstable: p.unstable })) };
}

/** The task's instance from a recording: inputs and truth, `latentDim` = the readout's width, the fixed points by class in meta (stable, saddle, unstable in every latent direction). */
export function rnnDynamicsInstance(recording: ReturnType<typeof recordRnn>, rec: RnnRecording, latentDim: number): GeneratedInstance {
  const { counts, neurons, latents, points } = recording;
  const { trials, trainTrials, bins, heldOut, dt } = rec;
  const heldIn = neurons - heldOut;
  const { inputs, truth } = populationInstance({
    counts,
    trials,
    trainTrials,
    bins,
    heldIn,
    heldOut,
    latents,
    latentDim,
    fixedPoints: points,
  });
  return {
    params: { latentDim, dt },
    inputs,
    truth,
    meta: {
      heldIn,
      heldOut,
      fixedPoints: points.length,
      stable: points.filter((p) => p.unstable === 0).length,
      saddles: points.filter((p) => p.unstable > 0 && p.unstable < latentDim).length,
      unstable: points.filter((p) => p.unstable >= latentDim).length,
    },
  };
}
