// The network format of T6 (`network.json` plus weight and bias arrays) and a small float64 forward pass for dense
// networks, with the exact single-unit ablation that defines the truth. Shared by the generators and the baselines
// (gradient × activation, ablation), so every part of Cajal reads the same network the same way; the backward pass
// only the gradient baseline needs is in methods/shared/gradients.ts.
//
// Convention (README.md): a_0 = inputs [n, dIn]; layer k computes a_{k+1} = act_k(a_k · W_k + b_k) with W_k of
// shape [in_k, out_k] (row-major, as stored in the .npy file) and b_k of shape [out_k]; the last layer has one
// output unit and `output` = a_L[:, 0]. `hidden` = a_{hiddenLayer+1}, the output of layer `hiddenLayer`.
import { z } from "zod";
import type { JsonValue, NdArray } from "../../harness/types.ts";

export const ACTIVATIONS = ["relu", "tanh", "linear"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export const networkSchema = z
  .object({
    /** Absent or "dense" (task versions 1–2 had no kind); transformers are described in transformer.ts. */
    kind: z.literal("dense").optional(),
    layers: z
      .array(
        z
          .object({
            weight: z.string().regex(NAME),
            bias: z.string().regex(NAME),
            activation: z.enum(ACTIVATIONS),
          })
          .strict(),
      )
      .min(2),
    hiddenLayer: z.number().int().min(0),
  })
  .strict()
  .refine((n) => n.hiddenLayer < n.layers.length - 1, { message: "hiddenLayer must name a layer before the output layer" });

/** The content of `network.json`. */
export type NetworkSpec = z.infer<typeof networkSchema>;

/** Weight and bias array names of layer k, the pattern Cajal's datasets use. */
export const weightName = (k: number) => `w${k}`;
export const biasName = (k: number) => `b${k}`;

export interface DenseLayer {
  nIn: number;
  nOut: number;
  /** [nIn, nOut] row-major. */
  w: Float64Array;
  b: Float64Array;
  activation: Activation;
}

export interface DenseNet {
  layers: DenseLayer[];
  hiddenLayer: number;
  /** Width of the scored hidden layer. */
  hiddenSize: number;
  inputSize: number;
}

export function parseNetwork(json: JsonValue | undefined): NetworkSpec {
  const parsed = networkSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`network.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Resolve a network spec against the instance's arrays, checking every shape. */
export function loadNetwork(spec: NetworkSpec, arrays: Record<string, NdArray>): DenseNet {
  const layers: DenseLayer[] = [];
  let prev = -1;
  spec.layers.forEach((layer, k) => {
    const w = arrays[layer.weight];
    const b = arrays[layer.bias];
    if (w?.shape.length !== 2) throw new Error(`layer ${k}: weight "${layer.weight}" must be a 2-D array [in, out]`);
    const [nIn, nOut] = w.shape as [number, number];
    if (b?.shape.length !== 1 || b.shape[0] !== nOut) throw new Error(`layer ${k}: bias "${layer.bias}" must have shape [${nOut}]`);
    if (prev >= 0 && nIn !== prev) throw new Error(`layer ${k}: weight has ${nIn} inputs but the previous layer has ${prev} outputs`);
    prev = nOut;
    layers.push({ nIn, nOut, w: Float64Array.from(w.data), b: Float64Array.from(b.data), activation: layer.activation });
  });
  if (prev !== 1) throw new Error(`the last layer must have one output unit, not ${prev}`);
  const hidden = layers[spec.hiddenLayer] as DenseLayer;
  return { layers, hiddenLayer: spec.hiddenLayer, hiddenSize: hidden.nOut, inputSize: (layers[0] as DenseLayer).nIn };
}

export function activate(activation: Activation, z: number): number {
  if (activation === "relu") return Math.max(0, z);
  if (activation === "tanh") return Math.tanh(z);
  return z;
}

/** Pre-activations x · W + b of one layer for n rows. */
export function preActivation(layer: DenseLayer, x: ArrayLike<number>, n: number): Float64Array {
  const { nIn, nOut, w, b } = layer;
  const z = new Float64Array(n * nOut);
  for (let s = 0; s < n; s++) {
    const zo = s * nOut;
    for (let o = 0; o < nOut; o++) z[zo + o] = b[o] as number;
    const xo = s * nIn;
    for (let i = 0; i < nIn; i++) {
      const xi = x[xo + i] as number;
      if (xi === 0) continue;
      const wo = i * nOut;
      for (let o = 0; o < nOut; o++) z[zo + o] = (z[zo + o] as number) + xi * (w[wo + o] as number);
    }
  }
  return z;
}

function applyInPlace(activation: Activation, z: Float64Array): Float64Array {
  if (activation !== "linear") for (let i = 0; i < z.length; i++) z[i] = activate(activation, z[i] as number);
  return z;
}

export interface ForwardPass {
  /** Pre-activations of every layer, [n, out_k] each. */
  pre: Float64Array[];
  /** Post-activations a_1 … a_L, [n, out_k] each (a_0, the input, is not repeated). */
  post: Float64Array[];
}

/** Forward pass of layers `from` … L-1 starting from a_from (the input of layer `from`). */
export function forwardFrom(net: DenseNet, from: number, a: ArrayLike<number>, n: number): ForwardPass {
  const pre: Float64Array[] = [];
  const post: Float64Array[] = [];
  let current: ArrayLike<number> = a;
  for (let k = from; k < net.layers.length; k++) {
    const layer = net.layers[k] as DenseLayer;
    const z = preActivation(layer, current, n);
    pre.push(z);
    const out = applyInPlace(layer.activation, Float64Array.from(z));
    post.push(out);
    current = out;
  }
  return { pre, post };
}

/** Full forward pass from the inputs: the scored hidden layer and the scalar output. */
export function forward(
  net: DenseNet,
  inputs: ArrayLike<number>,
  n: number,
): { hidden: Float64Array; output: Float64Array; pass: ForwardPass } {
  const pass = forwardFrom(net, 0, inputs, n);
  return { hidden: pass.post[net.hiddenLayer] as Float64Array, output: pass.post[net.layers.length - 1] as Float64Array, pass };
}

/** The scalar output from the scored hidden layer's activations [n, H] (layers after hiddenLayer only). */
export function outputFromHidden(net: DenseNet, hidden: ArrayLike<number>, n: number): Float64Array {
  const pass = forwardFrom(net, net.hiddenLayer + 1, hidden, n);
  return pass.post[pass.post.length - 1] as Float64Array;
}

/** Column means of an [n, H] array. */
export function columnMeans(x: ArrayLike<number>, n: number, h: number): Float64Array {
  const m = new Float64Array(h);
  for (let s = 0; s < n; s++) for (let j = 0; j < h; j++) m[j] = (m[j] as number) + (x[s * h + j] as number);
  for (let j = 0; j < h; j++) m[j] = (m[j] as number) / n;
  return m;
}

/**
 * Single-unit mean ablation (or any replacement): for every unit j of the scored layer, the mean over the n samples of
 * |f(h with h_j := mean_j) − f(h)|, where f is the network after the scored layer. Exact (float64): the change is
 * propagated layer by layer from the unperturbed forward pass, through the units it actually reaches (a unit whose
 * value does not change — e.g. a relu that stays off — stops it), so the cost follows the circuit, not the width.
 */
export function ablationEffects(
  net: DenseNet,
  hidden: ArrayLike<number>,
  n: number,
  /** The value unit j takes on sample s instead (activation patching); default its mean over the n samples. */
  replacement?: (j: number, s: number) => number,
): Float64Array {
  const H = net.hiddenSize;
  const from = net.hiddenLayer + 1;
  const L = net.layers.length;
  const means = columnMeans(hidden, n, H);
  const replace = replacement ?? ((j: number) => means[j] as number);
  const pass = forwardFrom(net, from, hidden, n);
  const widest = Math.max(H, ...net.layers.slice(from).map((l) => l.nOut));
  let idx = new Int32Array(widest);
  let val = new Float64Array(widest);
  let nextIdx = new Int32Array(widest);
  let nextVal = new Float64Array(widest);
  const dz = new Float64Array(widest);
  const effects = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const delta = replace(j, s) - (hidden[s * H + j] as number);
      if (delta === 0) continue;
      idx[0] = j;
      val[0] = delta;
      let count = 1;
      for (let k = from; k < L && count > 0; k++) {
        const { nOut, w, activation } = net.layers[k] as DenseLayer;
        dz.fill(0, 0, nOut);
        for (let t = 0; t < count; t++) {
          const d = val[t] as number;
          const wo = (idx[t] as number) * nOut;
          for (let o = 0; o < nOut; o++) dz[o] = (dz[o] as number) + d * (w[wo + o] as number);
        }
        const z = pass.pre[k - from] as Float64Array;
        const a = pass.post[k - from] as Float64Array;
        const relu = activation === "relu";
        const tanh = activation === "tanh";
        const base = s * nOut;
        let next = 0;
        for (let o = 0; o < nOut; o++) {
          const dzo = dz[o] as number;
          if (dzo === 0) continue;
          const zo = (z[base + o] as number) + dzo;
          // biome-ignore lint/complexity/useMathMinMax: the innermost loop of every ablation; a branch is faster than a call
          const changed = (relu ? (zo > 0 ? zo : 0) : tanh ? Math.tanh(zo) : zo) - (a[base + o] as number);
          if (changed === 0) continue;
          nextIdx[next] = o;
          nextVal[next] = changed;
          next++;
        }
        [idx, nextIdx] = [nextIdx, idx];
        [val, nextVal] = [nextVal, val];
        count = next;
      }
      // The last layer has one unit: its change, if any, is the output's.
      if (count > 0) sum += Math.abs(val[0] as number);
    }
    effects[j] = sum / n;
  }
  return effects;
}

/** The network.json of a plain stack of layers named w0/b0, w1/b1, … */
export function networkJson(activations: Activation[], hiddenLayer: number): NetworkSpec {
  return { layers: activations.map((activation, k) => ({ weight: weightName(k), bias: biasName(k), activation })), hiddenLayer };
}

/** The network of a T6 method context: parse `network.json` and resolve its arrays. */
export function networkFromContext(jsonInputs: Record<string, JsonValue> | undefined, arrays: Record<string, NdArray>): DenseNet {
  return loadNetwork(parseNetwork(jsonInputs?.network), arrays);
}
