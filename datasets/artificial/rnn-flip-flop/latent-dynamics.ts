// T8 `latent-dynamics` on the trained 3-bit flip-flop RNN (issue 15): its hidden units, run on fresh flip-flop
// trials, read out as Poisson neurons; the truth latents are the network's own 3-D readout (the three bits it holds)
// and the truth fixed points are its exact fixed points at zero input (fixed-points.ts: no pulse), mapped through the
// same readout: the eight memories and the saddles between them (Sussillo & Barak 2013).
import { artifactRef } from "../../../harness/artifacts.ts";
import { type RnnWeights, readout } from "../../../harness/relu-rnn.ts";
import { memoOnWeights } from "../../../harness/relu-rnn-fixed-points.ts";
import type { DatasetDefinition, DatasetPreview } from "../../../harness/types.ts";
import { recordedUnits, recordRnn, rnnDynamicsInstance } from "../../../tasks/latent-dynamics/rnn-population.ts";
import { FIXED_POINT_SEARCH, rnnFixedPoints, visitedStates } from "./fixed-points.ts";
import { BITS, simulateFlipFlop } from "./flip-flop.ts";
import { loadFlipFlopRnn, rnnFlipFlopRecipe, TRAINING } from "./recipe.ts";

// Generator settings: hashed with the dataset version. Trials, bins, held-out neurons and the rate link are those of
// rnn-head-direction's T8 dataset.
const config = {
  artifact: artifactRef(rnnFlipFlopRecipe),
  hidden: TRAINING.hidden,
  /** Trials as in training (a pulse on every channel at step 0, then pulses with probability pulseProbability per channel and step). */
  pulseProbability: TRAINING.pulseProbability,
  trials: 30,
  trainTrials: 22,
  /** One network step per bin, taken as 20 ms. */
  bins: 60,
  dt: 0.02,
  /** Neurons: the units whose largest activity over the fixed-point search's visited states reaches this. */
  minUnitScale: 0.1,
  heldOut: 8,
  /** Rate link: λ = dt · (baseRateHz + peakRateHz · h / scale), scale = the unit's largest activity (above). */
  baseRateHz: 2,
  peakRateHz: 40,
  fixedPointSearch: FIXED_POINT_SEARCH,
};

const populationOf = memoOnWeights((w: RnnWeights) => {
  const { starts, rows } = visitedStates(w);
  return recordedUnits(w, starts, rows, config.minUnitScale);
});

/** The recording of `seed`: latents (readout), true rates and counts, fixed points in the readout's coordinates. */
export function simulateFlipFlopInstance(seed: number) {
  const w = loadFlipFlopRnn().weights;
  const recording = recordRnn(
    w,
    populationOf(w),
    rnnFixedPoints(w),
    config,
    seed,
    (rng, steps) => simulateFlipFlop(rng, steps, config.pulseProbability).inputs,
  );
  return { ...recording, config };
}

/** The network's fixed points in the plane of its first two readouts, by number of unstable directions. */
function preview(): DatasetPreview {
  const w = loadFlipFlopRnn().weights;
  const points = rnnFixedPoints(w).map((p) => ({ y: readout(w, p.state, 1), unstable: p.unstable }));
  const names = ["stable (a memory)", "saddle, 1 unstable direction", "saddle, 2 unstable directions", "unstable, 3 directions"];
  return {
    title: "Fixed points of the network without input, in its readout space (bits 1 and 2)",
    kind: "points",
    xLabel: "readout 1 (bit 1)",
    yLabel: "readout 2 (bit 2)",
    series: names.map((name, unstable) => {
      const chosen = points.filter((p) => Math.min(p.unstable, 3) === unstable);
      return {
        name,
        x: chosen.map((p) => Number((p.y[0] as number).toFixed(3))),
        y: chosen.map((p) => Number((p.y[1] as number).toFixed(3))),
      };
    }),
    caption:
      "The eight memories sit at the corners (±1, ±1, ±1); a saddle lies between every two memories one bit apart, and higher-index saddles between them.",
  };
}

export const rnnFlipFlopDynamics: DatasetDefinition = {
  slug: "rnn-flip-flop",
  task: "latent-dynamics",
  version: 1,
  title: "3-bit flip-flop RNN: latent dynamics and fixed points",
  domain: "artificial",
  artifacts: [rnnFlipFlopRecipe],
  description:
    "The hidden units of a ReLU RNN that Cajal trains on the 3-bit flip-flop (32 units; three channels of sparse ±1 pulses, three outputs holding the sign of each channel's last pulse) on 30 fresh trials of 60 steps, read out as Poisson neurons (λ = dt · (2 Hz + 40 Hz · h / the unit's largest activity); the units that ever reach 0.1), 8 held out. Truth: the held-out counts on the last 8 trials, the network's 3-D readout as the latent state, and its exact fixed points without input (the eight memories and the saddles between them, found by a piecewise-linear Newton search) in the readout's coordinates.",
  sizes: { dev: 2, official: 4, private: 4 },
  config,
  preview,
  generate(_split, _index, seed) {
    return rnnDynamicsInstance(simulateFlipFlopInstance(seed), config, BITS);
  },
};
