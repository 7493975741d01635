// Turns a dense network and its inputs into a T6 instance: the forward pass gives `hidden` and `output`, and the
// exact single-unit mean ablation of every unit of the scored layer gives the truth. Shared by every dataset of
// the task (planted circuits now, trained networks later), so the truth is defined in exactly one place.
import { f32, i32 } from "../../harness/ndarray.ts";
import type { GeneratedInstance, JsonValue, NdArray } from "../../harness/types.ts";
import { ablationEffects, type DenseNet, forward, loadNetwork, type NetworkSpec } from "./network.ts";
import {
  hiddenSummary,
  loadTransformerNetwork,
  parseTransformerNetwork,
  runTransformer,
  type TransformerNetwork,
  type TransformerNetworkSpec,
  tokenRows,
  transformerAblationEffects,
} from "./transformer.ts";

/** A unit is causal when mean-ablating it changes the output by more than this fraction of the output's std. */
export const CAUSAL_THRESHOLD = 0.1;

export interface AblationTruth {
  /** Mean |Δ output| of each unit's mean ablation, [H]. */
  effects: Float64Array;
  /** Population std of the output over the n samples. */
  outputStd: number;
  /** CAUSAL_THRESHOLD × outputStd. */
  threshold: number;
  causal: Uint8Array;
}

export function std(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i] as number;
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += ((x[i] as number) - m) ** 2;
  return Math.sqrt(v / x.length);
}

/**
 * The truth of a network on a sample of its input distribution: the exact single-unit mean ablation effect of every
 * unit of the scored layer over that sample (float64, from float32 weights and inputs).
 */
export function ablationTruth(net: DenseNet, inputs: NdArray): AblationTruth {
  const n = inputs.shape[0] as number;
  const { hidden, output } = forward(net, inputs.data, n);
  return thresholded(ablationEffects(net, hidden, n), output);
}

/** The truth from effects [H] and the output they perturb: threshold CAUSAL_THRESHOLD × std(output). */
function thresholded(effects: Float64Array, output: ArrayLike<number>): AblationTruth {
  const outputStd = std(output);
  const threshold = CAUSAL_THRESHOLD * outputStd;
  return { effects, outputStd, threshold, causal: Uint8Array.from(effects, (e) => (e > threshold ? 1 : 0)) };
}

/** The truth of a transformer on held-out token rows [nTruth, T]: exact mean ablation of every listed unit. */
export function transformerAblationTruth(tnet: TransformerNetwork, tokens: NdArray): AblationTruth {
  const { tokens: ids, n, T } = tokenRows(tokens);
  const run = runTransformer(tnet, ids, n, T);
  return thresholded(transformerAblationEffects(tnet, run), run.output);
}

/** How far the truth is from the threshold, in units of the threshold: the smallest causal and largest non-causal effect. */
function margins(truth: AblationTruth): { minCausalEffect: number | null; maxNonCausalEffect: number; nCausal: number } {
  let minCausal = Number.POSITIVE_INFINITY;
  let maxNonCausal = 0;
  truth.effects.forEach((effect, j) => {
    const e = effect / truth.threshold;
    if (truth.causal[j]) minCausal = Math.min(minCausal, e);
    else maxNonCausal = Math.max(maxNonCausal, e);
  });
  return {
    minCausalEffect: Number.isFinite(minCausal) ? minCausal : null,
    maxNonCausalEffect: maxNonCausal,
    nCausal: truth.causal.reduce((a, b) => a + b, 0),
  };
}

/**
 * A transformer instance (network.json kind "transformer"): `inputs` are the method's token rows [n, T] (ids as
 * float32), `hidden` the per-unit summary (transformer.ts, hiddenSummary), `output` the readout logit; the truth is
 * the exact mean ablation of every listed unit on the held-out token rows.
 */
export function buildTransformerInstance(
  spec: TransformerNetworkSpec,
  weights: Record<string, NdArray>,
  inputs: NdArray,
  truthInputs: NdArray,
  meta: Record<string, JsonValue>,
): GeneratedInstance & { ablation: AblationTruth } {
  for (const a of [...Object.values(weights), inputs, truthInputs])
    if (a.dtype !== "float32") throw new Error("weights and inputs must be float32");
  const tnet = loadTransformerNetwork(parseTransformerNetwork(spec as unknown as JsonValue), weights);
  const { tokens, n, T } = tokenRows(inputs);
  const run = runTransformer(tnet, tokens, n, T);
  const H = tnet.units.length;
  const truth = transformerAblationTruth(tnet, truthInputs);
  const { nCausal, ...margin } = margins(truth);
  return {
    params: {},
    inputs: { ...weights, inputs, hidden: f32([n, H], hiddenSummary(tnet, run)), output: f32([n], run.output) },
    jsonInputs: { network: spec as unknown as JsonValue },
    truth: { causal: i32([H], truth.causal), effect: f32([H], truth.effects), heldOutInputs: truthInputs },
    meta: {
      ...meta,
      n,
      nTruth: truthInputs.shape[0] as number,
      T,
      H,
      nCausal,
      outputStd: truth.outputStd,
      threshold: truth.threshold,
      ...margin,
    },
    ablation: truth,
  };
}

/**
 * Build an instance from a network (spec + float32 weight arrays), the float32 inputs [n, dIn] the method receives
 * and a held-out sample `truthInputs` [nTruth, dIn] of the same input distribution, which defines the truth and is
 * never given to methods: a unit is causal for the distribution, not for the particular rows a method sees.
 * Everything is computed in float64 from float32 values, so anyone holding the held-out sample (dev exports carry
 * it under truth/) can recompute the truth exactly.
 */
export function buildInstance(
  spec: NetworkSpec,
  weights: Record<string, NdArray>,
  inputs: NdArray,
  truthInputs: NdArray,
  meta: Record<string, JsonValue>,
): GeneratedInstance & { ablation: AblationTruth } {
  for (const a of [...Object.values(weights), inputs, truthInputs])
    if (a.dtype !== "float32") throw new Error("weights and inputs must be float32");
  const net = loadNetwork(spec, weights);
  const n = inputs.shape[0] as number;
  for (const x of [inputs, truthInputs])
    if (x.shape[1] !== net.inputSize) throw new Error(`inputs have ${x.shape[1]} columns, the network expects ${net.inputSize}`);
  const { hidden, output } = forward(net, inputs.data, n);
  const truth = ablationTruth(net, truthInputs);
  const { effects, threshold, causal } = truth;
  // How far the truth is from the threshold, in units of the threshold: the smallest causal and the largest
  // non-causal effect (a method cannot be asked to resolve units that sit on the threshold).
  let minCausal = Number.POSITIVE_INFINITY;
  let maxNonCausal = 0;
  for (let j = 0; j < net.hiddenSize; j++) {
    const e = (effects[j] as number) / threshold;
    if (causal[j]) minCausal = Math.min(minCausal, e);
    else maxNonCausal = Math.max(maxNonCausal, e);
  }
  return {
    params: {},
    inputs: { ...weights, inputs, hidden: f32([n, net.hiddenSize], hidden), output: f32([n], output) },
    jsonInputs: { network: spec as unknown as JsonValue },
    truth: { causal: i32([net.hiddenSize], causal), effect: f32([net.hiddenSize], effects), heldOutInputs: truthInputs },
    meta: {
      ...meta,
      n,
      nTruth: truthInputs.shape[0] as number,
      dIn: net.inputSize,
      H: net.hiddenSize,
      nCausal: causal.reduce((a, b) => a + b, 0),
      outputStd: truth.outputStd,
      threshold,
      minCausalEffect: Number.isFinite(minCausal) ? minCausal : null,
      maxNonCausalEffect: maxNonCausal,
    },
    ablation: truth,
  };
}
