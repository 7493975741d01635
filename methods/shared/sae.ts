// Sparse autoencoder trainer shared by the `sae-l1` and `sae-topk` baselines (Adam, plain JavaScript).
//   pre = (x − b_dec) W_enc + b_enc,   f = ReLU(pre) or TopK(ReLU(pre)),   x̂ = f D + b_dec
// with D's rows (the dictionary) kept at unit norm, so an L1 penalty cannot be dodged by shrinking
// codes while growing the decoder. Everything random (init, batch order, resampling) comes from the
// method seed, so a run is a function of its inputs.
//
// Why not tfjs: at these sizes (d ≤ 64, k ≤ 4d, batches of 256) a wasm step cost more in kernel launches than in
// arithmetic, and every dense product computed codes that are zero. Here only the encoder's forward product is
// dense; decoding, the gradients and the firing counts visit the latents that are on (TopK: K per sample).
// Float64 throughout, with IEEE arithmetic only (no Math.exp etc.), so the result is the same on every machine
// and backend.
import { dotBlock4x2 } from "../../harness/linalg.ts";
import { Rng } from "../../harness/rng.ts";

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

/**
 * The trainable parameters, row-major. The encoder is stored transposed (`enc` row j is W_enc's column j, the
 * latent's input weights), so that every per-latent operation reads or writes one contiguous row.
 */
export interface SaeParams {
  d: number;
  latents: number;
  enc: Float64Array; // latents × d (W_enc transposed)
  bEnc: Float64Array; // latents
  dec: Float64Array; // latents × d, unit rows
  bDec: Float64Array; // d
}

/** Gradients in the layout of SaeParams. */
export type SaeGradients = Pick<SaeParams, "enc" | "bEnc" | "dec" | "bDec">;

/** Scratch space for encoding two samples at a time. */
interface Encoder {
  xc: Float64Array; // 2 × d: x − b_dec
  pre: Float64Array; // 2 × latents: pre-activations
  active: Int32Array; // latents that are on in the current row, ascending; the first `count`
  top: Float64Array; // TopK: the K largest pre-activations of the current row, descending
  err: Float64Array; // d: the current row's x̂ − x, then ∂loss/∂x̂
  dots: Float64Array; // 8: one 4 latents × 2 rows block of dot products
}

function encoder(p: SaeParams, activation: SaeActivation): Encoder {
  return {
    xc: new Float64Array(2 * p.d),
    pre: new Float64Array(2 * p.latents),
    active: new Int32Array(p.latents),
    top: new Float64Array(activation.kind === "topk" ? activation.k : 0),
    err: new Float64Array(p.d),
    dots: new Float64Array(8),
  };
}

/**
 * Pre-activations of rows a and b of x into s.pre (rows 0 and 1), x − b_dec into s.xc: the one dense product of a
 * step, two samples at a time so that each weight is read once for both (with four latents at a time: eight
 * independent sums; about twice as fast as one dot product after another). Small enough to stay in the L1 cache.
 */
function encodeRows(p: SaeParams, x: ArrayLike<number>, a: number, b: number, s: Encoder): void {
  const { d, latents, enc, bEnc, bDec } = p;
  const { xc, pre, dots } = s;
  for (let c = 0; c < d; c++) {
    xc[c] = (x[a * d + c] as number) - (bDec[c] as number);
    xc[d + c] = (x[b * d + c] as number) - (bDec[c] as number);
  }
  let j = 0;
  for (; j + 4 <= latents; j += 4) {
    dotBlock4x2(enc, j * d, xc, 0, d, dots); // dots[2r + c]: latent j + r against row c
    for (let r = 0; r < 4; r++) {
      pre[j + r] = (bEnc[j + r] as number) + (dots[2 * r] as number);
      pre[latents + j + r] = (bEnc[j + r] as number) + (dots[2 * r + 1] as number);
    }
  }
  for (; j < latents; j++) {
    const o = j * d;
    let u = 0;
    let v = 0;
    for (let c = 0; c < d; c++) {
      u += (xc[c] as number) * (enc[o + c] as number);
      v += (xc[d + c] as number) * (enc[o + c] as number);
    }
    pre[j] = (bEnc[j] as number) + u;
    pre[latents + j] = (bEnc[j] as number) + v;
  }
}

/**
 * Which latents of row r (0 or 1) of s.pre are on (listed in s.active; their count is returned). TopK: on iff pre > 0 and
 * pre is at least the row's K-th largest value (less a 1e-6 relative slack, so the K-th itself is on; exact ties
 * are rare and harmless). L1: on iff pre > 0. The codes are pre on the active latents.
 */
function gate(activation: SaeActivation, latents: number, r: number, s: Encoder): number {
  const { pre, active, top } = s;
  const base = r * latents;
  let threshold = 0;
  if (activation.kind === "topk" && activation.k < latents) {
    const kk = activation.k;
    top.fill(Number.NEGATIVE_INFINITY);
    for (let l = 0; l < latents; l++) {
      const v = pre[base + l] as number;
      if (v <= (top[kk - 1] as number)) continue;
      let q = kk - 1;
      while (q > 0 && (top[q - 1] as number) < v) {
        top[q] = top[q - 1] as number;
        q--;
      }
      top[q] = v;
    }
    threshold = Math.max(0, (top[kk - 1] as number) * (1 - 1e-6));
  }
  let count = 0;
  for (let l = 0; l < latents; l++) if ((pre[base + l] as number) > threshold) active[count++] = l;
  return count;
}

/** Zeroed gradients in the layout of `p`. */
function zeroGradients(p: SaeParams): SaeGradients {
  return {
    enc: new Float64Array(p.enc.length),
    bEnc: new Float64Array(p.latents),
    dec: new Float64Array(p.dec.length),
    bDec: new Float64Array(p.d),
  };
}

/**
 * Loss (1/B) Σ_b ‖x̂_b − x_b‖² [+ (λ/B) Σ_b ‖f_b‖₁] and its gradients over the rows `rows` of x (n × d, row-major),
 * written into `g` (overwritten). The TopK selection is treated as constant (as in Gao et al. 2024); the decoder
 * gradient keeps only its part tangent to the unit sphere of each row. `fires` (if given) counts, per latent, the
 * rows it was on for.
 */
export function saeGradients(
  p: SaeParams,
  activation: SaeActivation,
  x: ArrayLike<number>,
  rows: ArrayLike<number>,
  g: SaeGradients = zeroGradients(p),
  fires?: Float64Array,
  scratch: Encoder = encoder(p, activation),
): { loss: number; grads: SaeGradients } {
  const batch = rows.length;
  g.enc.fill(0);
  g.bEnc.fill(0);
  g.dec.fill(0);
  g.bDec.fill(0);
  const l1 = activation.kind === "l1" ? activation.l1 / batch : 0;
  let loss = 0;
  for (let r = 0; r < batch; r += 2) {
    const pair = r + 1 < batch;
    encodeRows(p, x, rows[r] as number, rows[pair ? r + 1 : r] as number, scratch);
    loss += accumulateRow(p, activation, 0, batch, l1, g, fires, scratch);
    if (pair) loss += accumulateRow(p, activation, 1, batch, l1, g, fires, scratch);
  }
  finishGradients(p, g);
  return { loss, grads: g };
}

/**
 * Add the share of row r (0 or 1) of the scratch to the loss and gradients (its loss term is returned). A function per row rather than one
 * loop over the batch: V8 then compiles it with complete type feedback instead of on-stack-replacing a long loop
 * whose cold tail deoptimised it on every call.
 */
function accumulateRow(
  p: SaeParams,
  activation: SaeActivation,
  r: number,
  batch: number,
  l1: number,
  g: SaeGradients,
  fires: Float64Array | undefined,
  scratch: Encoder,
): number {
  const { d, latents, dec } = p;
  const { xc, pre, active, err } = scratch;
  const gEnc = g.enc;
  const gDec = g.dec;
  const gbEnc = g.bEnc;
  const gbDec = g.bDec;
  const on = gate(activation, latents, r, scratch);
  const xo = r * d;
  const po = r * latents;
  let loss = 0;
  // err = x̂ − x = Σ f_j D_j − (x − b_dec), from the active codes only.
  for (let c = 0; c < d; c++) err[c] = -(xc[xo + c] as number);
  for (let a = 0; a < on; a++) {
    const j = active[a] as number;
    const f = pre[po + j] as number;
    const o = j * d;
    for (let c = 0; c < d; c++) err[c] = (err[c] as number) + f * (dec[o + c] as number);
    loss += l1 * f;
  }
  for (let c = 0; c < d; c++) {
    const e = err[c] as number;
    loss += (e * e) / batch;
    const ge = (2 / batch) * e; // ∂loss/∂x̂
    err[c] = ge;
    gbDec[c] = (gbDec[c] as number) + ge;
  }
  for (let a = 0; a < on; a++) {
    const j = active[a] as number;
    const f = pre[po + j] as number;
    const o = j * d;
    let dPre = l1;
    for (let c = 0; c < d; c++) dPre += (err[c] as number) * (dec[o + c] as number);
    for (let c = 0; c < d; c++) {
      gDec[o + c] = (gDec[o + c] as number) + f * (err[c] as number);
      gEnc[o + c] = (gEnc[o + c] as number) + dPre * (xc[xo + c] as number);
    }
    gbEnc[j] = (gbEnc[j] as number) + dPre;
    if (fires) fires[j] = (fires[j] as number) + 1;
  }
  return loss;
}

/**
 * The parts of the gradients that need the whole batch's sums: b_dec's second path and the decoder's tangent
 * projection.
 */
function finishGradients(p: SaeParams, g: SaeGradients): void {
  const { d, latents, enc, dec } = p;
  // b_dec enters twice: added to x̂ and subtracted from x before encoding.
  for (let j = 0; j < latents; j++) {
    const gb = g.bEnc[j] as number;
    if (gb === 0) continue;
    const o = j * d;
    for (let c = 0; c < d; c++) g.bDec[c] = (g.bDec[c] as number) - gb * (enc[o + c] as number);
  }
  // Tangent part of each decoder row's gradient (rows of latents that never fired are zero already).
  for (let j = 0; j < latents; j++) {
    const o = j * d;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += (g.dec[o + c] as number) * (dec[o + c] as number);
    if (dot === 0) continue;
    for (let c = 0; c < d; c++) g.dec[o + c] = (g.dec[o + c] as number) - dot * (dec[o + c] as number);
  }
}

/** Sum of squared reconstruction errors over all n rows, latents that never fire, and each row's residual x − x̂. */
function reconstruct(p: SaeParams, activation: SaeActivation, x: Float64Array, n: number) {
  const { d, latents, dec } = p;
  const scratch = encoder(p, activation);
  const fired = new Uint8Array(latents);
  const rowError = new Float64Array(n);
  const residual = new Float64Array(n * d);
  let total = 0;
  for (let s = 0; s < n; s += 2) {
    encodeRows(p, x, s, Math.min(s + 1, n - 1), scratch);
    for (let r = 0; r < 2 && s + r < n; r++) {
      const on = gate(activation, latents, r, scratch);
      const at = (s + r) * d;
      residual.set(scratch.xc.subarray(r * d, r * d + d), at);
      for (let a = 0; a < on; a++) {
        const j = scratch.active[a] as number;
        fired[j] = 1;
        const f = scratch.pre[r * latents + j] as number;
        const o = j * d;
        for (let c = 0; c < d; c++) residual[at + c] = (residual[at + c] as number) - f * (dec[o + c] as number);
      }
      let q = 0;
      for (let c = 0; c < d; c++) q += (residual[at + c] as number) ** 2;
      rowError[s + r] = q;
      total += q;
    }
  }
  return { total, dead: fired.reduce((left, f) => left + (1 - f), 0), rowError, residual };
}

/** Adam's first and second moments of every parameter, in the layout of SaeParams. */
type Moments = { m: SaeGradients; v: SaeGradients };

const PARAMETERS = ["enc", "bEnc", "dec", "bDec"] as const;
const [BETA1, BETA2, EPSILON] = [0.9, 0.999, 1e-8];

/** One Adam step (β = 0.9, 0.999, ε = 1e−8) on one parameter array; `lr` includes the bias correction. */
function adamUpdate(param: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, lr: number): void {
  for (let i = 0; i < param.length; i++) {
    const gi = g[i] as number;
    const mi = BETA1 * (m[i] as number) + (1 - BETA1) * gi;
    const vi = BETA2 * (v[i] as number) + (1 - BETA2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    param[i] = (param[i] as number) - (lr * mi) / (Math.sqrt(vi) + EPSILON);
  }
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
  const data = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) data[i] = (x[i] as number) * scale;
  const bDec = Float64Array.from(mean, (v) => v * scale);

  // Decoder rows start at samples drawn with probability ∝ squared centred norm (directions the data
  // actually takes, rarely pure noise); the encoder starts as the decoder's transpose.
  const weights = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let q = 0;
    for (let c = 0; c < d; c++) q += ((data[s * d + c] as number) - (bDec[c] as number)) ** 2;
    weights[s] = q;
  }
  const dec = new Float64Array(latents * d);
  const picks = weightedSample(rng, weights, latents);
  for (let j = 0; j < latents; j++) {
    const s = picks[j] as number;
    for (let c = 0; c < d; c++) dec[j * d + c] = (data[s * d + c] as number) - (bDec[c] as number);
  }
  normaliseRows(dec, latents, d, 0);
  const p: SaeParams = { d, latents, enc: dec.slice(), bEnc: new Float64Array(latents), dec, bDec };
  const grads = zeroGradients(p);
  const adam: Moments = { m: zeroGradients(p), v: zeroGradients(p) };
  const fires = new Float64Array(latents);
  const scratch = encoder(p, activation);
  let resampled = 0;
  let order: Int32Array = new Int32Array(0);
  let cursor = n;
  for (let step = 1; step <= steps; step++) {
    if (cursor + batch > n) {
      order = rng.permutation(n); // a fresh shuffle each epoch
      cursor = 0;
    }
    const rows = order.subarray(cursor, cursor + batch);
    cursor += batch;
    // Linear decay to zero over the last `decayFraction` of the steps settles the dictionary;
    // Adam's bias correction (Kingma & Ba 2015) is folded into the step size.
    const remaining = Math.min(1, (steps - step + 1) / Math.max(1, decayFraction * steps));
    const lr = (remaining * learningRate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
    saeGradients(p, activation, data, rows, grads, fires, scratch);
    for (const name of PARAMETERS) adamUpdate(p[name], grads[name], adam.m[name], adam.v[name], lr);
    normaliseRows(p.dec, latents, d, 1e-12);
    if (resampleEvery > 0 && step % resampleEvery === 0) {
      if (step <= resampleUntil * steps) resampled += resampleDead(rng, p, adam, fires, data, n, activation);
      fires.fill(0);
    }
  }
  const end = reconstruct(p, activation, data, n);
  return { decoder: Float32Array.from(p.dec), fvu: end.total / n, dead: end.dead, resampled };
}

/**
 * Re-initialise latents that did not fire since the last check (Bricken et al. 2023, simplified): each
 * gets the direction of the residual x − x̂ of a sample drawn with probability ∝ ‖x − x̂‖², an encoder
 * row along it at 0.2 × the mean norm of the live ones (as in that paper), a zero bias and fresh
 * Adam moments.
 */
function resampleDead(
  rng: Rng,
  p: SaeParams,
  adam: Moments,
  fires: Float64Array,
  data: Float64Array,
  n: number,
  activation: SaeActivation,
): number {
  const { d, latents } = p;
  const dead: number[] = [];
  for (let j = 0; j < latents; j++) if ((fires[j] as number) === 0) dead.push(j);
  if (dead.length === 0 || dead.length === latents) return 0;

  const { rowError, residual } = reconstruct(p, activation, data, n);
  const picks = weightedSample(rng, rowError, dead.length);
  const isDead = new Uint8Array(latents);
  for (const j of dead) isDead[j] = 1;
  let aliveNorm = 0;
  for (let j = 0; j < latents; j++) {
    if (isDead[j]) continue;
    let q = 0;
    for (let c = 0; c < d; c++) q += (p.enc[j * d + c] as number) ** 2;
    aliveNorm += Math.sqrt(q) / (latents - dead.length);
  }
  for (const [i, j] of dead.entries()) {
    const s = picks[i] as number;
    const q = rowError[s] as number;
    const inv = q > 0 ? 1 / Math.sqrt(q) : 0;
    for (let c = 0; c < d; c++) {
      const v = (residual[s * d + c] as number) * inv;
      p.dec[j * d + c] = v;
      p.enc[j * d + c] = v * 0.2 * aliveNorm;
    }
    p.bEnc[j] = 0;
    for (const moment of [adam.m, adam.v]) {
      moment.enc.fill(0, j * d, j * d + d);
      moment.dec.fill(0, j * d, j * d + d);
      moment.bEnc[j] = 0;
    }
  }
  return dead.length;
}

/** Scale each row to unit norm (divided by its norm + `eps`; an all-zero row stays zero). */
function normaliseRows(a: Float64Array, rows: number, cols: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += (a[r * cols + c] as number) ** 2;
    const norm = Math.sqrt(s) + eps;
    const inv = norm > 0 ? 1 / norm : 0;
    for (let c = 0; c < cols; c++) a[r * cols + c] = (a[r * cols + c] as number) * inv;
  }
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
