// The vanilla ReLU RNN behind the trained-RNN datasets (rnn-head-direction, rnn-flip-flop): its forward pass and
// readout in plain JavaScript, and its training by backpropagation through time with TensorFlow.js.
//
// Instance generators are synchronous and must give the same bytes in every process, so they run the trained
// weights in plain JavaScript (float64 accumulation, fixed order) rather than through TensorFlow.js.
//
// Training: backpropagation through time is written out by hand. TensorFlow.js (wasm) does every matrix product and
// the Adam update, plain JavaScript the elementwise steps between them. Autodiff of the unrolled loop
// (tf.variableGrads) gives the same gradient (checked in rnn-head-direction's test) but is several times slower here:
// the wasm backend's per-op cost, its slow slices and transposed products dominate a small network, and its fused
// kernels take no per-step bias.
import type * as tfType from "@tensorflow/tfjs";
import { f32 } from "./ndarray.ts";
import type { Rng } from "./rng.ts";
import { glorotUniform } from "./train.ts";
import type { NdArray } from "./types.ts";

type Tf = typeof tfType;

/**
 * Trained weights, row-major: h_t = ReLU(h_{t−1} W_hh + x_t W_xh + b_h) from h_{−1} = 0, and the readout
 * y_t = h_t W_hy + b_y. The input and output widths follow from the shapes.
 */
export interface RnnWeights {
  hidden: number;
  /** [hidden, hidden]: row k holds unit k's outgoing weights. */
  wHh: Float32Array;
  /** [inputs, hidden]. */
  wXh: Float32Array;
  bH: Float32Array;
  /** [hidden, outputs]. */
  wHy: Float32Array;
  bY: Float32Array;
}

export const inputWidth = (w: RnnWeights) => w.wXh.length / w.hidden;
export const outputWidth = (w: RnnWeights) => w.bY.length;

/** Hidden states [steps, hidden] of a trial with inputs [steps, inputs], from h = 0 (float64 accumulation, zero units skipped). */
export function runRnn(w: RnnWeights, inputs: Float32Array, steps: number): Float64Array {
  const H = w.hidden;
  const nIn = inputWidth(w);
  const states = new Float64Array(steps * H);
  const z = new Float64Array(H);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < H; j++) z[j] = w.bH[j] as number;
    for (let k = 0; k < nIn; k++) {
      const xk = inputs[t * nIn + k] as number;
      if (xk === 0) continue;
      const off = k * H;
      for (let j = 0; j < H; j++) z[j] = (z[j] as number) + xk * (w.wXh[off + j] as number);
    }
    if (t > 0) {
      const prev = (t - 1) * H;
      for (let k = 0; k < H; k++) {
        const hk = states[prev + k] as number;
        if (hk === 0) continue; // ReLU: typically many units are silent
        const off = k * H;
        for (let j = 0; j < H; j++) z[j] = (z[j] as number) + hk * (w.wHh[off + j] as number);
      }
    }
    const out = t * H;
    for (let j = 0; j < H; j++) {
      const v = z[j] as number;
      states[out + j] = Math.max(v, 0);
    }
  }
  return states;
}

/** The readout y = h W_hy + b_y of every row of `states` [rows, hidden]: [rows, outputs]. */
export function readout(w: RnnWeights, states: Float64Array, rows: number): Float64Array {
  const H = w.hidden;
  const nOut = outputWidth(w);
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let y = w.bY[o] as number;
      for (let j = 0; j < H; j++) y += (states[r * H + j] as number) * (w.wHy[j * nOut + o] as number);
      out[r * nOut + o] = y;
    }
  }
  return out;
}

/** Trainable parameters as flat float32 arrays: kernel = [W_hh; W_xh] ([(H + inputs), H]), bias, readout W_hy, readout bias. */
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
  /** [T·B, inputs]. */
  x: Float32Array;
  /** [T·B, outputs]. */
  target: Float32Array;
  /** 1 at steps t ≥ 1 where the input leaves the state alone: the state should not change there. */
  still: Uint8Array;
}

/** Recurrent init identityInit · I + (1 − identityInit) · Glorot-uniform (Le et al. 2015's IRNN, softened); Glorot input and readout. */
export function initialParams(rng: Rng, hidden: number, identityInit: number, inputs: number, outputs: number): Params {
  const H = hidden;
  const kernel = new Float32Array((H + inputs) * H);
  const glorot = glorotUniform(rng, H, H);
  for (let k = 0; k < H; k++) {
    for (let j = 0; j < H; j++) kernel[k * H + j] = (k === j ? identityInit : 0) + (1 - identityInit) * (glorot[k * H + j] as number);
  }
  kernel.set(glorotUniform(rng, inputs, H), H * H);
  return { kernel, bias: new Float32Array(H), readout: glorotUniform(rng, H, outputs), readoutBias: new Float32Array(outputs) };
}

/**
 * Loss = mean over steps, trials and outputs of (y − target)² + stillPenalty · mean over still steps and units of
 * (h_t − h_{t−1})², and its exact gradient by backpropagation through time.
 */
export function lossAndGradients(
  tf: Tf,
  p: Params,
  batch: Batch,
  stillPenalty: number,
): { loss: number; mse: number; penalty: number; grads: Params } {
  const { steps: T, size: B, x, target, still } = batch;
  const H = p.bias.length;
  const R = T * B;
  const nIn = x.length / R;
  const nOut = p.readoutBias.length;
  const K = H + nIn;
  const kernel = tf.tensor2d(p.kernel, [K, H]);
  // Forward: z_t = [h_{t−1}, x_t] · kernel + bias, h_t = ReLU(z_t); one product per step on the wasm backend.
  const hs = new Float32Array(R * H);
  const hx = new Float32Array(B * K);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const r = t * B + b;
      if (t > 0) hx.set(hs.subarray((r - B) * H, (r - B + 1) * H), b * K);
      hx.set(x.subarray(r * nIn, (r + 1) * nIn), b * K + H);
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
  const dReadout = new Float64Array(H * nOut);
  const dReadoutBias = new Float64Array(nOut);
  const scale = 2 / (R * nOut);
  let sse = 0;
  for (let r = 0; r < R; r++) {
    const ho = r * H;
    for (let o = 0; o < nOut; o++) {
      let y = p.readoutBias[o] as number;
      for (let j = 0; j < H; j++) y += (hs[ho + j] as number) * (p.readout[j * nOut + o] as number);
      const d = y - (target[r * nOut + o] as number);
      sse += d * d;
      const g = scale * d;
      dReadoutBias[o] = (dReadoutBias[o] as number) + g;
      for (let j = 0; j < H; j++) {
        const h = hs[ho + j] as number;
        dReadout[j * nOut + o] = (dReadout[j * nOut + o] as number) + h * g;
        dh[ho + j] = (dh[ho + j] as number) + g * (p.readout[j * nOut + o] as number);
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
    for (let k = 0; k < nIn; k++) aT[(H + k) * R + r] = x[r * nIn + k] as number;
  }
  const dKernelT = tf.tidy(() => tf.matMul(tf.tensor2d(aT, [K, R]), tf.tensor2d(dz, [R, H])));
  const dKernel = dKernelT.dataSync() as Float32Array;
  dKernelT.dispose();
  kernel.dispose();
  const dBias = new Float64Array(H);
  for (let r = 0; r < R; r++) for (let j = 0; j < H; j++) dBias[j] = (dBias[j] as number) + (dz[r * H + j] as number);
  const mse = sse / (R * nOut);
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

export interface TrainingConfig {
  hidden: number;
  /** Trial length in steps, one BPTT window. */
  steps: number;
  batch: number;
  iterations: number;
  /** Adam (β = 0.9, 0.999), learning rate decaying linearly from learningRate to finalLearningRate. */
  learningRate: number;
  finalLearningRate: number;
  /** Gradients are rescaled to this global L2 norm when larger. */
  clipNorm: number;
  /** Weight of the stationarity penalty on still steps (lossAndGradients). */
  stillPenalty: number;
  /** Recurrent init: identityInit · I + (1 − identityInit) · Glorot-uniform. */
  identityInit: number;
}

/**
 * Train from `initialParams(rng, …)` on batches drawn by `sample` from the same `rng`, Adam with a linearly decaying
 * learning rate and global-norm clipping. Returns the trained weights and the mean loss terms of the last 50 iterations.
 */
export async function trainReluRnn(
  tf: Tf,
  c: TrainingConfig,
  shape: { inputs: number; outputs: number; name: string },
  rng: Rng,
  sample: (rng: Rng) => Batch,
  log: (message: string) => void,
): Promise<{ weights: RnnWeights; trainMse: number; trainStationarity: number }> {
  const p = initialParams(rng, c.hidden, c.identityInit, shape.inputs, shape.outputs);
  const names = ["kernel", "bias", "readout", "readoutBias"] as const;
  const H = c.hidden;
  const shapes: Record<(typeof names)[number], number[]> = {
    kernel: [H + shape.inputs, H],
    bias: [H],
    readout: [H, shape.outputs],
    readoutBias: [shape.outputs],
  };
  const vars = Object.fromEntries(names.map((n) => [n, tf.variable(tf.tensor(p[n], shapes[n]), true, `${shape.name}/${n}`)])) as Record<
    (typeof names)[number],
    tfType.Variable
  >;
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
    const batch = sample(rng);
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
  return { weights: weightsOf(p), trainMse: recent.mse / recent.count, trainStationarity: recent.penalty / recent.count };
}

/** The artifact tensors of a trained network (names W_hh, W_xh, b_h, W_hy, b_y). */
export function rnnTensors(w: RnnWeights): Record<string, NdArray> {
  const H = w.hidden;
  return {
    W_hh: f32([H, H], w.wHh),
    W_xh: f32([inputWidth(w), H], w.wXh),
    b_h: f32([H], w.bH),
    W_hy: f32([H, outputWidth(w)], w.wHy),
    b_y: f32([outputWidth(w)], w.bY),
  };
}

/** The network stored by `rnnTensors`. */
export function rnnFromTensors(tensors: Record<string, NdArray>, label: string): RnnWeights {
  const get = (name: string) => {
    const t = tensors[name];
    if (t?.dtype !== "float32") throw new Error(`${label} artifact: missing float32 tensor ${name}`);
    return t.data as Float32Array;
  };
  const wHh = get("W_hh");
  return { hidden: Math.round(Math.sqrt(wHh.length)), wHh, wXh: get("W_xh"), bH: get("b_h"), wHy: get("W_hy"), bY: get("b_y") };
}
