// T6 on transformers (network.json with kind "transformer", task version 3): the scored units are attention heads
// and MLP neurons of a harness/transformer.ts network, listed in `units` (in the instance's own order); the output is
// one logit at one position (`readout`). Everything the truth and the baselines need is here: the forward pass
// that records every unit's activation and the residual stream around it, the per-unit summary given as `hidden`,
// and the exact effect of replacing a unit's activation (mean ablation for the truth and the ablation baseline,
// another input's activation for activation patching), restarted from the cached residual after the unit's block.
//
// A unit's activation is, at every position: for a head, its output z = pattern · v ([T, dHead], before W_O, what
// TransformerLens calls hook_z); for a neuron, its value after the MLP's activation. Ablating or patching a unit
// replaces it at every position at once. Mean ablation replaces it by its mean over the samples at each position.
import { z } from "zod";
import {
  loadTransformer,
  runFrom,
  runSequence,
  type Transformer,
  type TransformerSpec,
  type TransformerUnit,
  transformerSpecSchema,
} from "../../harness/transformer.ts";
import type { JsonValue, NdArray } from "../../harness/types.ts";

const index = z.number().int().min(0);

export const transformerNetworkSchema = z
  .object({
    kind: z.literal("transformer"),
    transformer: transformerSpecSchema,
    /** The scored units in the order of `hidden`'s columns and `importance`: [layer, head] or [layer, neuron]. */
    units: z
      .array(z.union([z.object({ head: z.tuple([index, index]) }).strict(), z.object({ neuron: z.tuple([index, index]) }).strict()]))
      .min(2),
    /** The scalar output: logits[position, logit] of the sequence. */
    readout: z.object({ position: index, logit: index }).strict(),
  })
  .strict()
  .superRefine((net, ctx) => {
    const seen = new Set<string>();
    net.units.forEach((u, i) => {
      const [layer, k] = "head" in u ? u.head : u.neuron;
      const spec = net.transformer.layers[layer];
      const limit = spec ? ("head" in u ? spec.heads : spec.dMlp) : 0;
      if (k >= limit) ctx.addIssue({ code: "custom", message: `unit ${i} does not exist in the transformer`, path: ["units", i] });
      const key = JSON.stringify(u);
      if (seen.has(key)) ctx.addIssue({ code: "custom", message: `unit ${i} is listed twice`, path: ["units", i] });
      seen.add(key);
    });
    if (net.readout.position >= net.transformer.maxLen)
      ctx.addIssue({ code: "custom", message: "readout position ≥ maxLen", path: ["readout"] });
    if (net.readout.logit >= net.transformer.dOut) ctx.addIssue({ code: "custom", message: "readout logit ≥ dOut", path: ["readout"] });
  });

export type TransformerNetworkSpec = z.infer<typeof transformerNetworkSchema>;

export const unitOf = (u: TransformerNetworkSpec["units"][number]): TransformerUnit =>
  "head" in u ? { kind: "head", layer: u.head[0], head: u.head[1] } : { kind: "neuron", layer: u.neuron[0], neuron: u.neuron[1] };
export const unitJson = (u: TransformerUnit): TransformerNetworkSpec["units"][number] =>
  u.kind === "head" ? { head: [u.layer, u.head] } : { neuron: [u.layer, u.neuron] };

export interface TransformerNetwork {
  net: Transformer;
  units: TransformerUnit[];
  readout: { position: number; logit: number };
}

export const isTransformerNetwork = (json: JsonValue | undefined) =>
  typeof json === "object" && json !== null && !Array.isArray(json) && json.kind === "transformer";

export function parseTransformerNetwork(json: JsonValue | undefined): TransformerNetworkSpec {
  const parsed = transformerNetworkSchema.safeParse(json);
  if (!parsed.success) throw new Error(`network.json is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function loadTransformerNetwork(spec: TransformerNetworkSpec, arrays: Record<string, NdArray>): TransformerNetwork {
  return { net: loadTransformer(spec.transformer, arrays), units: spec.units.map(unitOf), readout: spec.readout };
}

export function transformerNetworkFromContext(jsonInputs: Record<string, JsonValue> | undefined, arrays: Record<string, NdArray>) {
  return loadTransformerNetwork(parseTransformerNetwork(jsonInputs?.network), arrays);
}

/** The tokens of n sequences: `inputs` [n, T] (token ids stored as float32). */
export function tokenRows(inputs: NdArray): { tokens: Int32Array; n: number; T: number } {
  const [n, T] = inputs.shape as [number, number];
  const tokens = Int32Array.from(inputs.data);
  if (tokens.some((t, i) => t !== inputs.data[i])) throw new Error("inputs must hold integer token ids");
  return { tokens, n, T };
}

/** Everything one clean pass over n sequences records. */
export interface TransformerRun {
  n: number;
  T: number;
  /** The scalar output of every sample, [n]. */
  output: Float64Array;
  /** Per unit (in `units` order), its activation on every sample at every position: [n, T, width] (width dHead or 1). */
  acts: Float64Array[];
  widths: number[];
  /** Per sample, the residual after each layer's attention block (layer l at index l) and after its MLP block. */
  mid: Float64Array[][];
  post: Float64Array[][];
}

/** A unit's width: dHead for a head, 1 for a neuron. */
const widthOf = (spec: TransformerSpec, u: TransformerUnit) => (u.kind === "head" ? (spec.layers[u.layer]?.dHead as number) : 1);

/**
 * A method's view of a transformer instance: its network loaded and the clean pass over its sequences; null when the
 * instance's network is dense. Every transformer-aware method starts here.
 */
export function transformerInstance(ctx: {
  jsonInputs?: Record<string, JsonValue>;
  inputs: Record<string, NdArray>;
}): { tnet: TransformerNetwork; tokens: Int32Array; run: TransformerRun } | null {
  if (!isTransformerNetwork(ctx.jsonInputs?.network)) return null;
  const tnet = transformerNetworkFromContext(ctx.jsonInputs, ctx.inputs);
  const { tokens, n, T } = tokenRows(ctx.inputs.inputs as NdArray);
  return { tnet, tokens, run: runTransformer(tnet, tokens, n, T) };
}

/** The clean forward pass of every sequence, recording units and residuals. */
export function runTransformer(tnet: TransformerNetwork, tokens: Int32Array, n: number, T: number): TransformerRun {
  const { net, units, readout } = tnet;
  const spec = net.spec;
  const L = spec.layers.length;
  const widths = units.map((u) => widthOf(spec, u));
  const acts = units.map((_, i) => new Float64Array(n * T * (widths[i] as number)));
  // Which units sit at each site, so each hook copies only what is scored.
  const headsAt = new Map<string, number>();
  const neuronsAt: [number, number][][] = Array.from({ length: L }, () => []);
  units.forEach((u, i) => {
    if (u.kind === "head") headsAt.set(`${u.layer}:${u.head}`, i);
    else neuronsAt[u.layer]?.push([u.neuron, i]);
  });
  const output = new Float64Array(n);
  const mid: Float64Array[][] = [];
  const post: Float64Array[][] = [];
  for (let s = 0; s < n; s++) {
    const m: Float64Array[] = [];
    const p: Float64Array[] = [];
    const logits = runSequence(net, tokens.subarray(s * T, (s + 1) * T), {
      headZ: (l, h, zh) => {
        const i = headsAt.get(`${l}:${h}`);
        if (i !== undefined) (acts[i] as Float64Array).set(zh, s * zh.length);
      },
      residMid: (l, x) => {
        m[l] = Float64Array.from(x);
      },
      mlpPost: (l, values) => {
        const dMlp = spec.layers[l]?.dMlp as number;
        for (const [j, i] of neuronsAt[l] as [number, number][])
          for (let t = 0; t < T; t++) (acts[i] as Float64Array)[s * T + t] = values[t * dMlp + j] as number;
      },
      resid: (l, x) => {
        if (l > 0) p[l - 1] = Float64Array.from(x);
      },
    });
    // A layer without an MLP: the residual after it is the one after its attention.
    for (let l = 0; l < L; l++) p[l] ??= m[l] as Float64Array;
    mid.push(m);
    post.push(p);
    output[s] = logits[readout.position * spec.dOut + readout.logit] as number;
  }
  return { n, T, output, acts, widths, mid, post };
}

/**
 * The per-unit summary given to methods as `hidden` [n, H]: for a head, the norm of what it writes to the residual
 * stream at the readout position, ‖z(position) · W_O[head]‖; for a neuron, its activation at the readout position.
 */
export function hiddenSummary(tnet: TransformerNetwork, run: TransformerRun): Float64Array {
  const { net, units, readout } = tnet;
  const d = net.spec.dModel;
  const H = units.length;
  const out = new Float64Array(run.n * H);
  units.forEach((u, i) => {
    const w = run.widths[i] as number;
    const a = run.acts[i] as Float64Array;
    for (let s = 0; s < run.n; s++) {
      const at = (s * run.T + readout.position) * w;
      if (u.kind === "neuron") {
        out[s * H + i] = a[at] as number;
        continue;
      }
      const wo = net.w[`L${u.layer}.attn.wo`] as Float64Array;
      let sq = 0;
      for (let k = 0; k < d; k++) {
        let v = 0;
        for (let c = 0; c < w; c++) v += (a[at + c] as number) * (wo[(u.head * w + c) * d + k] as number);
        sq += v * v;
      }
      out[s * H + i] = Math.sqrt(sq);
    }
  });
  return out;
}

/** Per unit, the mean of its activation over the samples at every position: [T, width]. */
export function positionMeans(run: TransformerRun): Float64Array[] {
  return run.acts.map((a, i) => {
    const size = run.T * (run.widths[i] as number);
    const m = new Float64Array(size);
    for (let s = 0; s < run.n; s++) for (let k = 0; k < size; k++) m[k] = (m[k] as number) + (a[s * size + k] as number);
    for (let k = 0; k < size; k++) m[k] = (m[k] as number) / run.n;
    return m;
  });
}

/**
 * For every unit, the mean over samples of |Δ output| when its activation on sample s (all positions) is replaced
 * by replacement(unit, s) ([T, width]). Exact: the change the unit writes into the residual stream is added to the
 * recorded residual right after its block and the rest of the network is run from there.
 */
export function replacementEffects(
  tnet: TransformerNetwork,
  run: TransformerRun,
  replacement: (unit: number, sample: number) => ArrayLike<number>,
): Float64Array {
  const { net, units, readout } = tnet;
  const { spec } = net;
  const d = spec.dModel;
  const T = run.T;
  const effects = new Float64Array(units.length);
  units.forEach((u, i) => {
    const w = run.widths[i] as number;
    const size = T * w;
    const a = run.acts[i] as Float64Array;
    let sum = 0;
    for (let s = 0; s < run.n; s++) {
      const r = replacement(i, s);
      const delta = new Float64Array(size);
      let moved = false;
      for (let k = 0; k < size; k++) {
        delta[k] = (r[k] as number) - (a[s * size + k] as number);
        if (delta[k] !== 0) moved = true;
      }
      if (!moved) continue;
      let x: Float64Array;
      let logits: Float64Array;
      if (u.kind === "head") {
        x = Float64Array.from(run.mid[s]?.[u.layer] as Float64Array);
        const wo = net.w[`L${u.layer}.attn.wo`] as Float64Array;
        for (let t = 0; t < T; t++)
          for (let c = 0; c < w; c++) {
            const dz = delta[t * w + c] as number;
            if (dz === 0) continue;
            const row = (u.head * w + c) * d;
            for (let k = 0; k < d; k++) x[t * d + k] = (x[t * d + k] as number) + dz * (wo[row + k] as number);
          }
        logits = runFrom(net, x, T, { layer: u.layer, stage: "mlp" });
      } else {
        x = Float64Array.from(run.post[s]?.[u.layer] as Float64Array);
        const w2 = net.w[`L${u.layer}.mlp.w2`] as Float64Array;
        const row = u.neuron * d;
        for (let t = 0; t < T; t++) {
          const dp = delta[t] as number;
          if (dp === 0) continue;
          for (let k = 0; k < d; k++) x[t * d + k] = (x[t * d + k] as number) + dp * (w2[row + k] as number);
        }
        logits = runFrom(net, x, T, { layer: u.layer + 1, stage: "attn" });
      }
      sum += Math.abs((logits[readout.position * spec.dOut + readout.logit] as number) - (run.output[s] as number));
    }
    effects[i] = sum / run.n;
  });
  return effects;
}

/** Single-unit mean ablation (the truth's quantity): every unit replaced by its per-position mean over the samples. */
export function transformerAblationEffects(tnet: TransformerNetwork, run: TransformerRun): Float64Array {
  const means = positionMeans(run);
  return replacementEffects(tnet, run, (i) => means[i] as Float64Array);
}
