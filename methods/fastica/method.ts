// Baseline: FastICA (Hyvärinen 1999), parallel (symmetric) version with the logcosh contrast, as in
// scikit-learn's FastICA(whiten="unit-variance", fun="logcosh"). The dictionary rows are the mixing
// directions in activation space (columns of A = pinv(unmixing), sklearn's `mixing_`).
import type { Tensor } from "@tensorflow/tfjs";
import { principalAxes, symmetricDecorrelation } from "../../harness/linalg.ts";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";

/** Hyper-parameters (README.md says why). */
export const FASTICA_DEFAULTS = {
  /** logcosh scale: G(u) = log cosh(αu)/α, g(u) = tanh(αu). */
  alpha: 1,
  maxIter: 200,
  tol: 1e-4,
  /** Whitened directions with variance below this fraction of the largest are dropped (rank deficiency). */
  minVarianceRatio: 1e-10,
  /** Contrast: logcosh (default, Hyvärinen's general-purpose choice), exp or cube (kurtosis). */
  fun: "logcosh" as "logcosh" | "exp" | "cube",
};

export interface FastIcaResult {
  /** m × d mixing directions (rows), m ≤ min(k, d). */
  mixing: Float64Array;
  m: number;
  iterations: number;
  converged: boolean;
}

/** FastICA on a row-major n×d float array, extracting up to `components` sources. */
export async function fastIca(
  x: ArrayLike<number>,
  n: number,
  d: number,
  components: number,
  seed: number,
  options: Partial<typeof FASTICA_DEFAULTS> = {},
): Promise<FastIcaResult> {
  const { alpha, maxIter, tol, minVarianceRatio, fun } = { ...FASTICA_DEFAULTS, ...options };
  const { tf } = await initTf();
  const { mean, values, vectors } = principalAxes(x, n, d);
  let m = Math.min(components, d);
  while (m > 0 && !((values[m - 1] as number) > (values[0] as number) * minVarianceRatio)) m--;
  if (m === 0) return { mixing: new Float64Array(0), m: 0, iterations: 0, converged: true };

  // Whitening K = D^(-1/2) Eᵀ (m × d) and the whitened data Z = (X − mean) Kᵀ (n × m, unit variance).
  const whiten = new Float32Array(d * m); // Kᵀ, d × m
  for (let i = 0; i < m; i++) {
    const s = 1 / Math.sqrt(values[i] as number);
    for (let c = 0; c < d; c++) whiten[c * m + i] = (vectors[i * d + c] as number) * s;
  }
  const centred = new Float32Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) centred[r * d + c] = (x[r * d + c] as number) - (mean[c] as number);
  // Both layouts of the whitened data: tfjs-wasm matMul with a transpose flag is ~5× slower.
  const [z, zt] = tf.tidy(() => {
    const zz = tf.matMul(tf.tensor2d(centred, [n, d]), tf.tensor2d(whiten, [d, m]));
    return [zz, tf.transpose(zz)];
  });

  // Deterministic start: a Gaussian matrix from the method seed, made orthogonal.
  const rng = new Rng(seed);
  let w = symmetricDecorrelation(
    Float64Array.from({ length: m * m }, () => rng.normal()),
    m,
  );
  let iterations = 0;
  let converged = false;
  try {
    for (; iterations < maxIter && !converged; iterations++) {
      // Fixed-point step W⁺ = E[g(WZ) Zᵀ] − diag(E[g'(WZ)]) W; the n-sized work runs on tfjs.
      const [gz, gp] = tf.tidy(() => {
        const y = tf.matMul(tf.tensor2d(Float32Array.from(w), [m, m]), zt); // m × n, rows w_i·z
        let g: Tensor;
        let gPrime: Tensor;
        if (fun === "logcosh") {
          // tanh(αy) = 2σ(2αy) − 1: identical maths, and sigmoid is vectorised on wasm (tanh is ~15× slower).
          g = tf.sub(tf.mul(tf.sigmoid(tf.mul(y, 2 * alpha)), 2), 1);
          gPrime = tf.mul(tf.sub(1, tf.mean(tf.square(g), 1)), alpha);
        } else if (fun === "exp") {
          const e = tf.exp(tf.mul(tf.square(y), -0.5));
          g = tf.mul(y, e);
          gPrime = tf.mean(tf.mul(tf.sub(1, tf.square(y)), e), 1);
        } else {
          g = tf.pow(y, 3);
          gPrime = tf.mean(tf.mul(tf.square(y), 3), 1);
        }
        const gzt = tf.div(tf.matMul(g, z), n); // m × m: E[g(w_i·z) z_j]
        return [gzt.dataSync(), gPrime.dataSync()];
      });
      const next = new Float64Array(m * m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) next[i * m + j] = (gz[i * m + j] as number) - (gp[i] as number) * (w[i * m + j] as number);
      }
      const w1 = symmetricDecorrelation(next, m);
      // Converged when every row keeps its direction: |<w⁺_i, w_i>| ≈ 1.
      let lim = 0;
      for (let i = 0; i < m; i++) {
        let dot = 0;
        for (let j = 0; j < m; j++) dot += (w1[i * m + j] as number) * (w[i * m + j] as number);
        lim = Math.max(lim, Math.abs(Math.abs(dot) - 1));
      }
      w = w1;
      converged = lim < tol;
    }
  } finally {
    z.dispose();
    zt.dispose();
  }

  // Unmixing = W K; with W orthogonal its pseudo-inverse is K⁺ Wᵀ = E D^(1/2) Wᵀ, whose columns
  // (our rows) are Σ_j W_ij √λ_j e_j.
  const mixing = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const f = (w[i * m + j] as number) * Math.sqrt(values[j] as number);
      for (let c = 0; c < d; c++) mixing[i * d + c] = (mixing[i * d + c] as number) + f * (vectors[j * d + c] as number);
    }
  }
  return { mixing, m, iterations, converged };
}

export const fastica: MethodDefinition = {
  id: "fastica",
  version: "1.0.2",
  name: "FastICA",
  kind: "baseline",
  description:
    "FastICA (Hyvärinen 1999): PCA whitening, logcosh contrast, symmetric decorrelation, min(k, d) components; rows are the mixing directions, rows beyond d are zero.",
  url: "https://doi.org/10.1109/72.761722",
  tasks: ["feature-recovery"],
  async run(ctx) {
    const x = ctx.inputs.activations as NdArray;
    const [n, d] = x.shape as [number, number];
    const shape = ctx.outputShapes.dictionary as [number, number];
    const { mixing } = await fastIca(x.data, n, d, shape[0], ctx.seed);
    const dictionary = f32(shape);
    dictionary.data.set(mixing);
    return { dictionary };
  },
};
