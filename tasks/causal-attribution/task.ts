// T6 causal-attribution (TASKS.md): rank the units of a network's hidden layer by how much they cause its output.
import { z } from "zod";
import { f32, f64 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";
import { CAUSAL_THRESHOLD } from "./instance.ts";
import { auroc, precisionAtK } from "./metrics.ts";
import { type DenseLayer, networkFromContext } from "./network.ts";
import { isTransformerNetwork, transformerNetworkFromContext } from "./transformer.ts";

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

/** Population std of every column of an [n, H] array. */
function columnStds(hidden: NdArray): Float64Array {
  const [n, H] = hidden.shape as [number, number];
  const out = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let m = 0;
    for (let s = 0; s < n; s++) m += hidden.data[s * H + j] as number;
    m /= n;
    let v = 0;
    for (let s = 0; s < n; s++) v += ((hidden.data[s * H + j] as number) - m) ** 2;
    out[j] = Math.sqrt(v / n);
  }
  return out;
}

/**
 * The one-line shortcut of issue 10: std(h_j) · ‖W_out[j, :]‖, the spread of each unit's activation times the norm
 * of the weights leaving it (row j of the layer after the scored one; for a transformer, a head's W_O[head] or a
 * neuron's row of W_2). Blind to everything downstream of one hop.
 */
export function weightNormShortcut(instance: Pick<Instance, "inputs" | "jsonInputs">): Float64Array {
  const hidden = instance.inputs.hidden as NdArray;
  const out = columnStds(hidden);
  if (isTransformerNetwork(instance.jsonInputs?.network)) {
    const { net, units } = transformerNetworkFromContext(instance.jsonInputs, instance.inputs);
    const d = net.spec.dModel;
    units.forEach((u, j) => {
      const dHead = net.spec.layers[u.layer]?.dHead as number;
      const [w, from, size] =
        u.kind === "head" ? [net.w[`L${u.layer}.attn.wo`], u.head * dHead * d, dHead * d] : [net.w[`L${u.layer}.mlp.w2`], u.neuron * d, d];
      let sq = 0;
      for (let k = from; k < from + size; k++) sq += ((w as Float64Array)[k] as number) ** 2;
      out[j] = (out[j] as number) * Math.sqrt(sq);
    });
    return out;
  }
  const net = networkFromContext(instance.jsonInputs, instance.inputs);
  const next = net.layers[net.hiddenLayer + 1] as DenseLayer;
  for (let j = 0; j < out.length; j++) {
    let w = 0;
    for (let o = 0; o < next.nOut; o++) w += (next.w[j * next.nOut + o] as number) ** 2;
    out[j] = (out[j] as number) * Math.sqrt(w);
  }
  return out;
}

export const causalAttribution: TaskDefinition = {
  id: "causal-attribution",
  version: 3,
  title: "Causal attribution",
  question: "Causal probing",
  description: `Given a network (network.json and its weight arrays: a dense network, or a transformer whose units are its attention heads and MLP neurons), its inputs, the activations of its scored units and the scalar output, rank the units by how much they cause the output. A unit is causal when replacing it by its mean changes the output by more than ${CAUSAL_THRESHOLD} × std(output) on average over the input distribution (computed exactly on a held-out sample the method does not see). Score: AUROC of the importances against the causal units.`,
  mainScore: { id: "auroc", label: "AUROC", min: 0, max: 1 },
  metrics: [{ id: "precision@k", label: "Precision@k (k = number of causal units)" }],
  paramsSchema: z.object({}).strict(),
  inputs: {
    network: {
      kind: "json",
      description:
        'network.json, kind "dense" (the default when absent): { layers: [{ weight, bias, activation }], hiddenLayer }. Layer k computes a_{k+1} = activation(a_k · weight + bias) with weight [in, out] and bias [out] given as arrays of those names (w0, b0, w1, b1, … in Cajal\'s datasets); activation is relu, tanh or linear; the last layer has one unit. `hidden` is the output of layer hiddenLayer. Kind "transformer": { kind, transformer (harness/transformer.ts spec), units: [{ head: [layer, h] } | { neuron: [layer, j] }], readout: { position, logit } }; weight arrays named as harness/transformer.ts lays them out; the scored units are the listed heads and neurons, the output is logits[readout.position, readout.logit] (README).',
    },
    inputs: {
      kind: "array",
      dtype: "float32",
      dims: ["n", "dIn"],
      description:
        "Network inputs, one row per sample (a_0); for a transformer, the token ids of one sequence per row ([n, T], integers stored as float32).",
    },
    hidden: {
      kind: "array",
      dtype: "float32",
      dims: ["n", "H"],
      description:
        "Activations of the scored units on those inputs; for a transformer, at the readout position: a head's ‖z · W_O[head]‖, a neuron's value after the activation.",
    },
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
