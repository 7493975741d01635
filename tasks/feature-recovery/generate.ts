// Ground-truth generator shared by T1's synthetic datasets: random unit feature directions and
// sparse non-negative codes s_i = Bernoulli(p) · Uniform(0, 1).
import { f32 } from "../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";

/** k unit-norm directions in R^d, drawn uniformly on the sphere. */
export function randomUnitFeatures(rng: Rng, k: number, d: number): NdArray {
  const features = f32([k, d]);
  for (let i = 0; i < k; i++) {
    let norm = 0;
    const start = i * d;
    for (let c = 0; c < d; c++) {
      const v = rng.normal();
      features.data[start + c] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let c = 0; c < d; c++) features.data[start + c] = (features.data[start + c] as number) / norm;
  }
  return features;
}

/**
 * Sparse codes [n, k]; every feature is forced active in at least `minActive` samples so that
 * it is identifiable at all (a feature never seen cannot be recovered by any method).
 */
export function sparseCodes(rng: Rng, n: number, k: number, p: number, minActive = 8): Float32Array {
  const codes = new Float32Array(n * k);
  const counts = new Int32Array(k);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < k; i++) {
      if (rng.uniform() < p) {
        codes[s * k + i] = rng.uniform();
        counts[i] = (counts[i] as number) + 1;
      }
    }
  }
  for (let i = 0; i < k; i++) {
    while ((counts[i] as number) < minActive) {
      const s = rng.int(n);
      if (codes[s * k + i] === 0) {
        codes[s * k + i] = rng.uniform();
        counts[i] = (counts[i] as number) + 1;
      }
    }
  }
  return codes;
}

/** codes [n, k] × features [k, d] → [n, d], exploiting sparsity of the codes. */
export function mix(codes: Float32Array, features: NdArray, n: number): Float64Array {
  const [k, d] = features.shape as [number, number];
  const out = new Float64Array(n * d);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < k; i++) {
      const c = codes[s * k + i] as number;
      if (c === 0) continue;
      for (let j = 0; j < d; j++) out[s * d + j] = (out[s * d + j] as number) + c * (features.data[i * d + j] as number);
    }
  }
  return out;
}

/** The regimes of TASKS.md: k/d ∈ {1, 2, 4} × p ∈ {0.01, 0.05}. */
export const REGIMES = [1, 2, 4].flatMap((ratio) => [0.01, 0.05].map((p) => ({ ratio, p })));

/**
 * One of `choices`, drawn uniformly from the instance seed (a stream of its own, labelled `what`), never from the
 * instance index: knowing an instance's position in a split says nothing about its regime (issue 10).
 */
export function drawFromSeed<T>(choices: readonly T[], seed: number, what = "regime"): T {
  return choices[new Rng(seedFrom(seed, what)).int(choices.length)] as T;
}

/** The synthetic regime (k/d, p) of an instance, drawn from its seed. */
export function regimeFromSeed(seed: number): { ratio: number; p: number } {
  return drawFromSeed(REGIMES, seed);
}
