// T8 `latent-dynamics` on the trained head-direction RNN (issue 15): its hidden units, run on fresh head-motion
// trials, read out as Poisson neurons; the truth latents are the network's own 2-D readout y = h W_hy + b_y (its
// heading estimate ≈ (cos θ̂, sin θ̂)) and the truth fixed points are the network's exact fixed points at zero input
// (fixed-points.ts: the head still), mapped through the same readout.
import { artifactRef } from "../../../harness/artifacts.ts";
import { type RnnWeights, readout, runRnn } from "../../../harness/relu-rnn.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance } from "../../../harness/types.ts";
import { poisson, populationInstance } from "../../../tasks/latent-dynamics/systems.ts";
import { FIXED_POINT_SEARCH, rnnFixedPoints, searchStarts } from "./fixed-points.ts";
import { loadRnnWeights, MOTION, rnnHeadDirectionRecipe, TRAINING } from "./recipe.ts";
import { N_OUTPUTS, simulateTrial } from "./rnn.ts";

// Generator settings: hashed with the dataset version.
const config = {
  artifact: artifactRef(rnnHeadDirectionRecipe),
  hidden: TRAINING.hidden,
  /** Trials as in training (cue at step 0, then turning and still bouts), one network step (20 ms) per bin. */
  trials: 30,
  trainTrials: 22,
  bins: 60,
  dt: MOTION.dtSeconds,
  /** Neurons: the units whose largest activity over the fixed-point search's starting states reaches this. */
  minUnitScale: 0.1,
  heldOut: 8,
  /** Rate link: λ = dt · (baseRateHz + peakRateHz · h / scale), scale = the unit's largest activity (above). */
  baseRateHz: 2,
  peakRateHz: 40,
  fixedPointSearch: FIXED_POINT_SEARCH,
};

/** The recorded units and their scales (largest activity over the search's starting states): a property of the network. */
export function population(w: RnnWeights): { units: number[]; scales: number[] } {
  const { starts, rows } = searchStarts(w);
  const H = w.hidden;
  const units: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < H; j++) {
    let top = 0;
    for (let r = 0; r < rows; r++) top = Math.max(top, starts[r * H + j] as number);
    if (top >= config.minUnitScale) {
      units.push(j);
      scales.push(top);
    }
  }
  return { units, scales };
}

let cachedPopulation: { wHh: Float32Array; value: ReturnType<typeof population> } | undefined;

function populationOf(w: RnnWeights) {
  if (cachedPopulation?.wHh !== w.wHh) cachedPopulation = { wHh: w.wHh, value: population(w) };
  return cachedPopulation.value;
}

/** The instance of `seed`: latents (readout), true rates and counts [trials · bins, neurons], held-out columns last. */
export function simulateRnnInstance(seed: number) {
  const w = loadRnnWeights().weights;
  const H = w.hidden;
  const { trials, bins, dt, baseRateHz, peakRateHz } = config;
  const { units, scales } = populationOf(w);
  const rng = new Rng(seed);
  // The neurons in a seeded order: the last `heldOut` are held out.
  const order = rng.permutation(units.length);
  const neurons = units.length;
  const latents = new Float64Array(trials * bins * N_OUTPUTS);
  const rates = new Float64Array(trials * bins * neurons);
  const counts = new Float64Array(trials * bins * neurons);
  for (let k = 0; k < trials; k++) {
    const trial = simulateTrial(rng, MOTION, bins);
    const states = runRnn(w, trial.inputs, bins);
    latents.set(readout(w, states, bins), k * bins * N_OUTPUTS);
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
  const points = rnnFixedPoints(w).map((p) => ({ location: readout(w, p.state, 1), unstable: p.unstable }));
  return { latents, rates, counts, neurons, points, config };
}

function generate(seed: number): GeneratedInstance {
  const { latents, counts, neurons, points } = simulateRnnInstance(seed);
  const { trials, trainTrials, bins, heldOut, dt } = config;
  const heldIn = neurons - heldOut;
  const { inputs, truth } = populationInstance({
    counts,
    trials,
    trainTrials,
    bins,
    heldIn,
    heldOut,
    latents,
    latentDim: N_OUTPUTS,
    fixedPoints: points,
  });
  return {
    params: { latentDim: N_OUTPUTS, dt },
    inputs,
    truth,
    meta: {
      heldIn,
      heldOut,
      fixedPoints: points.length,
      stable: points.filter((p) => p.unstable === 0).length,
      saddles: points.filter((p) => p.unstable > 0).length,
    },
  };
}

/** The network's fixed points in its readout plane, by class (the dataset page's plot). */
function preview(): DatasetPreview {
  const w = loadRnnWeights().weights;
  const points = rnnFixedPoints(w).map((p) => ({ y: readout(w, p.state, 1), unstable: p.unstable }));
  const series = (name: string, keep: (unstable: number) => boolean) => {
    const chosen = points.filter((p) => keep(p.unstable));
    return {
      name,
      x: chosen.map((p) => Number((p.y[0] as number).toFixed(3))),
      y: chosen.map((p) => Number((p.y[1] as number).toFixed(3))),
    };
  };
  return {
    title: "Fixed points of the network at rest, in its readout plane",
    kind: "points",
    xLabel: "readout 1 (cos θ̂)",
    yLabel: "readout 2 (sin θ̂)",
    series: [series("stable", (u) => u === 0), series("saddle (1 unstable direction)", (u) => u > 0)],
    caption: "Stable points and saddles alternate around the ring: at rest the heading drifts to the nearest stable point.",
  };
}

export const rnnHeadDirectionDynamics: DatasetDefinition = {
  slug: "rnn-head-direction",
  task: "latent-dynamics",
  version: 1,
  title: "Head-direction RNN: latent dynamics and fixed points",
  domain: "artificial",
  description:
    "The hidden units of the trained head-direction RNN (64 ReLU units integrating angular velocity) on 30 fresh head-motion trials of 60 steps (20 ms), read out as Poisson neurons (λ = dt · (2 Hz + 40 Hz · h / the unit's largest activity); the units that ever reach 0.1), 8 held out. Truth: the held-out counts on the last 8 trials, the network's own 2-D readout as the latent state, and its exact fixed points at rest (stable points and saddles alternating around the ring, found by a piecewise-linear Newton search) in the readout's coordinates.",
  sizes: { dev: 2, official: 4, private: 4 },
  config,
  preview,
  generate(_split, _index, seed) {
    return generate(seed);
  },
};
