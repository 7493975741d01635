// Artificial datasets of T2, T3 and T4 (TASKS.md, `rnn-head-direction`): the hidden units of a vanilla ReLU
// RNN trained to integrate angular velocity into a heading (recipe.ts), run on fresh head-motion trials drawn
// from the instance seed. T2 decodes the true heading; T3 and T4 ask for the dimension (1) and the Betti
// numbers ([1, 1, 0]) of the ring the heading code lies on.
import { artifactRef } from "../../../harness/artifacts.ts";
import { f32, i32 } from "../../../harness/ndarray.ts";
import { type RnnWeights, runRnn } from "../../../harness/relu-rnn.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance, JsonValue } from "../../../harness/types.ts";
import { dimensionTruth } from "../../../tasks/intrinsic-dimension/task.ts";
import { decodingInstance } from "../../../tasks/latent-decoding/generate.ts";
import {
  CONTROL_REGIMES,
  controlBetti,
  controlDimension,
  controlOffsets,
  drawControlRegime,
  randomGroups,
  readRows,
} from "../../../tasks/topology/controls.ts";
import { BETTI } from "../../../tasks/topology/generate.ts";
import { loadRnnWeights, MOTION, rnnHeadDirectionRecipe, TRAINING } from "./recipe.ts";
import { angularDistance, decodeHeading, simulateTrial } from "./rnn.ts";

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
  /** n ~ U{samplesMin…samplesMax} episodes, each giving one resting state: cue, turn for U{10…40} steps, then 40 still steps. */
  samplesMin: 600,
  samplesMax: 1000,
  /** Regimes, each with probability 1/3 (tasks/topology/controls.ts): the ring, ring × ring (unit halves from independent episodes), shuffled. */
  regimes: [...CONTROL_REGIMES],
  turnSteps: [10, 40] as [number, number],
  restSteps: 40,
};

const topologyConfig = {
  ...shared,
  /** States of whole trials (turning and still) after the first 10 steps (the transient from the cue state h = ReLU(cue W_xh + b_h)). */
  skipSteps: 10,
  /** Even heading coverage: U{perBinMin…perBin} states from each of 24 bins of the true heading (n = 840…1200). */
  headingBins: 24,
  perBinMin: 35,
  perBin: 50,
  /** Regimes, each with probability 1/3 (tasks/topology/controls.ts): the ring, ring × ring (unit halves read at independent times), shuffled. */
  regimes: [...CONTROL_REGIMES],
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
  const { samplesMin, samplesMax, turnSteps, restSteps } = dimensionConfig;
  const rng = new Rng(seed);
  const regime = drawControlRegime(rng);
  const n = samplesMin + rng.int(samplesMax - samplesMin + 1);
  const pool = f32([n, H]);
  let error = 0;
  for (let s = 0; s < n; s++) {
    const turn = turnSteps[0] + rng.int(turnSteps[1] - turnSteps[0] + 1);
    const trial = simulateTrial(rng, MOTION, turn, { alwaysMoving: true, restSteps });
    const states = runRnn(w, trial.inputs, trial.steps);
    const last = states.subarray((trial.steps - 1) * H);
    pool.data.set(last, s * H);
    error += angularDistance(decodeHeading(w, last, 1)[0] as number, trial.heading[trial.steps - 1] as number);
  }
  // The episodes are independent, so reading a unit at another row gives it an independent heading.
  const groups = regime === "product" ? randomGroups(rng, H) : undefined;
  const offsets = controlOffsets(rng, regime, n, H, groups);
  const activity = readRows(
    { T: n, C: H, x: pool.data },
    Int32Array.from({ length: n }, (_, i) => i),
    offsets,
  );
  const dimension = controlDimension(regime, 1, activity);
  return {
    params: {},
    inputs: { activity },
    truth: { dimension: dimensionTruth(dimension) },
    meta: { regime, dimension, n, restSteps, hidden: H, restingErrorDeg: round((error / n) * deg) },
  };
}

/** T4: states of whole trials, 50 from each of 24 heading bins, in time order. */
export function generateTopology(seed: number): GeneratedInstance {
  const w = weights();
  const H = w.hidden;
  const { trialSteps: L, skipSteps, headingBins: bins, perBinMin, trialsPerRound, maxRounds } = topologyConfig;
  const rng = new Rng(seed);
  const regime = drawControlRegime(rng);
  const perBin = perBinMin + rng.int(topologyConfig.perBin - perBinMin + 1);
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
  const pool = f32([n, H]);
  chosen.forEach((step, i) => {
    const trial = states[Math.floor(step / L)] as Float64Array;
    pool.data.set(trial.subarray((step % L) * H, ((step % L) + 1) * H), i * H);
  });
  const candidates = states.length * (L - skipSteps);
  // Rows are in time order; offsets of n/4…3n/4 rows land in other trials (each gives at most 90 rows of ≥ 840).
  const groups = regime === "product" ? randomGroups(rng, H) : undefined;
  const offsets = controlOffsets(rng, regime, n, H, groups);
  const activity = readRows(
    { T: n, C: H, x: pool.data },
    Int32Array.from({ length: n }, (_, i) => i),
    offsets,
  );
  const betti = controlBetti(regime, BETTI.circle);
  return {
    params: {},
    inputs: { activity },
    truth: { betti: i32([3], betti) },
    meta: { regime, latent: "circle", betti, n, trials: states.length, hidden: H, turningFraction: round(turning / candidates) },
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
  version: 3,
  sizes: { dev: 12, official: 80, private: 80 },
  task: "intrinsic-dimension",
  title: "RNN head-direction integrator: resting states, with controls",
  description:
    "n ~ U{600…1000} resting hidden states (64 units, head still for 0.8 s after a random turn) of a vanilla ReLU RNN trained to integrate angular velocity. One third as they are: the ring the network stores the heading on (d* = 1); one third with the units split into two halves read from independent episodes (ring × ring, d* = 2); one third with every unit read from its own episodes (no shared latent: d* = the number of units that vary).",
  config: dimensionConfig,
  generate(_split, _index, seed) {
    return generateDimension(seed);
  },
};

export const rnnHeadDirectionTopology: DatasetDefinition = {
  ...common,
  version: 2,
  sizes: { dev: 12, official: 18, private: 18 },
  task: "topology",
  title: "RNN head-direction integrator, with controls",
  description:
    "840–1200 hidden states (64 units, turning and still) of a vanilla ReLU RNN trained to integrate angular velocity, 35–50 per 15° of true heading. One third as they are: a ring thickened by angular velocity, [1, 1, 0]; one third with the units split into two halves read at independent times (ring × ring, a torus: [1, 2, 1]); one third with every unit read at its own time (no shared latent: [1, 0, 0]).",
  config: topologyConfig,
  generate(_split, _index, seed) {
    return generateTopology(seed);
  },
};
