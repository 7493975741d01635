import type { Tensor2D } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { firstNonFinite } from "../harness/ndarray.ts";
import { getMethod, listMethods } from "../harness/registry.ts";
import { Rng } from "../harness/rng.ts";
import { initTf } from "../harness/tf.ts";
import { featureRecovery } from "../tasks/feature-recovery/task.ts";
import { instance, mmcs, result, run } from "../tests/helpers/feature-recovery.ts";
import { forward, lossGradient, outputLoss } from "./mlp/method.ts";
import { type SaeActivation, type SaeParams, saeGradients } from "./shared/sae.ts";

const BASELINES = ["pca", "fastica", "sae-l1", "sae-topk"] as const;
// Generous: these train SAEs on several instances and share two cores with other test files (a guard, not a budget).
const SLOW = 180_000;

describe("T1 baselines", () => {
  it("are registered as feature-recovery baselines", () => {
    const ids = listMethods("feature-recovery").map((m) => m.id);
    for (const id of BASELINES) {
      expect(ids).toContain(id);
      const method = getMethod(id);
      expect(method.kind).toBe("baseline");
      expect(method.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(method.readsTruth).toBeFalsy();
    }
    expect(ids).toEqual(expect.arrayContaining(["oracle", "random"]));
  });

  it(
    "return float32 dictionaries of exactly the required shape, finite, with non-zero rows where they should",
    async () => {
      for (const index of [0, 2, 4]) {
        const inst = instance("sparse-linear", index);
        const [k, d] = featureRecovery.outputShapes(inst).dictionary as [number, number];
        for (const id of BASELINES) {
          const dictionary = await result(id, "sparse-linear", index);
          expect(dictionary.dtype).toBe("float32");
          expect(dictionary.data).toBeInstanceOf(Float32Array);
          expect(dictionary.shape).toEqual([k, d]);
          expect(dictionary.data.length).toBe(k * d);
          expect(firstNonFinite(dictionary.data)).toBe(-1);
          // PCA and FastICA give min(k, d) directions (zero rows after); SAEs give k unit rows.
          const expectedRows = id === "pca" || id === "fastica" ? Math.min(k, d) : k;
          let nonZero = 0;
          for (let r = 0; r < k; r++) if (dictionary.data.subarray(r * d, r * d + d).some((v) => v !== 0)) nonZero++;
          expect(nonZero, `${id} on ${inst.key}`).toBe(expectedRows);
        }
      }
    },
    SLOW,
  );

  it(
    "FastICA beats PCA by a clear margin when k = d",
    async () => {
      for (const index of [0, 1]) {
        const ica = await mmcs("fastica", "sparse-linear", index);
        const pca = await mmcs("pca", "sparse-linear", index);
        // Observed: FastICA ≈ 0.98–1.00, PCA ≈ 0.52–0.56.
        expect(ica, `sparse-linear/dev/${index}`).toBeGreaterThan(0.9);
        expect(ica - pca, `sparse-linear/dev/${index}`).toBeGreaterThan(0.3);
      }
    },
    SLOW,
  );

  it(
    "both sparse autoencoders beat PCA and FastICA when k > d",
    async () => {
      for (const index of [2, 3, 4, 5]) {
        const pca = await mmcs("pca", "sparse-linear", index);
        const ica = await mmcs("fastica", "sparse-linear", index);
        for (const id of ["sae-l1", "sae-topk"]) {
          const sae = await mmcs(id, "sparse-linear", index);
          // Observed: L1 ≈ 0.96–0.99, TopK ≈ 0.90–0.96, FastICA ≈ 0.62–0.74, PCA ≈ 0.46–0.49.
          expect(sae, `${id} on sparse-linear/dev/${index}`).toBeGreaterThan(0.85);
          expect(sae - pca, `${id} on sparse-linear/dev/${index}`).toBeGreaterThan(0.3);
          expect(sae - ica, `${id} on sparse-linear/dev/${index}`).toBeGreaterThan(0.1);
        }
      }
    },
    SLOW,
  );

  it(
    "are deterministic: the same seed and input give identical bytes",
    async () => {
      const inst = instance("sparse-linear", 3);
      for (const id of BASELINES) {
        const first = await result(id, "sparse-linear", 3);
        const second = await run(id, inst);
        expect(Buffer.from(second.data.buffer).equals(Buffer.from(first.data.buffer)), id).toBe(true);
      }
    },
    SLOW,
  );

  it(
    "on mixed-selectivity (Poisson counts) keep the same ordering: FastICA beats PCA at k = d, SAEs beat PCA at k > d",
    async () => {
      for (const index of [0, 1]) {
        expect(await mmcs("fastica", "mixed-selectivity", index), `k = d, instance ${index}`).toBeGreaterThan(
          (await mmcs("pca", "mixed-selectivity", index)) + 0.2,
        );
      }
      for (const index of [2, 3]) {
        for (const id of ["sae-l1", "sae-topk"]) {
          expect(await mmcs(id, "mixed-selectivity", index), `${id}, k = 2d, instance ${index}`).toBeGreaterThan(
            (await mmcs("pca", "mixed-selectivity", index)) + 0.2,
          );
        }
      }
      const inst = instance("mixed-selectivity", 0);
      for (const id of BASELINES) {
        const dictionary = await result(id, "mixed-selectivity", 0);
        expect(dictionary.shape).toEqual(featureRecovery.outputShapes(inst).dictionary);
        expect(firstNonFinite(dictionary.data)).toBe(-1);
      }
    },
    SLOW * 2,
  );

  it(
    "release their tensors",
    async () => {
      const { tf } = await initTf();
      const inst = instance("sparse-linear", 0);
      await run("fastica", inst); // warm-up allocations (e.g. backend scratch) happen once
      const before = tf.memory().numTensors;
      for (const id of BASELINES) await run(id, inst);
      expect(tf.memory().numTensors).toBe(before);
    },
    SLOW,
  );
});

describe("tfjs backend", () => {
  it("selects a fast backend unless one is forced", async () => {
    const { tf, backend } = await initTf();
    expect(backend).toBe(tf.getBackend());
    const forced = process.env.CAJAL_TF_BACKEND;
    // wasm ships with Cajal, so the pure-JS cpu backend is only a last resort.
    expect(forced ? [forced] : ["tensorflow", "wasm"]).toContain(backend);
    expect(await initTf()).toEqual({ tf, backend }); // memoized
  });
});

describe("SAE gradients", () => {
  // The trainer's backward pass is written by hand (plain JavaScript, only the active latents); check it against
  // tfjs autodiff of the same loss.
  async function check(activation: SaeActivation) {
    const { tf } = await initTf();
    const rng = new Rng(42);
    const [b, d, k] = [16, 6, 10];
    const rand = (length: number, s = 1) => Float64Array.from({ length }, () => s * rng.normal());
    const x = rand(b * d);
    const dec = rand(k * d);
    for (let j = 0; j < k; j++) {
      const norm = Math.hypot(...dec.subarray(j * d, j * d + d));
      for (let c = 0; c < d; c++) dec[j * d + c] = (dec[j * d + c] as number) / norm;
    }
    const p: SaeParams = { d, latents: k, enc: rand(k * d, 0.5), bEnc: rand(k, 0.1), dec, bDec: rand(d, 0.1) };
    const fires = new Float64Array(k);
    const { loss, grads } = saeGradients(
      p,
      activation,
      x,
      Int32Array.from({ length: b }, (_, i) => i),
      undefined,
      fires,
    );

    const t2 = (values: Float64Array, shape: [number, number]) => tf.tensor2d(Float32Array.from(values), shape);
    const xs = t2(x, [b, d]);
    const params = [tf.transpose(t2(p.enc, [k, d])), t2(p.bEnc, [1, k]), t2(p.dec, [k, d]), t2(p.bDec, [1, d])];
    const encode = (wEnc: Tensor2D, bEnc: Tensor2D, bDec: Tensor2D) => tf.relu(tf.add(tf.matMul(tf.sub(xs, bDec), wEnc), bEnc));
    // TopK keeps a row's K largest (positive) pre-activations; the selection is constant for the gradient.
    let mask: Tensor2D | null = null;
    if (activation.kind === "topk") {
      const pre = encode(params[0] as Tensor2D, params[1] as Tensor2D, params[3] as Tensor2D);
      const kth = tf.min(tf.topk(pre, activation.k).values, 1, true);
      mask = tf.cast(tf.greater(pre, tf.maximum(tf.mul(kth, 1 - 1e-6), 0)), "float32") as Tensor2D;
    }
    const lossOf = (wEnc: Tensor2D, bEnc: Tensor2D, wDec: Tensor2D, bDec: Tensor2D) => {
      let f = encode(wEnc, bEnc, bDec);
      if (mask) f = tf.mul(f, mask);
      const err = tf.sub(tf.add(tf.matMul(f, wDec), bDec), xs);
      let l = tf.div(tf.sum(tf.square(err)), b);
      if (activation.kind === "l1") l = tf.add(l, tf.mul(tf.sum(f), activation.l1 / b));
      return l;
    };
    const auto = tf.grads((a, c, e, g) => lossOf(a as Tensor2D, c as Tensor2D, e as Tensor2D, g as Tensor2D))(params);
    // The trainer keeps only the decoder gradient's part tangent to each unit row, and stores the encoder transposed.
    const autoDec = auto[2] as Tensor2D;
    auto[2] = tf.sub(autoDec, tf.mul(tf.sum(tf.mul(autoDec, params[2] as Tensor2D), 1, true), params[2] as Tensor2D));
    auto[0] = tf.transpose(auto[0] as Tensor2D);
    expect(loss).toBeCloseTo(lossOf(...(params as [Tensor2D, Tensor2D, Tensor2D, Tensor2D])).dataSync()[0] as number, 4);
    const mine = [grads.enc, grads.bEnc, grads.dec, grads.bDec];
    for (let i = 0; i < 4; i++) {
      const theirs = (auto[i] as Tensor2D).dataSync();
      expect(mine[i]?.length).toBe(theirs.length);
      let scale = 0;
      for (const v of theirs) scale = Math.max(scale, Math.abs(v));
      expect(scale).toBeGreaterThan(0);
      for (let j = 0; j < theirs.length; j++)
        expect(Math.abs((mine[i]?.[j] as number) - (theirs[j] as number))).toBeLessThan(1e-4 * Math.max(1, scale));
    }
    // Firing counts: per latent, the rows it was on for.
    const onCounts = mask ?? tf.cast(tf.greater(encode(params[0] as Tensor2D, params[1] as Tensor2D, params[3] as Tensor2D), 0), "float32");
    expect([...fires]).toEqual([...tf.sum(onCounts, 0).dataSync()]);
    if (activation.kind === "topk") for (const count of tf.sum(onCounts, 1).dataSync()) expect(count).toBeLessThanOrEqual(activation.k);
    tf.dispose([xs, ...params, ...auto, onCounts, ...(mask ? [mask] : [])]);
  }

  it("match autodiff with the L1 penalty", () => check({ kind: "l1", l1: 0.3 }));
  it("match autodiff with TopK", () => check({ kind: "topk", k: 3 }));
});

describe("MLP decoder gradients", () => {
  // The mlp baseline's backward pass is written by hand (autodiff's transposed products are slow on wasm); check it,
  // times the scale the trainer applies to what it reads back, against tfjs autodiff of the loss it minimises.
  async function check(categorical: { q: number; k: number } | null) {
    const { tf } = await initTf();
    const rng = new Rng(7);
    const [b, d, h1, h2] = [12, 5, 7, 6];
    const m = categorical ? categorical.q * categorical.k : 3;
    // Biases are rank 1, as the trainer uploads them; typed Tensor2D like the trainer's parameter list.
    const rand = (shape: number[], s = 1) => {
      const values = Float32Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => s * rng.normal());
      return (shape.length === 1 ? tf.tensor1d(values) : tf.tensor2d(values, shape as [number, number])) as Tensor2D;
    };
    const params = [rand([d, h1], 0.7), rand([h1], 0.2), rand([h1, h2], 0.7), rand([h2], 0.2), rand([h2, m], 0.7), rand([m], 0.2)];
    const x = rand([b, d]);
    let y = rand([b, m]);
    // Squared error has unit sample weights; cross-entropy one-hot targets per column and class-balancing weights.
    let weights = tf.ones([b, 1]) as Tensor2D;
    if (categorical) {
      const { q, k } = categorical;
      const onehot = new Float32Array(b * m);
      for (let i = 0; i < b; i++) for (let g = 0; g < q; g++) onehot[i * m + g * k + rng.int(k)] = 1;
      y = tf.tensor2d(onehot, [b, m]);
      weights = tf.tensor2d(
        Float32Array.from({ length: b }, () => 0.5 + rng.uniform()),
        [b, 1],
      );
    }
    const transposed = { w2T: tf.transpose(params[2] as Tensor2D), w3T: tf.transpose(params[4] as Tensor2D) };
    const scaledWeights = categorical ? tf.div(weights, b * categorical.q) : null;
    const { gradients, scale } = lossGradient(tf, params, transposed, x, tf.transpose(x), y, scaledWeights as Tensor2D | null, categorical);
    const mine = tf.concat(gradients.map((g) => tf.reshape(g, [-1]))).dataSync();
    const lossOf = (...p: Tensor2D[]) => outputLoss(tf, forward(tf, p, x).out, y, weights, categorical);
    const auto = tf.grads((...p) => lossOf(...(p as Tensor2D[])))(params);
    const theirs = tf.concat(auto.map((g) => tf.reshape(g, [-1]))).dataSync();
    expect(mine.length).toBe(theirs.length);
    let largest = 0;
    for (const v of theirs) largest = Math.max(largest, Math.abs(v));
    expect(largest).toBeGreaterThan(0);
    for (let j = 0; j < theirs.length; j++)
      expect(Math.abs(scale * (mine[j] as number) - (theirs[j] as number)), `parameter ${j}`).toBeLessThan(1e-4 * Math.max(1, largest));
    tf.dispose([
      ...params,
      x,
      y,
      weights,
      ...gradients,
      ...auto,
      transposed.w2T,
      transposed.w3T,
      ...(scaledWeights ? [scaledWeights] : []),
    ]);
  }

  it("match autodiff with squared error", () => check(null));
  it("match autodiff with class-balanced softmax cross-entropy", () => check({ q: 2, k: 3 }));
});
