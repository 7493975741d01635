// Artificial datasets of T2, T3 and T4 (TASKS.md, `rnn-head-direction`): the hidden units of a vanilla ReLU
// RNN trained to integrate angular velocity into a heading (recipe.ts), run on fresh head-motion trials drawn
// from the instance seed. T2 decodes the true heading; T3 and T4 ask for the dimension (1) and the Betti
// numbers ([1, 1, 0]) of the ring the heading code lies on.
import { artifactRef } from "../../harness/artifacts.ts";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance, JsonValue } from "../../harness/types.ts";
import { dimensionTruth } from "../../tasks/intrinsic-dimension/task.ts";
import { decodingInstance } from "../../tasks/latent-decoding/generate.ts";
import { BETTI, bettiTruth } from "../../tasks/topology/generate.ts";
import { loadRnnWeights, MOTION, rnnHeadDirectionRecipe, TRAINING } from "./recipe.ts";
import { angularDistance, decodeHeading, type RnnWeights, runRnn, simulateTrial } from "./rnn.ts";

const shared = {
  artifact: artifactRef(rnnHeadDirectionRecipe),
  hidden: TRAINING.hidden,
  /** Trials as in training: 100 steps (2 s at 50 steps/s), cue at step 0, then angular velocity only. */
  trialSteps: TRAINING.steps,
};

const decodingConfig = {
  ...shared,
  /** 20 trials back to back: 2000 time bins, the first 75 % train, the last 25 % (5 trials) test. */
  trials: 20,
  trainFraction: 0.75,
};

const dimensionConfig = {
  ...shared,
  /** One resting state per episode: cue, turn for U{10…40} steps, then hold the head still for 40 steps. */
  samples: 1000,
  turnSteps: [10, 40] as [number, number],
  restSteps: 40,
};

const topologyConfig = {
  ...shared,
  /** States of whole trials (turning and still) after the first 10 steps (the transient from the cue state h = ReLU(cue W_xh + b_h)). */
  skipSteps: 10,
  /** Even heading coverage: 50 states from each of 24 bins of the true heading (n = 1200). */
  headingBins: 24,
  perBin: 50,
  /** Trials are simulated in rounds of this many until every bin has enough states. */
  trialsPerRound: 40,
  maxRounds: 10,
};

const round = (v: number) => Number(v.toPrecision(4));
const deg = 180 / Math.PI;

function weights(): RnnWeights {
  return loadRnnWeights().weights;
}

/** Units that fire at least once in `states` [rows, hidden]. */
function activeUnits(states: Float64Array, rows: number, hidden: number): number {
  let count = 0;
  for (let j = 0; j < hidden; j++) {
    for (let r = 0; r < rows; r++) {
      if ((states[r * hidden + j] as number) > 0) {
        count++;
        break;
      }
    }
  }
  return count;
}

/** T2: hidden states of `trials` consecutive trials and the true heading, cut into train and test blocks. */
export function generateDecoding(seed: number): GeneratedInstance {
  const w = weights();
  const H = w.hidden;
  const { trials, trialSteps: L, trainFraction } = decodingConfig;
  const rng = new Rng(seed);
  const T = trials * L;
  const activity = new Float64Array(T * H);
  const heading = new Float64Array(T);
  let still = 0;
  for (let i = 0; i < trials; i++) {
    const trial = simulateTrial(rng, MOTION, L);
    activity.set(runRnn(w, trial.inputs, L), i * L * H);
    heading.set(trial.heading, i * L);
    for (const s of trial.stillFor) if (s > 0) still++;
  }
  const estimate = decodeHeading(w, activity, T);
  let error = 0;
  for (let t = 0; t < T; t++) error += angularDistance(estimate[t] as number, heading[t] as number);
  const meta: Record<string, JsonValue> = {
    trials,
    trialSteps: L,
    stillFraction: round(still / T),
    activeUnits: activeUnits(activity, T, H),
    // The network's own readout against the true heading: the accuracy its hidden units make available.
    networkErrorDeg: round((error / T) * deg),
  };
  return decodingInstance(
    { activity, target: heading, T, d: H, q: 1, targetKind: "circular", targetNames: ["heading"] },
    trainFraction,
    meta,
  );
}

/** T3: one resting state (after `restSteps` still steps) per short episode; the states lie on the network's ring. */
export function generateDimension(seed: number): GeneratedInstance {
  const w = weights();
  const H = w.hidden;
  const { samples: n, turnSteps, restSteps } = dimensionConfig;
  const rng = new Rng(seed);
  const activity = f32([n, H]);
  let error = 0;
  for (let s = 0; s < n; s++) {
    const turn = turnSteps[0] + rng.int(turnSteps[1] - turnSteps[0] + 1);
    const trial = simulateTrial(rng, MOTION, turn, { alwaysMoving: true, restSteps });
    const states = runRnn(w, trial.inputs, trial.steps);
    const last = states.subarray((trial.steps - 1) * H);
    activity.data.set(last, s * H);
    error += angularDistance(decodeHeading(w, last, 1)[0] as number, trial.heading[trial.steps - 1] as number);
  }
  return {
    params: {},
    inputs: { activity },
    truth: { dimension: dimensionTruth(1) },
    meta: { dimension: 1, n, restSteps, hidden: H, restingErrorDeg: round((error / n) * deg) },
  };
}

/** T4: states of whole trials, 50 from each of 24 heading bins, in time order. */
export function generateTopology(seed: number): GeneratedInstance {
  const w = weights();
  const H = w.hidden;
  const { trialSteps: L, skipSteps, headingBins: bins, perBin, trialsPerRound, maxRounds } = topologyConfig;
  const rng = new Rng(seed);
  const states: Float64Array[] = [];
  const byBin: number[][] = Array.from({ length: bins }, () => []);
  let turning = 0;
  for (let r = 0; r < maxRounds && byBin.some((b) => b.length < perBin); r++) {
    for (let i = 0; i < trialsPerRound; i++) {
      const trial = simulateTrial(rng, MOTION, L);
      const base = states.length * L;
      states.push(runRnn(w, trial.inputs, L));
      for (let t = skipSteps; t < L; t++) {
        const theta = trial.heading[t] as number;
        const unit = (((theta / (2 * Math.PI)) % 1) + 1) % 1;
        byBin[Math.min(bins - 1, Math.floor(unit * bins))]?.push(base + t);
        if ((trial.stillFor[t] as number) === 0) turning++;
      }
    }
  }
  if (byBin.some((b) => b.length < perBin))
    throw new Error(`rnn-head-direction: a heading bin has fewer than ${perBin} states (seed ${seed})`);
  const chosen: number[] = [];
  for (const bin of byBin) {
    const order = rng.permutation(bin.length);
    for (let k = 0; k < perBin; k++) chosen.push(bin[order[k] as number] as number);
  }
  chosen.sort((a, b) => a - b);
  const n = chosen.length;
  const activity = f32([n, H]);
  chosen.forEach((step, i) => {
    const trial = states[Math.floor(step / L)] as Float64Array;
    activity.data.set(trial.subarray((step % L) * H, ((step % L) + 1) * H), i * H);
  });
  const candidates = states.length * (L - skipSteps);
  return {
    params: {},
    inputs: { activity },
    truth: { betti: bettiTruth("circle") },
    meta: { latent: "circle", betti: [...BETTI.circle], n, trials: states.length, hidden: H, turningFraction: round(turning / candidates) },
  };
}

const common = {
  slug: "rnn-head-direction",
  version: 1,
  domain: "artificial" as const,
  artifacts: [rnnHeadDirectionRecipe],
  sizes: { dev: 5, official: 10, private: 10 },
};

export const rnnHeadDirectionDecoding: DatasetDefinition = {
  ...common,
  task: "latent-decoding",
  title: "RNN head-direction integrator",
  description:
    "64 hidden units of a vanilla ReLU RNN trained (TensorFlow.js) to integrate angular velocity into a heading, run on 20 fresh 2-s trials of rat-like head motion (turning and still bouts); decode the true heading (circular) from the last 5 trials after training on the first 15.",
  config: decodingConfig,
  generate(_split, _index, seed) {
    return generateDecoding(seed);
  },
};

export const rnnHeadDirectionDimension: DatasetDefinition = {
  ...common,
  task: "intrinsic-dimension",
  title: "RNN head-direction integrator: resting states",
  description:
    "1000 resting hidden states (64 units, head still for 0.8 s after a random turn) of a vanilla ReLU RNN trained to integrate angular velocity: they lie on the ring the network stores the heading on (d* = 1).",
  config: dimensionConfig,
  generate(_split, _index, seed) {
    return generateDimension(seed);
  },
};

export const rnnHeadDirectionTopology: DatasetDefinition = {
  ...common,
  task: "topology",
  title: "RNN head-direction integrator",
  description:
    "1200 hidden states (64 units, turning and still) of a vanilla ReLU RNN trained to integrate angular velocity, 50 per 15° of true heading: a ring thickened by angular velocity, Betti numbers [1, 1, 0].",
  config: topologyConfig,
  generate(_split, _index, seed) {
    return generateTopology(seed);
  },
};
