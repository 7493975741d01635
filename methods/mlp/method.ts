// Baseline: a small multilayer perceptron decoder (T2 latent-decoding), trained with TensorFlow.js.
//   h1 = ReLU(x W1 + b1), h2 = ReLU(h1 W2 + b2), out = h2 W3 + b3
// on standardised activity. Outputs: standardised values with squared error (linear), (cos θ, sin θ)
// with squared error and atan2 (circular), or class logits with class-balanced softmax cross-entropy
// and argmax (categorical). Adam on minibatches of the first 80 % of the training block; the last 20 %
// (a contiguous block, after the rest in time) is the validation set for early stopping, and the
// weights of the best validation epoch are kept. Initialisation and batch order come from the method
// seed; tensors are only filled from JS arrays, so a run is a function of its inputs and seed.
import type { Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
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

interface Params {
  w1: Variable;
  b1: Variable;
  w2: Variable;
  b2: Variable;
  w3: Variable;
  b3: Variable;
}

/** Uniform(−limit, limit) entries from the seeded generator (He-uniform for ReLU layers, Glorot for the last). */
function initMatrix(rng: Rng, fanIn: number, fanOut: number, relu: boolean): Float32Array {
  const limit = relu ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.uniform() - 1) * limit);
}

function forward(tf: Tf, p: Params, x: Tensor2D) {
  const h1 = tf.relu(tf.add(tf.matMul(x, p.w1), p.b1)) as Tensor2D;
  const h2 = tf.relu(tf.add(tf.matMul(h1, p.w2), p.b2)) as Tensor2D;
  const out = tf.add(tf.matMul(h2, p.w3), p.b3) as Tensor2D;
  return { h1, h2, out };
}

/**
 * Per-row loss gradient with respect to the outputs, and the summed loss. `weights` [B, 1] are the
 * per-sample weights (class-balancing for categorical targets, 1 otherwise); the loss is their
 * weighted mean over the batch.
 */
function outputGradient(tf: Tf, out: Tensor2D, y: Tensor2D, weights: Tensor2D, categorical: { q: number; k: number } | null) {
  const batch = out.shape[0];
  if (!categorical) {
    const m = out.shape[1];
    const err = tf.sub(out, y);
    const loss = tf.div(tf.sum(tf.mul(tf.square(err), weights)), batch * m);
    return { grad: tf.mul(err, tf.div(weights, (batch * m) / 2)) as Tensor2D, loss };
  }
  const { q, k } = categorical;
  const logits = tf.reshape(out, [batch * q, k]);
  const probs = tf.reshape(tf.softmax(logits), [batch, q * k]);
  const logp = tf.reshape(tf.logSoftmax(logits), [batch, q * k]);
  const loss = tf.div(tf.neg(tf.sum(tf.mul(tf.mul(logp, y), weights))), batch * q);
  return { grad: tf.mul(tf.sub(probs, y), tf.div(weights, batch * q)) as Tensor2D, loss };
}

/** Gradients of the loss by hand (tfjs autodiff's transposed matMul kernels are slow on wasm). */
function gradients(tf: Tf, p: Params, x: Tensor2D, gOut: Tensor2D, h1: Tensor2D, h2: Tensor2D, decay: number): Tensor[] {
  const gW3 = tf.add(tf.matMul(tf.transpose(h2), gOut), tf.mul(p.w3, decay));
  const gB3 = tf.sum(gOut, 0, true);
  const gH2 = tf.mul(tf.matMul(gOut, tf.transpose(p.w3)), tf.step(h2));
  const gW2 = tf.add(tf.matMul(tf.transpose(h1), gH2), tf.mul(p.w2, decay));
  const gB2 = tf.sum(gH2, 0, true);
  const gH1 = tf.mul(tf.matMul(gH2, tf.transpose(p.w2)), tf.step(h1));
  const gW1 = tf.add(tf.matMul(tf.transpose(x), gH1), tf.mul(p.w1, decay));
  const gB1 = tf.sum(gH1, 0, true);
  return [gW1, gB1, gW2, gB2, gW3, gB3];
}

export const mlp: MethodDefinition = {
  id: "mlp",
  version: "1.0.2",
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
    const p: Params = {
      w1: tf.variable(tf.tensor2d(initMatrix(rng, d, h1n, true), [d, h1n])),
      b1: tf.variable(tf.zeros([1, h1n])),
      w2: tf.variable(tf.tensor2d(initMatrix(rng, h1n, h2n, true), [h1n, h2n])),
      b2: tf.variable(tf.zeros([1, h2n])),
      w3: tf.variable(tf.tensor2d(initMatrix(rng, h2n, m, false), [h2n, m])),
      b3: tf.variable(tf.zeros([1, m])),
    };
    const list = [p.w1, p.b1, p.w2, p.b2, p.w3, p.b3];
    const moments = list.map((v) => [tf.variable(tf.zerosLike(v)), tf.variable(tf.zerosLike(v))] as [Variable, Variable]);
    let best = list.map((v) => tf.clone(v));
    const xVal = tf.tensor2d(x.subarray(nFit * d), [nVal, d]);
    const yVal = tf.tensor2d(y.subarray(nFit * m), [nVal, m]);
    const wVal = tf.tensor2d(w.subarray(nFit), [nVal, 1]);
    const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
    const batch = Math.min(cfg.batchSize, nFit);
    const stepsPerEpoch = Math.max(1, Math.floor(nFit / batch));
    let step = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let sinceBest = 0;
    try {
      for (let epoch = 0; epoch < cfg.maxEpochs && sinceBest < cfg.patience; epoch++) {
        // One shuffled copy of the fitting block per epoch, uploaded once and sliced per step.
        const order = rng.permutation(nFit);
        const xs = new Float32Array(nFit * d);
        const ys = new Float32Array(nFit * m);
        const ws = new Float32Array(nFit);
        for (let i = 0; i < nFit; i++) {
          const src = order[i] as number;
          xs.set(x.subarray(src * d, (src + 1) * d), i * d);
          ys.set(y.subarray(src * m, (src + 1) * m), i * m);
          ws[i] = w[src] as number;
        }
        const [xe, ye, we] = [tf.tensor2d(xs, [nFit, d]), tf.tensor2d(ys, [nFit, m]), tf.tensor2d(ws, [nFit, 1])];
        for (let s = 0; s < stepsPerEpoch; s++) {
          step++;
          const lr = (cfg.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
          tf.tidy(() => {
            const xb = tf.slice(xe, [s * batch, 0], [batch, d]);
            const yb = tf.slice(ye, [s * batch, 0], [batch, m]);
            const wb = tf.slice(we, [s * batch, 0], [batch, 1]);
            const { h1, h2, out } = forward(tf, p, xb);
            const { grad } = outputGradient(tf, out, yb, wb, categorical);
            const grads = gradients(tf, p, xb, grad, h1, h2, cfg.weightDecay);
            for (let i = 0; i < list.length; i++) {
              const g = grads[i] as Tensor;
              const [m1, v1] = moments[i] as [Variable, Variable];
              const mNew = tf.add(tf.mul(m1, beta1), tf.mul(g, 1 - beta1));
              const vNew = tf.add(tf.mul(v1, beta2), tf.mul(tf.square(g), 1 - beta2));
              m1.assign(mNew);
              v1.assign(vNew);
              const param = list[i] as Variable;
              param.assign(tf.sub(param, tf.mul(tf.div(mNew, tf.add(tf.sqrt(vNew), eps)), lr)));
            }
          });
        }
        tf.dispose([xe, ye, we]);
        const valLoss = tf.tidy(() => outputGradient(tf, forward(tf, p, xVal).out, yVal, wVal, categorical).loss.dataSync()[0] as number);
        if (valLoss < bestLoss - 1e-6) {
          bestLoss = valLoss;
          sinceBest = 0;
          tf.dispose(best);
          best = list.map((v) => tf.clone(v));
        } else sinceBest++;
      }
      list.forEach((v, i) => {
        v.assign(best[i] as Tensor);
      });
      const z = tf.tidy(() => forward(tf, p, tf.tensor2d(xTest, [nTest, d])).out.dataSync());
      const zz = new Float64Array(nTest * m);
      for (let i = 0; i < nTest; i++)
        for (let c = 0; c < m; c++) zz[i * m + c] = (z[i * m + c] as number) * (yStd.std[c] as number) + (yStd.mean[c] as number);
      return { testPrediction: f32([nTest, q], decodeOutputs(params, zz, nTest, q)) };
    } finally {
      tf.dispose([...list, ...moments.flat(), ...best, xVal, yVal, wVal]);
    }
  },
};
