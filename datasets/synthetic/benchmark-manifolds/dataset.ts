// T3 synthetic dataset: the Hein–Audibert benchmark manifolds, randomly rotated into a higher ambient
// dimension, with and without isotropic Gaussian noise (TASKS.md, `benchmark-manifolds`).
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition } from "../../../harness/types.ts";
import { embedWithNoise, normalizeSample } from "../../../tasks/intrinsic-dimension/embed.ts";
import { MANIFOLDS } from "../../../tasks/intrinsic-dimension/manifolds.ts";
import { dimensionTruth } from "../../../tasks/intrinsic-dimension/task.ts";

const config = {
  /** n ~ U{nMin…nMax} and A ~ U{ambientMin…ambientMax}, drawn from the seed independently of the manifold. */
  nMin: 800,
  nMax: 1600,
  ambientMin: 24,
  ambientMax: 48,
  /** Probability that an instance is noisy. */
  noisyProbability: 0.5,
  /** Noisy instances: Gaussian noise of total RMS norm `noiseLevel` (RMS radius of the clean sample = 1). */
  noiseLevel: 0.02,
  manifolds: MANIFOLDS.map((m) => ({ id: m.id, hein: m.hein, dim: m.dim, native: m.native, span: linearSpan(m) })),
};

/**
 * Dimension of the linear span the generator's sample lies in. scikit-dimension's nonlinear-6to36 and -12to72 repeat
 * a 2d-vector m = 3 times; the repeats are summed (÷√m: the orthogonal projection onto their span, an isometry on
 * it), so the widest span is 24 and every manifold fits every ambient width A ≥ 24.
 */
export function linearSpan(m: (typeof MANIFOLDS)[number]): number {
  return m.id.startsWith("nonlinear-") && m.native > 2 * m.dim ? 2 * m.dim : m.native;
}

function collapseRepeats(x: Float64Array, n: number, D: number, span: number): Float64Array {
  if (span === D) return x;
  const m = D / span;
  const out = new Float64Array(n * span);
  for (let s = 0; s < n; s++)
    for (let r = 0; r < m; r++)
      for (let c = 0; c < span; c++) out[s * span + c] = (out[s * span + c] as number) + (x[s * D + r * span + c] as number) / Math.sqrt(m);
  return out;
}

/**
 * The regime of an instance, drawn from its seed (never from the index): manifold uniform over the 13, noisy with
 * probability 1/2, n and the ambient width A uniform on their ranges independently of the manifold, so neither the
 * index nor the input's shape says anything about d*.
 */
export function benchmarkRegime(rng: Rng) {
  const manifold = MANIFOLDS[rng.int(MANIFOLDS.length)] as (typeof MANIFOLDS)[number];
  const noisy = rng.uniform() < config.noisyProbability;
  const n = config.nMin + rng.int(config.nMax - config.nMin + 1);
  const ambient = config.ambientMin + rng.int(config.ambientMax - config.ambientMin + 1);
  return { manifold, noisy, n, ambient };
}

/** n points of a manifold, centred and scaled to RMS radius 1, in R^A by a random isometry, with noise when `noisy`. */
export function embedManifold(rng: Rng, manifold: (typeof MANIFOLDS)[number], n: number, A: number, noisy: boolean) {
  const D = linearSpan(manifold);
  const clean = normalizeSample(collapseRepeats(manifold.sample(rng, n), n, manifold.native, D), n, D);
  const noiseStd = noisy ? config.noiseLevel / Math.sqrt(A) : 0;
  return { activity: embedWithNoise(rng, clean, n, D, A, noiseStd), span: D, noiseStd };
}

export const benchmarkManifolds: DatasetDefinition = {
  slug: "benchmark-manifolds",
  task: "intrinsic-dimension",
  version: 3,
  title: "Benchmark manifolds (Hein–Audibert)",
  domain: "synthetic",
  description:
    "The Hein–Audibert / scikit-dimension benchmark manifolds (spheres, affine spaces, helices, hypercube, Möbius band, Swiss roll, S-curve, spiral, nonlinear manifolds up to d* = 12), drawn uniformly from the seed; n ~ U{800…1600} points randomly rotated into R^A, A ~ U{24…48}, independently of the manifold; noisy with probability 1/2.",
  sizes: { dev: 26, official: 112, private: 112 },
  config,
  generate(_split, _index, seed) {
    const rng = new Rng(seed);
    const { manifold, noisy, n, ambient: A } = benchmarkRegime(rng);
    const { activity, span: D, noiseStd } = embedManifold(rng, manifold, n, A, noisy);
    return {
      params: {},
      inputs: { activity },
      truth: { dimension: dimensionTruth(manifold.dim) },
      meta: {
        manifold: manifold.id,
        hein: manifold.hein,
        dimension: manifold.dim,
        native: manifold.native,
        span: D,
        ambient: A,
        n,
        noisy,
        noiseStd,
      },
    };
  },
};
