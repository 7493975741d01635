// Sparse autoencoder trainer shared by the `sae-l1` and `sae-topk` baselines (tfjs, Adam).
//   pre = (x − b_dec) W_enc + b_enc,   f = ReLU(pre) or TopK(ReLU(pre)),   x̂ = f D + b_dec
// with D's rows (the dictionary) kept at unit norm, so an L1 penalty cannot be dodged by shrinking
// codes while growing the decoder. Everything random (init, batch order, resampling) comes from the
// method seed, and tensors are only ever filled from JS arrays, so a run is a function of its inputs.
import type { Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";

type Tf = typeof import("@tensorflow/tfjs");

export type SaeActivation = { kind: "l1"; l1: number } | { kind: "topk"; k: number };

export interface SaeConfig {
  activation: SaeActivation;
  /** Optimiser steps (minibatches). */
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Fraction of the steps at the end over which the learning rate decays linearly to zero. */
  decayFraction: number;
  /** Every this many steps, latents that did not fire since the last check are re-initialised (0 = never). */
  resampleEvery: number;
  /** No resampling after this fraction of the steps, so re-initialised latents have time to train. */
  resampleUntil: number;
}

export interface SaeResult {
  /** latents × d, unit rows. */
  decoder: Float32Array;
  /** Fraction of variance unexplained on the full (scaled, centred) data at the end. */
  fvu: number;
  /** Latents that never fire on the full data at the end. */
  dead: number;
  /** Latents re-initialised during training, all checks together. */
  resampled: number;
}

/** The four trainable tensors, in the order gradients are returned. */
export interface SaeParams {
  wEnc: Tensor2D; // d × k
  bEnc: Tensor2D; // 1 × k
  wDec: Tensor2D; // k × d, unit rows
  bDec: Tensor2D; // 1 × d
}

/** Codes f and the gate (1 where a latent is on, i.e. where gradients reach `pre`). */
export function saeEncode(tf: Tf, p: SaeParams, xc: Tensor2D, activation: SaeActivation): { f: Tensor2D; gate: Tensor2D } {
  const latents = p.wEnc.shape[1];
  const pre = tf.add(tf.matMul(xc, p.wEnc), p.bEnc) as Tensor2D;
  let gate: Tensor2D;
  if (activation.kind === "topk" && activation.k < latents) {
    // On iff pre > 0 and pre is among the row's k largest. The k-th largest is the min of the top k
    // (tfjs-wasm's column slice is slower than topk itself); the 1e-6 relative slack keeps the k-th
    // value itself on (and any exact ties: harmless, rare).
    const kth = tf.min(tf.topk(pre, activation.k, false).values, 1, true);
    gate = tf.step(tf.sub(pre, tf.relu(tf.mul(kth, 1 - 1e-6)))) as Tensor2D;
  } else {
    gate = tf.step(pre) as Tensor2D;
  }
  return { f: tf.mul(pre, gate) as Tensor2D, gate };
}

/**
 * Loss (1/B) Σ_b ‖x̂_b − x_b‖² [+ (λ/B) Σ_b ‖f_b‖₁] and its gradients, by hand: tfjs autodiff uses
 * transposed matMul kernels, which are ~10× slower than a transpose plus a plain matMul on wasm.
 * (The TopK selection is treated as constant, as in Gao et al. 2024.) The decoder gradient keeps only
 * its part tangent to the unit sphere of each row. Also returns the gate's column sums (firing counts).
 */
export function saeGradients(
  tf: Tf,
  p: SaeParams,
  xb: Tensor2D,
  activation: SaeActivation,
  withLoss = false,
): { loss: Tensor | null; grads: [Tensor2D, Tensor2D, Tensor2D, Tensor2D]; fires: Tensor2D } {
  const batch = xb.shape[0];
  const onesRow = tf.ones([1, batch]) as Tensor2D;
  const xc = tf.sub(xb, p.bDec) as Tensor2D;
  const { f, gate } = saeEncode(tf, p, xc, activation);
  const err = tf.sub(tf.add(tf.matMul(f, p.wDec), p.bDec), xb) as Tensor2D;
  let loss: Tensor | null = null;
  if (withLoss) {
    loss = tf.div(tf.sum(tf.square(err)), batch);
    if (activation.kind === "l1") loss = tf.add(loss, tf.mul(tf.sum(f), activation.l1 / batch));
  }
  const gErr = tf.mul(err, 2 / batch) as Tensor2D;
  let gDec = tf.matMul(tf.transpose(f), gErr);
  gDec = tf.sub(gDec, tf.mul(tf.sum(tf.mul(gDec, p.wDec), 1, true), p.wDec));
  let dF = tf.matMul(gErr, tf.transpose(p.wDec));
  if (activation.kind === "l1") dF = tf.add(dF, activation.l1 / batch);
  const dPre = tf.mul(dF, gate) as Tensor2D;
  const gEnc = tf.matMul(tf.transpose(xc), dPre) as Tensor2D;
  const gbEnc = tf.matMul(onesRow, dPre) as Tensor2D;
  // b_dec enters twice: added to x̂ and subtracted from x before encoding.
  const gbDec = tf.sub(tf.matMul(onesRow, gErr), tf.matMul(gbEnc, tf.transpose(p.wEnc))) as Tensor2D;
  return { loss, grads: [gEnc, gbEnc, gDec as Tensor2D, gbDec], fires: tf.matMul(onesRow, gate) as Tensor2D };
}

/** Train an SAE with `latents` latents on the rows of a row-major n×d array. */
export async function trainSae(
  x: ArrayLike<number>,
  n: number,
  d: number,
  latents: number,
  seed: number,
  config: SaeConfig,
): Promise<SaeResult> {
  const { tf } = await initTf();
  const rng = new Rng(seed);
  const { steps, learningRate, activation, decayFraction, resampleEvery, resampleUntil } = config;
  const batch = Math.min(config.batchSize, n);

  // Scale so the centred data has unit mean squared norm: the penalty then means the same on any data.
  const mean = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (x[s * d + c] as number);
  for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) / n;
  let ss = 0;
  for (let s = 0; s < n; s++) for (let c = 0; c < d; c++) ss += ((x[s * d + c] as number) - (mean[c] as number)) ** 2;
  const scale = ss > 0 ? 1 / Math.sqrt(ss / n) : 1; // constant data: nothing to scale
  const data = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) data[i] = (x[i] as number) * scale;
  const bDec0 = Float32Array.from(mean, (v) => v * scale);

  // Decoder rows start at samples drawn with probability ∝ squared centred norm (directions the data
  // actually takes, rarely pure noise); the encoder starts as the decoder's transpose.
  const weights = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let q = 0;
    for (let c = 0; c < d; c++) q += ((data[s * d + c] as number) - (bDec0[c] as number)) ** 2;
    weights[s] = q;
  }
  const dec0 = new Float32Array(latents * d);
  const picks = weightedSample(rng, weights, latents);
  for (let j = 0; j < latents; j++) {
    const s = picks[j] as number;
    for (let c = 0; c < d; c++) dec0[j * d + c] = (data[s * d + c] as number) - (bDec0[c] as number);
  }
  normaliseRows(dec0, latents, d);
  const enc0 = transposeF32(dec0, latents, d);

  const all = tf.tensor2d(data, [n, d]);
  // Variables are created inside tidy so that their initial-value tensors are released.
  const vars = tf.tidy(() => ({
    wEnc: tf.variable(tf.tensor2d(enc0, [d, latents])),
    bEnc: tf.variable(tf.zeros([1, latents])),
    wDec: tf.variable(tf.tensor2d(dec0, [latents, d])),
    bDec: tf.variable(tf.tensor2d(bDec0, [1, d])),
  }));
  const params = [vars.wEnc, vars.bEnc, vars.wDec, vars.bDec] as Variable[];
  // Adam's moments of all four parameters in one flat pair of variables (parameter order, row-major): the update is
  // then a dozen kernel launches per step instead of sixty, and on wasm a step costs its launches more than its
  // arithmetic. Element for element the operations are the same, so the result is bit-identical.
  const sizes = params.map((v) => v.size);
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  const moments = tf.tidy(() => [tf.variable(tf.zeros([total])), tf.variable(tf.zeros([total]))] as [Variable, Variable]);
  const fires = tf.tidy(() => tf.variable(tf.zeros([1, latents])));
  const p = vars as unknown as SaeParams;
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  let resampled = 0;
  let epoch: Tensor2D | null = null;

  try {
    let cursor = n;
    for (let step = 1; step <= steps; step++) {
      if (cursor + batch > n) {
        // A fresh shuffle each epoch, uploaded once and sliced per step.
        epoch?.dispose();
        const order = rng.permutation(n);
        const shuffled = new Float32Array(n * d);
        for (let s = 0; s < n; s++) {
          const src = (order[s] as number) * d;
          shuffled.set(data.subarray(src, src + d), s * d);
        }
        epoch = tf.tensor2d(shuffled, [n, d]);
        cursor = 0;
      }
      const start = cursor;
      cursor += batch;
      // Linear decay to zero over the last `decayFraction` of the steps settles the dictionary;
      // Adam's bias correction (Kingma & Ba 2015) is folded into the step size.
      const remaining = Math.min(1, (steps - step + 1) / Math.max(1, decayFraction * steps));
      const lr = (remaining * learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      tf.tidy(() => {
        const xb = tf.slice(epoch as Tensor2D, [start, 0], [batch, d]);
        const { grads, fires: batchFires } = saeGradients(tf, p, xb, activation);
        fires.assign(tf.add(fires, batchFires));
        const [m, v] = moments;
        const g = tf.concat(grads.map((t) => tf.reshape(t, [-1])));
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        const flat = tf.concat(params.map((t) => tf.reshape(t, [-1])));
        const updated = tf.split(tf.sub(flat, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), eps)), lr)), sizes);
        for (const [i, param] of params.entries()) param.assign(tf.reshape(updated[i] as Tensor, param.shape));
        vars.wDec.assign(tf.div(vars.wDec, tf.add(tf.norm(vars.wDec, "euclidean", 1, true), 1e-12)));
      });
      if (resampleEvery > 0 && step % resampleEvery === 0) {
        if (step <= resampleUntil * steps) resampled += resampleDead(tf, rng, p, params, { moments, offsets }, fires, all, activation);
        tf.tidy(() => fires.assign(tf.zerosLike(fires)));
      }
    }
    const decoder = Float32Array.from(vars.wDec.dataSync());
    const [fvu, dead] = tf.tidy(() => {
      const { f } = saeEncode(tf, p, tf.sub(all, p.bDec) as Tensor2D, activation);
      const err = tf.sum(tf.square(tf.sub(tf.add(tf.matMul(f, p.wDec), p.bDec), all))).dataSync()[0] as number;
      const fired = tf.sum(tf.step(tf.max(f, 0))).dataSync()[0] as number;
      return [err / n, latents - fired];
    });
    return { decoder, fvu, dead, resampled };
  } finally {
    epoch?.dispose();
    for (const v of [...params, ...moments, fires]) v.dispose();
    all.dispose();
  }
}

/**
 * Re-initialise latents that did not fire since the last check (Bricken et al. 2023, simplified): each
 * gets the direction of the residual x − x̂ of a sample drawn with probability ∝ ‖x − x̂‖², an encoder
 * column along it at 0.2 × the mean norm of the live columns (as in that paper), a zero bias and fresh
 * Adam moments.
 */
function resampleDead(
  tf: Tf,
  rng: Rng,
  p: SaeParams,
  params: Variable[],
  adam: { moments: [Variable, Variable]; offsets: number[] },
  fires: Variable,
  all: Tensor2D,
  activation: SaeActivation,
): number {
  const [n, d] = all.shape;
  const latents = p.wEnc.shape[1];
  const counts = fires.dataSync();
  const dead: number[] = [];
  for (let j = 0; j < latents; j++) if ((counts[j] as number) === 0) dead.push(j);
  if (dead.length === 0 || dead.length === latents) return 0;

  const residual = tf.tidy(() => {
    const { f } = saeEncode(tf, p, tf.sub(all, p.bDec) as Tensor2D, activation);
    return tf.sub(all, tf.add(tf.matMul(f, p.wDec), p.bDec)).dataSync() as Float32Array;
  });
  const weights = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let q = 0;
    for (let c = 0; c < d; c++) q += (residual[s * d + c] as number) ** 2;
    weights[s] = q;
  }
  const picks = weightedSample(rng, weights, dead.length);

  const wEnc = Float32Array.from(p.wEnc.dataSync()); // d × k
  const bEnc = Float32Array.from(p.bEnc.dataSync());
  const wDec = Float32Array.from(p.wDec.dataSync()); // k × d
  const isDead = new Uint8Array(latents);
  for (const j of dead) isDead[j] = 1;
  let aliveNorm = 0;
  for (let j = 0; j < latents; j++) {
    if (isDead[j]) continue;
    let q = 0;
    for (let c = 0; c < d; c++) q += (wEnc[c * latents + j] as number) ** 2;
    aliveNorm += Math.sqrt(q) / (latents - dead.length);
  }
  dead.forEach((j, i) => {
    const s = picks[i] as number;
    let q = 0;
    for (let c = 0; c < d; c++) q += (residual[s * d + c] as number) ** 2;
    const inv = q > 0 ? 1 / Math.sqrt(q) : 0;
    for (let c = 0; c < d; c++) {
      const v = (residual[s * d + c] as number) * inv;
      wDec[j * d + c] = v;
      wEnc[c * latents + j] = v * 0.2 * aliveNorm;
    }
    bEnc[j] = 0;
  });
  const fresh = [wEnc, bEnc, wDec] as const;
  tf.tidy(() => {
    for (let i = 0; i < 3; i++) {
      const param = params[i] as Variable;
      param.assign(tf.tensor(fresh[i] as Float32Array, param.shape));
    }
    // Zero the moments of the re-initialised entries: columns of wEnc and bEnc, rows of wDec (parameters 0–2).
    for (const moment of adam.moments) {
      const values = Float32Array.from(moment.dataSync());
      for (let i = 0; i < 3; i++) {
        const at = adam.offsets[i] as number;
        const size = (params[i] as Variable).size;
        for (const j of dead) {
          if (i === 2) values.fill(0, at + j * d, at + j * d + d);
          else for (let r = 0; r < size / latents; r++) values[at + r * latents + j] = 0;
        }
      }
      moment.assign(tf.tensor(values, moment.shape));
    }
  });
  return dead.length;
}

function normaliseRows(a: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += (a[r * cols + c] as number) ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < cols; c++) a[r * cols + c] = (a[r * cols + c] as number) * inv;
  }
}

function transposeF32(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c] as number;
  return out;
}

/** `count` distinct indices drawn with probability ∝ weights (sequentially, without replacement). */
function weightedSample(rng: Rng, weights: Float64Array, count: number): Int32Array {
  const w = Float64Array.from(weights);
  const out = new Int32Array(count);
  let total = w.reduce((a, b) => a + b, 0);
  for (let j = 0; j < count; j++) {
    if (j >= w.length) {
      out[j] = rng.int(w.length); // more draws than indices: repeats are unavoidable
      continue;
    }
    let target = rng.uniform() * total;
    let pick = -1;
    for (let i = 0; i < w.length; i++) {
      const wi = w[i] as number;
      if (wi <= 0) continue;
      pick = i;
      target -= wi;
      if (target < 0) break;
    }
    if (pick < 0) {
      // Every weight used up or zero: fall back to any index not taken yet.
      pick = rng.int(w.length);
      while (out.subarray(0, j).includes(pick)) pick = (pick + 1) % w.length;
    }
    out[j] = pick;
    total = Math.max(0, total - (w[pick] as number));
    w[pick] = 0;
  }
  return out;
}
