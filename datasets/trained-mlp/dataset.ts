// T6 artificial dataset: the scored hidden layer of small MLPs trained on a scalar regression task (TASKS.md,
// `trained-mlp`); the truth is the task's exact single-unit mean ablation of the trained network (instance.ts).
import { artifactRef, loadArtifact } from "../../harness/artifacts.ts";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance, JsonValue } from "../../harness/types.ts";
import { buildInstance, CAUSAL_THRESHOLD } from "../../tasks/causal-attribution/instance.ts";
import { networkJson } from "../../tasks/causal-attribution/network.ts";
import { mlpFromTensors, mlpTensors } from "./mlp.ts";
import { ARCHS, INPUTS, netPrefix, sampleTask, TRAINING, trainedMlpRecipe } from "./recipe.ts";

const config = {
  artifact: artifactRef(trainedMlpRecipe),
  /** Fresh inputs per instance, drawn from the training distribution. */
  n: 2000,
  causalThreshold: CAUSAL_THRESHOLD,
  networks: ARCHS.map((a) => ({ name: a.name, sizes: a.sizes, activations: a.activations })) as unknown as JsonValue,
  training: TRAINING,
};

/** Instance i uses network i mod 3. */
export function networkOf(index: number): number {
  return index % ARCHS.length;
}

export function generateTrainedMlp(index: number, seed: number): GeneratedInstance {
  const k = networkOf(index);
  const arch = ARCHS[k] as (typeof ARCHS)[number];
  const layers = mlpFromTensors(loadArtifact(trainedMlpRecipe).tensors, netPrefix(k), arch.activations);
  const { x } = sampleTask(new Rng(seed), config.n);
  const built = buildInstance(networkJson(arch.activations, 0), mlpTensors("", layers), f32([config.n, INPUTS], x), {
    network: arch.name,
    architecture: arch.sizes.join("-"),
    activations: arch.activations,
  });
  const { ablation: _ablation, ...instance } = built;
  return instance;
}

export const trainedMlp: DatasetDefinition = {
  slug: "trained-mlp",
  task: "causal-attribution",
  version: 1,
  title: "Trained MLPs (exhaustive ablation)",
  domain: "artificial",
  description:
    "The first hidden layer (32 or 48 units; relu or tanh) of three small MLPs trained with TensorFlow.js on one scalar regression task (a dominant linear drive plus an even term, a step and a product; a redundant copy of the dominant input), with a group lasso on the hidden units' outgoing weights so each network uses only some of them. 2000 fresh inputs per instance; truth: exact single-unit mean ablation of the trained network, threshold 0.1 × std(output).",
  sizes: { dev: 6, official: 12, private: 12 },
  config,
  artifacts: [trainedMlpRecipe],
  generate(_split, index, seed) {
    return generateTrainedMlp(index, seed);
  },
};
