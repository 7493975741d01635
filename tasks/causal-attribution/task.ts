// T6 causal-attribution (TASKS.md): rank the units of a network's hidden layer by how much they cause its output.
import { z } from "zod";
import { f32 } from "../../harness/ndarray.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";
import { CAUSAL_THRESHOLD } from "./instance.ts";
import { auroc, precisionAtK } from "./metrics.ts";

/** Width H of the scored hidden layer. */
const hiddenSize = (instance: Instance) => instance.inputs.hidden?.shape[1] as number;

export const causalAttribution: TaskDefinition = {
  id: "causal-attribution",
  version: 1,
  title: "Causal attribution",
  question: "Causal probing",
  description: `Given a dense network (network.json and its weight arrays), its inputs, the activations of one hidden layer and the scalar output, rank the hidden units by how much they cause the output. A unit is causal when replacing it by its mean over the instance's samples changes the output by more than ${CAUSAL_THRESHOLD} × std(output) on average. Score: AUROC of the importances against the causal units.`,
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
      description: `1 where mean-ablating the unit changes the output by more than ${CAUSAL_THRESHOLD} × std(output) (mean absolute change over the n samples, computed exactly), else 0.`,
    },
    effect: {
      kind: "array",
      dtype: "float32",
      dims: ["H"],
      description: "The exact mean |Δ output| of each unit's mean ablation (what `causal` thresholds).",
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
};
