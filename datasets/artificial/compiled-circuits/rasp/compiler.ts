// Compiles a RASP program (rasp.ts) into the weights of a transformer (harness/transformer.ts), the way Tracr does
// (Lindner et al. 2023), in TypeScript and with exact ground truth:
//
// - Residual stream: one dimension `one` (1 at every position), one `bos` (1 at the BOS token, position 0), and for
//   every SOp either one dimension per possible value (categorical, one-hot) or one dimension (numerical). A
//   selectorWidth also gets a numerical scratch dimension. Token ids: 0 = BOS, 1 + i = the i-th vocabulary value.
//   The RASP index of position p ≥ 1 is p − 1; position 0 (BOS) carries no index.
// - aggregate(select(keys, queries, P), x): one attention head. Its QK circuit gives score G to every key whose
//   value satisfies P against the query's value and G/2 to BOS, so a query that selects nothing reads BOS (whose value
//   dimensions are 0: RASP's None / 0) and any selection outweighs BOS by e^{−G/2}. Its OV circuit copies x's
//   dimensions into the output's.
// - selectorWidth(select(…)): a head that always selects BOS at the same score as the selected keys and copies `bos`
//   into the scratch dimension, which then holds 1/(w + 1); the MLP of the same layer reads it back as the
//   categorical w (below).
// - map / sequenceMap: one MLP block each, a lookup table. Categorical input: one relu neuron per input value
//   (per pair of values for sequenceMap: relu(x_a + y_b − 1)), writing the output's one-hot (or numerical value).
//   Numerical input with a finite value set (a discretising MLP, as in Tracr): for each midpoint t between
//   consecutive values, two neurons relu(L(x − t) + ½) − relu(L(x − t) − ½) make a step, exact 0 or 1 at every
//   possible value; the steps write the differences of the output between consecutive values, one gate neuron its
//   value at the smallest input. These neurons are switched off at BOS by −G_bos · bos.
// - Layers: each SOp gets the earliest sublayer of its kind (attention at even, MLP at odd sublayers) after all the
//   SOps it reads; layer l = sublayers 2l (heads) and 2l + 1 (MLP).
// The ground truth of a compiled program: which head or neuron range of which layer computes each SOp (`steps`),
// which residual dimensions hold each SOp's value (`sops`), and, with a rotation, which residual directions.
import { f32 } from "../../../../harness/ndarray.ts";
import type { Rng } from "../../../../harness/rng.ts";
import { runSequence, type Transformer, type TransformerSpec, transformerWeightShapes } from "../../../../harness/transformer.ts";
import type { NdArray } from "../../../../harness/types.ts";
import { dependencies, type Selector, type SOp, topologicalOrder, type Values } from "./rasp.ts";

export interface CompileOptions {
  /** The input vocabulary (token values), in the order of their token ids 1 … V. */
  vocab: readonly number[];
  /** Longest input (without BOS); the model's maxLen is maxLen + 1. */
  maxLen: number;
  /** SOps to compile besides the output (e.g. distractors nobody reads); all are kept in the residual stream. */
  extra?: readonly SOp[];
  /** Attention gain G: selected keys outscore the rest by G (default 100). */
  attnGain?: number;
  /**
   * What the unembedding reads: "one-hot" (default) the output's dimensions (dOut = their number); "value" one
   * logit, the output's value (Σ_v v · one-hot_v for a categorical output; 0 where it is None).
   */
  readout?: "one-hot" | "value";
  /** A random orthogonal rotation of the residual stream, drawn from this generator (default: none). */
  rotation?: Rng;
}

/** Where a SOp lives: its residual dimensions (canonical basis) and its possible values, in dimension order. */
export interface SOpLayout {
  sop: SOp;
  /** Categorical: one dimension per value; numerical: one dimension (values: its finite value set, if known). */
  dims: number[];
  values: number[];
}

/** One compiled step: the component that computes a SOp. */
export interface CompiledStep {
  label: string;
  op: SOp["op"];
  layer: number;
  /** The head (aggregate, selectorWidth) that computes it or feeds it. */
  head?: number;
  /** The MLP neurons [start, end) of the layer (map, sequenceMap, selectorWidth's read-out). */
  neurons?: [number, number];
  /** Labels of the SOps it reads. */
  reads: string[];
}

export interface CompiledProgram {
  output: SOp;
  spec: TransformerSpec;
  /** float32 arrays named as transformerWeightShapes(spec). The unembedding reads the output's dimensions. */
  weights: Record<string, NdArray>;
  /** Labels of the canonical residual dimensions: "one", "bos", "<sop>:<value>", "<sop>" (numerical), "<sop>:scratch". */
  dimLabels: string[];
  /** [dModel, dModel] row-major: row i is the residual direction of canonical dimension i (identity without rotation). */
  basis: Float64Array;
  layouts: Map<SOp, SOpLayout>;
  steps: CompiledStep[];
  vocab: readonly number[];
  maxLen: number;
}

const uniqSorted = (xs: Iterable<number>) => [...new Set(xs)].sort((a, b) => a - b);

/** Possible values of every SOp given the vocabulary and the longest input. */
function valueSets(order: readonly SOp[], vocab: readonly number[], maxLen: number): Map<SOp, number[]> {
  const sets = new Map<SOp, number[]>();
  const of = (s: SOp) => sets.get(s) as number[];
  for (const s of order) {
    switch (s.op) {
      case "tokens":
        sets.set(s, uniqSorted(vocab));
        break;
      case "indices":
        sets.set(
          s,
          Array.from({ length: maxLen }, (_, i) => i),
        );
        break;
      case "map":
        sets.set(s, uniqSorted(of(s.input).map(s.f)));
        break;
      case "sequenceMap":
        sets.set(s, uniqSorted(of(s.left).flatMap((a) => of(s.right).map((b) => s.f(a, b)))));
        break;
      case "selectorWidth":
        sets.set(
          s,
          Array.from({ length: maxLen + 1 }, (_, i) => i),
        );
        break;
      case "aggregate": {
        if (s.encoding === "categorical") {
          sets.set(s, of(s.input));
          break;
        }
        // Means of 1 … maxLen values of the input's set (and 0, nothing selected), by their achievable sums.
        const base = of(s.input);
        const means = new Set<number>([0]);
        let sums = new Set<number>([0]);
        for (let m = 1; m <= maxLen; m++) {
          const next = new Set<number>();
          for (const a of sums) for (const b of base) next.add(Math.round((a + b) * 1e9) / 1e9);
          sums = next;
          for (const t of sums) means.add(Math.round((t / m) * 1e9) / 1e9);
        }
        sets.set(s, uniqSorted(means));
        break;
      }
    }
  }
  return sets;
}

/** A random orthogonal matrix [d, d] (Gram–Schmidt on Gaussian rows). */
function randomOrthogonal(rng: Rng, d: number): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (;;) {
      for (let j = 0; j < d; j++) q[i * d + j] = rng.normal();
      for (let k = 0; k < i; k++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += (q[i * d + j] as number) * (q[k * d + j] as number);
        for (let j = 0; j < d; j++) q[i * d + j] = (q[i * d + j] as number) - dot * (q[k * d + j] as number);
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += (q[i * d + j] as number) ** 2;
      norm = Math.sqrt(norm);
      if (norm < 1e-6) continue;
      for (let j = 0; j < d; j++) q[i * d + j] = (q[i * d + j] as number) / norm;
      break;
    }
  }
  return q;
}

interface HeadPlan {
  step: CompiledStep;
  selector: Selector;
  /** Score of BOS, as a fraction of G: ½ for aggregate (fallback), 1 for selectorWidth (always selected). */
  bosScore: number;
  /** Pairs (residual dim read by V, residual dim written by O). */
  ov: [number, number][];
}

interface MlpPlan {
  step: CompiledStep;
  /** Per neuron: input weights by residual dim, bias, output weights by residual dim. */
  neurons: { w1: Map<number, number>; b1: number; w2: Map<number, number> }[];
}

export function compile(output: SOp, options: CompileOptions): CompiledProgram {
  const { vocab, maxLen } = options;
  const G = options.attnGain ?? 100;
  const order = topologicalOrder([output, ...(options.extra ?? [])]);
  const sets = valueSets(order, vocab, maxLen);

  // Residual layout.
  const dimLabels = ["one", "bos"];
  const ONE = 0;
  const BOS = 1;
  const layouts = new Map<SOp, SOpLayout>();
  const scratch = new Map<SOp, number>();
  for (const s of order) {
    const values = sets.get(s) as number[];
    if (s.encoding === "categorical") {
      layouts.set(s, { sop: s, values, dims: values.map((v) => dimLabels.push(`${s.label}:${v}`) - 1) });
    } else {
      layouts.set(s, { sop: s, values, dims: [dimLabels.push(s.label) - 1] });
    }
    if (s.op === "selectorWidth") scratch.set(s, dimLabels.push(`${s.label}:scratch`) - 1);
  }
  const layout = (s: SOp) => layouts.get(s) as SOpLayout;
  const dimOf = (s: SOp, v: number) => {
    const l = layout(s);
    const i = l.values.indexOf(v);
    if (i < 0) throw new Error(`${s.label} has no value ${v}`);
    return l.dims[i] as number;
  };

  // Schedule: sublayer 2l = attention of layer l, 2l + 1 = its MLP.
  const sublayer = new Map<SOp, number>();
  for (const s of order) {
    if (s.op === "tokens" || s.op === "indices") {
      sublayer.set(s, -1);
      continue;
    }
    const after = Math.max(...dependencies(s).map((d) => sublayer.get(d) as number));
    const attention = s.op === "aggregate" || s.op === "selectorWidth";
    let at = after + 1;
    if (attention ? at % 2 !== 0 : at % 2 !== 1) at++;
    // selectorWidth: its head at `at`, its read-out MLP at at + 1, where the SOp is available.
    sublayer.set(s, s.op === "selectorWidth" ? at + 1 : at);
  }
  const nLayers = Math.max(1, Math.ceil((Math.max(...sublayer.values()) + 1) / 2));
  const heads: HeadPlan[][] = Array.from({ length: nLayers }, () => []);
  const mlps: MlpPlan[][] = Array.from({ length: nLayers }, () => []);
  const steps: CompiledStep[] = [];

  /** Neurons of a lookup from a numerical dim with the given sorted values to output vectors out(i) (discretising MLP). */
  const discretise = (xDim: number, xs: number[], out: (i: number) => Map<number, number>) => {
    const neurons: MlpPlan["neurons"] = [];
    let minGap = Number.POSITIVE_INFINITY;
    for (let i = 1; i < xs.length; i++) minGap = Math.min(minGap, (xs[i] as number) - (xs[i - 1] as number));
    const L = Number.isFinite(minGap) ? 4 / minGap : 1;
    const maxAbs = Math.max(...xs.map(Math.abs));
    const gateBos = -(L * (maxAbs + 1) + 10);
    neurons.push({
      w1: new Map([
        [ONE, 1],
        [BOS, gateBos],
      ]),
      b1: 0,
      w2: out(0),
    });
    for (let i = 1; i < xs.length; i++) {
      const t = ((xs[i] as number) + (xs[i - 1] as number)) / 2;
      const diff = new Map<number, number>();
      for (const [d, v] of out(i)) diff.set(d, (diff.get(d) ?? 0) + v);
      for (const [d, v] of out(i - 1)) diff.set(d, (diff.get(d) ?? 0) - v);
      for (const [half, sign] of [
        [0.5, 1],
        [-0.5, -1],
      ] as const) {
        neurons.push({
          w1: new Map([
            [xDim, L],
            [BOS, gateBos],
          ]),
          b1: -L * t + half,
          w2: new Map([...diff].map(([d, v]) => [d, sign * v])),
        });
      }
    }
    return neurons;
  };
  /** The output vector of value v of SOp s: its one-hot dimension, or v on its numerical dimension. */
  const write = (s: SOp, v: number) =>
    s.encoding === "categorical" ? new Map([[dimOf(s, v), 1]]) : new Map([[layout(s).dims[0] as number, v]]);

  for (const s of order) {
    const at = sublayer.get(s) as number;
    if (at < 0) continue;
    const layer = Math.floor(at / 2);
    const step: CompiledStep = { label: s.label, op: s.op, layer, reads: dependencies(s).map((d) => d.label) };
    steps.push(step);
    switch (s.op) {
      case "aggregate": {
        const from = layout(s.input).dims;
        const to = layout(s).dims;
        step.head = heads[layer]?.length;
        heads[layer]?.push({ step, selector: s.selector, bosScore: 0.5, ov: from.map((d, i) => [d, to[i] as number]) });
        break;
      }
      case "selectorWidth": {
        const head = Math.floor((at - 1) / 2);
        step.layer = head;
        step.head = heads[head]?.length;
        const x = scratch.get(s) as number;
        heads[head]?.push({ step, selector: s.selector, bosScore: 1, ov: [[BOS, x]] });
        // Scratch holds 1/(w + 1) for w = 0 … maxLen: read back as the categorical w.
        const widths = Array.from({ length: maxLen + 1 }, (_, w) => w).reverse();
        mlps[head]?.push({
          step,
          neurons: discretise(
            x,
            widths.map((w) => 1 / (w + 1)),
            (i) => write(s, widths[i] as number),
          ),
        });
        break;
      }
      case "map": {
        const input = layout(s.input);
        if (s.input.encoding === "categorical") {
          const neurons = input.values.map((v, i) => ({ w1: new Map([[input.dims[i] as number, 1]]), b1: 0, w2: write(s, s.f(v)) }));
          mlps[layer]?.push({ step, neurons });
        } else {
          mlps[layer]?.push({
            step,
            neurons: discretise(input.dims[0] as number, input.values, (i) => write(s, s.f(input.values[i] as number))),
          });
        }
        break;
      }
      case "sequenceMap": {
        const a = layout(s.left);
        const b = layout(s.right);
        const neurons = a.values.flatMap((va, i) =>
          b.values.map((vb, j) => ({
            w1: new Map([
              [a.dims[i] as number, 1],
              [b.dims[j] as number, 1],
            ]),
            b1: -1,
            w2: write(s, s.f(va, vb)),
          })),
        );
        mlps[layer]?.push({ step, neurons });
        break;
      }
    }
  }

  // Weights in the canonical basis.
  const d = dimLabels.length;
  const spec: TransformerSpec = {
    kind: "transformer",
    vocabSize: vocab.length + 1,
    maxLen: maxLen + 1,
    dModel: d,
    layers: heads.map((hs, l) => ({
      heads: hs.length,
      dHead: Math.max(1, ...hs.map((h) => Math.max(layout(h.selector.keys).dims.length + 1, h.ov.length))),
      dMlp: (mlps[l] ?? []).reduce((a, m) => a + m.neurons.length, 0),
    })),
    causal: false,
    layerNorm: false,
    attnBias: false,
    mlpActivation: "relu",
    attnScale: 1,
    dOut: options.readout === "value" ? 1 : layout(output).dims.length,
  };
  const shapes = transformerWeightShapes(spec);
  const W = Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, new Float64Array(shape.reduce((a, b) => a * b, 1))]));
  const at = (name: string) => W[name] as Float64Array;
  const tok = at("embed.tok");
  // Token 0 is BOS: `one` and `bos`; token 1 + i: `one` and tokens:vocab[i].
  tok[ONE] = 1;
  tok[BOS] = 1;
  vocab.forEach((v, i) => {
    tok[(i + 1) * d + ONE] = 1;
    if (layouts.has(tokensOf(order))) tok[(i + 1) * d + dimOf(tokensOf(order) as SOp, v)] = 1;
  });
  const idx = indicesOf(order);
  if (idx) for (let p = 1; p <= maxLen; p++) at("embed.pos")[p * d + dimOf(idx, p - 1)] = 1;
  heads.forEach((hs, l) => {
    const dHead = spec.layers[l]?.dHead as number;
    hs.forEach((h, hi) => {
      const keys = layout(h.selector.keys);
      const queries = layout(h.selector.queries);
      const wq = at(`L${l}.attn.wq`);
      const wk = at(`L${l}.attn.wk`);
      const base = hi * d * dHead;
      keys.values.forEach((kv, c) => {
        wk[base + (keys.dims[c] as number) * dHead + c] = 1;
        queries.values.forEach((qv, r) => {
          if (h.selector.predicate(kv, qv)) wq[base + (queries.dims[r] as number) * dHead + c] = G;
        });
      });
      const cb = keys.values.length;
      wk[base + BOS * dHead + cb] = 1;
      wq[base + ONE * dHead + cb] = G * h.bosScore;
      h.ov.forEach(([from, to], c) => {
        at(`L${l}.attn.wv`)[base + from * dHead + c] = 1;
        at(`L${l}.attn.wo`)[hi * dHead * d + c * d + to] = 1;
      });
    });
  });
  mlps.forEach((ms, l) => {
    const dMlp = spec.layers[l]?.dMlp as number;
    let j = 0;
    for (const m of ms) {
      const start = j;
      for (const neuron of m.neurons) {
        for (const [dim, v] of neuron.w1) at(`L${l}.mlp.w1`)[dim * dMlp + j] = v;
        at(`L${l}.mlp.b1`)[j] = neuron.b1;
        for (const [dim, v] of neuron.w2) at(`L${l}.mlp.w2`)[j * d + dim] = (at(`L${l}.mlp.w2`)[j * d + dim] as number) + v;
        j++;
      }
      m.step.neurons = [start, j];
    }
  });
  const out = layout(output);
  out.dims.forEach((dim, o) => {
    if (options.readout !== "value") at("unembed.w")[dim * spec.dOut + o] = 1;
    else at("unembed.w")[dim] = output.encoding === "categorical" ? (out.values[o] as number) : 1;
  });

  const basis = options.rotation ? randomOrthogonal(options.rotation, d) : identity(d);
  if (options.rotation) rotate(spec, W, basis);
  const weights = Object.fromEntries(Object.entries(W).map(([name, a]) => [name, f32(shapes[name] as number[], a)]));
  return { output, spec, weights, dimLabels, basis, layouts, steps, vocab, maxLen };
}

const tokensOf = (order: readonly SOp[]) => order.find((s) => s.op === "tokens") as SOp;
const indicesOf = (order: readonly SOp[]) => order.find((s) => s.op === "indices");

function identity(d: number): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  return q;
}

/** x ↦ x · Q on every residual read and write: writers [*, d] · Q, readers Qᵀ · [d, *]. The function is unchanged. */
function rotate(spec: TransformerSpec, W: Record<string, Float64Array>, Q: Float64Array) {
  const d = spec.dModel;
  // Rows of `a` (each d long) ↦ row · Q.
  const writeSide = (a: Float64Array) => {
    const out = new Float64Array(a.length);
    for (let r = 0; r < a.length / d; r++)
      for (let i = 0; i < d; i++) {
        const x = a[r * d + i] as number;
        if (x === 0) continue;
        for (let j = 0; j < d; j++) out[r * d + j] = (out[r * d + j] as number) + x * (Q[i * d + j] as number);
      }
    a.set(out);
  };
  // A [d, k] block (possibly several stacked) ↦ Qᵀ · block.
  const readSide = (a: Float64Array, k: number) => {
    const out = new Float64Array(a.length);
    const blocks = a.length / (d * k);
    for (let b = 0; b < blocks; b++)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          const q = Q[j * d + i] as number;
          if (q === 0) continue;
          for (let c = 0; c < k; c++)
            out[b * d * k + i * k + c] = (out[b * d * k + i * k + c] as number) + q * (a[b * d * k + j * k + c] as number);
        }
    a.set(out);
  };
  writeSide(W["embed.tok"] as Float64Array);
  writeSide(W["embed.pos"] as Float64Array);
  spec.layers.forEach((layer, l) => {
    if (layer.heads > 0) {
      for (const m of ["wq", "wk", "wv"]) readSide(W[`L${l}.attn.${m}`] as Float64Array, layer.dHead);
      writeSide(W[`L${l}.attn.wo`] as Float64Array);
    }
    if (layer.dMlp > 0) {
      readSide(W[`L${l}.mlp.w1`] as Float64Array, layer.dMlp);
      writeSide(W[`L${l}.mlp.w2`] as Float64Array);
      writeSide(W[`L${l}.mlp.b2`] as Float64Array);
    }
  });
  readSide(W["unembed.w"] as Float64Array, spec.dOut);
}

/** Token ids of an input sequence: BOS (0), then 1 + the index of each value in the vocabulary. */
export function encodeInput(program: Pick<CompiledProgram, "vocab">, input: readonly number[]): number[] {
  return [0, ...input.map((v) => 1 + program.vocab.indexOf(v))];
}

/**
 * Every compiled SOp's values read back from the final residual stream of one forward pass (canonical basis):
 * categorical → the value of the largest dimension if it exceeds ½, else null; numerical → the dimension's value.
 */
export function decodeResidual(program: CompiledProgram, net: Transformer, input: readonly number[]): Map<SOp, Values> {
  const d = program.spec.dModel;
  let final = new Float64Array(0);
  runSequence(net, encodeInput(program, input), {
    resid: (layer, x) => {
      if (layer === program.spec.layers.length) final = Float64Array.from(x);
    },
  });
  const T = input.length + 1;
  // Back to the canonical basis: x_canonical = x · Qᵀ.
  const canon = new Float64Array(T * d);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (final[t * d + j] as number) * (program.basis[i * d + j] as number);
      canon[t * d + i] = s;
    }
  const out = new Map<SOp, Values>();
  for (const [sop, l] of program.layouts) {
    const values: Values = [];
    for (let t = 1; t < T; t++) {
      if (sop.encoding === "numerical") {
        values.push(canon[t * d + (l.dims[0] as number)] as number);
        continue;
      }
      let best = -1;
      let bestValue = 0.5;
      l.dims.forEach((dim, i) => {
        const v = canon[t * d + dim] as number;
        if (v > bestValue) {
          bestValue = v;
          best = i;
        }
      });
      values.push(best < 0 ? null : (l.values[best] as number));
    }
    out.set(sop, values);
  }
  return out;
}
