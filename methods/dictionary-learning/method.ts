// Baseline: online (mini-batch) sparse dictionary learning (Mairal, Bach, Ponce & Sapiro 2009), as
// scikit-learn's MiniBatchDictionaryLearning(positive_code=True) with a learned intercept:
//   min_{D, α ≥ 0, b} Σ_s ½‖x_s − b − αᵀ_s D‖² + λ‖α_s‖₁,   rows of D (the atoms) of unit norm.
// Each minibatch is sparse-coded against the current dictionary (non-negative Lasso, solved exactly by
// an active-set method warm-started from the sample's previous code), its sufficient statistics
// A = Σ ααᵀ and B = Σ (x − b) αᵀ are folded into running averages, and every atom takes one
// block-coordinate step on the resulting surrogate (Mairal's Alg. 2), projected onto the unit sphere.
// At d = 32 and k ≤ 128 the codes are sparse and the matrices tiny, so everything runs in Float64Array
// loops: a tfjs-wasm matMul was 5–10× slower than a plain loop at these sizes (README.md).
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import { rowDots } from "../../harness/row-dots.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";

/** Hyper-parameters (README.md says why). */
export const DL_DEFAULTS = {
  /** L1 penalty on the codes, for data scaled to unit mean squared (centred) norm. */
  lambda: 0.25,
  batchSize: 128,
  /** Online passes over the data, each in a fresh random order. */
  epochs: 3,
  /**
   * Running averages of A and B: batch t gets weight 1/min(t + 1, W_t) with a window of
   * W_t = max(memory, ⌊growth · t⌋) batches (Mairal et al. 2009, §3.4, forget old codes computed
   * with old dictionaries; the window widens so later atoms average over more samples).
   */
  memory: 3,
  growth: 0.1,
  /** Block-coordinate passes on full-data statistics after the online epochs (0 = none). */
  polish: 1,
  /** Cap on the active-set iterations per sample visit (each adds one atom). */
  maxIter: 64,
  /** An atom whose A_jj (mean squared code) falls below this fraction of the mean is re-drawn from the data. */
  deadRatio: 1e-3,
  /** Learn the intercept b (moved to the mean residual after each batch), starting at the data mean; false keeps b = 0. */
  intercept: true,
};

export type DlOptions = typeof DL_DEFAULTS;

export interface DlResult {
  /** k × d, unit rows (in activation space). */
  dictionary: Float32Array;
  /** Fraction of variance unexplained by the last pass's codes (on the scaled data). */
  fvu: number;
  /** Mean number of non-zero codes per sample in the last pass. */
  meanActive: number;
  /** Atoms re-drawn from the data, all steps together. */
  resampled: number;
}

/** Scratch for the active-set solver, sized for k atoms. */
interface CodeScratch {
  /** Dr for the current sample. */
  c: Float64Array;
  /** c − λ − Gα: minus the gradient of the Lasso objective. */
  w: Float64Array;
  /** Active atoms (the passive set P of Lawson & Hanson) and membership flags. */
  act: Int32Array;
  inAct: Uint8Array;
  /** Cholesky factor of G_PP (row-major, m × m within a k × k buffer) and the unconstrained solution z. */
  chol: Float64Array;
  z: Float64Array;
}

/**
 * Solve G_PP z = c_P − λ by Cholesky (G_PP is positive definite while the active atoms are linearly
 * independent; a tiny ridge guards the degenerate case). Returns false if the factorisation fails.
 */
function solveActive(gram: Float64Array, k: number, lambda: number, m: number, sc: CodeScratch): boolean {
  const { c, act, chol: L, z } = sc;
  for (let a = 0; a < m; a++) {
    const ja = (act[a] as number) * k;
    for (let b = 0; b <= a; b++) {
      let s = gram[ja + (act[b] as number)] as number;
      for (let e = 0; e < b; e++) s -= (L[a * k + e] as number) * (L[b * k + e] as number);
      if (a === b) {
        s += 1e-10;
        if (!(s > 1e-12)) return false;
        L[a * k + a] = Math.sqrt(s);
      } else {
        L[a * k + b] = s / (L[b * k + b] as number);
      }
    }
  }
  for (let a = 0; a < m; a++) {
    let s = (c[act[a] as number] as number) - lambda;
    for (let e = 0; e < a; e++) s -= (L[a * k + e] as number) * (z[e] as number);
    z[a] = s / (L[a * k + a] as number);
  }
  for (let a = m - 1; a >= 0; a--) {
    let s = z[a] as number;
    for (let e = a + 1; e < m; e++) s -= (L[e * k + a] as number) * (z[e] as number);
    z[a] = s / (L[a * k + a] as number);
  }
  return true;
}

/**
 * Non-negative Lasso for one sample, min_α≥0 ½‖r − αᵀD‖² + λ‖α‖₁ with unit-norm atoms, solved
 * exactly by the active-set method of Lawson & Hanson (1974) for non-negative least squares (the
 * Lasso term only shifts the linear part: minimise ½αᵀGα − (c − λ)ᵀα, c = Dr, G = DDᵀ). The support
 * of the warm start `alpha[ao …]` is the initial active set, so a sample whose support did not change
 * since its last visit costs one small solve and one gradient check. Receives the solution in place.
 */
function codeSample(
  r: Float64Array,
  dict: Float64Array,
  gram: Float64Array,
  k: number,
  d: number,
  lambda: number,
  alpha: Float64Array,
  ao: number,
  sc: CodeScratch,
  maxIter: number,
): void {
  const { c, w, act, inAct, z } = sc;
  rowDots(dict, k, d, r, c);
  let m = 0;
  for (let j = 0; j < k; j++) {
    if ((alpha[ao + j] as number) > 0) {
      act[m++] = j;
      inAct[j] = 1;
    } else inAct[j] = 0;
  }
  let added = -1;
  for (let iter = 0; iter < maxIter; iter++) {
    // Inner loop: move to the unconstrained optimum on the active set, backtracking to keep α ≥ 0.
    while (m > 0) {
      // Degenerate active set (numerically dependent atoms): keep the last feasible point.
      if (!solveActive(gram, k, lambda, m, sc)) return;
      let t = 1;
      for (let a = 0; a < m; a++) {
        const za = z[a] as number;
        if (za > 0) continue;
        const old = alpha[ao + (act[a] as number)] as number;
        const ta = old / (old - za);
        if (ta < t) t = ta;
      }
      if (t >= 1) {
        for (let a = 0; a < m; a++) alpha[ao + (act[a] as number)] = z[a] as number;
        break;
      }
      // Step towards z until the first code hits zero; drop the codes at zero.
      let kept = 0;
      for (let a = 0; a < m; a++) {
        const j = act[a] as number;
        const old = alpha[ao + j] as number;
        const v = old + t * ((z[a] as number) - old);
        if (v > 1e-12 * (1 + old)) {
          alpha[ao + j] = v;
          act[kept++] = j;
        } else {
          alpha[ao + j] = 0;
          inAct[j] = 0;
        }
      }
      if (kept === m) return; // no progress possible (numerical corner): keep the feasible point
      m = kept;
    }
    // KKT check: w = c − λ − Gα must be ≤ 0 on every inactive atom; add the worst violator.
    for (let j = 0; j < k; j++) w[j] = (c[j] as number) - lambda;
    for (let a = 0; a < m; a++) {
      const j = act[a] as number;
      const v = alpha[ao + j] as number;
      const o = j * k;
      for (let l = 0; l < k; l++) w[l] = (w[l] as number) - v * (gram[o + l] as number);
    }
    let best = -1;
    let bestW = 1e-9;
    for (let j = 0; j < k; j++) {
      if (inAct[j] === 0 && (w[j] as number) > bestW) {
        bestW = w[j] as number;
        best = j;
      }
    }
    // Done, or the atom just added was dropped again at once (a numerical corner): no progress.
    if (best < 0 || best === added) return;
    act[m++] = best;
    inAct[best] = 1;
    added = best;
  }
}

/**
 * The non-negative Lasso of `codeSample` for one vector r against unit-norm atoms (k × d), from a
 * zero start; exported for tests.
 */
export function nonNegativeLasso(dict: Float64Array, k: number, d: number, r: Float64Array, lambda: number, maxIter = 64): Float64Array {
  const gram = new Float64Array(k * k);
  gramOf(dict, k, d, gram);
  const alpha = new Float64Array(k);
  const sc: CodeScratch = {
    c: new Float64Array(k),
    w: new Float64Array(k),
    act: new Int32Array(k),
    inAct: new Uint8Array(k),
    chol: new Float64Array(k * k),
    z: new Float64Array(k),
  };
  codeSample(r, dict, gram, k, d, lambda, alpha, 0, sc, maxIter);
  return alpha;
}

/** gram = D Dᵀ (k × k), upper triangle by `rowDots`, mirrored. */
function gramOf(dict: Float64Array, k: number, d: number, gram: Float64Array): void {
  const v = new Float64Array(d);
  for (let i = 0; i < k; i++) {
    for (let c = 0; c < d; c++) v[c] = dict[i * d + c] as number;
    rowDots(dict, k, d, v, gram, i, i * k);
    for (let j = i + 1; j < k; j++) gram[j * k + i] = gram[i * k + j] as number;
  }
}

function normaliseRow(a: Float64Array, o: number, d: number): boolean {
  let s = 0;
  for (let c = 0; c < d; c++) s += (a[o + c] as number) ** 2;
  if (!(s > 1e-24)) return false;
  const inv = 1 / Math.sqrt(s);
  for (let c = 0; c < d; c++) a[o + c] = (a[o + c] as number) * inv;
  return true;
}

/** Buffers of one run; the hot loops live in small functions so V8 optimises each of them. */
interface State {
  n: number;
  d: number;
  k: number;
  lambda: number;
  maxIter: number;
  /** Scaled data, n × d. */
  data: Float64Array;
  /** Intercept b, d. */
  bias: Float64Array;
  /** Atoms, k × d, unit rows. */
  dict: Float64Array;
  /** D Dᵀ, k × k. */
  gram: Float64Array;
  /** Running Σ ααᵀ (k × k) and Σ (x − b) αᵀ (d × k, column j for atom j). */
  A: Float64Array;
  B: Float64Array;
  /** Codes of every sample from its last visit (warm starts), n × k. */
  codes: Float64Array;
  // Per-batch accumulators and scratch.
  batchA: Float64Array;
  batchB: Float64Array;
  biasAcc: Float64Array;
  resid: Float64Array;
  residNorm: Float64Array;
  r: Float64Array;
  scratch: CodeScratch;
  nz: Int32Array;
  u: Float64Array;
}

/** Sparse-code samples order[start … start + size) and accumulate the batch statistics. */
function codeBatch(st: State, order: Int32Array, start: number, size: number): { sqErr: number; active: number } {
  const { d, k, data, bias, dict, codes, batchA, batchB, biasAcc, resid, residNorm, r, nz } = st;
  batchA.fill(0);
  batchB.fill(0);
  biasAcc.fill(0);
  let sqErr = 0;
  let active = 0;
  for (let i = 0; i < size; i++) {
    const s = order[start + i] as number;
    const src = s * d;
    for (let c = 0; c < d; c++) r[c] = (data[src + c] as number) - (bias[c] as number);
    const ao = s * k;
    codeSample(r, dict, st.gram, k, d, st.lambda, codes, ao, st.scratch, st.maxIter);
    let m = 0;
    for (let j = 0; j < k; j++) if ((codes[ao + j] as number) > 0) nz[m++] = j;
    active += m;
    // Sufficient statistics (sparse outer products) and the residual x − b − αᵀD.
    const ro = i * d;
    for (let c = 0; c < d; c++) resid[ro + c] = r[c] as number;
    for (let a = 0; a < m; a++) {
      const j = nz[a] as number;
      const aj = codes[ao + j] as number;
      const oa = j * k;
      for (let b = 0; b < m; b++) {
        const l = nz[b] as number;
        batchA[oa + l] = (batchA[oa + l] as number) + aj * (codes[ao + l] as number);
      }
      const oj = j * d;
      for (let c = 0; c < d; c++) {
        batchB[c * k + j] = (batchB[c * k + j] as number) + (r[c] as number) * aj;
        resid[ro + c] = (resid[ro + c] as number) - aj * (dict[oj + c] as number);
      }
    }
    let e = 0;
    for (let c = 0; c < d; c++) {
      const v = resid[ro + c] as number;
      e += v * v;
      biasAcc[c] = (biasAcc[c] as number) + v;
    }
    residNorm[i] = e;
    sqErr += e;
  }
  return { sqErr, active };
}

/** Fold a batch of `size` samples into the running averages with weight w: A ← (1 − w) A + w · batch mean. */
function accumulate(st: State, w: number, size: number): void {
  const { A, B, batchA, batchB } = st;
  const keep = 1 - w;
  const add = w / size;
  for (let i = 0; i < A.length; i++) A[i] = keep * (A[i] as number) + add * (batchA[i] as number);
  for (let i = 0; i < B.length; i++) B[i] = keep * (B[i] as number) + add * (batchB[i] as number);
}

/**
 * One block-coordinate pass over the atoms (Mairal's Alg. 2) projected onto the unit sphere:
 * d_j ← normalise(d_j + (B_j − Dᵀ A_j) / A_jj). Atoms with A_jj below `deadRatio` × the mean are
 * re-drawn (when `mayResample`) as the worst-explained samples of the batch (Mairal et al. and
 * scikit-learn re-draw unused atoms too), with their statistics and warm starts reset. Returns how many.
 */
function updateAtoms(st: State, size: number, deadRatio: number, mayResample: boolean): number {
  const { n, d, k, A, B, dict, codes, resid, residNorm, u } = st;
  let meanDiag = 0;
  for (let j = 0; j < k; j++) meanDiag += (A[j * k + j] as number) / k;
  let resampled = 0;
  for (let j = 0; j < k; j++) {
    const ajj = A[j * k + j] as number;
    const oj = j * d;
    if (!(ajj > deadRatio * meanDiag)) {
      if (!mayResample) continue;
      let worst = 0;
      for (let i = 1; i < size; i++) if ((residNorm[i] as number) > (residNorm[worst] as number)) worst = i;
      residNorm[worst] = -1;
      for (let c = 0; c < d; c++) u[c] = resid[worst * d + c] as number;
      if (!normaliseRow(u, 0, d)) continue; // nothing left to explain: keep the old atom
      dict.set(u, oj);
      for (let l = 0; l < k; l++) {
        A[j * k + l] = 0;
        A[l * k + j] = 0;
      }
      for (let c = 0; c < d; c++) B[c * k + j] = 0;
      for (let s = 0; s < n; s++) codes[s * k + j] = 0;
      resampled++;
      continue;
    }
    // u = B_j − Σ_l A_jl d_l (A is symmetric: row j is contiguous), four atoms per pass over u.
    for (let c = 0; c < d; c++) u[c] = B[c * k + j] as number;
    const aj = j * k;
    let l = 0;
    for (; l + 4 <= k; l += 4) {
      const a0 = A[aj + l] as number;
      const a1 = A[aj + l + 1] as number;
      const a2 = A[aj + l + 2] as number;
      const a3 = A[aj + l + 3] as number;
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const o0 = l * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      for (let c = 0; c < d; c++) {
        u[c] =
          (u[c] as number) -
          (a0 * (dict[o0 + c] as number) + a1 * (dict[o1 + c] as number) + a2 * (dict[o2 + c] as number) + a3 * (dict[o3 + c] as number));
      }
    }
    for (; l < k; l++) {
      const al = A[aj + l] as number;
      if (al === 0) continue;
      const ol = l * d;
      for (let c = 0; c < d; c++) u[c] = (u[c] as number) - al * (dict[ol + c] as number);
    }
    const inv = 1 / ajj;
    for (let c = 0; c < d; c++) dict[oj + c] = (dict[oj + c] as number) + (u[c] as number) * inv;
    normaliseRow(dict, oj, d);
  }
  return resampled;
}

/** Online dictionary learning on the rows of a row-major n×d array; `k` atoms. */
export function learnDictionary(
  x: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  seed: number,
  options: Partial<DlOptions> = {},
): DlResult {
  const o = { ...DL_DEFAULTS, ...options };
  const rng = new Rng(seed);
  const batch = Math.max(1, Math.min(o.batchSize, n));

  // Scale so the centred data has unit mean squared norm: λ then means the same on any data.
  const mean = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (x[s * d + c] as number);
  for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) / n;
  let ss = 0;
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < d; c++) {
      const z = (x[s * d + c] as number) - (mean[c] as number);
      ss += z * z;
    }
  }
  const scale = ss > 0 ? 1 / Math.sqrt(ss / n) : 1;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) data[i] = (x[i] as number) * scale;
  const bias = new Float64Array(d);
  if (o.intercept) for (let c = 0; c < d; c++) bias[c] = (mean[c] as number) * scale;

  // Atoms start at distinct (centred) data samples drawn uniformly from the seed.
  const dict = new Float64Array(k * d);
  const order0 = rng.permutation(n);
  for (let j = 0, s = 0; j < k; s++) {
    const oj = j * d;
    if (s < n) {
      const src = (order0[s] as number) * d;
      for (let c = 0; c < d; c++) dict[oj + c] = (data[src + c] as number) - (bias[c] as number);
    } else {
      for (let c = 0; c < d; c++) dict[oj + c] = rng.normal(); // fewer usable samples than atoms
    }
    if (normaliseRow(dict, oj, d)) j++;
  }

  const st: State = {
    n,
    d,
    k,
    lambda: o.lambda,
    maxIter: o.maxIter,
    data,
    bias,
    dict,
    gram: new Float64Array(k * k),
    A: new Float64Array(k * k),
    B: new Float64Array(d * k),
    codes: new Float64Array(n * k),
    batchA: new Float64Array(k * k),
    batchB: new Float64Array(d * k),
    biasAcc: new Float64Array(d),
    resid: new Float64Array(batch * d),
    residNorm: new Float64Array(batch),
    r: new Float64Array(d),
    scratch: {
      c: new Float64Array(k),
      w: new Float64Array(k),
      act: new Int32Array(k),
      inAct: new Uint8Array(k),
      chol: new Float64Array(k * k),
      z: new Float64Array(k),
    },
    nz: new Int32Array(k),
    u: new Float64Array(d),
  };
  gramOf(dict, k, d, st.gram);

  let step = 0;
  let resampled = 0;
  let sqErr = 0;
  let active = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = rng.permutation(n);
    sqErr = 0;
    active = 0;
    for (let start = 0; start < n; start += batch, step++) {
      const size = Math.min(batch, n - start);
      const stats = codeBatch(st, order, start, size);
      sqErr += stats.sqErr;
      active += stats.active;
      accumulate(st, 1 / Math.min(step + 1, Math.max(o.memory, Math.floor(o.growth * step))), size);
      // b moves to the mean residual of the batch (the unpenalised intercept given the codes).
      if (o.intercept) for (let c = 0; c < d; c++) bias[c] = (bias[c] as number) + (st.biasAcc[c] as number) / size;
      resampled += updateAtoms(st, size, o.deadRatio, true);
      gramOf(dict, k, d, st.gram);
    }
  }
  if (o.polish > 0) {
    // Final pass: exact averages of A and B over all samples, coded with the final dictionary, then
    // block-coordinate passes on them (the batch surrogate of Mairal et al.), without re-drawing.
    const order = rng.permutation(n);
    sqErr = 0;
    active = 0;
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const stats = codeBatch(st, order, start, size);
      sqErr += stats.sqErr;
      active += stats.active;
      accumulate(st, size / (start + size), size);
    }
    for (let pass = 0; pass < o.polish; pass++) updateAtoms(st, batch, o.deadRatio, false);
  }

  // The centred, scaled data has unit mean squared norm, so the mean squared residual is the FVU.
  return {
    dictionary: Float32Array.from(dict),
    fvu: n > 0 ? sqErr / n : 0,
    meanActive: n > 0 ? active / n : 0,
    resampled,
  };
}

export const dictionaryLearning: MethodDefinition = {
  id: "dictionary-learning",
  version: "1.0.2",
  name: "Sparse dictionary learning",
  kind: "baseline",
  description:
    "Online mini-batch dictionary learning (Mairal et al. 2009): k unit-norm atoms, exact non-negative Lasso codes (active set), block-coordinate atom updates on running sufficient statistics, learned intercept.",
  url: "https://doi.org/10.1145/1553374.1553463",
  tasks: ["feature-recovery"],
  async run(ctx) {
    const x = ctx.inputs.activations as NdArray;
    const [n, d] = x.shape as [number, number];
    const shape = ctx.outputShapes.dictionary as [number, number];
    const { dictionary } = learnDictionary(x.data, n, d, shape[0], ctx.seed);
    return { dictionary: f32(shape, dictionary) };
  },
};
