// Manifolds of known geometry (the synthetic datasets of T7) and their mean-field capacity. A manifold is
// x = c + Σ_i s_i u_i: a shape s ∈ R^D (M points on a sphere or ellipsoid, or a Gaussian cloud, centred) embedded by a
// random centre c and random axes u_i ~ N(0, I/N), so that ‖c‖ ≈ ‖u_i‖ ≈ 1 and the radius is relative to the centre
// norm: the ensemble of Chung, Lee & Sompolinsky (2018), whose capacity the mean-field theory gives (theory.ts).
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";
import { combineMeanField, meanFieldSums } from "./theory.ts";

export const SHAPE_KINDS = ["sphere", "ellipsoid", "gaussian"] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

export interface ShapeSpec {
  kind: ShapeKind;
  /** Dimension D of the shape's span. */
  dimension: number;
  /** RMS radius √E‖s‖² relative to the centre norm. */
  radius: number;
  /** Ellipsoid and Gaussian axes decay as i^(−decay), i = 1…D (0 for a sphere). */
  decay: number;
}

/** M points of one shape, [M, D], centred (their mean is the manifold centre) with RMS radius `radius`. */
export function sampleShape(rng: Rng, spec: ShapeSpec, M: number): Float64Array {
  const D = spec.dimension;
  const axes = Float64Array.from({ length: D }, (_, i) => (i + 1) ** -spec.decay);
  const rms = Math.sqrt(axes.reduce((s, a) => s + a * a, 0) / D);
  const s = new Float64Array(M * D);
  for (let k = 0; k < M; k++) {
    const g = Float64Array.from({ length: D }, () => rng.normal());
    // A sphere or ellipsoid surface: a uniform direction scaled by √D (so E‖s‖² = R² for the sphere); a Gaussian cloud
    // keeps the Gaussian's length.
    const norm = spec.kind === "gaussian" ? Math.sqrt(D) : Math.hypot(...g);
    for (let i = 0; i < D; i++) s[k * D + i] = (spec.radius * Math.sqrt(D) * (g[i] as number) * (axes[i] as number)) / rms / norm;
  }
  for (let i = 0; i < D; i++) {
    let mean = 0;
    for (let k = 0; k < M; k++) mean += s[k * D + i] as number;
    mean /= M;
    for (let k = 0; k < M; k++) s[k * D + i] = (s[k * D + i] as number) - mean;
  }
  return s;
}

/** Embed P shapes ([M, D] each) in N dimensions with random centres and axes ~ N(0, I/N): `manifolds` [P, M, N]. */
export function embedShapes(rng: Rng, shapes: readonly Float64Array[], M: number, D: number, N: number): NdArray {
  const out = f32([shapes.length, M, N]);
  const scale = 1 / Math.sqrt(N);
  const basis = new Float64Array((D + 1) * N);
  shapes.forEach((s, mu) => {
    for (let i = 0; i < basis.length; i++) basis[i] = rng.normal() * scale;
    for (let k = 0; k < M; k++) {
      const row = (mu * M + k) * N;
      for (let j = 0; j < N; j++) {
        let v = basis[j] as number;
        for (let i = 0; i < D; i++) v += (s[k * D + i] as number) * (basis[(i + 1) * N + j] as number);
        out.data[row + j] = v;
      }
    }
  });
  return out;
}

/**
 * Mean-field capacity, radius and dimension of manifolds with the given shapes (centre coordinate 1, orthonormal axes):
 * α⁻¹ = mean over manifolds of ⟨F(T)⟩ with `samples` Gaussian T each (theory.ts).
 */
export function meanFieldOfShapes(rng: Rng, shapes: readonly Float64Array[], M: number, D: number, samples: number) {
  const k = D + 1;
  return combineMeanField(
    shapes.map((s) => {
      const points = new Float64Array(M * k);
      for (let j = 0; j < M; j++) {
        points[j * k] = 1;
        for (let i = 0; i < D; i++) points[j * k + 1 + i] = s[j * D + i] as number;
      }
      return meanFieldSums(points, M, k, rng, samples);
    }),
  );
}
