// The recipe behind `rnn-head-direction`: a vanilla ReLU RNN trained with TensorFlow.js to integrate angular
// velocity into a heading (Cueva & Wei 2018; Cueva, Wang, Chin & Wei 2020). Backpropagation through time is
// written out by hand: TensorFlow.js (wasm) does every matrix product and the Adam update, plain JavaScript
// the elementwise steps between them. Autodiff of the unrolled loop (tf.variableGrads) gives the same
// gradient (checked in the test) but is several times slower here: the wasm backend's per-op cost, its slow
// slices and transposed products dominate a 64-unit network, and its fused kernels take no per-step bias.
import type * as tfType from "@tensorflow/tfjs";
import { type ArtifactRecipe, loadArtifact } from "../../../harness/artifacts.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import { glorotUniform } from "../../../harness/train.ts";
import type { JsonValue } from "../../../harness/types.ts";
import { angularDistance, decodeHeading, type MotionConfig, N_INPUTS, N_OUTPUTS, type RnnWeights, runRnn, simulateTrial } from "./rnn.ts";

type Tf = typeof tfType;

/** 50 steps per second; angular velocity std 120°/s, correlation time 0.2 s; 1 s turning bouts, 0.5 s still bouts (means). */
export const MOTION: MotionConfig = {
  dtSeconds: 0.02,
  sigma: ((120 * Math.PI) / 180) * 0.02,
  rho: Math.exp(-0.02 / 0.2),
  pStop: 0.02,
  pGo: 0.04,
};

export const TRAINING = {
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

/** Trainable parameters as flat float32 arrays: kernel = [W_hh; W_xh] ([(H + 3), H]), bias, readout W_hy, readout bias. */
export interface Params {
  kernel: Float32Array;
  bias: Float32Array;
  readout: Float32Array;
  readoutBias: Float32Array;
}

/** A batch of trials, time-major: row t·B + b is step t of trial b. */
export interface Batch {
  steps: number;
  size: number;
  /** [T·B, N_INPUTS]. */
  x: Float32Array;
  /** [T·B, 2]: (cos θ, sin θ). */
  target: Float32Array;
  /** 1 where the head is still (ω = 0) at step t ≥ 1: the state should not change there. */
  still: Uint8Array;
}

export function initialParams(rng: Rng, hidden: number, identityInit: number): Params {
  const H = hidden;
  const kernel = new Float32Array((H + N_INPUTS) * H);
  const glorot = glorotUniform(rng, H, H);
  for (let k = 0; k < H; k++) {
    for (let j = 0; j < H; j++) kernel[k * H + j] = (k === j ? identityInit : 0) + (1 - identityInit) * (glorot[k * H + j] as number);
  }
  kernel.set(glorotUniform(rng, N_INPUTS, H), H * H);
  return { kernel, bias: new Float32Array(H), readout: glorotUniform(rng, H, N_OUTPUTS), readoutBias: new Float32Array(N_OUTPUTS) };
}

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

/**
 * Loss = mean over steps, trials and both outputs of (y − target)² + stillPenalty · mean over still steps and
 * units of (h_t − h_{t−1})², and its exact gradient by backpropagation through time.
 */
export function lossAndGradients(
  tf: Tf,
  p: Params,
  batch: Batch,
  stillPenalty: number,
): { loss: number; mse: number; penalty: number; grads: Params } {
  const { steps: T, size: B, x, target, still } = batch;
  const H = p.bias.length;
  const K = H + N_INPUTS;
  const R = T * B;
  const kernel = tf.tensor2d(p.kernel, [K, H]);
  // Forward: z_t = [h_{t−1}, x_t] · kernel + bias, h_t = ReLU(z_t); one product per step on the wasm backend.
  const hs = new Float32Array(R * H);
  const hx = new Float32Array(B * K);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const r = t * B + b;
      if (t > 0) hx.set(hs.subarray((r - B) * H, (r - B + 1) * H), b * K);
      hx.set(x.subarray(r * N_INPUTS, (r + 1) * N_INPUTS), b * K + H);
    }
    const zt = tf.tidy(() => tf.matMul(tf.tensor2d(hx, [B, K]), kernel));
    const z = zt.dataSync();
    zt.dispose();
    const off = t * B * H;
    for (let i = 0; i < B * H; i++) {
      const v = (z[i] as number) + (p.bias[i % H] as number);
      hs[off + i] = Math.max(v, 0);
    }
  }
  // Readout, squared error and dL/dh from the readout.
  const dh = new Float32Array(R * H);
  const dReadout = new Float64Array(H * N_OUTPUTS);
  const dReadoutBias = new Float64Array(N_OUTPUTS);
  const scale = 2 / (R * N_OUTPUTS);
  let sse = 0;
  for (let r = 0; r < R; r++) {
    const ho = r * H;
    for (let o = 0; o < N_OUTPUTS; o++) {
      let y = p.readoutBias[o] as number;
      for (let j = 0; j < H; j++) y += (hs[ho + j] as number) * (p.readout[j * N_OUTPUTS + o] as number);
      const d = y - (target[r * N_OUTPUTS + o] as number);
      sse += d * d;
      const g = scale * d;
      dReadoutBias[o] = (dReadoutBias[o] as number) + g;
      for (let j = 0; j < H; j++) {
        const h = hs[ho + j] as number;
        dReadout[j * N_OUTPUTS + o] = (dReadout[j * N_OUTPUTS + o] as number) + h * g;
        dh[ho + j] = (dh[ho + j] as number) + g * (p.readout[j * N_OUTPUTS + o] as number);
      }
    }
  }
  // Stationarity penalty on still steps (t ≥ 1, so row r − B is the same trial's previous step).
  let stillCount = 0;
  for (let r = B; r < R; r++) stillCount += still[r] as number;
  const ps = stillCount > 0 ? stillPenalty / (stillCount * H) : 0;
  let penalty = 0;
  for (let r = B; r < R && ps > 0; r++) {
    if (!still[r]) continue;
    const ho = r * H;
    const hp = (r - B) * H;
    for (let j = 0; j < H; j++) {
      const d = (hs[ho + j] as number) - (hs[hp + j] as number);
      penalty += ps * d * d;
      dh[ho + j] = (dh[ho + j] as number) + 2 * ps * d;
      dh[hp + j] = (dh[hp + j] as number) - 2 * ps * d;
    }
  }
  // Backward through time: dz_t = (dh_t + dz_{t+1} W_hhᵀ) ⊙ [h_t > 0]. W_hhᵀ is formed once in JS (the
  // backend's transposed products are slow).
  const wT = new Float32Array(H * H);
  for (let k = 0; k < H; k++) for (let j = 0; j < H; j++) wT[j * H + k] = p.kernel[k * H + j] as number;
  const recurrentT = tf.tensor2d(wT, [H, H]);
  const dz = new Float32Array(R * H);
  for (let t = T - 1; t >= 0; t--) {
    const off = t * B * H;
    let carried: Float32Array | Int32Array | Uint8Array | null = null;
    if (t < T - 1) {
      const gt = tf.tidy(() => tf.matMul(tf.tensor2d(dz.subarray(off + B * H, off + 2 * B * H), [B, H]), recurrentT));
      carried = gt.dataSync();
      gt.dispose();
    }
    for (let i = 0; i < B * H; i++) {
      dz[off + i] = (hs[off + i] as number) > 0 ? (dh[off + i] as number) + (carried ? (carried[i] as number) : 0) : 0;
    }
  }
  recurrentT.dispose();
  // dKernel = Σ_t [h_{t−1}, x_t]ᵀ dz_t as one product: the transposed inputs are laid out in JS.
  const aT = new Float32Array(K * R);
  for (let r = 0; r < R; r++) {
    if (r >= B) for (let k = 0; k < H; k++) aT[k * R + r] = hs[(r - B) * H + k] as number;
    for (let k = 0; k < N_INPUTS; k++) aT[(H + k) * R + r] = x[r * N_INPUTS + k] as number;
  }
  const dKernelT = tf.tidy(() => tf.matMul(tf.tensor2d(aT, [K, R]), tf.tensor2d(dz, [R, H])));
  const dKernel = dKernelT.dataSync() as Float32Array;
  dKernelT.dispose();
  kernel.dispose();
  const dBias = new Float64Array(H);
  for (let r = 0; r < R; r++) for (let j = 0; j < H; j++) dBias[j] = (dBias[j] as number) + (dz[r * H + j] as number);
  const mse = sse / (R * N_OUTPUTS);
  return {
    loss: mse + penalty,
    mse,
    penalty,
    grads: {
      kernel: dKernel,
      bias: Float32Array.from(dBias),
      readout: Float32Array.from(dReadout),
      readoutBias: Float32Array.from(dReadoutBias),
    },
  };
}

export function weightsOf(p: Params): RnnWeights {
  const H = p.bias.length;
  return {
    hidden: H,
    wHh: p.kernel.slice(0, H * H),
    wXh: p.kernel.slice(H * H),
    bH: p.bias.slice(),
    wHy: p.readout.slice(),
    bY: p.readoutBias.slice(),
  };
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
  const p = initialParams(rng, c.hidden, c.identityInit);
  const names = ["kernel", "bias", "readout", "readoutBias"] as const;
  const H = c.hidden;
  const shapes: Record<(typeof names)[number], number[]> = {
    kernel: [H + N_INPUTS, H],
    bias: [H],
    readout: [H, N_OUTPUTS],
    readoutBias: [N_OUTPUTS],
  };
  const vars = Object.fromEntries(
    names.map((n) => [n, tf.variable(tf.tensor(p[n], shapes[n]), true, `rnn-head-direction/${n}`)]),
  ) as Record<(typeof names)[number], tfType.Variable>;
  // tf.train.adam's optimizer with a settable learning rate (the field is protected), for the linear decay.
  class DecayingAdam extends tf.AdamOptimizer {
    setLearningRate(lr: number) {
      this.learningRate = lr;
    }
  }
  const optimizer = new DecayingAdam(c.learningRate, 0.9, 0.999, 1e-8);
  let recent = { mse: 0, penalty: 0, count: 0 };
  for (let it = 0; it < c.iterations; it++) {
    optimizer.setLearningRate(c.learningRate + ((c.finalLearningRate - c.learningRate) * it) / Math.max(1, c.iterations - 1));
    const batch = sampleBatch(rng, MOTION, c.steps, c.batch);
    const { mse, penalty, grads } = lossAndGradients(tf, p, batch, c.stillPenalty);
    let norm2 = 0;
    for (const n of names) for (const g of grads[n]) norm2 += g * g;
    const factor = Math.min(1, c.clipNorm / Math.sqrt(norm2));
    tf.tidy(() =>
      optimizer.applyGradients(Object.fromEntries(names.map((n) => [vars[n].name, tf.mul(tf.tensor(grads[n], shapes[n]), factor)]))),
    );
    for (const n of names) p[n].set(vars[n].dataSync() as Float32Array);
    if (it >= c.iterations - 50) recent = { mse: recent.mse + mse, penalty: recent.penalty + penalty, count: recent.count + 1 };
    if ((it + 1) % 100 === 0) log(`iteration ${it + 1}/${c.iterations}: mse ${mse.toFixed(4)}, stationarity ${penalty.toFixed(4)}`);
  }
  optimizer.dispose();
  tf.dispose(Object.values(vars));

  const w = weightsOf(p);
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
      trainMse: round(recent.mse / recent.count),
      trainStationarity: round(recent.penalty / recent.count),
    },
    evaluation: `mean absolute heading error of the readout over ${c.evalTrials} held-out trials of ${c.steps} steps (${c.steps * MOTION.dtSeconds} s) and of ${2 * c.steps} steps; "Final" = the last step`,
    architecture: `h_t = ReLU(h_{t-1} W_hh + x_t W_xh + b_h), y_t = h_t W_hy + b_y; ${H} hidden units; x_t = (omega_t / sigma, cue cos, cue sin)`,
    training: { ...c, motion: { ...MOTION } },
  };
  return {
    tensors: {
      W_hh: f32([H, H], w.wHh),
      W_xh: f32([N_INPUTS, H], w.wXh),
      b_h: f32([H], w.bH),
      W_hy: f32([H, N_OUTPUTS], w.wHy),
      b_y: f32([N_OUTPUTS], w.bY),
    },
    metadata,
  };
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
  const get = (name: string) => {
    const t = tensors[name];
    if (t?.dtype !== "float32") throw new Error(`rnn-head-direction artifact: missing float32 tensor ${name}`);
    return t.data as Float32Array;
  };
  const wHh = get("W_hh");
  return {
    weights: { hidden: Math.round(Math.sqrt(wHh.length)), wHh, wXh: get("W_xh"), bH: get("b_h"), wHy: get("W_hy"), bY: get("b_y") },
    metadata,
  };
}
