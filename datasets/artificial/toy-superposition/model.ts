// The ReLU output model of Elhage et al. (2022), "Toy Models of Superposition":
//   h = W x,   x̂ = ReLU(Wᵀ h + b),   loss = E_x Σ_i I_i (x_i − x̂_i)²,
// with W [m hidden, n features], sparse inputs x_i = Bernoulli(1 − S) · Uniform(0, 1) and feature
// importance I_i = r^i. Trained with Adam and hand-written gradients in plain float64 loops: the model
// has n·m + n = 440 parameters (n = 40, m = 10), so tfjs would only add overhead (and an async backend),
// while plain JavaScript arithmetic in a fixed order (+, ×, √, and V8's own fdlibm Math.log in the batch
// sampler, as in Rng.normal) is bit-identical in every process.
import type { Rng } from "../../../harness/rng.ts";

export interface ToyModelConfig {
  /** n: number of input features. */
  nFeatures: number;
  /** m: number of hidden units. */
  nHidden: number;
  /** Feature importance I_i = importanceDecay^i. */
  importanceDecay: number;
  /** S: probability that a feature is zero in a sample. */
  sparsity: number;
  steps: number;
  /** Batch size B = round(activePerBatch / (1 − S)): every feature is active in ≈ this many samples per batch. */
  activePerBatch: number;
  learningRate: number;
  /** The learning rate decays linearly to 0 over this final fraction of the steps. */
  decayFraction: number;
}

export interface ToyModel {
  /** W, row-major [m][n]: column i is feature i's direction in the hidden space. */
  w: Float64Array;
  b: Float64Array;
  nFeatures: number;
  nHidden: number;
}

export function importances(n: number, decay: number): Float64Array {
  const out = new Float64Array(n);
  let v = 1;
  for (let i = 0; i < n; i++) {
    out[i] = v;
    v *= decay; // repeated products, not Math.pow: exact same bits everywhere
  }
  return out;
}

/** A batch of sparse inputs in compressed rows: sample s has entries start[s] … start[s + 1] − 1. */
export interface SparseBatch {
  start: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

export function allocBatch(samples: number, n: number): SparseBatch {
  return { start: new Int32Array(samples + 1), idx: new Int32Array(samples * n), val: new Float64Array(samples * n) };
}

/**
 * Fills `batch` with `samples` inputs x_i = Bernoulli(p) · Uniform(0, 1). For p < 1 the active cells of
 * the flattened samples × n grid are found by geometric skips (gap = ⌊log U / log(1 − p)⌋, one draw per
 * active cell rather than one per cell); p = 1 gives dense Uniform(0, 1) inputs.
 */
export function sampleBatch(rng: Rng, samples: number, n: number, p: number, batch: SparseBatch): void {
  const { start, idx, val } = batch;
  if (p >= 1) {
    for (let s = 0; s <= samples; s++) start[s] = s * n;
    for (let c = 0; c < samples * n; c++) {
      idx[c] = c % n;
      val[c] = rng.uniform();
    }
    return;
  }
  const logq = Math.log(1 - p);
  const cells = samples * n;
  let cell = -1;
  let nnz = 0;
  let s = 0;
  start[0] = 0;
  for (;;) {
    cell += 1 + Math.floor(Math.log(1 - rng.uniform()) / logq);
    if (cell >= cells) break;
    const row = Math.floor(cell / n);
    while (s < row) start[++s] = nnz;
    idx[nnz] = cell - row * n;
    val[nnz] = rng.uniform();
    nnz++;
  }
  while (s < samples) start[++s] = nnz;
}

/** ‖W_i‖ for every feature column i. */
export function columnNorms(model: ToyModel): Float64Array {
  const { w, nFeatures: n, nHidden: m } = model;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < m; a++) s += (w[a * n + i] as number) ** 2;
    norms[i] = Math.sqrt(s);
  }
  return norms;
}

/** G = WᵀW, [n][n], as m rank-one updates (independent adds pipeline better than dot products). */
function gram(w: Float64Array, n: number, m: number, g: Float64Array): void {
  g.fill(0);
  for (let a = 0; a < m; a++) {
    const wo = a * n;
    for (let i = 0; i < n; i++) {
      const wi = w[wo + i] as number;
      const off = i * n;
      for (let j = i; j < n; j++) g[off + j] = (g[off + j] as number) + wi * (w[wo + j] as number);
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i] as number;
}

/** Batch size of a regime: each feature is active in about `activePerBatch` samples of a batch. */
export function batchSizeFor(cfg: Pick<ToyModelConfig, "sparsity" | "activePerBatch">): number {
  return Math.max(1, Math.round(cfg.activePerBatch / (1 - cfg.sparsity)));
}

/** Scratch buffers of `lossAndGradient`, allocated once per training. */
export interface GradientScratch {
  g: Float64Array;
  dg: Float64Array;
  o: Float64Array;
  x: Float64Array;
}

export function allocScratch(n: number): GradientScratch {
  return { g: new Float64Array(n * n), dg: new Float64Array(n * n), o: new Float64Array(n), x: new Float64Array(n) };
}

/**
 * Mean loss (1/B) Σ_s Σ_i I_i (x_i − ReLU(o_i))², o = WᵀW x + b, over the first `samples` inputs of
 * `batch`, and its gradient written into `dw` [m][n] and `db` [n]. G = WᵀW is formed once, so a sample
 * costs O(n · nnz(x)): o only needs G's columns of the active features, and all-zero samples (o = b) are
 * counted once. The gradient is accumulated as dL/dG = Σ_s δ xᵀ with δ_i = (2/B) I_i (o_i − x_i) · 1[o_i > 0]
 * and mapped back by dL/dW = W (dL/dG + dL/dGᵀ).
 */
export function lossAndGradient(
  model: ToyModel,
  imp: Float64Array,
  batch: SparseBatch,
  samples: number,
  dw: Float64Array,
  db: Float64Array,
  scratch: GradientScratch,
): number {
  const { w, b, nFeatures: n, nHidden: m } = model;
  const { g, dg, o, x } = scratch;
  const { start, idx, val } = batch;
  const scale = 2 / samples;
  gram(w, n, m, g);
  dg.fill(0);
  db.fill(0);
  let loss = 0;
  let empty = 0;
  for (let s = 0; s < samples; s++) {
    const lo = start[s] as number;
    const hi = start[s + 1] as number;
    if (lo === hi) {
      empty++;
      continue;
    }
    for (let i = 0; i < n; i++) o[i] = b[i] as number;
    for (let t = lo; t < hi; t++) {
      const j = idx[t] as number;
      const xj = val[t] as number;
      x[j] = xj;
      const off = j * n; // G is symmetric: column j is row j, contiguous
      for (let i = 0; i < n; i++) o[i] = (o[i] as number) + (g[off + i] as number) * xj;
    }
    for (let i = 0; i < n; i++) {
      const oi = o[i] as number;
      const xi = x[i] as number;
      if (oi <= 0) {
        loss += (imp[i] as number) * xi * xi;
        continue;
      }
      const r = oi - xi;
      loss += (imp[i] as number) * r * r;
      const delta = scale * (imp[i] as number) * r;
      db[i] = (db[i] as number) + delta;
      const off = i * n;
      for (let t = lo; t < hi; t++) {
        const j = idx[t] as number;
        dg[off + j] = (dg[off + j] as number) + delta * (val[t] as number);
      }
    }
    for (let t = lo; t < hi; t++) x[idx[t] as number] = 0;
  }
  // All-zero samples: x̂ = ReLU(b).
  if (empty > 0) {
    for (let i = 0; i < n; i++) {
      const bi = b[i] as number;
      if (bi <= 0) continue;
      loss += empty * (imp[i] as number) * bi * bi;
      db[i] = (db[i] as number) + empty * scale * (imp[i] as number) * bi;
    }
  }
  // dW[a][i] = Σ_j W[a][j] (dG[i][j] + dG[j][i]); symmetrise dG in place, then rank-one updates.
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = (dg[i * n + j] as number) + (dg[j * n + i] as number);
      dg[i * n + j] = v;
      dg[j * n + i] = v;
    }
  }
  dw.fill(0);
  for (let a = 0; a < m; a++) {
    const wo = a * n;
    for (let j = 0; j < n; j++) {
      const waj = w[wo + j] as number;
      const off = j * n;
      for (let i = 0; i < n; i++) dw[wo + i] = (dw[wo + i] as number) + waj * (dg[off + i] as number);
    }
  }
  return loss / samples;
}

/** Xavier-normal W (std √(2 / (n + m))), b = 0. */
export function initToyModel(rng: Rng, n: number, m: number): ToyModel {
  const w = new Float64Array(m * n);
  const std = Math.sqrt(2 / (n + m));
  for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
  return { w, b: new Float64Array(n), nFeatures: n, nHidden: m };
}

/**
 * Trains the model from `initToyModel` with Adam (β = 0.9, 0.999, ε = 1e−8) on fresh batches every
 * step, learning rate constant then decaying linearly to 0 over the last `decayFraction` of the steps.
 */
export function trainToyModel(rng: Rng, cfg: ToyModelConfig): ToyModel {
  const n = cfg.nFeatures;
  const m = cfg.nHidden;
  const p = 1 - cfg.sparsity;
  const batchSize = batchSizeFor(cfg);
  const imp = importances(n, cfg.importanceDecay);
  const model = initToyModel(rng, n, m);
  const dw = new Float64Array(m * n);
  const db = new Float64Array(n);
  const mw = new Float64Array(m * n);
  const vw = new Float64Array(m * n);
  const mb = new Float64Array(n);
  const vb = new Float64Array(n);
  const scratch = allocScratch(n);
  const batch = allocBatch(batchSize, n);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  let b1t = 1;
  let b2t = 1;
  const decayStart = Math.floor(cfg.steps * (1 - cfg.decayFraction));
  for (let step = 0; step < cfg.steps; step++) {
    sampleBatch(rng, batchSize, n, p, batch);
    lossAndGradient(model, imp, batch, batchSize, dw, db, scratch);
    const lr = step < decayStart ? cfg.learningRate : (cfg.learningRate * (cfg.steps - step)) / (cfg.steps - decayStart);
    b1t *= beta1;
    b2t *= beta2;
    const c1 = 1 / (1 - b1t);
    const c2 = 1 / (1 - b2t);
    adam(model.w, dw, mw, vw, lr, beta1, beta2, eps, c1, c2);
    adam(model.b, db, mb, vb, lr, beta1, beta2, eps, c1, c2);
  }
  return model;
}

function adam(
  param: Float64Array,
  grad: Float64Array,
  mom: Float64Array,
  vel: Float64Array,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  c1: number,
  c2: number,
): void {
  for (let i = 0; i < param.length; i++) {
    const gi = grad[i] as number;
    const mi = beta1 * (mom[i] as number) + (1 - beta1) * gi;
    const vi = beta2 * (vel[i] as number) + (1 - beta2) * gi * gi;
    mom[i] = mi;
    vel[i] = vi;
    param[i] = (param[i] as number) - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps);
  }
}

/**
 * Mean importance-weighted loss Σ_i I_i (x_i − x̂_i)² of the model over the rows of `x` ([samples][n]),
 * and that of the trivial model x̂ = 0 on the same inputs.
 */
export function evaluateLoss(
  model: ToyModel,
  importanceDecay: number,
  x: ArrayLike<number>,
  samples: number,
): { loss: number; zero: number } {
  const { w, b, nFeatures: n, nHidden: m } = model;
  const imp = importances(n, importanceDecay);
  const h = new Float64Array(m);
  let loss = 0;
  let zero = 0;
  for (let s = 0; s < samples; s++) {
    const xo = s * n;
    for (let a = 0; a < m; a++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const xj = x[xo + j] as number;
        if (xj !== 0) sum += (w[a * n + j] as number) * xj;
      }
      h[a] = sum;
    }
    for (let i = 0; i < n; i++) {
      let oi = b[i] as number;
      for (let a = 0; a < m; a++) oi += (w[a * n + i] as number) * (h[a] as number);
      const xi = x[xo + i] as number;
      const r = Math.max(0, oi) - xi;
      loss += (imp[i] as number) * r * r;
      zero += (imp[i] as number) * xi * xi;
    }
  }
  return { loss: loss / samples, zero: zero / samples };
}
