// Neural embedding of a d*-dimensional latent variable (T3 `neural-embedding`): the latent lives on the
// flat torus T^d* (periodic, so the manifold has no boundary) and each neuron has a von Mises tuning
// curve along a random integer wave vector of the latent, rate_j(z) = b + g · exp(κ_j (cos(k_j·z − φ_j) − 1)).
// Wave vectors with one or two non-zero entries give pure and mixed selectivity; every latent coordinate
// drives at least ⌈N/d*⌉ neurons, so the map z ↦ rates is an immersion of T^d* and the image has
// dimension d*. Counts are Poisson(rate).
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";

export interface NeuralEmbeddingOptions {
  latentDim: number;
  neurons: number;
  samples: number;
  /** Peak expected count above baseline (per sample, i.e. per time bin). */
  peakCount: number;
  baselineCount: number;
  /** Tuning concentration κ ~ U[kappaMin, kappaMax]. */
  kappaMin: number;
  kappaMax: number;
  /** Probability that a neuron is also tuned to a second latent coordinate (mixed selectivity). */
  mixedProbability: number;
}

export interface NeuralEmbedding {
  activity: NdArray;
  /** Noise-free rates [n, N], for tests. */
  rates: Float64Array;
  latent: Float64Array;
}

export function neuralEmbedding(rng: Rng, o: NeuralEmbeddingOptions): NeuralEmbedding {
  const { latentDim: d, neurons: N, samples: n } = o;
  // Tuning: wave vector (sparse, entries ±1), phase, concentration.
  const waves = new Int8Array(N * d);
  const phase = new Float64Array(N);
  const kappa = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    const primary = j % d;
    waves[j * d + primary] = rng.uniform() < 0.5 ? -1 : 1;
    if (d > 1 && rng.uniform() < o.mixedProbability) {
      let second = rng.int(d - 1);
      if (second >= primary) second++;
      waves[j * d + second] = rng.uniform() < 0.5 ? -1 : 1;
    }
    phase[j] = 2 * Math.PI * rng.uniform();
    kappa[j] = o.kappaMin + (o.kappaMax - o.kappaMin) * rng.uniform();
  }
  const latent = new Float64Array(n * d);
  const rates = new Float64Array(n * N);
  const activity = f32([n, N]);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < d; c++) latent[s * d + c] = 2 * Math.PI * rng.uniform();
    for (let j = 0; j < N; j++) {
      let arg = -(phase[j] as number);
      for (let c = 0; c < d; c++) {
        const w = waves[j * d + c] as number;
        if (w !== 0) arg += w * (latent[s * d + c] as number);
      }
      const rate = o.baselineCount + o.peakCount * Math.exp((kappa[j] as number) * (Math.cos(arg) - 1));
      rates[s * N + j] = rate;
      activity.data[s * N + j] = rng.poisson(rate);
    }
  }
  return { activity, rates, latent };
}
