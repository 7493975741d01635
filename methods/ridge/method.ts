// Baseline: ridge regression with a penalty chosen by blocked cross-validation (T2 latent-decoding).
// Activity is standardised with training statistics; targets are encoded as regression outputs
// (linear: values; circular: (cos θ, sin θ) → atan2; categorical: one-vs-rest one-hot → argmax).
// All penalties are evaluated from one eigendecomposition of the centred Gram matrix per fold.
import { matMul, symmetricEigen } from "../../harness/linalg.ts";
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import {
  applyStandardizer,
  blockedFolds,
  decodeOutputs,
  encodedWidth,
  encodeTargets,
  readProblem,
  standardizer,
  taskScore,
} from "../shared/decoding.ts";

/** Penalties relative to the mean eigenvalue of the centred Gram matrix (≈ nTrain for standardised data). */
export const RIDGE_ALPHAS = Array.from({ length: 15 }, (_, i) => 10 ** (-5 + 0.5 * i));
export const RIDGE_FOLDS = 5;

interface Moments {
  n: number;
  gram: Float64Array; // d×d  Σ x xᵀ
  sumX: Float64Array; // d
  cross: Float64Array; // d×m  Σ x yᵀ
  sumY: Float64Array; // m
}

function moments(x: Float64Array, y: Float64Array, start: number, end: number, d: number, m: number): Moments {
  const gram = new Float64Array(d * d);
  const sumX = new Float64Array(d);
  const cross = new Float64Array(d * m);
  const sumY = new Float64Array(m);
  for (let s = start; s < end; s++) {
    const xo = s * d;
    const yo = s * m;
    for (let i = 0; i < d; i++) {
      const xi = x[xo + i] as number;
      sumX[i] = (sumX[i] as number) + xi;
      if (xi === 0) continue;
      for (let j = i; j < d; j++) gram[i * d + j] = (gram[i * d + j] as number) + xi * (x[xo + j] as number);
      for (let k = 0; k < m; k++) cross[i * m + k] = (cross[i * m + k] as number) + xi * (y[yo + k] as number);
    }
    for (let k = 0; k < m; k++) sumY[k] = (sumY[k] as number) + (y[yo + k] as number);
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) gram[i * d + j] = gram[j * d + i] as number;
  return { n: end - start, gram, sumX, cross, sumY };
}

function subtract(a: Moments, b: Moments): Moments {
  const sub = (p: Float64Array, q: Float64Array) => p.map((v, i) => v - (q[i] as number));
  return { n: a.n - b.n, gram: sub(a.gram, b.gram), sumX: sub(a.sumX, b.sumX), cross: sub(a.cross, b.cross), sumY: sub(a.sumY, b.sumY) };
}

/** A fitted ridge path: predictions of x for any penalty α from one eigendecomposition. */
export class RidgePath {
  readonly muX: Float64Array;
  readonly muY: Float64Array;
  readonly values: Float64Array;
  readonly vectors: Float64Array; // rows are eigenvectors
  readonly vtc: Float64Array; // d×m  Vᵀ C (C = centred cross moments)
  readonly scale: number;

  constructor(
    mo: Moments,
    readonly d: number,
    readonly m: number,
  ) {
    const n = Math.max(1, mo.n);
    this.muX = mo.sumX.map((v) => v / n);
    this.muY = mo.sumY.map((v) => v / n);
    const g = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) g[i * d + j] = (mo.gram[i * d + j] as number) - n * (this.muX[i] as number) * (this.muX[j] as number);
    const c = new Float64Array(d * m);
    for (let i = 0; i < d; i++)
      for (let k = 0; k < m; k++) c[i * m + k] = (mo.cross[i * m + k] as number) - n * (this.muX[i] as number) * (this.muY[k] as number);
    const eig = symmetricEigen(g, d);
    this.values = eig.values.map((v) => Math.max(0, v));
    this.vectors = eig.vectors;
    this.vtc = matMul(eig.vectors, c, d, d, m);
    this.scale = Math.max(1e-12, this.values.reduce((a, b) => a + b, 0) / d);
  }

  /** Projections P = (x − μ) Vᵀ of `rows` rows, reused across penalties. */
  project(x: Float64Array, rowsN: number): Float64Array {
    const { d } = this;
    const centred = new Float64Array(rowsN * d);
    for (let r = 0; r < rowsN; r++) for (let c = 0; c < d; c++) centred[r * d + c] = (x[r * d + c] as number) - (this.muX[c] as number);
    // (x − μ) · Vᵀ where vectors holds V's rows: multiply by the transpose.
    const vt = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vt[j * d + i] = this.vectors[i * d + j] as number;
    return matMul(centred, vt, rowsN, d, d);
  }

  /** Regression outputs [rows, m] for penalty α (relative to the mean eigenvalue). */
  predict(projected: Float64Array, rowsN: number, alpha: number): Float64Array {
    const { d, m } = this;
    const lambda = alpha * this.scale;
    const coef = new Float64Array(d * m);
    for (let i = 0; i < d; i++) {
      const f = 1 / ((this.values[i] as number) + lambda);
      for (let k = 0; k < m; k++) coef[i * m + k] = (this.vtc[i * m + k] as number) * f;
    }
    const out = matMul(projected, coef, rowsN, d, m);
    for (let r = 0; r < rowsN; r++) for (let k = 0; k < m; k++) out[r * m + k] = (out[r * m + k] as number) + (this.muY[k] as number);
    return out;
  }
}

export const ridge: MethodDefinition = {
  id: "ridge",
  version: "1.0.2",
  name: "Ridge regression (blocked CV)",
  kind: "baseline",
  description:
    "Linear decoder: ridge regression on standardised activity, penalty chosen by 5-fold blocked (contiguous) cross-validation of the task score; circular targets regress (cos, sin) and take atan2, categorical targets use one-vs-rest ridge and argmax.",
  url: "https://doi.org/10.1080/00401706.1970.10488634",
  tasks: ["latent-decoding"],
  async run(ctx) {
    const p = readProblem(ctx);
    const { params, nTrain, nTest, d, q } = p;
    const st = standardizer(p.xTrain, nTrain, d);
    const x = applyStandardizer(p.xTrain, nTrain, d, st);
    const xTest = applyStandardizer(p.xTest, nTest, d, st);
    const m = encodedWidth(params, q);
    const y = encodeTargets(params, p.yTrain, nTrain, q);

    const total = moments(x, y, 0, nTrain, d, m);
    const folds = blockedFolds(nTrain, RIDGE_FOLDS);
    const cv = new Float64Array(RIDGE_ALPHAS.length);
    for (const [a, b] of folds) {
      const path = new RidgePath(subtract(total, moments(x, y, a, b, d, m)), d, m);
      const proj = path.project(x.subarray(a * d, b * d), b - a);
      const truth = p.yTrain.subarray(a * q, b * q);
      RIDGE_ALPHAS.forEach((alpha, i) => {
        const pred = decodeOutputs(params, path.predict(proj, b - a, alpha), b - a, q);
        cv[i] = (cv[i] as number) + taskScore(params, truth, pred, b - a, q) / folds.length;
      });
    }
    // Best CV score; ties go to the larger penalty (the simpler model).
    let best = 0;
    for (let i = 1; i < cv.length; i++) if ((cv[i] as number) >= (cv[best] as number)) best = i;

    const path = new RidgePath(total, d, m);
    const out = decodeOutputs(params, path.predict(path.project(xTest, nTest), nTest, RIDGE_ALPHAS[best] as number), nTest, q);
    return { testPrediction: f32([nTest, q], out) };
  },
};
