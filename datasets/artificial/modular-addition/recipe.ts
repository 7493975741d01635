// The recipe behind `modular-addition`: a one-layer transformer trained with TensorFlow.js on (a + b) mod p
// (Power et al. 2022; Nanda et al. 2023; Zhong et al. 2023). Input [a, b, =]; token and position embeddings, one
// attention layer (4 heads), a ReLU MLP, an unembedding; no layer norm. Only the "=" position's output is read,
// so only its query is computed (the other positions' outputs never reach the logits in one layer: exact).
// Full-batch AdamW with strong weight decay on half of all pairs generalises within a few hundred steps; the
// embedding then concentrates on a few key Fourier frequencies, measured here and recorded in the metadata.
import type * as tfType from "@tensorflow/tfjs";
import { type ArtifactRecipe, loadArtifact } from "../../../harness/artifacts.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import { glorotUniform, matMulWithFastGrad, toNdArray } from "../../../harness/train.ts";
import type { JsonValue, NdArray } from "../../../harness/types.ts";

type Tf = typeof tfType;

export const MODEL = { p: 59, dModel: 64, heads: 4, dHead: 16, dMlp: 128 };

export const TRAINING = {
  /** Fraction of the p² pairs trained on (the rest is the test set). */
  trainFraction: 0.6,
  steps: 400,
  /** AdamW: Adam (β = 0.9, 0.98) plus decoupled weight decay on every parameter. */
  learningRate: 3e-3,
  weightDecay: 1,
  beta1: 0.9,
  beta2: 0.98,
};

/** A frequency is "key" when the embedding's power at it is at least this fraction of the strongest frequency's. */
export const KEY_POWER_RATIO = 0.2;

/** Parameter names and shapes (row-major; dense kernels are [in, out]). The "=" token is row p of `embed`. */
export function parameterShapes(): Record<string, number[]> {
  const { p, dModel: d, heads: H, dHead: h, dMlp: m } = MODEL;
  return {
    embed: [p + 1, d],
    pos: [3, d],
    wq: [d, H * h],
    wk: [d, H * h],
    wv: [d, H * h],
    wo: [H * h, d],
    wIn: [d, m],
    bIn: [m],
    wOut: [m, d],
    bOut: [d],
    unembed: [d, p],
  };
}

function initialValues(rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(parameterShapes())) {
    if (shape.length === 1) out[name] = new Float32Array(shape[0] as number);
    else if (name === "embed" || name === "pos") {
      // Embeddings: N(0, 1/d) entries, so every token starts with a residual vector of norm ≈ 1.
      const [rows, d] = shape as [number, number];
      out[name] = Float32Array.from({ length: rows * d }, () => rng.normal() / Math.sqrt(d));
    } else out[name] = glorotUniform(rng, shape[0] as number, shape[1] as number);
  }
  return out;
}

/** All p² pairs (a, b), a major, and which of them are in the training set (a seeded random half). */
export function splitPairs(rng: Rng): { train: Int32Array; test: Int32Array } {
  const { p } = MODEL;
  const order = rng.permutation(p * p);
  const nTrain = Math.round(TRAINING.trainFraction * p * p);
  return {
    train: Int32Array.from(order.subarray(0, nTrain)).sort(),
    test: Int32Array.from(order.subarray(nTrain)).sort(),
  };
}

/** One-hot rows of a and b for pairs (index a·p + b), [n, p + 1] each: constants of the training loop. */
export function pairInputs(tf: Tf, pairs: Int32Array): { a: tfType.Tensor2D; b: tfType.Tensor2D } {
  const { p } = MODEL;
  const hot = (f: (i: number) => number) =>
    tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(pairs, f), "int32"), p + 1).toFloat() as tfType.Tensor2D);
  return { a: hot((i) => Math.floor(i / p)), b: hot((i) => i % p) };
}

/**
 * Logits [n, p] at the "=" position, in tf ops (usable under tf.variableGrads). Residual x₂ = E[=] + P₂ attends (per
 * head, softmax over the three positions) to x₀ = E[a] + P₀, x₁ = E[b] + P₁ and itself; r = x₂ + attention output;
 * r += MLP(r); logits = r U. The query is the same for every pair, so keys and values are computed once per token
 * (vocabulary rows) and picked by one-hot products: the same arithmetic as per position, several times cheaper here.
 */
export function logitsTf(tf: Tf, w: Record<string, tfType.Tensor>, input: { a: tfType.Tensor2D; b: tfType.Tensor2D }): tfType.Tensor2D {
  const { p, dModel: d, heads: H, dHead: h } = MODEL;
  const mm = matMulWithFastGrad(tf);
  const n = input.a.shape[0];
  const embed = w.embed as tfType.Tensor2D;
  const pos = w.pos as tfType.Tensor2D;
  const x2 = tf.add(tf.slice(embed, [p, 0], [1, d]), tf.slice(pos, [2, 0], [1, d])) as tfType.Tensor2D; // [1, d]
  const q = tf.reshape(mm(x2, w.wq as tfType.Tensor2D), [1, H, h]);
  // qk[:, head] = W_K,head q_head / √h: a residual vector's attention score per head is x · qk.
  const qk = tf.div(tf.sum(tf.mul(tf.reshape(w.wk as tfType.Tensor, [d, H, h]), q), 2), Math.sqrt(h)) as tfType.Tensor2D; // [d, H]
  const wv = w.wv as tfType.Tensor2D;
  const tokenScore = mm(embed, qk); // [V, H]
  const tokenValue = mm(embed, wv); // [V, H·h]
  const posScore = mm(pos, qk); // [3, H]
  const posValue = mm(pos, wv); // [3, H·h]
  const at = (t: tfType.Tensor2D, i: number) => tf.slice(t, [i, 0], [1, t.shape[1]]);
  const s0 = tf.add(mm(input.a, tokenScore), at(posScore, 0));
  const s1 = tf.add(mm(input.b, tokenScore), at(posScore, 1));
  const s2 = tf.broadcastTo(tf.add(at(tokenScore, p), at(posScore, 2)), [n, H]);
  // Softmax over the three positions, written out on [n, H] tensors (the wasm backend's 3-d stack and slice are slow).
  const top = tf.maximum(tf.maximum(s0, s1), s2);
  const [e0, e1, e2] = [s0, s1, s2].map((s) => tf.exp(tf.sub(s, top))) as [tfType.Tensor2D, tfType.Tensor2D, tfType.Tensor2D];
  const norm = tf.addN([e0, e1, e2]);
  // spread[head, head·h + j] = 1: repeats each head's weight over its h value dimensions.
  const spread = tf.tidy(() => tf.reshape(tf.tile(tf.reshape(tf.eye(H), [H, H, 1]), [1, 1, h]), [H, H * h]) as tfType.Tensor2D);
  const weight = (e: tfType.Tensor2D) => mm(tf.div(e, norm), spread);
  const v0 = tf.add(mm(input.a, tokenValue), at(posValue, 0));
  const v1 = tf.add(mm(input.b, tokenValue), at(posValue, 1));
  const v2 = tf.add(at(tokenValue, p), at(posValue, 2));
  const z = tf.addN([tf.mul(weight(e0), v0), tf.mul(weight(e1), v1), tf.mul(weight(e2), v2)]) as tfType.Tensor2D;
  const r1 = tf.add(x2, mm(z, w.wo as tfType.Tensor2D)) as tfType.Tensor2D;
  const hidden = tf.relu(tf.add(mm(r1, w.wIn as tfType.Tensor2D), w.bIn as tfType.Tensor)) as tfType.Tensor2D;
  const r2 = tf.add(r1, tf.add(mm(hidden, w.wOut as tfType.Tensor2D), w.bOut as tfType.Tensor)) as tfType.Tensor2D;
  return mm(r2, w.unembed as tfType.Tensor2D);
}

/** Fraction of `pairs` whose arg-max logit is (a + b) mod p. */
function accuracy(tf: Tf, w: Record<string, tfType.Tensor>, pairs: Int32Array, input: { a: tfType.Tensor2D; b: tfType.Tensor2D }): number {
  const { p } = MODEL;
  const predicted = tf.tidy(() => tf.argMax(logitsTf(tf, w, input), 1).dataSync());
  let hits = 0;
  pairs.forEach((i, k) => {
    if (predicted[k] === (Math.floor(i / p) + (i % p)) % p) hits++;
  });
  return hits / pairs.length;
}

/**
 * Power of the token embedding E[0…p−1] at each Fourier frequency k = 1…(p−1)/2: Σ over the d columns of
 * |Σₐ E[a, ·] e^{−2πika/p}|² (cos and sin parts together); index k−1. Frequency 0 (the mean) is left out.
 */
export function fourierPower(embed: ArrayLike<number>, p: number, d: number): Float64Array {
  const K = (p - 1) / 2;
  const power = new Float64Array(K);
  for (let k = 1; k <= K; k++) {
    for (let c = 0; c < d; c++) {
      let re = 0;
      let im = 0;
      for (let a = 0; a < p; a++) {
        const v = embed[a * d + c] as number;
        re += v * Math.cos((2 * Math.PI * k * a) / p);
        im -= v * Math.sin((2 * Math.PI * k * a) / p);
      }
      power[k - 1] = (power[k - 1] as number) + re * re + im * im;
    }
  }
  return power;
}

/** Key frequencies (power ≥ KEY_POWER_RATIO × the largest), strongest first, and their share of the non-constant power. */
export function keyFrequencies(power: Float64Array): { frequencies: number[]; fraction: number } {
  const max = Math.max(...power);
  const ranked = Array.from(power, (v, i) => ({ k: i + 1, v })).sort((x, y) => y.v - x.v);
  const key = ranked.filter((f) => f.v >= KEY_POWER_RATIO * max);
  const total = power.reduce((s, v) => s + v, 0);
  return { frequencies: key.map((f) => f.k), fraction: key.reduce((s, f) => s + f.v, 0) / total };
}

/**
 * The same forward pass in plain float64 JavaScript (no tfjs): predicted (arg-max) answer for every pair a·p + b.
 * `embed` replaces the token embedding (e.g. with some Fourier components removed) for the mechanism checks.
 */
export function predictAll(w: Record<string, Float32Array>, embed: ArrayLike<number> = w.embed as Float32Array): Int32Array {
  const { p, dModel: d, heads: H, dHead: h, dMlp: m } = MODEL;
  const E = embed;
  const P = w.pos as Float32Array;
  const dot = (x: ArrayLike<number>, xo: number, wm: Float32Array, col: number, cols: number) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += (x[xo + i] as number) * (wm[i * cols + col] as number);
    return s;
  };
  const resid = (token: number, position: number) =>
    Float64Array.from({ length: d }, (_, i) => (E[token * d + i] as number) + (P[position * d + i] as number));
  const x2 = resid(p, 2);
  const q = Float64Array.from({ length: H * h }, (_, c) => dot(x2, 0, w.wq as Float32Array, c, H * h));
  const keysOf = (x: Float64Array) => Float64Array.from({ length: H * h }, (_, c) => dot(x, 0, w.wk as Float32Array, c, H * h));
  const valuesOf = (x: Float64Array) => Float64Array.from({ length: H * h }, (_, c) => dot(x, 0, w.wv as Float32Array, c, H * h));
  const k2 = keysOf(x2);
  const v2 = valuesOf(x2);
  const out = new Int32Array(p * p);
  const r = new Float64Array(d);
  const hidden = new Float64Array(m);
  for (let a = 0; a < p; a++) {
    const x0 = resid(a, 0);
    const k0 = keysOf(x0);
    const v0 = valuesOf(x0);
    for (let b = 0; b < p; b++) {
      const x1 = resid(b, 1);
      const k1 = keysOf(x1);
      const v1 = valuesOf(x1);
      const z = new Float64Array(H * h);
      for (let head = 0; head < H; head++) {
        const score = [k0, k1, k2].map((k) => {
          let s = 0;
          for (let j = 0; j < h; j++) s += (q[head * h + j] as number) * (k[head * h + j] as number);
          return s / Math.sqrt(h);
        });
        const top = Math.max(...score);
        const e = score.map((s) => Math.exp(s - top));
        const norm = e.reduce((s, v) => s + v, 0);
        for (let j = 0; j < h; j++) {
          const c = head * h + j;
          z[c] =
            ((e[0] as number) * (v0[c] as number) + (e[1] as number) * (v1[c] as number) + (e[2] as number) * (v2[c] as number)) / norm;
        }
      }
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let c = 0; c < H * h; c++) s += (z[c] as number) * ((w.wo as Float32Array)[c * d + i] as number);
        r[i] = (x2[i] as number) + s;
      }
      for (let c = 0; c < m; c++) hidden[c] = Math.max(0, dot(r, 0, w.wIn as Float32Array, c, m) + ((w.bIn as Float32Array)[c] as number));
      for (let i = 0; i < d; i++) {
        let s = (w.bOut as Float32Array)[i] as number;
        for (let c = 0; c < m; c++) s += (hidden[c] as number) * ((w.wOut as Float32Array)[c * d + i] as number);
        r[i] = (r[i] as number) + s;
      }
      let best = 0;
      let bestLogit = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < p; c++) {
        const logit = dot(r, 0, w.unembed as Float32Array, c, p);
        if (logit > bestLogit) {
          bestLogit = logit;
          best = c;
        }
      }
      out[a * p + b] = best;
    }
  }
  return out;
}

/** The trained parameters as float32 arrays, and the recorded key frequencies. */
export function loadModularAddition(): { weights: Record<string, Float32Array>; keyFrequencies: number[] } {
  const { tensors, metadata } = loadArtifact(modularAdditionRecipe);
  const weights: Record<string, Float32Array> = {};
  for (const name of Object.keys(parameterShapes())) {
    const t = tensors[name];
    if (t?.dtype !== "float32") throw new Error(`modular-addition artifact lacks ${name}`);
    weights[name] = t.data as Float32Array;
  }
  const fourier = metadata.fourier as { keyFrequencies: number[] };
  return { weights, keyFrequencies: fourier.keyFrequencies };
}

export const modularAdditionRecipe: ArtifactRecipe = {
  id: "modular-addition",
  version: 1,
  title: "One-layer transformer on (a + b) mod 59",
  sha256: "03375292b062e13671cf5acd1c25a78193e03b28e7e98f6ae1a3642c618568a8",
  estimatedSeconds: 30,
  async build(log) {
    const { tf } = await initTf();
    const rng = new Rng(seedFrom("modular-addition", 1));
    const { p, dModel: d } = MODEL;
    const { train, test } = splitPairs(rng.fork("split"));
    const init = initialValues(rng.fork("init"));
    const vars: Record<string, tfType.Variable> = {};
    for (const [name, shape] of Object.entries(parameterShapes()))
      vars[name] = tf.variable(tf.tensor(init[name] as Float32Array, shape), true, `modular-addition/${name}`);
    const trainInput = pairInputs(tf, train);
    const testInput = pairInputs(tf, test);
    const labels = tf.oneHot(
      tf.tensor1d(
        Int32Array.from(train, (i) => (Math.floor(i / p) + (i % p)) % p),
        "int32",
      ),
      p,
    );
    const { learningRate: lr, weightDecay, beta1, beta2, steps } = TRAINING;
    const optimizer = tf.train.adam(lr, beta1, beta2, 1e-8);
    const history: JsonValue[] = [];
    let loss = Number.NaN;
    for (let step = 1; step <= steps; step++) {
      const value = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, logitsTf(tf, vars, trainInput)) as tfType.Scalar, true);
      loss = (value as tfType.Scalar).dataSync()[0] as number;
      value?.dispose();
      // Decoupled weight decay (Loshchilov & Hutter 2019), after the Adam step.
      tf.tidy(() => {
        for (const v of Object.values(vars)) v.assign(tf.mul(v, 1 - lr * weightDecay));
      });
      if (step % 50 === 0) {
        const acc = accuracy(tf, vars, test, testInput);
        log(`step ${step}: train loss ${loss.toPrecision(4)}, test accuracy ${acc.toFixed(4)}`);
        history.push({ step, trainLoss: Number(loss.toPrecision(4)), testAccuracy: Number(acc.toFixed(4)) });
      }
    }
    const trainAccuracy = accuracy(tf, vars, train, trainInput);
    const testAccuracy = accuracy(tf, vars, test, testInput);
    const tensors: Record<string, NdArray> = {};
    for (const [name, v] of Object.entries(vars)) tensors[name] = toNdArray(v);
    const power = fourierPower((tensors.embed as NdArray).data, p, d);
    const key = keyFrequencies(power);
    const total = power.reduce((s, v) => s + v, 0);
    log(
      `train ${trainAccuracy.toFixed(4)}, test ${testAccuracy.toFixed(4)}; key frequencies ${key.frequencies} (${(100 * key.fraction).toFixed(1)}% of the power)`,
    );
    for (const t of [labels, trainInput.a, trainInput.b, testInput.a, testInput.b]) t.dispose();
    optimizer.dispose();
    for (const v of Object.values(vars)) v.dispose();
    const round = (v: number) => Number(v.toPrecision(4));
    return {
      tensors,
      metadata: {
        performance: { trainAccuracy: round(trainAccuracy), testAccuracy: round(testAccuracy) },
        fourier: {
          keyFrequencies: key.frequencies,
          keyPowerFraction: round(key.fraction),
          keyPowerRatio: KEY_POWER_RATIO,
          /** Share of the embedding's non-constant power at each frequency 1…(p−1)/2. */
          powerShare: Array.from(power, (v) => round(v / total)),
        },
        history,
        model: MODEL,
        training: { ...TRAINING, trainPairs: train.length, testPairs: test.length, finalTrainLoss: round(loss) },
      },
    };
  },
};
