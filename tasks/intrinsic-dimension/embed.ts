// Shared by T3's synthetic datasets: place a sample from its native space into a higher ambient dimension
// by a random isometry (orthonormal rows, so every distance is preserved), and add isotropic noise.
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";

/** D×A matrix with orthonormal rows, uniformly random (Gram–Schmidt on Gaussian rows). */
export function randomIsometry(rng: Rng, D: number, A: number): Float64Array {
  if (D > A) throw new Error(`cannot embed R^${D} isometrically in R^${A}`);
  const q = new Float64Array(D * A);
  for (let r = 0; r < D; r++) {
    const row = q.subarray(r * A, (r + 1) * A);
    for (;;) {
      for (let c = 0; c < A; c++) row[c] = rng.normal();
      // Two passes of classical Gram–Schmidt keep the rows orthonormal to machine precision.
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < r; p++) {
          const prev = q.subarray(p * A, (p + 1) * A);
          let dot = 0;
          for (let c = 0; c < A; c++) dot += (row[c] as number) * (prev[c] as number);
          for (let c = 0; c < A; c++) row[c] = (row[c] as number) - dot * (prev[c] as number);
        }
      }
      let norm = 0;
      for (let c = 0; c < A; c++) norm += (row[c] as number) ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-8) {
        for (let c = 0; c < A; c++) row[c] = (row[c] as number) / norm;
        break;
      }
    }
  }
  return q;
}

/** Centre the rows of an n×D sample and scale it so that its RMS distance to the centroid is 1. */
export function normalizeSample(x: Float64Array, n: number, D: number): Float64Array {
  const mean = new Float64Array(D);
  for (let s = 0; s < n; s++) for (let c = 0; c < D; c++) mean[c] = (mean[c] as number) + (x[s * D + c] as number) / n;
  let ss = 0;
  const out = new Float64Array(n * D);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < D; c++) {
      const v = (x[s * D + c] as number) - (mean[c] as number);
      out[s * D + c] = v;
      ss += v * v;
    }
  }
  const scale = ss > 0 ? 1 / Math.sqrt(ss / n) : 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * scale;
  return out;
}

/**
 * x (n×D) → x Q (n×A) + N(0, σ² I_A) with Q a random isometry; returns float32 activity.
 * `noiseStd` is per ambient coordinate.
 */
export function embedWithNoise(rng: Rng, x: Float64Array, n: number, D: number, A: number, noiseStd: number): NdArray {
  const q = randomIsometry(rng, D, A);
  const out = f32([n, A]);
  const acc = new Float64Array(A);
  for (let s = 0; s < n; s++) {
    acc.fill(0);
    for (let r = 0; r < D; r++) {
      const v = x[s * D + r] as number;
      if (v === 0) continue;
      const base = r * A;
      for (let c = 0; c < A; c++) acc[c] = (acc[c] as number) + v * (q[base + c] as number);
    }
    for (let c = 0; c < A; c++) out.data[s * A + c] = (acc[c] as number) + (noiseStd > 0 ? noiseStd * rng.normal() : 0);
  }
  return out;
}
