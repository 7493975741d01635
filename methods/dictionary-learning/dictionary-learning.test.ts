import { describe, expect, it } from "vitest";
import { f32, firstNonFinite } from "../../harness/ndarray.ts";
import { getMethod, listMethods, methodSeed } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { featureRecovery } from "../../tasks/feature-recovery/task.ts";
import { instance, mmcs, result, run } from "../../tests/helpers/feature-recovery.ts";
import { dictionaryLearning, learnDictionary, nonNegativeLasso } from "./method.ts";

const SLOW = 60_000;

describe("dictionary-learning", () => {
  it("is registered as a feature-recovery baseline", () => {
    expect(listMethods("feature-recovery").map((m) => m.id)).toContain("dictionary-learning");
    expect(getMethod("dictionary-learning")).toBe(dictionaryLearning);
    expect(dictionaryLearning.kind).toBe("baseline");
    expect(dictionaryLearning.version).toBe("1.0.2");
    expect(dictionaryLearning.tasks).toEqual(["feature-recovery"]);
    expect(dictionaryLearning.readsTruth).toBeFalsy();
  });

  it(
    "returns a float32 dictionary of exactly [k, d] with k finite unit rows",
    async () => {
      for (const index of [1, 2]) {
        const inst = instance("sparse-linear", index);
        const [k, d] = featureRecovery.outputShapes(inst).dictionary as [number, number];
        const dictionary = await result("dictionary-learning", "sparse-linear", index);
        expect(dictionary.dtype).toBe("float32");
        expect(dictionary.data).toBeInstanceOf(Float32Array);
        expect(dictionary.shape).toEqual([k, d]);
        expect(dictionary.data.length).toBe(k * d);
        expect(firstNonFinite(dictionary.data)).toBe(-1);
        for (let r = 0; r < k; r++) {
          let norm = 0;
          for (const v of dictionary.data.subarray(r * d, r * d + d)) norm += v * v;
          expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
        }
      }
    },
    SLOW,
  );

  it(
    "is deterministic: the same seed gives identical bytes, another seed a different dictionary",
    async () => {
      const inst = instance("sparse-linear", 3);
      const first = await result("dictionary-learning", "sparse-linear", 3);
      const second = await run("dictionary-learning", inst);
      expect(Buffer.from(second.data.buffer).equals(Buffer.from(first.data.buffer))).toBe(true);
      const other = await run("dictionary-learning", inst, methodSeed(inst, "dictionary-learning") + 1);
      expect(Buffer.from(other.data.buffer).equals(Buffer.from(first.data.buffer))).toBe(false);
    },
    SLOW,
  );

  it(
    "beats PCA by a clear margin when k > d on sparse-linear",
    async () => {
      for (const index of [2, 3, 4, 5]) {
        const dl = await mmcs("dictionary-learning", "sparse-linear", index);
        const pca = await mmcs("pca", "sparse-linear", index);
        // Observed: dictionary learning 0.97–1.00, PCA 0.46–0.49 (k/d = 2 and 4, p = 0.01 and 0.05).
        expect(dl, `sparse-linear/dev/${index}`).toBeGreaterThan(0.93);
        expect(dl - pca, `sparse-linear/dev/${index}`).toBeGreaterThan(0.4);
      }
    },
    SLOW,
  );

  it(
    "beats PCA on mixed-selectivity (Poisson counts) when k = 2d",
    async () => {
      for (const index of [2, 3]) {
        const dl = await mmcs("dictionary-learning", "mixed-selectivity", index);
        const pca = await mmcs("pca", "mixed-selectivity", index);
        // Observed: dictionary learning 0.91–0.94, PCA 0.47–0.49.
        expect(dl, `mixed-selectivity/dev/${index}`).toBeGreaterThan(0.8);
        expect(dl - pca, `mixed-selectivity/dev/${index}`).toBeGreaterThan(0.3);
      }
    },
    SLOW,
  );

  it("handles degenerate inputs: fewer samples than atoms or a batch, constant data", () => {
    const rng = new Rng(7);
    const [n, d, k] = [10, 4, 16];
    const x = Float32Array.from({ length: n * d }, () => rng.normal());
    for (const data of [x, new Float32Array(n * d).fill(3)]) {
      const { dictionary, fvu } = learnDictionary(data, n, d, k, 1);
      expect(dictionary.length).toBe(k * d);
      expect(firstNonFinite(f32([k, d], dictionary).data)).toBe(-1);
      expect(Number.isFinite(fvu)).toBe(true);
      for (let r = 0; r < k; r++) {
        let norm = 0;
        for (const v of dictionary.subarray(r * d, r * d + d)) norm += v * v;
        expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
      }
    }
  });
});

describe("non-negative Lasso (active set)", () => {
  it("meets the KKT conditions on random overcomplete problems", () => {
    const rng = new Rng(11);
    const [d, k] = [32, 128];
    for (let trial = 0; trial < 20; trial++) {
      const dict = new Float64Array(k * d);
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) {
          const v = rng.normal();
          dict[j * d + c] = v;
          s += v * v;
        }
        for (let c = 0; c < d; c++) dict[j * d + c] = (dict[j * d + c] as number) / Math.sqrt(s);
      }
      // r = a sparse non-negative combination of atoms plus noise.
      const r = new Float64Array(d);
      for (let a = 0; a < 6; a++) {
        const j = rng.int(k);
        const w = rng.uniform();
        for (let c = 0; c < d; c++) r[c] = (r[c] as number) + w * (dict[j * d + c] as number);
      }
      for (let c = 0; c < d; c++) r[c] = (r[c] as number) + 0.05 * rng.normal();
      const lambda = 0.05 + 0.2 * rng.uniform();
      const alpha = nonNegativeLasso(dict, k, d, r, lambda);
      // q_j = d_j · (r − αᵀD): = λ where α_j > 0, ≤ λ where α_j = 0.
      const resid = Float64Array.from(r);
      for (let j = 0; j < k; j++)
        for (let c = 0; c < d; c++) resid[c] = (resid[c] as number) - (alpha[j] as number) * (dict[j * d + c] as number);
      let nonZero = 0;
      for (let j = 0; j < k; j++) {
        const a = alpha[j] as number;
        let q = 0;
        for (let c = 0; c < d; c++) q += (dict[j * d + c] as number) * (resid[c] as number);
        expect(a).toBeGreaterThanOrEqual(0);
        if (a > 0) {
          nonZero++;
          expect(Math.abs(q - lambda)).toBeLessThan(1e-8);
        } else {
          expect(q).toBeLessThan(lambda + 1e-8);
        }
      }
      expect(nonZero).toBeGreaterThan(0);
      expect(nonZero).toBeLessThanOrEqual(d);
    }
  });
});
