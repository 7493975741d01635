// The recipe behind `rnn-head-direction`: a vanilla ReLU RNN trained with TensorFlow.js to integrate angular
// velocity into a heading (Cueva & Wei 2018; Cueva, Wang, Chin & Wei 2020), by the hand-written backpropagation
// through time of harness/relu-rnn.ts.
import { type ArtifactRecipe, loadArtifact } from "../../../harness/artifacts.ts";
import {
  type Batch,
  type RnnWeights,
  rnnFromTensors,
  rnnTensors,
  runRnn,
  type TrainingConfig,
  trainReluRnn,
} from "../../../harness/relu-rnn.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import type { JsonValue } from "../../../harness/types.ts";
import { angularDistance, decodeHeading, type MotionConfig, N_INPUTS, N_OUTPUTS, simulateTrial } from "./rnn.ts";

/** 50 steps per second; angular velocity std 120°/s, correlation time 0.2 s; 1 s turning bouts, 0.5 s still bouts (means). */
export const MOTION: MotionConfig = {
  dtSeconds: 0.02,
  sigma: ((120 * Math.PI) / 180) * 0.02,
  rho: Math.exp(-0.02 / 0.2),
  pStop: 0.02,
  pGo: 0.04,
};

export const TRAINING: TrainingConfig & { evalTrials: number } = {
  hidden: 64,
  /** Trial length in steps (2 s), one BPTT window. */
  steps: 100,
  batch: 64,
  iterations: 600,
  /** Adam (β = 0.9, 0.999), learning rate decaying linearly from 3e−3 to 3e−4. */
  learningRate: 3e-3,
  finalLearningRate: 3e-4,
  /** Gradients are rescaled to this global L2 norm when larger. */
  clipNorm: 1,
  /**
   * Weight of the stationarity penalty: mean over still steps (head not turning) and units of (h_t − h_{t−1})².
   * Without it the states relax onto the ring slowly (a transverse mode with eigenvalue ≈ 0.9) and drift
   * along it; see README "Why a stationarity penalty".
   */
  stillPenalty: 2000,
  /** Recurrent init: identityInit · I + (1 − identityInit) · Glorot-uniform (Le et al. 2015's IRNN, softened). */
  identityInit: 0.5,
  /** Held-out evaluation: trials of the training length and of twice it. */
  evalTrials: 500,
};

export function sampleBatch(rng: Rng, motion: MotionConfig, steps: number, size: number): Batch {
  const x = new Float32Array(steps * size * N_INPUTS);
  const target = new Float32Array(steps * size * N_OUTPUTS);
  const still = new Uint8Array(steps * size);
  for (let b = 0; b < size; b++) {
    const trial = simulateTrial(rng, motion, steps);
    for (let t = 0; t < steps; t++) {
      const r = t * size + b;
      x.set(trial.inputs.subarray(t * N_INPUTS, (t + 1) * N_INPUTS), r * N_INPUTS);
      const theta = trial.heading[t] as number;
      target[r * N_OUTPUTS] = Math.cos(theta);
      target[r * N_OUTPUTS + 1] = Math.sin(theta);
      still[r] = (trial.stillFor[t] as number) > 0 ? 1 : 0;
    }
  }
  return { steps, size, x, target, still };
}

/** Mean absolute heading error (degrees) of the network's readout over held-out trials: every step, and the last step. */
export function headingError(w: RnnWeights, rng: Rng, trials: number, steps: number): { meanDeg: number; finalDeg: number } {
  let sum = 0;
  let final = 0;
  for (let i = 0; i < trials; i++) {
    const trial = simulateTrial(rng, MOTION, steps);
    const est = decodeHeading(w, runRnn(w, trial.inputs, steps), steps);
    for (let t = 0; t < steps; t++) sum += angularDistance(est[t] as number, trial.heading[t] as number);
    final += angularDistance(est[steps - 1] as number, trial.heading[steps - 1] as number);
  }
  const deg = 180 / Math.PI;
  return { meanDeg: (sum / (trials * steps)) * deg, finalDeg: (final / trials) * deg };
}

const round = (v: number) => Number(v.toPrecision(4));

async function build(log: (message: string) => void) {
  const { tf } = await initTf();
  const c = TRAINING;
  const rng = new Rng(seedFrom("rnn-head-direction", "train"));
  const trained = await trainReluRnn(
    tf,
    c,
    { inputs: N_INPUTS, outputs: N_OUTPUTS, name: "rnn-head-direction" },
    rng,
    (r) => sampleBatch(r, MOTION, c.steps, c.batch),
    log,
  );
  const w = trained.weights;
  const evalRng = new Rng(seedFrom("rnn-head-direction", "evaluate"));
  const atTraining = headingError(w, evalRng, c.evalTrials, c.steps);
  const atDouble = headingError(w, evalRng, c.evalTrials, 2 * c.steps);
  log(`held-out heading error ${atTraining.meanDeg.toFixed(2)}° (last step ${atTraining.finalDeg.toFixed(2)}°)`);
  const metadata: Record<string, JsonValue> = {
    performance: {
      headingErrorDeg: round(atTraining.meanDeg),
      headingErrorFinalDeg: round(atTraining.finalDeg),
      headingErrorDeg2x: round(atDouble.meanDeg),
      headingErrorFinalDeg2x: round(atDouble.finalDeg),
      trainMse: round(trained.trainMse),
      trainStationarity: round(trained.trainStationarity),
    },
    evaluation: `mean absolute heading error of the readout over ${c.evalTrials} held-out trials of ${c.steps} steps (${c.steps * MOTION.dtSeconds} s) and of ${2 * c.steps} steps; "Final" = the last step`,
    architecture: `h_t = ReLU(h_{t-1} W_hh + x_t W_xh + b_h), y_t = h_t W_hy + b_y; ${c.hidden} hidden units; x_t = (omega_t / sigma, cue cos, cue sin)`,
    training: { ...c, motion: { ...MOTION } },
  };
  return { tensors: rnnTensors(w), metadata };
}

export const rnnHeadDirectionRecipe: ArtifactRecipe = {
  id: "rnn-head-direction",
  version: 1,
  title: "Vanilla ReLU RNN integrating angular velocity (64 units)",
  sha256: "0763368d42598eb0c8df1cf7b8c2f246dfe70dec2a08c4f7125ba9bfb0f8288e",
  estimatedSeconds: 40,
  build,
};

/** The trained network's weights (from the sha256-verified artifact). */
export function loadRnnWeights(): { weights: RnnWeights; metadata: Record<string, JsonValue> } {
  const { tensors, metadata } = loadArtifact(rnnHeadDirectionRecipe);
  return { weights: rnnFromTensors(tensors, "rnn-head-direction"), metadata };
}
