// The distractor networks of `seed-twins`: the `mnist-mlp` architecture (784-64-64-64-64-64 ReLU) trained on the
// same training digits for a different task, odd vs. even (2 logits), from seeds of their own. Same data, same
// architecture, same optimiser; only the labels differ, so their hidden layers are plausible but non-matching
// same-depth parts for a digit network's layers (and the other way round).
import type * as tfType from "@tensorflow/tfjs";
import { type ArtifactRecipe, loadArtifact } from "../../../harness/artifacts.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import { denseVariables, epochBatches, gatherRows, toNdArray } from "../../../harness/train.ts";
import type { JsonValue, NdArray } from "../../../harness/types.ts";
import { type DenseLayer, MNIST_MLP_RECIPE_CONFIG, mnistDigits, PIXELS } from "../mnist-mlp/recipe.ts";

type Tf = typeof tfType;

export const PARITY_RECIPE_CONFIG = {
  /** The mnist-mlp hidden widths; 2 logits (even, odd). */
  hidden: MNIST_MLP_RECIPE_CONFIG.hidden,
  classes: 2,
  /** label = digit mod 2. */
  task: "parity",
  /** Networks 0 … nets−1; network k's init and data order come from seedFrom("seed-twins-parity", "init"/"order", k). */
  nets: 3,
  epochs: 6,
  batchSize: MNIST_MLP_RECIPE_CONFIG.batchSize,
  learningRate: MNIST_MLP_RECIPE_CONFIG.learningRate,
};

const widths = () => [PIXELS, ...PARITY_RECIPE_CONFIG.hidden, PARITY_RECIPE_CONFIG.classes];
const tensorName = (net: number, layer: number, what: "kernel" | "bias") => `parity${net}.dense${layer}.${what}`;

interface Net {
  kernels: tfType.Variable[];
  biases: tfType.Variable[];
}

/** Activations of every layer (input first, logits last). */
function activations(tf: Tf, net: Net, x: tfType.Tensor2D): tfType.Tensor2D[] {
  const acts: tfType.Tensor2D[] = [x];
  let h = x;
  net.kernels.forEach((kernel, l) => {
    const z = tf.add(tf.matMul(h, kernel), net.biases[l] as tfType.Variable) as tfType.Tensor2D;
    h = l < net.kernels.length - 1 ? tf.relu(z) : z;
    acts.push(h);
  });
  return acts;
}

/** One Adam step on mean softmax cross-entropy, gradients written out by hand (as in mnist-mlp's recipe). */
function trainStep(tf: Tf, net: Net, optimizer: tfType.Optimizer, x: tfType.Tensor2D, y: tfType.Tensor2D): void {
  tf.tidy(() => {
    const acts = activations(tf, net, x);
    const logits = acts[acts.length - 1] as tfType.Tensor2D;
    let g = tf.div(tf.sub(tf.softmax(logits), y), x.shape[0]) as tfType.Tensor2D;
    const grads: Record<string, tfType.Tensor> = {};
    for (let l = net.kernels.length - 1; l >= 0; l--) {
      const kernel = net.kernels[l] as tfType.Variable;
      grads[kernel.name] = tf.matMul(tf.transpose(acts[l] as tfType.Tensor2D), g);
      grads[(net.biases[l] as tfType.Variable).name] = tf.sum(g, 0);
      if (l > 0) g = tf.mul(tf.matMul(g, tf.transpose(kernel)), tf.step(acts[l] as tfType.Tensor2D)) as tfType.Tensor2D;
    }
    optimizer.applyGradients(grads);
  });
}

async function buildParityNetworks(
  log: (message: string) => void,
): Promise<{ tensors: Record<string, NdArray>; metadata: Record<string, JsonValue> }> {
  const { tf } = await initTf();
  const cfg = PARITY_RECIPE_CONFIG;
  const data = mnistDigits();
  const w = widths();
  const label = (r: number) => (data.labels[r] as number) % 2;
  const nTrain = data.train.length;
  const trainImages = gatherRows(data.images, PIXELS, data.train);
  const trainOneHot = new Float32Array(nTrain * cfg.classes);
  data.train.forEach((r, i) => {
    trainOneHot[i * cfg.classes + label(r)] = 1;
  });
  const tensors: Record<string, NdArray> = {};
  const nets: JsonValue[] = [];
  for (let k = 0; k < cfg.nets; k++) {
    const init = new Rng(seedFrom("seed-twins-parity", "init", k));
    const order = new Rng(seedFrom("seed-twins-parity", "order", k));
    const vars = w.slice(1).map((fanOut, l) => denseVariables(tf, init, w[l] as number, fanOut, `seed-twins-parity/net${k}/dense${l}`));
    const net: Net = { kernels: vars.map((v) => v.kernel), biases: vars.map((v) => v.bias) };
    const optimizer = tf.train.adam(cfg.learningRate);
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      for (const batch of epochBatches(order, nTrain, cfg.batchSize)) {
        const x = tf.tensor2d(gatherRows(trainImages, PIXELS, batch), [batch.length, PIXELS]);
        const y = tf.tensor2d(gatherRows(trainOneHot, cfg.classes, batch), [batch.length, cfg.classes]);
        trainStep(tf, net, optimizer, x, y);
        x.dispose();
        y.dispose();
      }
    }
    // Held-out parity accuracy.
    const x = tf.tensor2d(gatherRows(data.images, PIXELS, data.heldOut), [data.heldOut.length, PIXELS]);
    const predicted = tf.tidy(() => tf.argMax(activations(tf, net, x).at(-1) as tfType.Tensor2D, 1));
    const p = predicted.dataSync();
    x.dispose();
    predicted.dispose();
    let hits = 0;
    data.heldOut.forEach((r, i) => {
      if (p[i] === label(r)) hits++;
    });
    const testAccuracy = Math.round((hits / data.heldOut.length) * 1e4) / 1e4;
    log(`parity network ${k}: held-out accuracy ${testAccuracy.toFixed(4)}`);
    nets.push({ seed: k, testAccuracy });
    vars.forEach((v, l) => {
      tensors[tensorName(k, l, "kernel")] = toNdArray(v.kernel);
      tensors[tensorName(k, l, "bias")] = toNdArray(v.bias);
      v.kernel.dispose();
      v.bias.dispose();
    });
    optimizer.dispose();
  }
  return { tensors, metadata: { recipe: cfg as unknown as JsonValue, nets } };
}

export const parityMlpRecipe: ArtifactRecipe = {
  id: "seed-twins-parity",
  version: 1,
  title: `MNIST parity MLPs 784-${PARITY_RECIPE_CONFIG.hidden.join("-")}-2, seeds 0…${PARITY_RECIPE_CONFIG.nets - 1}`,
  sha256: "20f5294426357d315351c3d7ddc2a21ecb3603e3897e7f5feeb37292d5cb9c5b",
  estimatedSeconds: 10,
  build: buildParityNetworks,
};

/** The parity networks' dense layers, loaded (and sha256-verified) from the built artifact. */
export function parityNetworks(): DenseLayer[][] {
  const { tensors } = loadArtifact(parityMlpRecipe);
  const w = widths();
  return Array.from({ length: PARITY_RECIPE_CONFIG.nets }, (_, k) =>
    w.slice(1).map((fanOut, l) => {
      const fanIn = w[l] as number;
      const kernel = tensors[tensorName(k, l, "kernel")];
      const bias = tensors[tensorName(k, l, "bias")];
      if (!kernel || !bias || kernel.data.length !== fanIn * fanOut || bias.data.length !== fanOut) {
        throw new Error(`seed-twins-parity artifact: network ${k} layer ${l} is missing or has the wrong shape`);
      }
      return { kernel: kernel.data as Float32Array, bias: bias.data as Float32Array, fanIn, fanOut };
    }),
  );
}
