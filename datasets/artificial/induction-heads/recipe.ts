// The recipe behind `induction-heads`: a two-layer attention-only transformer trained with TensorFlow.js on
// sequences that contain one random segment twice (Olsson et al. 2022; Elhage et al. 2021). The second copy is
// predictable only by induction: find the previous occurrence of the current token and copy the token after it.
// Two-layer attention-only models do this with a previous-token head in layer 0 and an induction head in layer 1
// (K-composition). The mechanism check finds both by their attention patterns and confirms them by ablation.
import type * as tfType from "@tensorflow/tfjs";
import { type ArtifactRecipe, loadArtifact } from "../../../harness/artifacts.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import { glorotUniform, matMulWithFastGrad, toNdArray } from "../../../harness/train.ts";
import type { JsonValue, NdArray } from "../../../harness/types.ts";

type Tf = typeof tfType;

export const MODEL = { vocab: 24, context: 24, dModel: 32, layers: 2, heads: 2, dHead: 16 };
/** A segment of U{segmentMin…segmentMax} distinct tokens appears twice, back to back, at a random offset. */
export const SEQUENCES = { segmentMin: 5, segmentMax: 11 };
export const TRAINING = { steps: 800, batch: 64, learningRate: 1e-2, beta1: 0.9, beta2: 0.98, evalBatch: 512 };

export interface SequenceBatch {
  tokens: Int32Array; // [B, T]
  /** 1 where the next token is the repeat of a token seen earlier (second copy, after its first token). */
  repeated: Float32Array; // [B, T]
  /** Per row and position: where the induction head should look (the first copy's next position), or −1. */
  inductionTarget: Int32Array; // [B, T]
  B: number;
}

export function sampleSequences(rng: Rng, B: number): SequenceBatch {
  const { vocab: V, context: T } = MODEL;
  const tokens = new Int32Array(B * T);
  const repeated = new Float32Array(B * T);
  const inductionTarget = new Int32Array(B * T).fill(-1);
  for (let r = 0; r < B; r++) {
    const m = SEQUENCES.segmentMin + rng.int(SEQUENCES.segmentMax - SEQUENCES.segmentMin + 1);
    const f = rng.int(T - 2 * m + 1);
    for (let t = 0; t < T; t++) tokens[r * T + t] = rng.int(V);
    const segment = rng.permutation(V).subarray(0, m);
    for (let j = 0; j < m; j++) {
      tokens[r * T + f + j] = segment[j] as number;
      tokens[r * T + f + m + j] = segment[j] as number;
    }
    // At position f + m + j (token S_j, second copy) the next token S_{j+1} sits at f + j + 1 in the first copy.
    for (let j = 0; j < m - 1; j++) {
      repeated[r * T + f + m + j] = 1;
      inductionTarget[r * T + f + m + j] = f + j + 1;
    }
  }
  return { tokens, repeated, inductionTarget, B };
}

export function parameterShapes(): Record<string, number[]> {
  const { vocab: V, context: T, dModel: d, layers, heads: H, dHead: h } = MODEL;
  const shapes: Record<string, number[]> = { embed: [V, d], pos: [T, d], unembed: [d, V] };
  for (let l = 0; l < layers; l++) for (const w of ["wq", "wk", "wv"]) shapes[`l${l}.${w}`] = [d, H * h];
  for (let l = 0; l < layers; l++) shapes[`l${l}.wo`] = [H * h, d];
  return shapes;
}

function initialValues(rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(parameterShapes())) {
    const [rows, cols] = shape as [number, number];
    out[name] =
      name === "embed" || name === "pos"
        ? Float32Array.from({ length: rows * cols }, () => rng.normal() / Math.sqrt(cols))
        : glorotUniform(rng, rows, cols);
  }
  return out;
}

/**
 * Logits [B·T, V] and each layer's attention [B, H, T, T] (causal). `headScale[l][h]` multiplies head h's output
 * in layer l (0 ablates it).
 */
export function forwardTf(
  tf: Tf,
  w: Record<string, tfType.Tensor>,
  tokens: Int32Array,
  B: number,
  headScale?: number[][],
): { logits: tfType.Tensor2D; attention: tfType.Tensor4D[] } {
  const { vocab: V, context: T, layers, heads: H, dHead: h } = MODEL;
  const mm = matMulWithFastGrad(tf);
  const oneHot = tf.oneHot(tf.tensor1d(tokens, "int32"), V).toFloat() as tfType.Tensor2D;
  const posRows = tf.tile(w.pos as tfType.Tensor2D, [B, 1]) as tfType.Tensor2D;
  let x = tf.add(mm(oneHot, w.embed as tfType.Tensor2D), posRows) as tfType.Tensor2D;
  const causal = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));
  const attention: tfType.Tensor4D[] = [];
  for (let l = 0; l < layers; l++) {
    const split = (t: tfType.Tensor2D) => tf.transpose(tf.reshape(t, [B, T, H, h]), [0, 2, 1, 3]) as tfType.Tensor4D;
    const q = split(mm(x, w[`l${l}.wq`] as tfType.Tensor2D));
    const k = split(mm(x, w[`l${l}.wk`] as tfType.Tensor2D));
    const v = split(mm(x, w[`l${l}.wv`] as tfType.Tensor2D));
    // Batched products with explicit transposes (the wasm backend's transposed products are slow).
    const scores = tf.add(tf.div(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), Math.sqrt(h)), causal);
    const attn = tf.softmax(scores) as tfType.Tensor4D;
    attention.push(attn);
    let z = tf.matMul(attn, v) as tfType.Tensor4D; // [B, H, T, h]
    if (headScale) z = tf.mul(z, tf.tensor4d(headScale[l] as number[], [1, H, 1, 1]));
    const merged = tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [B * T, H * h]) as tfType.Tensor2D;
    x = tf.add(x, mm(merged, w[`l${l}.wo`] as tfType.Tensor2D));
  }
  return { logits: mm(x, w.unembed as tfType.Tensor2D), attention };
}

/** Mean next-token cross-entropy over the positions where `mask` is 1 (the last position has no next token). */
function maskedLoss(tf: Tf, logits: tfType.Tensor2D, batch: SequenceBatch, mask: Float32Array): tfType.Scalar {
  const { vocab: V, context: T } = MODEL;
  const next = new Int32Array(batch.B * T);
  const weights = new Float32Array(batch.B * T);
  for (let r = 0; r < batch.B; r++) {
    for (let t = 0; t < T - 1; t++) {
      next[r * T + t] = batch.tokens[r * T + t + 1] as number;
      weights[r * T + t] = mask[r * T + t] as number;
    }
  }
  const labels = tf.oneHot(tf.tensor1d(next, "int32"), V);
  const perPosition = tf.losses.softmaxCrossEntropy(labels, logits, undefined, undefined, tf.Reduction.NONE);
  const w = tf.tensor1d(weights);
  return tf.div(tf.sum(tf.mul(perPosition, w)), tf.sum(w)) as tfType.Scalar;
}

const allPositions = (batch: SequenceBatch) => new Float32Array(batch.B * MODEL.context).fill(1);

export interface MechanismReport {
  /** Per layer and head: mean attention from position t to t − 1 (t ≥ 1). */
  previousTokenScore: number[][];
  /** Per layer and head: mean attention, on the second copy, to the position after the previous occurrence. */
  inductionScore: number[][];
  /** Loss on the repeated positions: intact, and with each head ablated (output × 0). */
  repeatedLoss: number;
  ablatedRepeatedLoss: number[][];
  /** Loss on the unrepeated (random) positions: what a model without induction pays everywhere. */
  randomLoss: number;
  repeatedAccuracy: number;
  previousTokenHead: [number, number];
  inductionHead: [number, number];
}

/** Attention scores, ablation losses and the heads they identify, on a fresh evaluation batch. */
export function mechanismReport(tf: Tf, w: Record<string, tfType.Tensor>, batch: SequenceBatch): MechanismReport {
  const { context: T, layers, heads: H } = MODEL;
  const B = batch.B;
  const notRepeated = batch.repeated.map((v, i) => (v === 0 && i % T < T - 1 ? 1 : 0));
  return tf.tidy(() => {
    const { logits, attention } = forwardTf(tf, w, batch.tokens, B);
    const att = attention.map((a) => a.arraySync() as number[][][][]);
    const previousTokenScore = att.map((a) =>
      Array.from({ length: H }, (_, hd) => {
        let s = 0;
        for (let r = 0; r < B; r++) for (let t = 1; t < T; t++) s += a[r]?.[hd]?.[t]?.[t - 1] as number;
        return s / (B * (T - 1));
      }),
    );
    const inductionScore = att.map((a) =>
      Array.from({ length: H }, (_, hd) => {
        let s = 0;
        let count = 0;
        for (let r = 0; r < B; r++)
          for (let t = 0; t < T; t++) {
            const target = batch.inductionTarget[r * T + t] as number;
            if (target < 0) continue;
            s += a[r]?.[hd]?.[t]?.[target] as number;
            count++;
          }
        return s / count;
      }),
    );
    const repeatedLoss = maskedLoss(tf, logits, batch, batch.repeated).dataSync()[0] as number;
    const randomLoss = maskedLoss(tf, logits, batch, notRepeated).dataSync()[0] as number;
    const predicted = tf.argMax(logits, 1).dataSync();
    let hits = 0;
    let total = 0;
    for (let i = 0; i < B * T; i++) {
      if (batch.repeated[i] !== 1) continue;
      total++;
      if (predicted[i] === batch.tokens[i + 1]) hits++;
    }
    const ablatedRepeatedLoss = Array.from({ length: layers }, (_, l) =>
      Array.from({ length: H }, (_, hd) => {
        const scale = Array.from({ length: layers }, (_, ll) => Array.from({ length: H }, (_, hh) => (ll === l && hh === hd ? 0 : 1)));
        return maskedLoss(tf, forwardTf(tf, w, batch.tokens, B, scale).logits, batch, batch.repeated).dataSync()[0] as number;
      }),
    );
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    return {
      previousTokenScore,
      inductionScore,
      repeatedLoss,
      ablatedRepeatedLoss,
      randomLoss,
      repeatedAccuracy: hits / total,
      previousTokenHead: [0, argmax(previousTokenScore[0] as number[])] as [number, number],
      inductionHead: [1, argmax(inductionScore[1] as number[])] as [number, number],
    };
  });
}

/** The trained weights as float32 arrays (parameterShapes' names). */
export function loadInductionHeads(): Record<string, Float32Array> {
  const { tensors } = loadArtifact(inductionHeadsRecipe);
  const out: Record<string, Float32Array> = {};
  for (const name of Object.keys(parameterShapes())) {
    const t = tensors[name];
    if (t?.dtype !== "float32") throw new Error(`induction-heads artifact lacks ${name}`);
    out[name] = t.data as Float32Array;
  }
  return out;
}

/**
 * The residual stream [T, d] of one sequence after `layers` attention layers (0: the embedding E[token] + P), in
 * plain float64 JavaScript: what the dataset generators read (they never load tfjs).
 */
export function residualStream(w: Record<string, Float32Array>, tokens: ArrayLike<number>, layers: number): Float64Array {
  const { context: T, dModel: d, heads: H, dHead: h } = MODEL;
  const E = w.embed as Float32Array;
  const P = w.pos as Float32Array;
  const x = new Float64Array(T * d);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < d; i++) x[t * d + i] = (E[(tokens[t] as number) * d + i] as number) + (P[t * d + i] as number);
  const project = (m: Float32Array) => {
    const out = new Float64Array(T * H * h);
    for (let t = 0; t < T; t++)
      for (let c = 0; c < H * h; c++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += (x[t * d + i] as number) * (m[i * H * h + c] as number);
        out[t * H * h + c] = s;
      }
    return out;
  };
  for (let l = 0; l < layers; l++) {
    const [q, k, v] = ["wq", "wk", "wv"].map((m) => project(w[`l${l}.${m}`] as Float32Array)) as [Float64Array, Float64Array, Float64Array];
    const wo = w[`l${l}.wo`] as Float32Array;
    const z = new Float64Array(T * H * h);
    for (let hd = 0; hd < H; hd++) {
      for (let t = 0; t < T; t++) {
        const scores = new Float64Array(t + 1);
        for (let u = 0; u <= t; u++) {
          let s = 0;
          for (let j = 0; j < h; j++) s += (q[t * H * h + hd * h + j] as number) * (k[u * H * h + hd * h + j] as number);
          scores[u] = s / Math.sqrt(h);
        }
        const top = Math.max(...scores);
        let norm = 0;
        for (let u = 0; u <= t; u++) {
          scores[u] = Math.exp((scores[u] as number) - top);
          norm += scores[u] as number;
        }
        for (let u = 0; u <= t; u++)
          for (let j = 0; j < h; j++)
            z[t * H * h + hd * h + j] =
              (z[t * H * h + hd * h + j] as number) + ((scores[u] as number) / norm) * (v[u * H * h + hd * h + j] as number);
      }
    }
    for (let t = 0; t < T; t++)
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let c = 0; c < H * h; c++) s += (z[t * H * h + c] as number) * (wo[c * d + i] as number);
        x[t * d + i] = (x[t * d + i] as number) + s;
      }
  }
  return x;
}

export const inductionHeadsRecipe: ArtifactRecipe = {
  id: "induction-heads",
  version: 1,
  title: "Two-layer attention-only transformer with induction heads",
  sha256: "368ee956e66c9e2d002f5f11ab498f00896a1318ebd96f291f9af1bdd14fa8fd",
  estimatedSeconds: 30,
  async build(log) {
    const { tf } = await initTf();
    const rng = new Rng(seedFrom("induction-heads", 1));
    const init = initialValues(rng.fork("init"));
    const vars: Record<string, tfType.Variable> = {};
    for (const [name, shape] of Object.entries(parameterShapes()))
      vars[name] = tf.variable(tf.tensor(init[name] as Float32Array, shape), true, `induction-heads/${name}`);
    const { steps, batch: B, learningRate, beta1, beta2 } = TRAINING;
    const optimizer = tf.train.adam(learningRate, beta1, beta2, 1e-8);
    const data = rng.fork("data");
    const history: JsonValue[] = [];
    for (let step = 1; step <= steps; step++) {
      const batch = sampleSequences(data, B);
      const loss = optimizer.minimize(
        () => maskedLoss(tf, forwardTf(tf, vars, batch.tokens, B).logits, batch, allPositions(batch)),
        true,
      ) as tfType.Scalar;
      const value = loss.dataSync()[0] as number;
      loss.dispose();
      if (step % 50 === 0) {
        const evalBatch = sampleSequences(rng.fork(`eval-${step}`), 128);
        const repeated = tf.tidy(
          () => maskedLoss(tf, forwardTf(tf, vars, evalBatch.tokens, 128).logits, evalBatch, evalBatch.repeated).dataSync()[0] as number,
        );
        log(`step ${step}: loss ${value.toPrecision(4)}, repeated-token loss ${repeated.toPrecision(4)}`);
        history.push({ step, loss: Number(value.toPrecision(4)), repeatedLoss: Number(repeated.toPrecision(4)) });
      }
    }
    const report = mechanismReport(tf, vars, sampleSequences(rng.fork("evaluation"), TRAINING.evalBatch));
    log(JSON.stringify(report));
    const tensors: Record<string, NdArray> = {};
    for (const [name, v] of Object.entries(vars)) tensors[name] = toNdArray(v);
    optimizer.dispose();
    for (const v of Object.values(vars)) v.dispose();
    const round = (v: number) => Number(v.toPrecision(4));
    const roundAll = (m: number[][]) => m.map((row) => row.map(round));
    return {
      tensors,
      metadata: {
        performance: {
          repeatedAccuracy: round(report.repeatedAccuracy),
          repeatedLoss: round(report.repeatedLoss),
          randomLoss: round(report.randomLoss),
        },
        mechanism: {
          previousTokenHead: report.previousTokenHead,
          inductionHead: report.inductionHead,
          previousTokenScore: roundAll(report.previousTokenScore),
          inductionScore: roundAll(report.inductionScore),
          ablatedRepeatedLoss: roundAll(report.ablatedRepeatedLoss),
        },
        history,
        model: MODEL,
        sequences: SEQUENCES,
        training: TRAINING,
      },
    };
  },
};
