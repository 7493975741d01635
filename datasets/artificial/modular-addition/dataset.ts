// T3 and T4 datasets on the modular-addition transformer (recipe.ts): point clouds built from the circles its token
// embedding learned. After training, the embedding E[a] of token a is, up to a small residual, a sum over a few key
// frequencies k of E_k(a) = u_k cos(2πka/p) + v_k sin(2πka/p), with u_k, v_k ∈ R^d read off the trained embedding by
// its discrete Fourier transform (Nanda et al. 2023). Each E_k traces an ellipse — a circle — in the plane of u_k, v_k;
// evaluating it at real-valued token positions t ∈ [0, p) gives the continuous circle the tokens sit on.
//
// An instance chooses r tokens t₁…t_r (the drivers) and gives each its own non-empty set of distinct key
// frequencies; a sample is Σ_j Σ_{k ∈ F_j} E_k(t_j). Different frequencies occupy (generically) independent planes,
// so the cloud is the product of the r drivers' closed curves: an r-torus. A driver with one frequency traces its
// circle; a driver with several traces a torus knot (the embedding's own curve, restricted to those frequencies):
// still a closed curve, one-dimensional, with one loop. So T3's truth is d* = r (not the 2m linear dimensions the m
// frequencies span, which PCA sees), and T4's is the Betti vector of the product of r circles, or of an interval
// (a driver confined to an arc), or of a box (the columns shuffled across samples, tasks/topology/controls.ts).
import { artifactRef } from "../../../harness/artifacts.ts";
import { i32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance } from "../../../harness/types.ts";
import { embedWithNoise, normalizeSample } from "../../../tasks/intrinsic-dimension/embed.ts";
import { dimensionTruth } from "../../../tasks/intrinsic-dimension/task.ts";
import { controlOffsets, readRows } from "../../../tasks/topology/controls.ts";
import { loadModularAddition, MODEL, modularAdditionRecipe } from "./recipe.ts";

/** One key frequency's circle in the residual stream: E_k(t) = u cos(2πkt/p) + v sin(2πkt/p). */
export interface FrequencyCircle {
  k: number;
  u: Float64Array;
  v: Float64Array;
}

/** u_k = (2/p) Σₐ E[a] cos(2πka/p), v_k = (2/p) Σₐ E[a] sin(2πka/p): the embedding's Fourier component at k. */
export function frequencyCircle(embed: ArrayLike<number>, k: number): FrequencyCircle {
  const { p, dModel: d } = MODEL;
  const u = new Float64Array(d);
  const v = new Float64Array(d);
  for (let a = 0; a < p; a++) {
    const c = Math.cos((2 * Math.PI * k * a) / p);
    const s = Math.sin((2 * Math.PI * k * a) / p);
    for (let j = 0; j < d; j++) {
      u[j] = (u[j] as number) + (2 / p) * c * (embed[a * d + j] as number);
      v[j] = (v[j] as number) + (2 / p) * s * (embed[a * d + j] as number);
    }
  }
  return { k, u, v };
}

/** The trained model's key-frequency circles, strongest frequency first. */
export function keyCircles(): FrequencyCircle[] {
  const { weights, keyFrequencies } = loadModularAddition();
  return keyFrequencies.map((k) => frequencyCircle(weights.embed as Float32Array, k));
}

/**
 * n samples of Σ_j Σ_{k ∈ F_j} E_k(t_j) in R^d: driver j's position t_j is uniform on [0, p), independently across
 * drivers and samples; when `arcs[j]` < 1, on [c, c + arcs[j]·p/k) instead, k its first frequency: that fraction of
 * the circle E_k traces (E_k turns k times as t runs over [0, p)).
 */
export function sampleDrivers(
  rng: Rng,
  circles: readonly FrequencyCircle[],
  drivers: readonly (readonly number[])[],
  n: number,
  arcs: readonly number[] = drivers.map(() => 1),
): Float64Array {
  const { p, dModel: d } = MODEL;
  const x = new Float64Array(n * d);
  const starts = drivers.map(() => p * rng.uniform());
  for (let s = 0; s < n; s++) {
    const row = x.subarray(s * d, (s + 1) * d);
    drivers.forEach((set, j) => {
      const arc = arcs[j] as number;
      const span = arc < 1 ? (arc * p) / (circles[set[0] as number] as FrequencyCircle).k : p;
      const t = (starts[j] as number) + span * rng.uniform();
      for (const index of set) {
        const { k, u, v } = circles[index] as FrequencyCircle;
        const c = Math.cos((2 * Math.PI * k * t) / p);
        const si = Math.sin((2 * Math.PI * k * t) / p);
        for (let i = 0; i < d; i++) row[i] = (row[i] as number) + c * (u[i] as number) + si * (v[i] as number);
      }
    });
  }
  return x;
}

/** Split `count` distinct circles (a random choice among `available`) over r drivers, each getting at least one. */
function assignFrequencies(rng: Rng, available: number, r: number, count: number): number[][] {
  const chosen = Array.from(rng.permutation(available).subarray(0, count));
  const sets: number[][] = chosen.slice(0, r).map((c) => [c]);
  for (const c of chosen.slice(r)) sets[rng.int(r)]?.push(c);
  return sets;
}

const shared = {
  artifact: artifactRef(modularAdditionRecipe),
  /** n ~ U{nMin…nMax} samples. */
  nMin: 600,
  nMax: 1000,
  /** The cloud (RMS radius 1) is placed in R^A, A ~ U{ambientMin…ambientMax}, by a random isometry. */
  ambientMin: 64,
  ambientMax: 128,
  /** Isotropic Gaussian noise of total RMS norm η ~ U[0, noiseMax] (per coordinate η/√A). */
  noiseMax: 0.01,
};

function finish(rng: Rng, x: Float64Array, n: number) {
  const d = MODEL.dModel;
  const ambient = shared.ambientMin + rng.int(shared.ambientMax - shared.ambientMin + 1);
  const noise = shared.noiseMax * rng.uniform();
  const activity = embedWithNoise(rng, normalizeSample(x, n, d), n, d, ambient, noise / Math.sqrt(ambient));
  return { activity, ambient, noise: Number(noise.toPrecision(3)) };
}

const dimensionConfig = {
  ...shared,
  /** d* = r drivers, uniform on 1…3 (at most the number of key frequencies). */
  maxDrivers: 3,
};

/** T3: r independent drivers over m ≥ r key frequencies (m uniform on r…number of key frequencies); d* = r. */
export function generateDimension(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const circles = keyCircles();
  const K = circles.length;
  const r = 1 + rng.int(Math.min(dimensionConfig.maxDrivers, K));
  const m = r + rng.int(K - r + 1);
  const drivers = assignFrequencies(rng, K, r, m);
  const n = shared.nMin + rng.int(shared.nMax - shared.nMin + 1);
  const { activity, ambient, noise } = finish(rng, sampleDrivers(rng, circles, drivers, n), n);
  return {
    params: {},
    inputs: { activity },
    truth: { dimension: dimensionTruth(r) },
    meta: {
      dimension: r,
      frequencies: drivers.map((set) => set.map((i) => (circles[i] as FrequencyCircle).k)),
      linearDimension: 2 * m,
      n,
      ambient,
      noise,
    },
  };
}

/**
 * T4 regimes: circle (one driver, one frequency, [1, 1, 0]), knot (one driver, two frequencies: a torus knot, [1, 1, 0]),
 * torus (two drivers, one frequency each, [1, 2, 1]), arc (one driver on half its range, [1, 0, 0]) and shuffled (the
 * torus with every residual-stream coordinate read from its own sample: no shared latent, a box, [1, 0, 0]).
 * Weights: each Betti vector 1/3.
 */
export const TOPOLOGY_REGIMES = ["circle", "torus", "arc", "knot", "torus", "shuffled"] as const;
export type TopologyRegime = (typeof TOPOLOGY_REGIMES)[number];
export const REGIME_BETTI: Record<TopologyRegime, [number, number, number]> = {
  circle: [1, 1, 0],
  knot: [1, 1, 0],
  torus: [1, 2, 1],
  arc: [1, 0, 0],
  shuffled: [1, 0, 0],
};

const topologyConfig = {
  ...shared,
  regimes: [...TOPOLOGY_REGIMES],
  /** The arc regime's driver covers this fraction of the circle. */
  arc: 0.5,
};

/** T4: the cloud of one regime (TOPOLOGY_REGIMES), regime drawn from the seed. */
export function generateTopology(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const circles = keyCircles();
  const regime = TOPOLOGY_REGIMES[rng.int(TOPOLOGY_REGIMES.length)] as TopologyRegime;
  const drivers =
    regime === "torus" || regime === "shuffled"
      ? assignFrequencies(rng, circles.length, 2, 2)
      : regime === "knot"
        ? assignFrequencies(rng, circles.length, 1, 2)
        : assignFrequencies(rng, circles.length, 1, 1);
  const n = shared.nMin + rng.int(shared.nMax - shared.nMin + 1);
  const d = MODEL.dModel;
  let x = sampleDrivers(
    rng,
    circles,
    drivers,
    n,
    drivers.map(() => (regime === "arc" ? topologyConfig.arc : 1)),
  );
  if (regime === "shuffled") {
    // Samples are independent, so reading each coordinate at its own row gives it its own drivers.
    x = Float64Array.from(
      readRows(
        { T: n, C: d, x },
        Int32Array.from({ length: n }, (_, i) => i),
        controlOffsets(rng, "shuffled", n, d),
      ).data,
    );
  }
  const { activity, ambient, noise } = finish(rng, x, n);
  const betti = REGIME_BETTI[regime];
  return {
    params: {},
    inputs: { activity },
    truth: { betti: i32([3], betti) },
    meta: {
      regime,
      betti: [...betti],
      frequencies: drivers.map((set) => set.map((i) => (circles[i] as FrequencyCircle).k)),
      n,
      ambient,
      noise,
    },
  };
}

const common = {
  slug: "modular-addition",
  domain: "artificial" as const,
  artifacts: [modularAdditionRecipe],
};

export const modularAdditionDimension: DatasetDefinition = {
  ...common,
  version: 1,
  task: "intrinsic-dimension",
  title: "Modular-addition transformer: key-frequency circles",
  description:
    "Clouds built from the token embedding of a one-layer transformer trained (TensorFlow.js) on (a + b) mod 59: the embedding's Fourier components at its learned key frequencies are circles; r ∈ 1…3 independent token positions, each driving one or more key frequencies, give an r-torus (a driver with several frequencies traces a torus knot, still a curve). d* = r, not the 2m dimensions the m frequencies span. n ~ U{600…1000}, a random isometry into 64–128 dimensions, small isotropic noise.",
  sizes: { dev: 12, official: 80, private: 80 },
  config: dimensionConfig,
  generate(_split, _index, seed) {
    return generateDimension(seed);
  },
};

export const modularAdditionTopology: DatasetDefinition = {
  ...common,
  version: 1,
  task: "topology",
  title: "Modular-addition transformer: key-frequency circles, with controls",
  description:
    "Clouds built from the token embedding of a one-layer transformer trained (TensorFlow.js) on (a + b) mod 59: one key frequency's circle ([1, 1, 0]), the embedding's curve over two key frequencies (a torus knot, [1, 1, 0]), two independent tokens on one key frequency each (a torus, [1, 2, 1]), one token on half its circle (an arc, [1, 0, 0]), or the torus with every coordinate read from its own sample (no shared latent, [1, 0, 0]). n ~ U{600…1000}, a random isometry into 64–128 dimensions, small isotropic noise.",
  sizes: { dev: 24, official: 48, private: 48 },
  config: topologyConfig,
  generate(_split, _index, seed) {
    return generateTopology(seed);
  },
};
