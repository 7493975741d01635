// The Hein–Audibert benchmark manifolds (Hein & Audibert 2005; as collected in scikit-dimension's
// BenchmarkManifolds, Bac et al. 2021), sampled with Cajal's Rng. Each generator returns n points in its
// native dimension D; `embed.ts` then places them in a higher ambient dimension by a random isometry.
import type { Rng } from "../../harness/rng.ts";

export interface ManifoldSpec {
  /** Stable id used in instance meta and READMEs. */
  id: string;
  /** Name in the Hein–Audibert / scikit-dimension list. */
  hein: string;
  /** Intrinsic dimension d*. */
  dim: number;
  /** Native embedding dimension D of the generator. */
  native: number;
  description: string;
  /** Row-major n×native sample. */
  sample(rng: Rng, n: number): Float64Array;
}

function fill(n: number, D: number, f: (row: Float64Array) => void): Float64Array {
  const out = new Float64Array(n * D);
  const row = new Float64Array(D);
  for (let s = 0; s < n; s++) {
    row.fill(0);
    f(row);
    out.set(row, s * D);
  }
  return out;
}

/** Uniform on the unit sphere S^d ⊂ R^(d+1). */
function sphere(rng: Rng, n: number, d: number): Float64Array {
  return fill(n, d + 1, (row) => {
    let norm = 0;
    for (let c = 0; c <= d; c++) {
      const v = rng.normal();
      row[c] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let c = 0; c <= d; c++) row[c] = (row[c] as number) / norm;
  });
}

/**
 * scikit-dimension's `_gen_nonlinear_data` (M4, M6, M8): p ~ U[0,1]^d, coordinates
 * p_{i+1} cos(2π p_i), p_{i+1} sin(2π p_i) (indices cyclic), the 2d-vector repeated m = D / 2d times.
 */
function nonlinear(rng: Rng, n: number, d: number, D: number): Float64Array {
  const m = D / (2 * d);
  if (!Number.isInteger(m)) throw new Error(`nonlinear manifold needs D a multiple of 2d (d=${d}, D=${D})`);
  const p = new Float64Array(d);
  return fill(n, D, (row) => {
    for (let i = 0; i < d; i++) p[i] = rng.uniform();
    for (let i = 0; i < d; i++) {
      const r = p[(i + 1) % d] as number;
      const a = 2 * Math.PI * (p[i] as number);
      for (let rep = 0; rep < m; rep++) {
        row[rep * 2 * d + 2 * i] = r * Math.cos(a);
        row[rep * 2 * d + 2 * i + 1] = r * Math.sin(a);
      }
    }
  });
}

/** The 13 manifolds of `benchmark-manifolds`; instance i uses MANIFOLDS[i mod 13]. */
export const MANIFOLDS: readonly ManifoldSpec[] = [
  {
    id: "sphere-10",
    hein: "M1_Sphere",
    dim: 10,
    native: 11,
    description: "Uniform sample of the unit 10-sphere S^10 ⊂ R^11.",
    sample: (rng, n) => sphere(rng, n, 10),
  },
  {
    id: "affine-3to5",
    hein: "M2_Affine_3to5",
    dim: 3,
    native: 5,
    description: "p ~ U[0,4]^3 mapped by the fixed affine map A p + b of Hein & Audibert into R^5.",
    sample: (rng, n) => {
      const A = [
        [1.2, -0.5, 0],
        [0.5, 0.9, 0],
        [-0.5, -0.2, 1],
        [0.4, -0.9, -0.1],
        [1.1, -0.3, 0],
      ];
      const b = [3, -1, 0, 0, 8];
      const p = [0, 0, 0];
      return fill(n, 5, (row) => {
        for (let i = 0; i < 3; i++) p[i] = 4 * rng.uniform();
        for (let r = 0; r < 5; r++) {
          const a = A[r] as number[];
          row[r] =
            (b[r] as number) +
            (a[0] as number) * (p[0] as number) +
            (a[1] as number) * (p[1] as number) +
            (a[2] as number) * (p[2] as number);
        }
      });
    },
  },
  {
    id: "nonlinear-4to6",
    hein: "M3_Nonlinear_4to6",
    dim: 4,
    native: 6,
    description: "p ~ U[0,1]^4 mapped by the fixed polynomial/trigonometric map of Hein & Audibert into R^6.",
    sample: (rng, n) =>
      fill(n, 6, (row) => {
        const p0 = rng.uniform();
        const p1 = rng.uniform();
        const p2 = rng.uniform();
        const p3 = rng.uniform();
        row[0] = p1 * p1 * Math.cos(2 * Math.PI * p0);
        row[1] = p2 * p2 * Math.sin(2 * Math.PI * p0);
        row[2] = p1 + p2 + (p1 - p3) ** 2;
        row[3] = p1 - 2 * p2 + (p0 - p3) ** 2;
        row[4] = -p1 - 2 * p2 + (p2 - p3) ** 2;
        row[5] = p0 * p0 - p1 * p1 + p2 * p2 - p3 * p3;
      }),
  },
  {
    id: "nonlinear-4to8",
    hein: "M4_Nonlinear",
    dim: 4,
    native: 8,
    description: "scikit-dimension's nonlinear manifold with d = 4 in R^8: coordinates p_{i+1}·(cos, sin)(2π p_i), p ~ U[0,1]^4.",
    sample: (rng, n) => nonlinear(rng, n, 4, 8),
  },
  {
    id: "helix-1d",
    hein: "M5a_Helix1d",
    dim: 1,
    native: 3,
    description: "Closed helix ((2 + cos 8t) cos t, (2 + cos 8t) sin t, sin 8t), t ~ U[0, 2π).",
    sample: (rng, n) =>
      fill(n, 3, (row) => {
        const t = 2 * Math.PI * rng.uniform();
        row[0] = (2 + Math.cos(8 * t)) * Math.cos(t);
        row[1] = (2 + Math.cos(8 * t)) * Math.sin(t);
        row[2] = Math.sin(8 * t);
      }),
  },
  {
    id: "helix-2d",
    hein: "M5b_Helix2d",
    dim: 2,
    native: 3,
    description: "Helicoid (r cos p, r sin p, p / 2), r, p ~ U[0, 10π).",
    sample: (rng, n) =>
      fill(n, 3, (row) => {
        const r = 10 * Math.PI * rng.uniform();
        const p = 10 * Math.PI * rng.uniform();
        row[0] = r * Math.cos(p);
        row[1] = r * Math.sin(p);
        row[2] = 0.5 * p;
      }),
  },
  {
    id: "nonlinear-6to36",
    hein: "M6_Nonlinear",
    dim: 6,
    native: 36,
    description: "scikit-dimension's nonlinear manifold with d = 6 in R^36 (the 12-vector repeated 3 times).",
    sample: (rng, n) => nonlinear(rng, n, 6, 36),
  },
  {
    id: "swiss-roll",
    hein: "M7_Roll",
    dim: 2,
    native: 3,
    description: "Swiss roll (t cos t, p, t sin t), t ~ U[1.5π, 4.5π), p ~ U[0, 21).",
    sample: (rng, n) =>
      fill(n, 3, (row) => {
        const t = 1.5 * Math.PI * (1 + 2 * rng.uniform());
        const p = 21 * rng.uniform();
        row[0] = t * Math.cos(t);
        row[1] = p;
        row[2] = t * Math.sin(t);
      }),
  },
  {
    id: "nonlinear-12to72",
    hein: "M8_Nonlinear",
    dim: 12,
    native: 72,
    description: "scikit-dimension's nonlinear manifold with d = 12 in R^72 (the 24-vector repeated 3 times).",
    sample: (rng, n) => nonlinear(rng, n, 12, 72),
  },
  {
    id: "hypercube-10",
    hein: "M10a_Cubic",
    dim: 10,
    native: 11,
    description: "Solid hypercube [0,1]^10, uniformly sampled, in R^11 (last coordinate 0).",
    sample: (rng, n) =>
      fill(n, 11, (row) => {
        for (let c = 0; c < 10; c++) row[c] = rng.uniform();
      }),
  },
  {
    id: "moebius",
    hein: "M11_Moebius",
    dim: 2,
    native: 3,
    description:
      "Möbius band with 10 half-twists: ((1 + ρ/2 cos 5φ) cos φ, (1 + ρ/2 cos 5φ) sin φ, ρ/2 sin 5φ), φ ~ U[0, 2π), ρ ~ U[−1, 1).",
    sample: (rng, n) =>
      fill(n, 3, (row) => {
        const phi = 2 * Math.PI * rng.uniform();
        const rad = 2 * rng.uniform() - 1;
        row[0] = (1 + 0.5 * rad * Math.cos(5 * phi)) * Math.cos(phi);
        row[1] = (1 + 0.5 * rad * Math.cos(5 * phi)) * Math.sin(phi);
        row[2] = 0.5 * rad * Math.sin(5 * phi);
      }),
  },
  {
    id: "s-curve",
    hein: "M13a_Scurve",
    dim: 2,
    native: 3,
    description: "S-curve (sin t, p, sign(t)(cos t − 1)), t ~ U[−1.5π, 1.5π), p ~ U[0, 2).",
    sample: (rng, n) =>
      fill(n, 3, (row) => {
        const t = 3 * Math.PI * (rng.uniform() - 0.5);
        row[0] = Math.sin(t);
        row[1] = 2 * rng.uniform();
        row[2] = Math.sign(t) * (Math.cos(t) - 1);
      }),
  },
  {
    id: "spiral-1d",
    hein: "M13b_Spiral",
    dim: 1,
    native: 13,
    description: "Spiral (100 cos t, 100 sin t, t, 0, …, 0) in R^13, t ~ U[0, 10π).",
    sample: (rng, n) =>
      fill(n, 13, (row) => {
        const t = 10 * Math.PI * rng.uniform();
        row[0] = 100 * Math.cos(t);
        row[1] = 100 * Math.sin(t);
        row[2] = t;
      }),
  },
];
