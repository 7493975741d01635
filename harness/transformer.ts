// A small decoder/encoder transformer, the format Cajal's transformer networks share (compiled RASP circuits,
// trained induction heads and modular addition): a zod-validated spec, a fixed naming of its weight arrays, a
// float64 forward pass in plain TypeScript with hooks that read, ablate or patch every attention head's output and
// every MLP neuron, and the same forward pass in TensorFlow.js (for training and for gradients), which the tests
// check against each other. Dataset generators are synchronous and never load tfjs: only `forwardTf` uses it, and
// it receives the tf module from its caller.
//
// Architecture (GPT-2 style, pre-norm when `layerNorm`): x_0 = E_tok[token] + E_pos[position]; for each layer,
//   x ← x + Σ_h attn_h(LN1(x)) · W_O[h] + b_O,   attn_h = softmax(scale · q kᵀ + mask) v  (q = LN1(x)·W_Q[h] + b_Q[h] …)
//   x ← x + act(LN2(x) · W_1 + b_1) · W_2 + b_2
// then logits = LN_f(x) · W_U + b_U. Without `layerNorm`, LN is the identity (compiled circuits use none).
import type * as tfType from "@tensorflow/tfjs";
import { z } from "zod";
import type { NdArray } from "./types.ts";

const positive = z.number().int().min(1);

export const transformerLayerSchema = z
  .object({
    /** Attention heads of the layer (0 = no attention block). */
    heads: z.number().int().min(0),
    /** Width of each head's query, key and value. */
    dHead: positive,
    /** MLP neurons of the layer (0 = no MLP block). */
    dMlp: z.number().int().min(0),
  })
  .strict();

export const transformerSpecSchema = z
  .object({
    kind: z.literal("transformer"),
    /** Token ids are 0 … vocabSize − 1. */
    vocabSize: positive,
    /** Longest sequence (rows of the position embedding). */
    maxLen: positive,
    dModel: positive,
    layers: z.array(transformerLayerSchema).min(1),
    /** Causal (decoder) attention: position t attends to positions ≤ t only. Otherwise every position sees all. */
    causal: z.boolean(),
    /** Pre-norm layer norms (ln1, ln2 per layer and lnf) with gain and bias arrays; none when false. */
    layerNorm: z.boolean(),
    /** Biases on queries, keys, values and the attention output (bq, bk, bv, bo); none when false. */
    attnBias: z.boolean(),
    mlpActivation: z.enum(["relu", "gelu"]),
    /** Attention logits are scale · q·k; default 1/√dHead. Compiled circuits set 1 (their weights carry the scale). */
    attnScale: z.number().positive().optional(),
    /** Width of the unembedding: logits are [T, dOut]. */
    dOut: positive,
  })
  .strict();

export type TransformerSpec = z.infer<typeof transformerSpecSchema>;
export type TransformerLayerSpec = z.infer<typeof transformerLayerSchema>;

export const LAYER_NORM_EPS = 1e-5;

/**
 * The names and shapes of every weight array of a spec, in a fixed order. Per-head matrices are stacked:
 * W_Q, W_K, W_V [heads, dModel, dHead], W_O [heads, dHead, dModel]; every matrix is [in, out] row-major.
 */
export function transformerWeightShapes(spec: TransformerSpec): Record<string, number[]> {
  const d = spec.dModel;
  const shapes: Record<string, number[]> = { "embed.tok": [spec.vocabSize, d], "embed.pos": [spec.maxLen, d] };
  spec.layers.forEach((layer, l) => {
    const { heads, dHead, dMlp } = layer;
    if (heads > 0) {
      if (spec.layerNorm) Object.assign(shapes, { [`L${l}.ln1.g`]: [d], [`L${l}.ln1.b`]: [d] });
      for (const m of ["wq", "wk", "wv"]) shapes[`L${l}.attn.${m}`] = [heads, d, dHead];
      shapes[`L${l}.attn.wo`] = [heads, dHead, d];
      if (spec.attnBias) {
        for (const m of ["bq", "bk", "bv"]) shapes[`L${l}.attn.${m}`] = [heads, dHead];
        shapes[`L${l}.attn.bo`] = [d];
      }
    }
    if (dMlp > 0) {
      if (spec.layerNorm) Object.assign(shapes, { [`L${l}.ln2.g`]: [d], [`L${l}.ln2.b`]: [d] });
      Object.assign(shapes, {
        [`L${l}.mlp.w1`]: [d, dMlp],
        [`L${l}.mlp.b1`]: [dMlp],
        [`L${l}.mlp.w2`]: [dMlp, d],
        [`L${l}.mlp.b2`]: [d],
      });
    }
  });
  if (spec.layerNorm) Object.assign(shapes, { "lnf.g": [d], "lnf.b": [d] });
  shapes["unembed.w"] = [d, spec.dOut];
  shapes["unembed.b"] = [spec.dOut];
  return shapes;
}

/** A unit the hooks can read or intervene on: one attention head, or one MLP neuron. */
export type TransformerUnit = { kind: "head"; layer: number; head: number } | { kind: "neuron"; layer: number; neuron: number };

/** Every head and MLP neuron in canonical order: layer by layer, its heads then its neurons. */
export function transformerUnits(spec: TransformerSpec): TransformerUnit[] {
  const units: TransformerUnit[] = [];
  spec.layers.forEach((layer, l) => {
    for (let h = 0; h < layer.heads; h++) units.push({ kind: "head", layer: l, head: h });
    for (let j = 0; j < layer.dMlp; j++) units.push({ kind: "neuron", layer: l, neuron: j });
  });
  return units;
}

export const unitLabel = (u: TransformerUnit) => (u.kind === "head" ? `L${u.layer}H${u.head}` : `L${u.layer}N${u.neuron}`);

/** A spec with its weights resolved to float64 (`loadTransformer`). */
export interface Transformer {
  spec: TransformerSpec;
  /** Every array of transformerWeightShapes(spec), as float64. */
  w: Record<string, Float64Array>;
}

export function parseTransformerSpec(json: unknown): TransformerSpec {
  const parsed = transformerSpecSchema.safeParse(json);
  if (!parsed.success) throw new Error(`transformer spec is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Resolve a spec against named arrays (float32 or float64), checking every shape. Extra arrays are ignored. */
export function loadTransformer(spec: TransformerSpec, arrays: Record<string, NdArray | undefined>): Transformer {
  const w: Record<string, Float64Array> = {};
  for (const [name, shape] of Object.entries(transformerWeightShapes(spec))) {
    const a = arrays[name];
    if (!a) throw new Error(`transformer weight "${name}" is missing`);
    if (a.shape.length !== shape.length || a.shape.some((s, i) => s !== shape[i]))
      throw new Error(`transformer weight "${name}" has shape [${a.shape}], expected [${shape}]`);
    w[name] = Float64Array.from(a.data);
  }
  return { spec, w };
}

/**
 * Hooks of one forward pass. Arrays are the pass's own buffers (row-major): a hook may read them, or write into
 * them to intervene (mean ablation, activation patching); the pass continues from what the hook leaves.
 */
export interface TransformerHooks {
  /** The residual stream entering layer `layer`, [T, dModel]; layer = number of layers: the final residual before lnf. */
  resid?(layer: number, x: Float64Array, T: number): void;
  /** The residual stream between layer `layer`'s attention and MLP blocks, [T, dModel]. */
  residMid?(layer: number, x: Float64Array, T: number): void;
  /** Attention weights of one head, [T (query), T (key)]. Writing here changes z. */
  pattern?(layer: number, head: number, p: Float64Array, T: number): void;
  /** One head's output z = pattern · v, [T, dHead], before W_O: what the head writes is z · W_O[head]. */
  headZ?(layer: number, head: number, z: Float64Array, T: number): void;
  /** One layer's MLP neurons after the activation, [T, dMlp]. */
  mlpPost?(layer: number, post: Float64Array, T: number): void;
}

const GELU_C = Math.sqrt(2 / Math.PI);
/** GELU, tanh approximation (Hendrycks & Gimpel 2016), as GPT-2 uses. */
export const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));

function layerNormRows(x: Float64Array, T: number, d: number, g: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    let m = 0;
    for (let i = 0; i < d; i++) m += x[t * d + i] as number;
    m /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += ((x[t * d + i] as number) - m) ** 2;
    const inv = 1 / Math.sqrt(v / d + LAYER_NORM_EPS);
    for (let i = 0; i < d; i++) out[t * d + i] = ((x[t * d + i] as number) - m) * inv * (g[i] as number) + (b[i] as number);
  }
  return out;
}

/** y[T, nOut] = x[T, nIn] · W (W row-major [nIn, nOut] starting at `offset`) + bias (optional, at biasOffset). */
function matmul(
  x: Float64Array,
  T: number,
  nIn: number,
  W: Float64Array,
  offset: number,
  nOut: number,
  bias?: Float64Array,
  biasOffset = 0,
): Float64Array {
  const y = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    const yo = t * nOut;
    if (bias) for (let o = 0; o < nOut; o++) y[yo + o] = bias[biasOffset + o] as number;
    for (let i = 0; i < nIn; i++) {
      const xi = x[t * nIn + i] as number;
      if (xi === 0) continue;
      const wo = offset + i * nOut;
      for (let o = 0; o < nOut; o++) y[yo + o] = (y[yo + o] as number) + xi * (W[wo + o] as number);
    }
  }
  return y;
}

/** The residual stream entering layer 0: token plus position embeddings, [T, dModel]. */
export function embed(net: Transformer, tokens: ArrayLike<number>): Float64Array {
  const { spec, w } = net;
  const T = tokens.length;
  const d = spec.dModel;
  if (T > spec.maxLen) throw new Error(`sequence of length ${T} exceeds maxLen ${spec.maxLen}`);
  const tok = w["embed.tok"] as Float64Array;
  const pos = w["embed.pos"] as Float64Array;
  const x = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    const id = tokens[t] as number;
    if (!Number.isInteger(id) || id < 0 || id >= spec.vocabSize) throw new Error(`token ${id} is outside 0…${spec.vocabSize - 1}`);
    for (let i = 0; i < d; i++) x[t * d + i] = (tok[id * d + i] as number) + (pos[t * d + i] as number);
  }
  return x;
}

/**
 * Forward pass of one sequence of T ≤ maxLen token ids, in float64. Returns the logits [T, dOut] and calls the
 * hooks at every site, in order (resid of layer l, then its heads' pattern and z, residMid, then its MLP).
 */
export function runSequence(net: Transformer, tokens: ArrayLike<number>, hooks: TransformerHooks = {}): Float64Array {
  return runFrom(net, embed(net, tokens), tokens.length, { layer: 0, stage: "attn" }, hooks);
}

/** A point of the forward pass: before the attention block of a layer, or before its MLP block. */
export interface PassPoint {
  layer: number;
  stage: "attn" | "mlp";
}

/**
 * The rest of a forward pass from a residual stream x [T, dModel] at `from` (what resid or residMid saw there):
 * the logits [T, dOut]. Interventions that only change the residual at one point (a unit's write, patched in)
 * restart here instead of recomputing the layers before it. x is modified in place.
 */
export function runFrom(net: Transformer, x: Float64Array, T: number, from: PassPoint, hooks: TransformerHooks = {}): Float64Array {
  const { spec, w } = net;
  const d = spec.dModel;
  const norm = (name: string) =>
    spec.layerNorm ? layerNormRows(x, T, d, w[`${name}.g`] as Float64Array, w[`${name}.b`] as Float64Array) : x;
  spec.layers.forEach((layer, l) => {
    if (l < from.layer) return;
    const { heads, dHead, dMlp } = layer;
    const skipAttention = l === from.layer && from.stage === "mlp";
    if (!skipAttention) hooks.resid?.(l, x, T);
    if (heads > 0 && !skipAttention) {
      const a = norm(`L${l}.ln1`);
      const [wq, wk, wv, wo] = ["wq", "wk", "wv", "wo"].map((m) => w[`L${l}.attn.${m}`] as Float64Array) as [
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      const [bq, bk, bv] = ["bq", "bk", "bv"].map((m) => w[`L${l}.attn.${m}`]);
      const scale = spec.attnScale ?? 1 / Math.sqrt(dHead);
      const delta = new Float64Array(T * d);
      for (let h = 0; h < heads; h++) {
        const off = h * d * dHead;
        const q = matmul(a, T, d, wq, off, dHead, bq, h * dHead);
        const k = matmul(a, T, d, wk, off, dHead, bk, h * dHead);
        const v = matmul(a, T, d, wv, off, dHead, bv, h * dHead);
        const p = new Float64Array(T * T);
        for (let t = 0; t < T; t++) {
          const last = spec.causal ? t : T - 1;
          let max = Number.NEGATIVE_INFINITY;
          for (let u = 0; u <= last; u++) {
            let s = 0;
            for (let i = 0; i < dHead; i++) s += (q[t * dHead + i] as number) * (k[u * dHead + i] as number);
            s *= scale;
            p[t * T + u] = s;
            if (s > max) max = s;
          }
          let sum = 0;
          for (let u = 0; u <= last; u++) {
            const e = Math.exp((p[t * T + u] as number) - max);
            p[t * T + u] = e;
            sum += e;
          }
          for (let u = 0; u <= last; u++) p[t * T + u] = (p[t * T + u] as number) / sum;
        }
        hooks.pattern?.(l, h, p, T);
        const zh = matmul(p, T, T, v, 0, dHead);
        hooks.headZ?.(l, h, zh, T);
        const out = matmul(zh, T, dHead, wo, h * dHead * d, d);
        for (let i = 0; i < delta.length; i++) delta[i] = (delta[i] as number) + (out[i] as number);
      }
      const bo = w[`L${l}.attn.bo`];
      for (let t = 0; t < T; t++)
        for (let i = 0; i < d; i++) x[t * d + i] = (x[t * d + i] as number) + (delta[t * d + i] as number) + (bo ? (bo[i] as number) : 0);
    }
    hooks.residMid?.(l, x, T);
    if (dMlp > 0) {
      const a = norm(`L${l}.ln2`);
      const post = matmul(a, T, d, w[`L${l}.mlp.w1`] as Float64Array, 0, dMlp, w[`L${l}.mlp.b1`]);
      const relu = spec.mlpActivation === "relu";
      for (let i = 0; i < post.length; i++) {
        const zi = post[i] as number;
        post[i] = relu ? Math.max(zi, 0) : gelu(zi);
      }
      hooks.mlpPost?.(l, post, T);
      const out = matmul(post, T, dMlp, w[`L${l}.mlp.w2`] as Float64Array, 0, d, w[`L${l}.mlp.b2`]);
      for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + (out[i] as number);
    }
  });
  hooks.resid?.(spec.layers.length, x, T);
  const final = norm("lnf");
  return matmul(final, T, d, w["unembed.w"] as Float64Array, 0, spec.dOut, w["unembed.b"]);
}

/** Forward pass of n sequences of length T (tokens [n, T] row-major); hooksFor(s) gives sample s's hooks. Logits [n, T, dOut]. */
export function runBatch(
  net: Transformer,
  tokens: ArrayLike<number>,
  n: number,
  T: number,
  hooksFor?: (sample: number) => TransformerHooks,
): Float64Array {
  const dOut = net.spec.dOut;
  const logits = new Float64Array(n * T * dOut);
  for (let s = 0; s < n; s++) {
    const seq = Array.prototype.slice.call(tokens, s * T, (s + 1) * T) as number[];
    logits.set(runSequence(net, seq, hooksFor?.(s)), s * T * dOut);
  }
  return logits;
}

type Tf = typeof tfType;

/** Additive offsets at the intervention sites of forwardTf (zero offsets: the gradient of a loss with respect to them is its gradient with respect to the site). */
export interface TfOffsets {
  /** Per layer with heads: [n, heads, T, dHead], added to every head's z. */
  headZ?: (tfType.Tensor | undefined)[];
  /** Per layer with an MLP: [n, T, dMlp], added to the neurons after the activation. */
  mlpPost?: (tfType.Tensor | undefined)[];
}

/**
 * The same forward pass in TensorFlow.js on a batch of token ids [n, T] (int32), with the weights given as tensors
 * under the names of transformerWeightShapes (variables when training). Returns logits [n, T, dOut]. Call inside
 * tf.tidy or tf.grad; float32 on every backend.
 */
export function forwardTf(
  tf: Tf,
  spec: TransformerSpec,
  weights: Record<string, tfType.Tensor>,
  tokens: tfType.Tensor2D,
  offsets: TfOffsets = {},
): tfType.Tensor3D {
  const [n, T] = tokens.shape;
  const d = spec.dModel;
  const weight = (name: string) => {
    const t = weights[name];
    if (!t) throw new Error(`transformer weight "${name}" is missing`);
    return t;
  };
  const ln = (x: tfType.Tensor, name: string) => {
    if (!spec.layerNorm) return x;
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPS))), weight(`${name}.g`)), weight(`${name}.b`));
  };
  const positions = tf.range(0, T, 1, "int32");
  let x: tfType.Tensor = tf.add(tf.gather(weight("embed.tok"), tokens), tf.expandDims(tf.gather(weight("embed.pos"), positions), 0));
  // Causal mask: −∞ (a large negative) above the diagonal.
  const mask = spec.causal ? tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9) : null;
  spec.layers.forEach((layer, l) => {
    const { heads, dHead, dMlp } = layer;
    if (heads > 0) {
      const a = tf.reshape(ln(x, `L${l}.ln1`), [n, 1, T, d]);
      // [n, 1, T, d] · [heads, d, dHead] → [n, heads, T, dHead] by broadcasting matMul.
      const proj = (m: string, b: string) => {
        let y = tf.matMul(tf.tile(a, [1, heads, 1, 1]), tf.tile(tf.expandDims(weight(`L${l}.attn.${m}`), 0), [n, 1, 1, 1]));
        if (spec.attnBias) y = tf.add(y, tf.reshape(weight(`L${l}.attn.${b}`), [1, heads, 1, dHead]));
        return y;
      };
      const q = proj("wq", "bq");
      const k = proj("wk", "bk");
      const v = proj("wv", "bv");
      let scores = tf.mul(tf.matMul(q, k, false, true), spec.attnScale ?? 1 / Math.sqrt(dHead));
      if (mask) scores = tf.add(scores, mask);
      let zt: tfType.Tensor = tf.matMul(tf.softmax(scores), v);
      const off = offsets.headZ?.[l];
      if (off) zt = tf.add(zt, off);
      // Σ_h z_h · W_O[h]: [n, heads, T, dHead] · [heads, dHead, d] → sum over heads.
      const out = tf.sum(tf.matMul(zt, tf.tile(tf.expandDims(weight(`L${l}.attn.wo`), 0), [n, 1, 1, 1])), 1);
      x = tf.add(x, out);
      if (spec.attnBias) x = tf.add(x, weight(`L${l}.attn.bo`));
    }
    if (dMlp > 0) {
      const a = tf.reshape(ln(x, `L${l}.ln2`), [n * T, d]);
      const pre = tf.add(tf.matMul(a, weight(`L${l}.mlp.w1`) as tfType.Tensor2D), weight(`L${l}.mlp.b1`));
      let post: tfType.Tensor =
        spec.mlpActivation === "relu"
          ? tf.relu(pre)
          : tf.mul(tf.mul(pre, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(pre, tf.mul(tf.pow(pre, 3), 0.044715)), GELU_C))));
      post = tf.reshape(post, [n, T, dMlp]);
      const off = offsets.mlpPost?.[l];
      if (off) post = tf.add(post, off);
      const out = tf.add(tf.matMul(tf.reshape(post, [n * T, dMlp]), weight(`L${l}.mlp.w2`) as tfType.Tensor2D), weight(`L${l}.mlp.b2`));
      x = tf.add(x, tf.reshape(out, [n, T, d]));
    }
  });
  const final = tf.reshape(ln(x, "lnf"), [n * T, d]);
  const logits = tf.add(tf.matMul(final, weight("unembed.w") as tfType.Tensor2D), weight("unembed.b"));
  return tf.reshape(logits, [n, T, spec.dOut]) as tfType.Tensor3D;
}
