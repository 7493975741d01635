// T7 synthetic dataset: P manifolds of known geometry (spheres, ellipsoids, Gaussian clouds of random dimension and
// radius) in the random-centre, random-axes ensemble of Chung, Lee & Sompolinsky (2018); truth is their mean-field
// capacity, computed from the exact shapes (tasks/manifold-capacity/theory.ts).
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview } from "../../../harness/types.ts";
import { embedShapes, meanFieldOfShapes, SHAPE_KINDS, type ShapeSpec, sampleShape } from "../../../tasks/manifold-capacity/generate.ts";
import { capacityTruth } from "../../../tasks/manifold-capacity/task.ts";

// Generator settings: stored with the dataset version and hashed, so a change without a version bump is refused.
const config = {
  /** Shapes: P ~ U{pMin…pMax} manifolds of M ~ U{mMin…mMax} points in N ~ U{nMin…nMax} dimensions, all independent of the geometry. */
  pMin: 8,
  pMax: 16,
  mMin: 6,
  mMax: 10,
  nMin: 64,
  nMax: 96,
  /** Geometry: kind uniform over SHAPE_KINDS, D ~ U{dMin…dMax}, RMS radius log-uniform on [radiusMin, radiusMax]. */
  kinds: [...SHAPE_KINDS],
  dMin: 2,
  dMax: 6,
  radiusMin: 0.05,
  radiusMax: 1.5,
  /** Ellipsoid and Gaussian axes ∝ i^(−decay), decay ~ U[decayMin, decayMax]. */
  decayMin: 0.5,
  decayMax: 1.5,
  /** Mean-field Monte Carlo: this many Gaussian samples T in all (split over the manifolds); ≈ ±1.7 % on α*. */
  meanFieldSamples: 3000,
};

/** The regime of an instance, from its seed: shapes and geometry drawn independently. */
export function capacityRegime(rng: Rng) {
  const P = config.pMin + rng.int(config.pMax - config.pMin + 1);
  const M = config.mMin + rng.int(config.mMax - config.mMin + 1);
  const N = config.nMin + rng.int(config.nMax - config.nMin + 1);
  const kind = SHAPE_KINDS[rng.int(SHAPE_KINDS.length)] as ShapeSpec["kind"];
  const dimension = config.dMin + rng.int(config.dMax - config.dMin + 1);
  const radius = config.radiusMin * (config.radiusMax / config.radiusMin) ** rng.uniform();
  const decay = kind === "sphere" ? 0 : config.decayMin + (config.decayMax - config.decayMin) * rng.uniform();
  return { P, M, N, spec: { kind, dimension, radius, decay } satisfies ShapeSpec };
}

function generate(seed: number, meanFieldSamples = config.meanFieldSamples) {
  const rng = new Rng(seed);
  const { P, M, N, spec } = capacityRegime(rng);
  const shapes = Array.from({ length: P }, () => sampleShape(rng, spec, M));
  const manifolds = embedShapes(rng, shapes, M, spec.dimension, N);
  const truth = meanFieldOfShapes(rng, shapes, M, spec.dimension, Math.ceil(meanFieldSamples / P));
  return { P, M, N, spec, manifolds, truth };
}

export const capacityManifolds: DatasetDefinition = {
  slug: "capacity-manifolds",
  task: "manifold-capacity",
  // Bump whenever generate() or config would give different instances (the content hash catches it if you forget).
  version: 1,
  title: "Manifolds of known geometry",
  domain: "synthetic",
  description:
    "P ~ U{8…16} manifolds of M ~ U{6…10} points (on spheres or ellipsoids, or Gaussian clouds) of dimension D ~ U{2…6} and RMS radius log-uniform on [0.05, 1.5] (relative to the centre norm), with random centres and axes in N ~ U{64…96} dimensions. Truth: the mean-field capacity of the exact shapes (Chung, Lee & Sompolinsky 2018).",
  sizes: { dev: 6, official: 20, private: 20 },
  config,
  preview(): DatasetPreview {
    // Capacity against radius over a few instances of each kind: the theory's main dependence.
    const series = SHAPE_KINDS.map((kind) => ({ name: kind, x: [] as number[], y: [] as number[] }));
    // A coarser Monte Carlo than the truth's (±4 % instead of ±1.7 %): the plot shows the trend, cheaply.
    for (let i = 0; i < 24; i++) {
      const g = generate(1000 + i, 600);
      const s = series[SHAPE_KINDS.indexOf(g.spec.kind)];
      s?.x.push(Math.log2(g.spec.radius));
      s?.y.push(g.truth.capacity);
    }
    return {
      title: "Mean-field capacity against manifold radius",
      kind: "points",
      xLabel: "log2 RMS radius",
      yLabel: "capacity α*",
      series: series.filter((s) => s.x.length > 0),
      caption: "24 instances drawn like the dataset's; α* falls from Cover's 2 (points) as the radius and dimension grow.",
    };
  },
  generate(_split, _index, seed) {
    // Everything from the seed, nothing from the index or split.
    const { P, M, N, spec, manifolds, truth } = generate(seed);
    return {
      params: {},
      inputs: { manifolds },
      truth: capacityTruth(truth.capacity, truth.radius, truth.dimension),
      meta: {
        P,
        M,
        N,
        kind: spec.kind,
        dimension: spec.dimension,
        radius: Number(spec.radius.toFixed(4)),
        decay: Number(spec.decay.toFixed(3)),
        capacity: Number(truth.capacity.toFixed(4)),
        radiusM: Number(truth.radius.toFixed(4)),
        dimensionM: Number(truth.dimension.toFixed(4)),
      },
    };
  },
};
