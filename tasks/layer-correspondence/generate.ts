// Ground-truth generators of T5 layer-correspondence, shared by the synthetic datasets.
//
// A chain of random layers driven by shared stimuli (h_{k+1} = tanh(h_k W_k + c_k)), so neighbouring layers are
// correlated. System A shows a random subset of the layers in random order; system B holds transformed copies of
// every chain layer, shuffled: each copy is rotated into a space of random width, scaled unit by unit, passed
// through a monotone nonlinearity, given additive noise and a global scale and offset. The copies of layers A does
// not show are distractors, so ordering one system alone cannot give the answer (issue 10).
import { f32, i32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";

/** Row-major n×d matrix in float64. */
export interface Mat {
  n: number;
  d: number;
  data: Float64Array;
}

export interface ChainOptions {
  n: number;
  /** Width of the stimulus (input) space. */
  inputDim: number;
  /** Number of stimulus clusters (0 = none). */
  clusters: number;
  /** Stimulus variance along input axis k ∝ k^(−spectrumDecay) (0 = isotropic). */
  spectrumDecay: number;
  /** Widths of the chain layers, one per layer. */
  dims: number[];
  /** Weight gain of W_k (std = gain / sqrt(fan-in)); larger = faster decorrelation along the chain. */
  gain: number;
}

/**
 * Shared stimuli: Gaussian with variance ∝ k^(−decay) along axis k (scaled to mean variance 1), optionally around
 * `clusters` random centres (a class structure).
 */
export function stimuli(rng: Rng, n: number, dim: number, clusters: number, decay = 0): Mat {
  const data = new Float64Array(n * dim);
  const axisStd = new Float64Array(dim);
  let meanVar = 0;
  for (let k = 0; k < dim; k++) meanVar += (k + 1) ** -decay / dim;
  for (let k = 0; k < dim; k++) axisStd[k] = Math.sqrt((k + 1) ** -decay / meanVar);
  const centres = new Float64Array(Math.max(clusters, 0) * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal();
  const within = clusters > 0 ? 0.6 : 1;
  for (let s = 0; s < n; s++) {
    const c = clusters > 0 ? rng.int(clusters) : -1;
    for (let k = 0; k < dim; k++) {
      data[s * dim + k] = (axisStd[k] as number) * (within * rng.normal() + (c >= 0 ? (centres[c * dim + k] as number) : 0));
    }
  }
  return { n, d: dim, data };
}

/** A chain of random tanh layers on shared stimuli; layer k+1 is a function of layer k only. */
export function randomChain(rng: Rng, opts: ChainOptions, input?: Mat): Mat[] {
  let h = input ?? stimuli(rng, opts.n, opts.inputDim, opts.clusters, opts.spectrumDecay);
  const layers: Mat[] = [];
  for (const width of opts.dims) {
    const w = new Float64Array(h.d * width);
    const std = opts.gain / Math.sqrt(h.d);
    for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
    const bias = new Float64Array(width);
    for (let j = 0; j < width; j++) bias[j] = 0.2 * rng.normal();
    const out = new Float64Array(opts.n * width);
    const hd = h.data;
    for (let s = 0; s < opts.n; s++) {
      const ro = s * width;
      for (let j = 0; j < width; j++) out[ro + j] = bias[j] as number;
      for (let p = 0; p < h.d; p++) {
        const x = hd[s * h.d + p] as number;
        const rw = p * width;
        for (let j = 0; j < width; j++) out[ro + j] = (out[ro + j] as number) + x * (w[rw + j] as number);
      }
      for (let j = 0; j < width; j++) out[ro + j] = Math.tanh(out[ro + j] as number);
    }
    h = { n: opts.n, d: width, data: out };
    layers.push(h);
  }
  return layers;
}

/** e×d matrix with orthonormal columns (e ≥ d), uniformly random (Gram–Schmidt of a Gaussian matrix). */
export function randomOrthonormal(rng: Rng, e: number, d: number): Float64Array {
  if (e < d) throw new Error(`randomOrthonormal: need e ≥ d, got ${e} < ${d}`);
  const q = new Float64Array(e * d);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let c = 0; c < d; c++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < e; r++) dot += (q[r * d + c] as number) * (q[r * d + p] as number);
        for (let r = 0; r < e; r++) q[r * d + c] = (q[r * d + c] as number) - dot * (q[r * d + p] as number);
      }
    }
    let norm = 0;
    for (let r = 0; r < e; r++) norm += (q[r * d + c] as number) ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < e; r++) q[r * d + c] = (q[r * d + c] as number) / norm;
  }
  return q;
}

export const NONLINEARITIES = ["tanh", "softplus", "cubic-root"] as const;
export type Nonlinearity = (typeof NONLINEARITIES)[number];

/** A monotone increasing function whose departure from the identity grows with strength κ > 0. */
export function monotone(kind: Nonlinearity, kappa: number, x: number): number {
  switch (kind) {
    case "tanh":
      return Math.tanh(kappa * x) / kappa;
    case "softplus": {
      const t = kappa * x;
      return (t > 30 ? t : Math.log1p(Math.exp(t))) / kappa;
    }
    case "cubic-root":
      // sign(x)·|x|^(1/(1+κ)): compresses large values, expands small ones.
      return Math.sign(x) * Math.abs(x) ** (1 / (1 + kappa));
  }
}

export interface TransformOptions {
  /** Width of the copy (≥ the layer's width). */
  width: number;
  /** Standard deviation of the log per-unit gains. */
  gainSpread: number;
  /** Nonlinearity and its strength. */
  nonlinearity: Nonlinearity;
  kappa: number;
  /** Noise std relative to the RMS of the (centred) transformed signal. */
  noise: number;
  /** Global scale applied last. */
  scale: number;
}

/**
 * A transformed copy of a layer: rotate into `width` dims, normalize to unit RMS, scale each unit by a log-normal
 * gain, apply a monotone nonlinearity elementwise, add Gaussian noise, then scale globally and add a random offset.
 */
export function transformLayer(rng: Rng, layer: Mat, opts: TransformOptions): Mat {
  const { n, d } = layer;
  const h = layer.data;
  const e = opts.width;
  const q = randomOrthonormal(rng, e, d);
  // Centre the layer, rotate: u = (h − mean) Qᵀ.
  const mean = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let k = 0; k < d; k++) mean[k] = (mean[k] as number) + (h[s * d + k] as number) / n;
  const u = new Float64Array(n * e);
  let ss = 0;
  for (let s = 0; s < n; s++) {
    for (let r = 0; r < e; r++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += ((h[s * d + k] as number) - (mean[k] as number)) * (q[r * d + k] as number);
      u[s * e + r] = v;
      ss += v * v;
    }
  }
  const rms = Math.sqrt(ss / (n * e)) || 1;
  const gains = new Float64Array(e);
  for (let r = 0; r < e; r++) gains[r] = Math.exp(opts.gainSpread * rng.normal()) / rms;
  for (let s = 0; s < n; s++) {
    for (let r = 0; r < e; r++) u[s * e + r] = monotone(opts.nonlinearity, opts.kappa, (u[s * e + r] as number) * (gains[r] as number));
  }
  // Noise relative to the RMS of the centred signal.
  const colMean = new Float64Array(e);
  for (let s = 0; s < n; s++) for (let r = 0; r < e; r++) colMean[r] = (colMean[r] as number) + (u[s * e + r] as number) / n;
  let var_ = 0;
  for (let s = 0; s < n; s++) for (let r = 0; r < e; r++) var_ += ((u[s * e + r] as number) - (colMean[r] as number)) ** 2;
  const noiseStd = opts.noise * Math.sqrt(var_ / (n * e));
  const offset = new Float64Array(e);
  for (let r = 0; r < e; r++) offset[r] = rng.normal();
  for (let s = 0; s < n; s++) {
    for (let r = 0; r < e; r++) {
      u[s * e + r] = opts.scale * ((u[s * e + r] as number) + noiseStd * rng.normal()) + (offset[r] as number) * opts.scale;
    }
  }
  return { n, d: e, data: u };
}

export function toF32(m: Mat): NdArray {
  return f32([m.n, m.d], m.data);
}

export interface CorrespondenceProblem {
  a: Mat[];
  b: Mat[];
  /** match[i] = index in B of A part i. */
  match: number[];
  /** For every B part, the chain layer it copies. */
  bSource: number[];
  /** For every A part, the chain layer it shows. */
  aSource: number[];
}

export interface ProblemOptions extends ChainOptions {
  /** Parts of A: L of the chain's dims.length layers, drawn at random (the rest are distractors in B). */
  L: number;
  /** Uniform ranges of the per-part transform settings of B copies. */
  noise: [number, number];
  kappa: [number, number];
  gainSpread: number;
  /** Width of every B copy: a uniform integer in this range, drawn independently of the layer's own width. */
  copyWidth: [number, number];
  /** Widths of a second, independent chain on the same stimuli (same process), all copied into B as distractors. */
  otherDims: number[];
}

/** Uniform integer in [lo, hi]. */
export function uniformInt(rng: Rng, [lo, hi]: [number, number]): number {
  return lo + rng.int(hi - lo + 1);
}

/**
 * A part as a method sees it, so that no per-part scalar but its geometry is informative: `width` of its units,
 * chosen at random and in random order, the whole part multiplied by a log-uniform scale in ×10^±1 and every
 * unit shifted by its own offset (scale · N(0, 1)). Every similarity measure here centres each unit and is
 * invariant to a global scale, so only the unit subsample changes what they see.
 */
export function presentPart(rng: Rng, m: Mat, width: number): Mat {
  const keep = rng.permutation(m.d).subarray(0, Math.min(width, m.d));
  const w = keep.length;
  const scale = Math.exp(Math.log(10) * (2 * rng.uniform() - 1));
  const offset = Array.from({ length: w }, () => scale * rng.normal());
  const data = new Float64Array(m.n * w);
  for (let s = 0; s < m.n; s++) {
    for (let k = 0; k < w; k++) data[s * w + k] = scale * (m.data[s * m.d + (keep[k] as number)] as number) + (offset[k] as number);
  }
  return { n: m.n, d: w, data };
}

/**
 * One problem: a chain of K = dims.length layers and a second, independent chain of K' = otherDims.length layers
 * drawn by the same process on the same stimuli. A shows L layers of the first chain, drawn at random and in random
 * order (each presented by presentPart at its own width); B holds a transformed copy of every layer of both chains
 * in random order, so M = K + K' and the copies of the K − L unshown layers and of the whole second chain are
 * distractors. Neither system's order reveals depth, and B alone cannot tell which chain A comes from.
 */
export function correspondenceProblem(rng: Rng, opts: ProblemOptions): CorrespondenceProblem {
  const input = stimuli(rng, opts.n, opts.inputDim, opts.clusters, opts.spectrumDecay);
  const first = randomChain(rng, opts, input);
  const chain = [...first, ...randomChain(rng, { ...opts, dims: opts.otherDims }, input)];
  const K = first.length;
  if (opts.L > K || opts.L < 2) throw new Error(`need 2 ≤ L ≤ ${K}, got ${opts.L}`);
  // A: L layers of the first chain, in random order.
  const aSource = [...rng.permutation(K)].slice(0, opts.L);
  // B: every layer of both chains, shuffled. bSource[j] = layer of B part j (≥ K: the second chain).
  const bSource = [...rng.permutation(chain.length)];
  const a = aSource.map((k) => presentPart(rng, chain[k] as Mat, (chain[k] as Mat).d));
  const b: Mat[] = bSource.map((k) => {
    const layer = chain[k] as Mat;
    const uni = ([lo, hi]: [number, number]) => lo + (hi - lo) * rng.uniform();
    return transformLayer(rng, layer, {
      width: Math.max(layer.d, uniformInt(rng, opts.copyWidth)),
      gainSpread: opts.gainSpread,
      nonlinearity: NONLINEARITIES[rng.int(NONLINEARITIES.length)] as Nonlinearity,
      kappa: uni(opts.kappa),
      noise: uni(opts.noise),
      scale: Math.exp(Math.log(10) * (2 * rng.uniform() - 1)),
    });
  });
  const match = aSource.map((k) => bSource.indexOf(k));
  return { a, b, match, bSource, aSource };
}

export function matchArray(match: number[]): NdArray {
  return i32([match.length], match);
}
