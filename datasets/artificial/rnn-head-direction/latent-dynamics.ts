// T8 `latent-dynamics` on the trained head-direction RNN (issue 15): its hidden units, run on fresh head-motion
// trials, read out as Poisson neurons; the truth latents are the network's own 2-D readout y = h W_hy + b_y (its
// heading estimate ≈ (cos θ̂, sin θ̂)) and the truth fixed points are the network's exact fixed points at zero input
// (fixed-points.ts: the head still), mapped through the same readout.
import { artifactRef } from "../../../harness/artifacts.ts";
import { type RnnWeights, readout } from "../../../harness/relu-rnn.ts";
import { memoOnWeights } from "../../../harness/relu-rnn-fixed-points.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance } from "../../../harness/types.ts";
import { recordedUnits, recordRnn, rnnDynamicsInstance } from "../../../tasks/latent-dynamics/rnn-population.ts";
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

/** The recorded units and their scales (largest activity over the fixed-point search's starting states). */
const populationOf = memoOnWeights((w: RnnWeights) => {
  const { starts, rows } = searchStarts(w);
  return recordedUnits(w, starts, rows, config.minUnitScale);
});

/** The instance of `seed`: latents (readout), true rates and counts [trials · bins, neurons], held-out columns last. */
export function simulateRnnInstance(seed: number) {
  const w = loadRnnWeights().weights;
  const recording = recordRnn(
    w,
    populationOf(w),
    rnnFixedPoints(w),
    config,
    seed,
    (rng, steps) => simulateTrial(rng, MOTION, steps).inputs,
  );
  return { ...recording, config };
}

function generate(seed: number): GeneratedInstance {
  return rnnDynamicsInstance(simulateRnnInstance(seed), config, N_OUTPUTS);
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
  artifacts: [rnnHeadDirectionRecipe],
  description:
    "The hidden units of the trained head-direction RNN (64 ReLU units integrating angular velocity) on 30 fresh head-motion trials of 60 steps (20 ms), read out as Poisson neurons (λ = dt · (2 Hz + 40 Hz · h / the unit's largest activity); the units that ever reach 0.1), 8 held out. Truth: the held-out counts on the last 8 trials, the network's own 2-D readout as the latent state, and its exact fixed points at rest (stable points and saddles alternating around the ring, found by a piecewise-linear Newton search) in the readout's coordinates.",
  sizes: { dev: 2, official: 4, private: 4 },
  config,
  preview,
  generate(_split, _index, seed) {
    return generate(seed);
  },
};
