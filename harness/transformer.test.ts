// The float64 transformer forward pass against a direct TensorFlow.js computation (forwardTf) on random weights,
// in every configuration (causal or not, layer norm or not, relu or gelu, with and without attention biases), and
// the hooks: zeroing a head's z or an MLP neuron in the hook equals subtracting it in tfjs.
import { beforeAll, describe, expect, it } from "vitest";
import { f32 } from "./ndarray.ts";
import { Rng } from "./rng.ts";
import { initTf } from "./tf.ts";
import {
  forwardTf,
  loadTransformer,
  parseTransformerSpec,
  runBatch,
  runFrom,
  runSequence,
  type TransformerSpec,
  transformerUnits,
  transformerWeightShapes,
} from "./transformer.ts";
import type { NdArray } from "./types.ts";

type Tf = Awaited<ReturnType<typeof initTf>>["tf"];
let tf: Tf;
beforeAll(async () => {
  tf = (await initTf()).tf;
});

function randomWeights(spec: TransformerSpec, seed: number): Record<string, NdArray> {
  const rng = new Rng(seed);
  const out: Record<string, NdArray> = {};
  for (const [name, shape] of Object.entries(transformerWeightShapes(spec))) {
    const a = f32(shape);
    const gain = name.endsWith(".g");
    for (let i = 0; i < a.data.length; i++) a.data[i] = gain ? 1 + 0.2 * rng.normal() : 0.4 * rng.normal();
    out[name] = a;
  }
  return out;
}

const base = {
  kind: "transformer",
  vocabSize: 7,
  maxLen: 6,
  dModel: 8,
  layers: [
    { heads: 2, dHead: 4, dMlp: 10 },
    { heads: 3, dHead: 3, dMlp: 0 },
    { heads: 0, dHead: 1, dMlp: 5 },
  ],
  dOut: 3,
} as const;

const CONFIGS: Partial<TransformerSpec>[] = [
  { causal: true, layerNorm: false, attnBias: false, mlpActivation: "relu" },
  { causal: false, layerNorm: true, attnBias: true, mlpActivation: "gelu" },
  { causal: true, layerNorm: true, attnBias: false, mlpActivation: "gelu", attnScale: 0.7 },
];

function tokensOf(seed: number, n: number, T: number, vocab: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n * T }, () => rng.int(vocab));
}

describe("transformer forward pass", () => {
  it.each(CONFIGS.map((c, i) => [i, c] as const))("float64 pass equals forwardTf on random weights (config %i)", (i, config) => {
    const spec = parseTransformerSpec({ ...base, ...config });
    const weights = randomWeights(spec, 10 + i);
    const net = loadTransformer(spec, weights);
    const n = 5;
    const T = 6;
    const tokens = tokensOf(i, n, T, spec.vocabSize);
    const ours = runBatch(net, tokens, n, T);
    const theirs = tf.tidy(() => {
      const w = Object.fromEntries(Object.entries(weights).map(([k, a]) => [k, tf.tensor(a.data, a.shape)]));
      return forwardTf(tf, spec, w, tf.tensor2d(tokens, [n, T], "int32")).dataSync();
    });
    expect(ours.length).toBe(theirs.length);
    let maxErr = 0;
    for (let j = 0; j < ours.length; j++) maxErr = Math.max(maxErr, Math.abs((ours[j] as number) - (theirs[j] as number)));
    expect(maxErr).toBeLessThan(1e-5);
    // Logits are not trivially constant.
    expect(Math.max(...ours) - Math.min(...ours)).toBeGreaterThan(0.5);
  });

  it("causal attention: a position's logits do not depend on later tokens; non-causal ones do", () => {
    for (const causal of [true, false]) {
      const spec = parseTransformerSpec({ ...base, ...CONFIGS[0], causal });
      const net = loadTransformer(spec, randomWeights(spec, 3));
      const a = runSequence(net, [1, 2, 3, 4, 5]);
      const b = runSequence(net, [1, 2, 3, 4, 0]);
      const first = (x: Float64Array) => Array.from(x.subarray(0, 3 * spec.dOut));
      if (causal) expect(first(b)).toEqual(first(a));
      else expect(first(b)).not.toEqual(first(a));
    }
  });

  it.each(["head", "neuron"] as const)("hooks intervene: zeroing a %s in the hook equals subtracting it in tfjs", (which) => {
    const spec = parseTransformerSpec({ ...base, ...CONFIGS[1] });
    const weights = randomWeights(spec, 21);
    const net = loadTransformer(spec, weights);
    const n = 3;
    const T = 5;
    const tokens = tokensOf(4, n, T, spec.vocabSize);
    // Record z of L1H2 (or neuron 3 of layer 0) in a clean pass, then zero it with a hook.
    const z = new Float64Array(n * 3 * T * 3);
    const post = new Float64Array(n * T * 10);
    runBatch(net, tokens, n, T, (s) => ({
      headZ: (l, h, zh) => {
        if (l === 1) z.set(zh, (s * 3 + h) * T * 3);
      },
      mlpPost: (l, p) => {
        if (l === 0) post.set(p, s * T * 10);
      },
    }));
    const ablated = runBatch(net, tokens, n, T, () =>
      which === "head"
        ? { headZ: (l, h, zh) => (l === 1 && h === 2 ? zh.fill(0) : undefined) }
        : { mlpPost: (l, p, T) => (l === 0 ? Array.from({ length: T }, (_, t) => (p[t * 10 + 3] = 0)) : undefined) },
    );
    const theirs = tf.tidy(() => {
      const w = Object.fromEntries(Object.entries(weights).map(([k, a]) => [k, tf.tensor(a.data, a.shape)]));
      const x = tf.tensor2d(tokens, [n, T], "int32");
      if (which === "head") {
        const zOff = tf
          .tensor(Float32Array.from(z), [n, 3, T, 3])
          .mul(tf.tensor([0, 0, 1], [1, 3, 1, 1]))
          .neg();
        return forwardTf(tf, spec, w, x, { headZ: [undefined, zOff] }).dataSync();
      }
      const postOff = tf
        .tensor(Float32Array.from(post), [n, T, 10])
        .mul(tf.oneHot([3], 10).reshape([1, 1, 10]))
        .neg();
      return forwardTf(tf, spec, w, x, { mlpPost: [postOff] }).dataSync();
    });
    const clean = runBatch(net, tokens, n, T);
    let maxErr = 0;
    let moved = 0;
    for (let j = 0; j < ablated.length; j++) {
      maxErr = Math.max(maxErr, Math.abs((ablated[j] as number) - (theirs[j] as number)));
      moved = Math.max(moved, Math.abs((ablated[j] as number) - (clean[j] as number)));
    }
    expect(maxErr).toBeLessThan(1e-5);
    expect(moved).toBeGreaterThan(0.01);
  });

  it("lists units in canonical order and refuses wrong shapes and tokens", () => {
    const spec = parseTransformerSpec({ ...base, ...CONFIGS[0] });
    const units = transformerUnits(spec);
    expect(units.length).toBe(2 + 10 + 3 + 5);
    expect(units[0]).toEqual({ kind: "head", layer: 0, head: 0 });
    expect(units[2]).toEqual({ kind: "neuron", layer: 0, neuron: 0 });
    const weights = randomWeights(spec, 1);
    expect(() => loadTransformer(spec, { ...weights, "embed.tok": f32([3, 8]) })).toThrow(/shape/);
    const { "unembed.w": _dropped, ...missing } = weights;
    expect(() => loadTransformer(spec, missing)).toThrow(/missing/);
    expect(() => runSequence(loadTransformer(spec, weights), [0, 9])).toThrow(/outside/);
    expect(() => parseTransformerSpec({ ...base, ...CONFIGS[0], extra: 1 })).toThrow();
  });
});

describe("runFrom", () => {
  it("restarting from a cached residual (before attention or before the MLP) gives the full pass's logits", () => {
    const spec = parseTransformerSpec({ ...base, ...CONFIGS[1] });
    const net = loadTransformer(spec, randomWeights(spec, 5));
    const tokens = [3, 1, 4, 1, 5];
    const cached: Record<string, Float64Array> = {};
    const full = runSequence(net, tokens, {
      resid: (l, x) => {
        cached[`${l}attn`] = Float64Array.from(x);
      },
      residMid: (l, x) => {
        cached[`${l}mlp`] = Float64Array.from(x);
      },
    });
    for (const layer of [0, 1, 2])
      for (const stage of ["attn", "mlp"] as const) {
        const again = runFrom(net, Float64Array.from(cached[`${layer}${stage}`] as Float64Array), tokens.length, { layer, stage });
        expect(Array.from(again)).toEqual(Array.from(full));
      }
  });
});
