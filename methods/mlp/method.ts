// Baseline: a small multilayer perceptron decoder (T2 latent-decoding), trained with TensorFlow.js.
//   h1 = ReLU(x W1 + b1), h2 = ReLU(h1 W2 + b2), out = h2 W3 + b3
// on standardised activity. Outputs: standardised values with squared error (linear), (cos θ, sin θ)
// with squared error and atan2 (circular), or class logits with class-balanced softmax cross-entropy
// and argmax (categorical). Adam on minibatches of the first 80 % of the training block; the last 20 %
// (a contiguous block, after the rest in time) is the validation set for early stopping, and the
// weights of the best validation epoch are kept. Initialisation and batch order come from the method
// seed; tensors are only filled from JS arrays, so a run is a function of its inputs and seed.
// At these sizes (64 units, batches of 128) the cost is mostly per-kernel dispatch, not arithmetic, so a step uses
// as few kernels as it can: fused product+bias+ReLU, batches (and W2ᵀ, W3ᵀ) uploaded rather than sliced or
// transposed, gradients read back, and Adam as one JavaScript loop over the flat parameters. (Plain JavaScript for the products themselves was
// measured: ~2× slower than wasm's SIMD kernels.)
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { applyStandardizer, decodeOutputs, encodedWidth, encodeTargets, readProblem, standardizer } from "../shared/decoding.ts";

type Tf = typeof import("@tensorflow/tfjs");

export const MLP_CONFIG = {
  hidden: [64, 64] as const,
  learningRate: 1e-2,
  batchSize: 128,
  maxEpochs: 60,
  /** Stop after this many epochs without a better validation loss. */
  patience: 8,
  /** L2 penalty on the weight matrices (added to their gradients). */
  weightDecay: 1e-2,
  validationFraction: 0.2,
};

/** Uniform(−limit, limit) entries from the seeded generator (He-uniform for ReLU layers, Glorot for the last). */
function initMatrix(rng: Rng, fanIn: number, fanOut: number, relu: boolean): Float32Array {
  const limit = relu ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.uniform() - 1) * limit);
}

/** Offsets of W1 [d, h1], b1, W2 [h1, h2], b2, W3 [h2, m], b3 in the flat parameter vector. */
function layout(d: number, h1: number, h2: number, m: number) {
  const shapes: [number, number][] = [
    [d, h1],
    [1, h1],
    [h1, h2],
    [1, h2],
    [h2, m],
    [1, m],
  ];
  const offsets = [0];
  for (const [r, c] of shapes) offsets.push((offsets[offsets.length - 1] as number) + r * c);
  return { shapes, offsets, size: offsets[shapes.length] as number };
}

/** Forward pass, bias and ReLU fused into each hidden layer's product (one wasm kernel each). */
export function forward(tf: Tf, p: Tensor2D[], x: Tensor2D) {
  const [w1, b1, w2, b2, w3, b3] = p as [Tensor2D, Tensor2D, Tensor2D, Tensor2D, Tensor2D, Tensor2D];
  const h1 = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: "relu" }) as Tensor2D;
  const h2 = tf.fused.matMul({ a: h1, b: w2, bias: b2, activation: "relu" }) as Tensor2D;
  const out = tf.fused.matMul({ a: h2, b: w3, bias: b3 }) as Tensor2D;
  return { h1, h2, out };
}

/**
 * The loss: the weighted mean over the batch (`weights` [B, 1]: class-balancing for categorical targets, 1 otherwise)
 * of the squared error per output or the softmax cross-entropy per categorical column. Only validation (and the
 * gradient test) evaluates it; training uses `lossGradient`.
 */
export function outputLoss(tf: Tf, out: Tensor2D, y: Tensor2D, weights: Tensor2D, categorical: { q: number; k: number } | null) {
  const [batch, m] = out.shape;
  if (!categorical) return tf.div(tf.sum(tf.mul(tf.square(tf.sub(out, y)), weights)), batch * m);
  const { q, k } = categorical;
  const logp = tf.reshape(tf.logSoftmax(tf.reshape(out, [batch * q, k])), [batch, q * k]);
  return tf.div(tf.neg(tf.sum(tf.mul(tf.mul(logp, y), weights))), batch * q);
}

/**
 * Gradients of the data loss by hand (tfjs autodiff's transposed matMul kernels are slow on wasm), flattened into
 * one vector in the parameters' layout (the L2 term is added to it by the caller, on the flat vector).
 */
function parameterGradients(tf: Tf, transposed: Transposed, xT: Tensor2D, gOut: Tensor2D, h1: Tensor2D, h2: Tensor2D): Tensor[] {
  const { w2T, w3T } = transposed;
  const gW3 = tf.matMul(tf.transpose(h2), gOut);
  const gB3 = tf.sum(gOut, 0);
  const gH2 = tf.mul(tf.matMul(gOut, w3T), tf.step(h2));
  const gW2 = tf.matMul(tf.transpose(h1), gH2);
  const gB2 = tf.sum(gH2, 0);
  const gH1 = tf.mul(tf.matMul(gH2, w2T), tf.step(h1));
  const gW1 = tf.matMul(xT, gH1);
  const gB1 = tf.sum(gH1, 0);
  return [gW1, gB1, gW2, gB2, gW3, gB3];
}

/** W2ᵀ and W3ᵀ for the backward pass (the trainer transposes them in JavaScript: two kernels fewer per step). */
export interface Transposed {
  w2T: Tensor2D;
  w3T: Tensor2D;
}

/**
 * The data loss's gradients with respect to the six parameters on one batch, up to the factor `scale` that the caller
 * applies to the numbers it reads back (saves a kernel per step): squared error has unit sample weights,
 * ∂loss/∂out = (out − y)·2/(B·m); cross-entropy has ∂loss/∂out = (softmax − y)·w/(B·q), `scaledWeights` = w/(B·q).
 * `xT` is the batch's inputs transposed (∂W1 = xᵀ g).
 */
export function lossGradient(
  tf: Tf,
  p: Tensor2D[],
  transposed: Transposed,
  x: Tensor2D,
  xT: Tensor2D,
  y: Tensor2D,
  scaledWeights: Tensor2D | null,
  categorical: { q: number; k: number } | null,
): { gradients: Tensor[]; scale: number } {
  const { h1, h2, out } = forward(tf, p, x);
  const [batch, m] = out.shape as [number, number];
  if (!categorical) return { gradients: parameterGradients(tf, transposed, xT, tf.sub(out, y), h1, h2), scale: 2 / (batch * m) };
  const probs = tf.reshape(tf.softmax(tf.reshape(out, [batch * categorical.q, categorical.k])), [batch, m]) as Tensor2D;
  return { gradients: parameterGradients(tf, transposed, xT, tf.mul(tf.sub(probs, y), scaledWeights as Tensor2D), h1, h2), scale: 1 };
}

export const mlp: MethodDefinition = {
  id: "mlp",
  version: "1.1.1",
  name: "MLP decoder (TensorFlow.js)",
  kind: "baseline",
  description:
    "Nonlinear decoder: a 2-hidden-layer ReLU MLP (64, 64) on standardised activity, trained with Adam; early stopping on the last 20 % of the training block (contiguous). Circular targets predict (cos, sin) → atan2; categorical targets use class-balanced softmax cross-entropy → argmax.",
  url: "https://doi.org/10.1038/323533a0",
  tasks: ["latent-decoding"],
  async run(ctx) {
    const { tf } = await initTf();
    const prob = readProblem(ctx);
    const { params, nTrain, nTest, d, q } = prob;
    const cfg = MLP_CONFIG;
    const rng = new Rng(ctx.seed);

    const st = standardizer(prob.xTrain, nTrain, d);
    const x = Float32Array.from(applyStandardizer(prob.xTrain, nTrain, d, st));
    const xTest = Float32Array.from(applyStandardizer(prob.xTest, nTest, d, st));
    const m = encodedWidth(params, q);
    const yEnc = encodeTargets(params, prob.yTrain, nTrain, q);
    // Linear targets are standardised (training statistics) so the squared error weighs them alike.
    const yStd =
      params.targetKind === "linear" ? standardizer(yEnc, nTrain, m) : { mean: new Float64Array(m), std: new Float64Array(m).fill(1) };
    const y = Float32Array.from(applyStandardizer(yEnc, nTrain, m, yStd));
    const categorical = params.targetKind === "categorical" ? { q, k: params.nClasses as number } : null;

    // Per-sample weights: inverse class frequency (averaged over columns), mean 1 over the training block.
    const w = new Float32Array(nTrain).fill(1);
    if (categorical) {
      const { k } = categorical;
      const counts = new Float64Array(q * k);
      for (let i = 0; i < nTrain; i++) for (let c = 0; c < q * k; c++) counts[c] = (counts[c] as number) + (y[i * m + c] as number);
      let total = 0;
      for (let i = 0; i < nTrain; i++) {
        let s = 0;
        for (let c = 0; c < q * k; c++) if ((y[i * m + c] as number) > 0) s += nTrain / (k * Math.max(1, counts[c] as number));
        w[i] = s / q;
        total += w[i] as number;
      }
      for (let i = 0; i < nTrain; i++) w[i] = ((w[i] as number) * nTrain) / total;
    }

    const nVal = Math.max(1, Math.round(cfg.validationFraction * nTrain));
    const nFit = nTrain - nVal;
    const [h1n, h2n] = cfg.hidden;
    const lay = layout(d, h1n, h2n, m);
    // One flat parameter vector, so that Adam's update is a handful of kernels rather than a handful per tensor.
    const init = new Float32Array(lay.size);
    const decayMask = new Float32Array(lay.size);
    for (const [i, relu] of [
      [0, true],
      [2, true],
      [4, false],
    ] as const) {
      const [fanIn, fanOut] = lay.shapes[i] as [number, number];
      init.set(initMatrix(rng, fanIn, fanOut, relu), lay.offsets[i]);
      decayMask.fill(cfg.weightDecay, lay.offsets[i], lay.offsets[i + 1]);
    }
    // Parameters and Adam's moments live in JavaScript (Float64): the update is ~10⁴ numbers, cheaper as one loop than
    // as a dozen wasm kernel calls; each step uploads the parameter tensors and reads back their gradients.
    const theta = Float64Array.from(init);
    const theta32 = new Float32Array(lay.size);
    const [mom1, mom2] = [new Float64Array(lay.size), new Float64Array(lay.size)];
    const best = Float64Array.from(theta);
    const upload = () => {
      theta32.set(theta);
      // Biases are rank 1 (what the fused kernel takes).
      return lay.shapes.map(([r, c], i) => {
        const values = theta32.subarray(lay.offsets[i], lay.offsets[i + 1]);
        return (r === 1 ? tf.tensor1d(values) : tf.tensor2d(values, [r, c])) as Tensor2D;
      });
    };
    const [w2T, w3T] = [new Float32Array(h1n * h2n), new Float32Array(h2n * m)];
    const uploadTransposed = (): Transposed => {
      for (const [dst, at, rows, cols] of [
        [w2T, lay.offsets[2], h1n, h2n],
        [w3T, lay.offsets[4], h2n, m],
      ] as const)
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = theta[(at as number) + r * cols + c] as number;
      return { w2T: tf.tensor2d(w2T, [h2n, h1n]), w3T: tf.tensor2d(w3T, [m, h2n]) };
    };
    const xVal = tf.tensor2d(x.subarray(nFit * d), [nVal, d]);
    const yVal = tf.tensor2d(y.subarray(nFit * m), [nVal, m]);
    const wVal = tf.tensor2d(w.subarray(nFit), [nVal, 1]);
    const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
    const batch = Math.min(cfg.batchSize, nFit);
    const stepsPerEpoch = Math.max(1, Math.floor(nFit / batch));
    const weightScale = 1 / (batch * q);
    // Per epoch, the shuffled batches are laid out contiguously in JS (and each batch's inputs also transposed, for
    // ∂W1 = xᵀ g) and uploaded per step: uploads cost less than slice and transpose kernels.
    const xs = new Float32Array(nFit * d);
    const xsT = new Float32Array(stepsPerEpoch * batch * d);
    const ys = new Float32Array(nFit * m);
    const ws = new Float32Array(nFit);
    let step = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let sinceBest = 0;
    try {
      for (let epoch = 0; epoch < cfg.maxEpochs && sinceBest < cfg.patience; epoch++) {
        const order = rng.permutation(nFit);
        for (let i = 0; i < nFit; i++) {
          const src = order[i] as number;
          xs.set(x.subarray(src * d, (src + 1) * d), i * d);
          ys.set(y.subarray(src * m, (src + 1) * m), i * m);
          ws[i] = (w[src] as number) * weightScale;
        }
        for (let s = 0; s < stepsPerEpoch; s++)
          for (let r = 0; r < batch; r++) {
            const row = (s * batch + r) * d;
            for (let c = 0; c < d; c++) xsT[s * batch * d + c * batch + r] = xs[row + c] as number;
          }
        for (let s = 0; s < stepsPerEpoch; s++) {
          step++;
          const lr = (cfg.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
          tf.tidy(() => {
            const xb = tf.tensor2d(xs.subarray(s * batch * d, (s + 1) * batch * d), [batch, d]);
            const xbT = tf.tensor2d(xsT.subarray(s * batch * d, (s + 1) * batch * d), [d, batch]);
            const yb = tf.tensor2d(ys.subarray(s * batch * m, (s + 1) * batch * m), [batch, m]);
            const wb = categorical ? tf.tensor2d(ws.subarray(s * batch, (s + 1) * batch), [batch, 1]) : null;
            const { gradients, scale } = lossGradient(tf, upload(), uploadTransposed(), xb, xbT, yb, wb, categorical);
            // Read back per tensor (no reshape and concat kernels); Adam per segment of the flat parameters.
            gradients.forEach((gradient, t) => {
              const g = gradient.dataSync();
              const at = lay.offsets[t] as number;
              for (let j = 0; j < g.length; j++) {
                const i = at + j;
                const gi = scale * (g[j] as number) + (decayMask[i] as number) * (theta[i] as number);
                const m1 = beta1 * (mom1[i] as number) + (1 - beta1) * gi;
                const v1 = beta2 * (mom2[i] as number) + (1 - beta2) * gi * gi;
                mom1[i] = m1;
                mom2[i] = v1;
                theta[i] = (theta[i] as number) - (lr * m1) / (Math.sqrt(v1) + eps);
              }
            });
          });
        }
        const valLoss = tf.tidy(() => outputLoss(tf, forward(tf, upload(), xVal).out, yVal, wVal, categorical).dataSync()[0] as number);
        if (valLoss < bestLoss - 1e-6) {
          bestLoss = valLoss;
          sinceBest = 0;
          best.set(theta);
        } else sinceBest++;
      }
      theta.set(best);
      const z = tf.tidy(() => forward(tf, upload(), tf.tensor2d(xTest, [nTest, d])).out.dataSync());
      const zz = new Float64Array(nTest * m);
      for (let i = 0; i < nTest; i++)
        for (let c = 0; c < m; c++) zz[i * m + c] = (z[i * m + c] as number) * (yStd.std[c] as number) + (yStd.mean[c] as number);
      return { testPrediction: f32([nTest, q], decodeOutputs(params, zz, nTest, q)) };
    } finally {
      tf.dispose([xVal, yVal, wVal]);
    }
  },
};
