// T6 causal-attribution (TASKS.md): rank the units of a network's hidden layer by how much they cause its output.
import { z } from "zod";
import { f32, f64 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";
import { CAUSAL_THRESHOLD } from "./instance.ts";
import { auroc, precisionAtK } from "./metrics.ts";
import { type DenseLayer, networkFromContext } from "./network.ts";

/** Width H of the scored hidden layer. */
const hiddenSize = (instance: Instance) => instance.inputs.hidden?.shape[1] as number;

/**
 * Per-position causal frequency over `truths` (truths of another width H count nowhere): the best answer that
 * ignores the input, when units sit at fixed positions. Every dataset shuffles its units per instance, so over
 * other instances' truths (leave-one-out) it is at chance; the tests check that. It is not the floor's
 * bestConstant because the floor-constant reference passes the split's truths including the instance's own,
 * which this would read back (with H drawn per instance, often as the only truth of its width).
 */
export function positionalPrior(truths: readonly Record<string, NdArray>[], H: number): Float32Array {
  const sums = new Float32Array(H);
  for (const truth of truths) {
    const causal = truth.causal?.data;
    if (!causal || causal.length !== H) continue;
    for (let j = 0; j < H; j++) sums[j] = (sums[j] as number) + (causal[j] as number);
  }
  return sums;
}

/**
 * The one-line shortcut of issue 10: std(h_j) · ‖W_out[j, :]‖, the spread of each unit's activation times the norm
 * of the weights leaving it (row j of the layer after the scored one). Blind to everything downstream of one hop.
 */
export function weightNormShortcut(instance: Pick<Instance, "inputs" | "jsonInputs">): Float64Array {
  const net = networkFromContext(instance.jsonInputs, instance.inputs);
  const hidden = instance.inputs.hidden as NdArray;
  const [n, H] = hidden.shape as [number, number];
  const next = net.layers[net.hiddenLayer + 1] as DenseLayer;
  const out = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let m = 0;
    for (let s = 0; s < n; s++) m += hidden.data[s * H + j] as number;
    m /= n;
    let v = 0;
    for (let s = 0; s < n; s++) v += ((hidden.data[s * H + j] as number) - m) ** 2;
    let w = 0;
    for (let o = 0; o < next.nOut; o++) w += (next.w[j * next.nOut + o] as number) ** 2;
    out[j] = Math.sqrt(v / n) * Math.sqrt(w);
  }
  return out;
}

export const causalAttribution: TaskDefinition = {
  id: "causal-attribution",
  version: 2,
  title: "Causal attribution",
  question: "Causal probing",
  description: `Given a dense network (network.json and its weight arrays), its inputs, the activations of one hidden layer and the scalar output, rank the hidden units by how much they cause the output. A unit is causal when replacing it by its mean changes the output by more than ${CAUSAL_THRESHOLD} × std(output) on average over the input distribution (computed exactly on a held-out sample the method does not see). Score: AUROC of the importances against the causal units.`,
  mainScore: { id: "auroc", label: "AUROC", min: 0, max: 1 },
  metrics: [{ id: "precision@k", label: "Precision@k (k = number of causal units)" }],
  paramsSchema: z.object({}).strict(),
  inputs: {
    network: {
      kind: "json",
      description:
        "network.json: { layers: [{ weight, bias, activation }], hiddenLayer }. Layer k computes a_{k+1} = activation(a_k · weight + bias) with weight [in, out] and bias [out] given as arrays of those names (w0, b0, w1, b1, … in Cajal's datasets); activation is relu, tanh or linear; the last layer has one unit. `hidden` is the output of layer hiddenLayer.",
    },
    inputs: { kind: "array", dtype: "float32", dims: ["n", "dIn"], description: "Network inputs, one row per sample (a_0)." },
    hidden: { kind: "array", dtype: "float32", dims: ["n", "H"], description: "Activations of the scored hidden layer on those inputs." },
    output: { kind: "array", dtype: "float32", dims: ["n"], description: "The network's scalar output on those inputs." },
  },
  outputs: {
    importance: { kind: "array", dims: ["H"], description: "One score per hidden unit; higher = more causal. Only the ranking matters." },
  },
  truth: {
    causal: {
      kind: "array",
      dtype: "int32",
      dims: ["H"],
      description: `1 where mean-ablating the unit changes the output by more than ${CAUSAL_THRESHOLD} × std(output) (mean absolute change, computed exactly on a held-out sample of the instance's input distribution), else 0.`,
    },
    effect: {
      kind: "array",
      dtype: "float32",
      dims: ["H"],
      description: "The exact mean |Δ output| of each unit's mean ablation (what `causal` thresholds), on the held-out sample.",
    },
    heldOutInputs: {
      kind: "array",
      dtype: "float32",
      dims: ["nTruth", "dIn"],
      description:
        "The held-out sample of the input distribution on which `effect` and `causal` are computed (never the rows given to methods).",
    },
  },
  outputShapes(instance) {
    return { importance: [hiddenSize(instance)] };
  },
  score(instance, outputs: MethodOutputs) {
    const importance = (outputs.importance as NdArray).data;
    const causal = (instance.truth.causal as NdArray).data;
    return { main: auroc(importance, causal), metrics: { "precision@k": precisionAtK(importance, causal) } };
  },
  noGroundTruth: {
    biological: "No ground truth available: which recorded neurons cause a behaviour is not known exactly for any staged recording.",
  },
  oracle(instance) {
    return { importance: f32([hiddenSize(instance)], (instance.truth.causal as NdArray).data) };
  },
  // Independent uniform scores: every ranking equally likely, so the expected AUROC is exactly 1/2 (README.md).
  random(instance, rng) {
    const importance = f32([hiddenSize(instance)]);
    for (let j = 0; j < importance.data.length; j++) importance.data[j] = rng.uniform();
    return { importance };
  },
  floors: {
    // Any constant importance ties every unit: AUROC exactly 1/2 whatever the truths. No constant can do better
    // without reading positions, and units are shuffled per instance (positionalPrior, README.md).
    bestConstant(_truths, instance) {
      return { importance: f32([hiddenSize(instance)], new Float32Array(hiddenSize(instance)).fill(1)) };
    },
    shortcut(instance) {
      return { importance: f64([hiddenSize(instance)], weightNormShortcut(instance)) };
    },
  },
};
