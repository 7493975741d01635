// T6 artificial dataset: the scored hidden layer of small MLPs trained on a context-gated scalar regression task
// (TASKS.md, `trained-mlp`); the truth is the task's exact single-unit mean ablation of the trained network on a
// held-out sample of the instance's input distribution (instance.ts). Each instance draws, from its seed, the
// network, the contexts its inputs come from and the order of the scored units.
import { artifactRef, loadArtifact } from "../../../harness/artifacts.ts";
import { type MlpLayer, mlpFromTensors, mlpTensors } from "../../../harness/mlp.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance, JsonValue, NdArray } from "../../../harness/types.ts";
import { buildInstance, CAUSAL_THRESHOLD } from "../../../tasks/causal-attribution/instance.ts";
import { networkJson } from "../../../tasks/causal-attribution/network.ts";
import { ARCHS, CONTEXTS, INPUTS, netPrefix, sampleTask, TRAINING, trainedMlpRecipe } from "./recipe.ts";

const config = {
  artifact: artifactRef(trainedMlpRecipe),
  /** Rows given to the method, and rows of the held-out sample that defines the truth (same distribution). */
  n: 600,
  nTruth: 800,
  /** Probability that an instance's inputs come from one context (else from two of the four), drawn from the seed. */
  oneContext: 0.5,
  causalThreshold: CAUSAL_THRESHOLD,
  networks: ARCHS.map((a) => ({ name: a.name, sizes: a.sizes, activations: a.activations })) as unknown as JsonValue,
  training: TRAINING,
};

/** What an instance draws from its seed: the network and the contexts its inputs come from. */
export function trainedMlpRegime(rng: Rng): { network: number; contexts: number[] } {
  const network = rng.int(ARCHS.length);
  const k = rng.uniform() < config.oneContext ? 1 : 2;
  const contexts = Array.from(rng.permutation(CONTEXTS).subarray(0, k)).sort((a, b) => a - b);
  return { network, contexts };
}

/** The network with its scored units (layer 0's columns, layer 1's rows) put in `order`: the same function. */
export function permuteScored(layers: readonly MlpLayer[], order: Int32Array): MlpLayer[] {
  const [l0, l1, ...rest] = layers as [MlpLayer, MlpLayer, ...MlpLayer[]];
  const H = l0.nOut;
  const w0 = new Float32Array(l0.w.length);
  const b0 = new Float32Array(H);
  const w1 = new Float32Array(l1.w.length);
  order.forEach((src, j) => {
    for (let i = 0; i < l0.nIn; i++) w0[i * H + j] = l0.w[i * H + src] as number;
    b0[j] = l0.b[src] as number;
    w1.set(l1.w.subarray(src * l1.nOut, (src + 1) * l1.nOut), j * l1.nOut);
  });
  return [{ ...l0, w: w0, b: b0 }, { ...l1, w: w1 }, ...rest];
}

export function generateTrainedMlp(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const { network, contexts } = trainedMlpRegime(rng.fork("regime"));
  const arch = ARCHS[network] as (typeof ARCHS)[number];
  const trained = mlpFromTensors(loadArtifact(trainedMlpRecipe).tensors, netPrefix(network), arch.activations);
  // A fresh order of the scored units per instance: positions say nothing.
  const layers = permuteScored(trained, rng.fork("order").permutation((trained[0] as MlpLayer).nOut));
  const rows = (label: string, n: number): NdArray => f32([n, INPUTS], sampleTask(rng.fork(label), n, contexts).x);
  const built = buildInstance(
    networkJson(arch.activations, 0),
    mlpTensors("", layers),
    rows("inputs", config.n),
    rows("held-out", config.nTruth),
    {
      network: arch.name,
      architecture: [INPUTS, ...layers.map((l) => l.nOut)].join("-"),
      activations: arch.activations,
      contexts,
    },
  );
  const { ablation: _ablation, ...instance } = built;
  return instance;
}

export const trainedMlp: DatasetDefinition = {
  slug: "trained-mlp",
  task: "causal-attribution",
  version: 2,
  title: "Trained MLPs, context-gated (exhaustive ablation)",
  domain: "artificial",
  description:
    "The first hidden layer (30–32 relu or tanh units, shuffled per instance) of three small MLPs trained with TensorFlow.js on a context-gated scalar regression task: each scored unit sees the three features of one of four contexts (four units see only the one-hot context), and the layers after them must switch between four context-specific functions. Each instance's inputs come from one or two contexts drawn from its seed, so the units of the other contexts keep their activation spread and their large outgoing weights but are (mostly) gated off downstream. Truth: exact single-unit mean ablation of the trained network on a held-out sample of the instance's distribution, threshold 0.1 × std(output).",
  sizes: { dev: 10, official: 32, private: 32 },
  config,
  artifacts: [trainedMlpRecipe],
  generate(_split, _index, seed) {
    return generateTrainedMlp(seed);
  },
};
