// The recipe behind `rnn-flip-flop`: a vanilla ReLU RNN trained with TensorFlow.js on the 3-bit flip-flop
// (Sussillo & Barak 2013), by the hand-written backpropagation through time of harness/relu-rnn.ts (the same trainer
// as rnn-head-direction's). Sized to train in a few core-seconds: the whole first start has a budget.
import { type ArtifactRecipe, loadArtifact } from "../../../harness/artifacts.ts";
import {
  type Batch,
  type RnnWeights,
  readout,
  rnnFromTensors,
  rnnTensors,
  runRnn,
  type TrainingConfig,
  trainReluRnn,
} from "../../../harness/relu-rnn.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import type { JsonValue } from "../../../harness/types.ts";
import { BITS, simulateFlipFlop } from "./flip-flop.ts";

export const TRAINING: TrainingConfig & { pulseProbability: number; settleSteps: number; evalTrials: number } = {
  hidden: 32,
  /** Trial length in steps, one BPTT window. */
  steps: 40,
  batch: 32,
  iterations: 400,
  /** Adam (β = 0.9, 0.999), learning rate decaying linearly from 1e−2 to 1e−3. */
  learningRate: 1e-2,
  finalLearningRate: 1e-3,
  /** Gradients are rescaled to this global L2 norm when larger. */
  clipNorm: 1,
  /**
   * Weight of the stationarity penalty: mean over settled steps (no pulse in the last settleSteps + 1 steps) and
   * units of (h_t − h_{t−1})². It makes the eight memories exact fixed points rather than slow drifts.
   */
  stillPenalty: 100,
  settleSteps: 1,
  /** Recurrent init: identityInit · I + (1 − identityInit) · Glorot-uniform (Le et al. 2015's IRNN, softened). */
  identityInit: 0.5,
  /** Per channel and step (after the opening pulses). */
  pulseProbability: 0.05,
  /** Held-out evaluation: trials of the training length and of four times it. */
  evalTrials: 200,
};

export function sampleBatch(rng: Rng, steps: number, size: number): Batch {
  const c = TRAINING;
  const x = new Float32Array(steps * size * BITS);
  const target = new Float32Array(steps * size * BITS);
  const still = new Uint8Array(steps * size);
  for (let b = 0; b < size; b++) {
    const trial = simulateFlipFlop(rng, steps, c.pulseProbability);
    let quiet = 0;
    for (let t = 0; t < steps; t++) {
      const r = t * size + b;
      x.set(trial.inputs.subarray(t * BITS, (t + 1) * BITS), r * BITS);
      target.set(trial.target.subarray(t * BITS, (t + 1) * BITS), r * BITS);
      quiet = trial.pulsed[t] ? 0 : quiet + 1;
      still[r] = quiet > c.settleSteps ? 1 : 0;
    }
  }
  return { steps, size, x, target, still };
}

/** Task accuracy of the readout on fresh trials: the fraction of (step, bit) whose sign is right, and of steps with all three right. */
export function flipFlopAccuracy(w: RnnWeights, rng: Rng, trials: number, steps: number): { bits: number; steps: number } {
  let bits = 0;
  let whole = 0;
  for (let i = 0; i < trials; i++) {
    const trial = simulateFlipFlop(rng, steps, TRAINING.pulseProbability);
    const y = readout(w, runRnn(w, trial.inputs, steps), steps);
    for (let t = 0; t < steps; t++) {
      let right = 0;
      for (let c = 0; c < BITS; c++) if (Math.sign(y[t * BITS + c] as number) === trial.target[t * BITS + c]) right++;
      bits += right;
      if (right === BITS) whole++;
    }
  }
  return { bits: bits / (trials * steps * BITS), steps: whole / (trials * steps) };
}

const round = (v: number) => Number(v.toPrecision(4));

async function build(log: (message: string) => void) {
  const { tf } = await initTf();
  const c = TRAINING;
  const rng = new Rng(seedFrom("rnn-flip-flop", "train"));
  const trained = await trainReluRnn(
    tf,
    c,
    { inputs: BITS, outputs: BITS, name: "rnn-flip-flop" },
    rng,
    (r) => sampleBatch(r, c.steps, c.batch),
    log,
  );
  const w = trained.weights;
  const evalRng = new Rng(seedFrom("rnn-flip-flop", "evaluate"));
  const atTraining = flipFlopAccuracy(w, evalRng, c.evalTrials, c.steps);
  const atLonger = flipFlopAccuracy(w, evalRng, c.evalTrials, 4 * c.steps);
  log(`held-out accuracy ${atTraining.bits.toFixed(4)} of bits, ${atTraining.steps.toFixed(4)} of steps`);
  const metadata: Record<string, JsonValue> = {
    performance: {
      bitAccuracy: round(atTraining.bits),
      stepAccuracy: round(atTraining.steps),
      bitAccuracy4x: round(atLonger.bits),
      stepAccuracy4x: round(atLonger.steps),
      trainMse: round(trained.trainMse),
      trainStationarity: round(trained.trainStationarity),
    },
    evaluation: `sign of each readout against the channel's last pulse over ${c.evalTrials} held-out trials of ${c.steps} steps and of ${4 * c.steps} steps; "bit" = every (step, channel), "step" = all three channels right`,
    architecture: `h_t = ReLU(h_{t-1} W_hh + x_t W_xh + b_h), y_t = h_t W_hy + b_y; ${c.hidden} hidden units; x_t in {-1, 0, 1}^3`,
    training: { ...c },
  };
  return { tensors: rnnTensors(w), metadata };
}

export const rnnFlipFlopRecipe: ArtifactRecipe = {
  id: "rnn-flip-flop",
  version: 1,
  title: "Vanilla ReLU RNN holding three bits (3-bit flip-flop, 32 units)",
  sha256: "c3add198dbde44f058306d8a6522812cc41e5cc10373effb43da93055c17eb28",
  estimatedSeconds: 6,
  build,
};

/** The trained network's weights (from the sha256-verified artifact). */
export function loadFlipFlopRnn(): { weights: RnnWeights; metadata: Record<string, JsonValue> } {
  const { tensors, metadata } = loadArtifact(rnnFlipFlopRecipe);
  return { weights: rnnFromTensors(tensors, "rnn-flip-flop"), metadata };
}
