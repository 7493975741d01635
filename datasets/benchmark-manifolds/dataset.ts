// T3 synthetic dataset: the Hein–Audibert benchmark manifolds, randomly rotated into a higher ambient
// dimension, with and without isotropic Gaussian noise (TASKS.md, `benchmark-manifolds`).
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition } from "../../harness/types.ts";
import { embedWithNoise, normalizeSample } from "../../tasks/intrinsic-dimension/embed.ts";
import { MANIFOLDS } from "../../tasks/intrinsic-dimension/manifolds.ts";
import { dimensionTruth } from "../../tasks/intrinsic-dimension/task.ts";

const config = {
  n: 2000,
  /** Ambient dimension A = max(minAmbient, 2·D), D the manifold's native dimension. */
  minAmbient: 16,
  /** Noisy instances: Gaussian noise of total RMS norm `noiseLevel` (RMS radius of the clean sample = 1). */
  noiseLevel: 0.02,
  manifolds: MANIFOLDS.map((m) => ({ id: m.id, hein: m.hein, dim: m.dim, native: m.native })),
};

/** Instance i: manifold i mod 13, noisy when i is odd (13 is odd, so 26 instances cover every pair). */
export function benchmarkRegime(index: number) {
  const manifold = MANIFOLDS[index % MANIFOLDS.length] as (typeof MANIFOLDS)[number];
  return { manifold, noisy: index % 2 === 1 };
}

export const benchmarkManifolds: DatasetDefinition = {
  slug: "benchmark-manifolds",
  task: "intrinsic-dimension",
  version: 1,
  title: "Benchmark manifolds (Hein–Audibert)",
  domain: "synthetic",
  description:
    "The Hein–Audibert / scikit-dimension benchmark manifolds (spheres, affine spaces, helices, hypercube, Möbius band, Swiss roll, S-curve, spiral, nonlinear manifolds up to d* = 12), n = 2000 points, randomly rotated into R^A with A = max(16, 2D), with and without Gaussian noise.",
  sizes: { dev: 13, official: 26, private: 26 },
  config,
  generate(_split, index, seed) {
    const { manifold, noisy } = benchmarkRegime(index);
    const { n } = config;
    const rng = new Rng(seed);
    const D = manifold.native;
    const A = Math.max(config.minAmbient, 2 * D);
    const clean = normalizeSample(manifold.sample(rng, n), n, D);
    const noiseStd = noisy ? config.noiseLevel / Math.sqrt(A) : 0;
    const activity = embedWithNoise(rng, clean, n, D, A, noiseStd);
    return {
      params: {},
      inputs: { activity },
      truth: { dimension: dimensionTruth(manifold.dim) },
      meta: { manifold: manifold.id, hein: manifold.hein, dimension: manifold.dim, native: D, ambient: A, n, noisy, noiseStd },
    };
  },
};
