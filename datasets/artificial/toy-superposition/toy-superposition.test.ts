// toy-superposition: the trainer's gradient and sampler, determinism, the superposition the trained
// models show (Elhage et al. 2022), and how T1's baselines and references fare on it.
import { beforeAll, describe, expect, it } from "vitest";
import { hashArrays, row } from "../../../harness/ndarray.ts";
import { getMethod, getTask } from "../../../harness/registry.ts";
import { Rng } from "../../../harness/rng.ts";
import { evaluateInstance } from "../../../harness/runner.ts";
import type { Instance, NdArray } from "../../../harness/types.ts";
import { expectedRandomMmcs } from "../../../tasks/feature-recovery/chance.ts";
import { devStreamIndex, devStreamInstance } from "../../../tests/helpers/feature-recovery.ts";
import { toySuperpositionConfig as config, sparsityFromSeed, toySuperposition } from "./dataset.ts";
import { allocBatch, allocScratch, initToyModel, lossAndGradient, sampleBatch } from "./model.ts";

const SLOW = 120_000;
const m = config.nHidden;
const task = getTask("feature-recovery");
/** sha256 of test instance 0's inputs and truth (the first dev-stream instance at S = 0): the same bytes in every process. */
const DEV0_HASH =
  "53c4461787271631e579ffae84afca7212398b0ae35a3a053add71902f29ff8b:916ddf61d20629925a22f04dd6a5423df4f168a4078198182ebf572412a0a71a";

// Test instance i is the first instance of the dev seed stream drawn at sparsity config.sparsities[i] (one per
// regime: the sparsity is drawn from the seed, so the dev split itself need not cover every regime).
const sparsityOf = (i: number) => config.sparsities[i] as number;
const devIndices = config.sparsities.map((s) => devStreamIndex(toySuperposition, (seed) => sparsityFromSeed(seed) === s));
let dev: Instance[] = [];
beforeAll(() => {
  dev = devIndices.map((index) => devStreamInstance(toySuperposition, index));
}, SLOW);
const meta = (inst: Instance, key: string) => inst.meta[key] as number;

describe("toy model trainer", () => {
  it("computes the loss gradient exactly (central differences)", () => {
    const rng = new Rng(5);
    const [n, h, samples] = [7, 3, 64];
    const model = initToyModel(rng, n, h);
    for (let i = 0; i < n; i++) model.b[i] = 0.2 * rng.normal();
    const imp = Float64Array.from({ length: n }, (_, i) => 0.8 ** i);
    const batch = allocBatch(samples, n);
    sampleBatch(rng, samples, n, 0.4, batch);
    const dw = new Float64Array(h * n);
    const db = new Float64Array(n);
    const scratch = allocScratch(n);
    lossAndGradient(model, imp, batch, samples, dw, db, scratch);
    const loss = () => lossAndGradient(model, imp, batch, samples, new Float64Array(h * n), new Float64Array(n), scratch);
    const eps = 1e-6;
    for (const [param, grad] of [
      [model.w, dw],
      [model.b, db],
    ] as const) {
      for (let i = 0; i < param.length; i++) {
        const v = param[i] as number;
        param[i] = v + eps;
        const up = loss();
        param[i] = v - eps;
        const down = loss();
        param[i] = v;
        expect(Math.abs((up - down) / (2 * eps) - (grad[i] as number))).toBeLessThan(1e-6);
      }
    }
  });

  it("samples x_i = Bernoulli(1 − S) · Uniform(0, 1) by geometric skips", () => {
    const rng = new Rng(11);
    const [samples, n, p] = [20000, 40, 0.03];
    const batch = allocBatch(samples, n);
    sampleBatch(rng, samples, n, p, batch);
    const nnz = batch.start[samples] as number;
    const perFeature = new Float64Array(n);
    let sum = 0;
    for (let t = 0; t < nnz; t++) {
      perFeature[batch.idx[t] as number] = (perFeature[batch.idx[t] as number] as number) + 1;
      sum += batch.val[t] as number;
    }
    expect(Math.abs(nnz / (samples * n) - p)).toBeLessThan(0.002); // sd ≈ 0.0002
    expect(Math.abs(sum / nnz - 0.5)).toBeLessThan(0.01);
    for (const c of perFeature) expect(Math.abs(c / samples - p)).toBeLessThan(0.01);
    for (let s = 0; s < samples; s++) {
      for (let t = (batch.start[s] as number) + 1; t < (batch.start[s + 1] as number); t++) {
        expect(batch.idx[t] as number).toBeGreaterThan(batch.idx[t - 1] as number);
      }
    }
  });
});

describe("toy-superposition instances", () => {
  it(
    "are bit-identical across processes (recorded hash) and within one",
    () => {
      const first = dev[0] as Instance;
      expect(`${hashArrays(first.inputs)}:${hashArrays(first.truth)}`).toBe(DEV0_HASH);
      const again = devStreamInstance(toySuperposition, devIndices[1] as number);
      expect(hashArrays(again.inputs)).toBe(hashArrays((dev[1] as Instance).inputs));
      expect(hashArrays(again.truth)).toBe(hashArrays((dev[1] as Instance).truth));
    },
    SLOW,
  );

  it("have activations [4096, m], unit truth rows and nFeatures = k", () => {
    for (const inst of dev) {
      const k = inst.params.nFeatures as number;
      expect(inst.inputs.activations?.shape).toEqual([config.samples, m]);
      expect(inst.truth.features?.shape).toEqual([k, m]);
      expect(k).toBe(meta(inst, "represented"));
      expect(k).toBeGreaterThanOrEqual(1);
      for (let r = 0; r < k; r++) {
        const norm = Math.hypot(...row(inst.truth.features as NdArray, r));
        expect(Math.abs(norm - 1)).toBeLessThan(1e-5);
      }
    }
  });

  it("show superposition only with sparsity: k ≤ m at S = 0, k > m at S ≥ 0.7, k > 2m at S = 0.99", () => {
    const ks = dev.map((inst) => inst.params.nFeatures as number);
    console.log(`toy-superposition dev: k per S ${ks.map((k, i) => `${sparsityOf(i)}: ${k}`).join(", ")} (m = ${m})`);
    for (const [i, inst] of dev.entries()) {
      const s = sparsityOf(i);
      const k = ks[i] as number;
      if (s === 0) {
        expect(k).toBeLessThanOrEqual(m);
        expect(meta(inst, "frobenius2")).toBeLessThan(m + 0.5); // ‖W‖_F²: at most one feature per dimension
      } else {
        expect(k).toBeGreaterThan(m);
      }
      if (s >= 0.99) expect(k).toBeGreaterThan(2 * m); // beyond antipodal pairs
      if (i > 0) expect(k).toBeGreaterThanOrEqual(ks[i - 1] as number);
    }
  });

  it("come from trained models: far below x̂ = 0, and below the best linear model once features are sparse", () => {
    for (const [i, inst] of dev.entries()) {
      // Observed loss / loss(x̂ = 0): 0.09, 0.21, 0.14, 0.10, 0.06 for S = 0 … 0.99.
      expect(meta(inst, "lossRatio")).toBeLessThan(0.3);
      // The ReLU model's loss is at most the linear optimum (equal at S = 0) and clearly below it with sparsity.
      const factor = sparsityOf(i) === 0 ? 1.02 : 0.9;
      expect(meta(inst, "loss")).toBeLessThan(factor * meta(inst, "lossLinear"));
    }
  });
});

describe("T1 references and baselines on toy-superposition (dev)", () => {
  it(
    "oracle at the ceiling, random at the analytic chance level",
    async () => {
      const gaps: number[] = [];
      for (const inst of dev) {
        const o = await evaluateInstance(getMethod("oracle"), task, inst);
        const r = await evaluateInstance(getMethod("random"), task, inst);
        expect(o.score).toBeGreaterThanOrEqual(1 - 1e-6);
        const chance = expectedRandomMmcs(m, inst.params.nFeatures as number);
        // Truth rows are correlated (antipodal pairs share one |cosine|), so one instance varies by ≈ ±0.06.
        expect(Math.abs((r.score as number) - chance)).toBeLessThan(0.1);
        gaps.push((r.score as number) - chance);
      }
      expect(Math.abs(gaps.reduce((a, b) => a + b, 0) / gaps.length)).toBeLessThan(0.05);
    },
    SLOW,
  );

  it(
    "SAE (L1) beats PCA once k > 2m and FastICA at high sparsity; FastICA alone recovers the dense S = 0 features",
    async () => {
      const ids = ["pca", "fastica", "sae-l1", "sae-topk"];
      const score = new Map<string, number>();
      const at = (id: string, i: number) => score.get(`${id}/${i}`) as number;
      for (const id of ids) {
        for (const [i, inst] of dev.entries()) {
          const outcome = await evaluateInstance(getMethod(id), task, inst);
          expect(outcome.status, `${id} on ${inst.key}`).toBe("ok");
          score.set(`${id}/${i}`, outcome.score as number);
        }
      }
      const lines = dev.map(
        (inst, i) => `S=${sparsityOf(i)} k=${inst.params.nFeatures}: ${ids.map((id) => `${id} ${at(id, i).toFixed(3)}`).join(", ")}`,
      );
      console.log(`toy-superposition dev MMCS\n${lines.join("\n")}`);
      for (const [i, inst] of dev.entries()) {
        const s = sparsityOf(i);
        const k = inst.params.nFeatures as number;
        // Observed (version 2 test instances): S = 0.9 / 0.97 / 0.99 → sae-l1 0.98 / 0.89 / 0.94, PCA 0.75 / 0.77 / 0.71
        // (version 1: sae-l1 1.00 / 0.98 / 0.92, PCA 0.73 / 0.78 / 0.65); the margin varies with the trained model.
        if (k > 2 * m) expect(at("sae-l1", i) - at("pca", i), inst.key).toBeGreaterThan(0.1);
        // Observed: FastICA 0.83 / 0.73 at S = 0.97 / 0.99 against sae-l1 0.89 / 0.94 (version 2 test instances;
        // version 1: 0.82 / 0.74 against 0.98 / 0.92); FastICA finds at most m directions.
        if (s >= 0.97) expect(at("sae-l1", i) - at("fastica", i), inst.key).toBeGreaterThan(0.05);
        if (s === 0) {
          // Dense Uniform(0, 1) inputs: independent non-Gaussian sources, ICA's home ground; SAEs ≈ chance.
          expect(at("fastica", i), inst.key).toBeGreaterThan(0.95);
          expect(at("fastica", i) - at("sae-l1", i), inst.key).toBeGreaterThan(0.3);
        }
      }
    },
    SLOW,
  );
});
