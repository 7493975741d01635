// Ground-truth generator of T4 (`neural-manifolds`, and reusable for artificial datasets): a latent variable
// on a space of known topology, encoded by a population of tuning curves with Poisson spike counts, in the
// style of Kang, Xu & Morozov (2021) and Gardner et al. (2022).
import { f32, i32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";

export const LATENT_SPACES = ["point", "interval", "circle", "two-circles", "figure-eight", "sphere", "torus"] as const;
export type LatentSpace = (typeof LATENT_SPACES)[number];

/** Betti numbers [b0, b1, b2] of each latent space. */
export const BETTI: Record<LatentSpace, [number, number, number]> = {
  point: [1, 0, 0],
  interval: [1, 0, 0],
  circle: [1, 1, 0],
  "two-circles": [2, 2, 0],
  "figure-eight": [1, 2, 0],
  sphere: [1, 0, 1],
  torus: [1, 2, 1],
};

export interface PopulationOptions {
  neurons: number;
  samples: number;
  /** Expected count at the peak of a tuning curve (per sample = time bin). */
  peakCount: number;
  /** Expected count away from the tuning field. */
  baselineCount: number;
}

/**
 * Tuning curves (all in [0, 1]; rate = baseline + peak · f):
 * - point: every sample has the same latent state; f_j is a fixed random level per neuron.
 * - interval: s ∈ [0, 1]; Gaussian fields (σ = 0.12) centred on U[−0.1, 1.1].
 * - circle: θ ∈ S¹; von Mises f = exp(κ (cos(θ − φ_j) − 1)), κ ~ U[2, 4] (head-direction cells).
 * - two-circles: a context c ∈ {0, 1} and θ ∈ S¹; every neuron remaps (global remapping): independent
 *   preferred angle, concentration and gain per context (gain 0 with probability 0.3, else U[0.5, 1]); contexts alternate.
 * - figure-eight: position on a figure-8 maze (a central stem and two return arms that meet it at both
 *   ends: a theta graph, homotopy equivalent to the wedge of two circles), read out by 2-D Gaussian place
 *   fields (σ = 0.5, broad against loops of radius 1) centred at random positions on the track.
 * - sphere: u ∈ S²; von Mises–Fisher f = exp(κ (μ_j·u − 1)), κ ~ U[2, 4].
 * - torus: (θ₁, θ₂) ∈ T²; product of von Mises, κ₁, κ₂ ~ U[1, 2] (grid-cell-like).
 * Latent samples are uniform on each space.
 */
export function encodeLatent(rng: Rng, space: LatentSpace, o: PopulationOptions): { activity: NdArray; rates: Float64Array } {
  const { neurons: N, samples: n } = o;
  const rates = new Float64Array(n * N);
  const put = (s: number, j: number, f: number) => {
    rates[s * N + j] = o.baselineCount + o.peakCount * f;
  };
  const vonMises = (x: number, mu: number, kappa: number) => Math.exp(kappa * (Math.cos(x - mu) - 1));
  const uniformArray = (len: number, lo: number, hi: number) => Float64Array.from({ length: len }, () => lo + (hi - lo) * rng.uniform());

  switch (space) {
    case "point": {
      const level = uniformArray(N, 0, 1);
      for (let s = 0; s < n; s++) for (let j = 0; j < N; j++) put(s, j, level[j] as number);
      break;
    }
    case "interval": {
      const centre = uniformArray(N, -0.1, 1.1);
      const sigma = 0.12;
      for (let s = 0; s < n; s++) {
        const x = rng.uniform();
        for (let j = 0; j < N; j++) put(s, j, Math.exp(-((x - (centre[j] as number)) ** 2) / (2 * sigma * sigma)));
      }
      break;
    }
    case "circle": {
      const phi = uniformArray(N, 0, 2 * Math.PI);
      const kappa = uniformArray(N, 2, 4);
      for (let s = 0; s < n; s++) {
        const theta = 2 * Math.PI * rng.uniform();
        for (let j = 0; j < N; j++) put(s, j, vonMises(theta, phi[j] as number, kappa[j] as number));
      }
      break;
    }
    case "two-circles": {
      const phi = [uniformArray(N, 0, 2 * Math.PI), uniformArray(N, 0, 2 * Math.PI)];
      const kappa = [uniformArray(N, 2, 4), uniformArray(N, 2, 4)];
      const gain = [0, 1].map(() => Float64Array.from({ length: N }, () => (rng.uniform() < 0.3 ? 0 : 0.5 + 0.5 * rng.uniform())));
      for (let s = 0; s < n; s++) {
        const c = s % 2;
        const theta = 2 * Math.PI * rng.uniform();
        const p = phi[c] as Float64Array;
        const k = kappa[c] as Float64Array;
        const g = gain[c] as Float64Array;
        for (let j = 0; j < N; j++) put(s, j, (g[j] as number) * vonMises(theta, p[j] as number, k[j] as number));
      }
      break;
    }
    case "figure-eight": {
      // Figure-8 maze: a central stem x = 0, y ∈ [−1, 1] and two return arms (±sin α, cos α), α ∈ [0, π],
      // joined at both ends (a theta graph, homotopy equivalent to the wedge of two circles). Positions are
      // uniform in track length; place fields (σ = 0.5) are centred at uniform track positions.
      const trackPoint = (u: number): [number, number] => {
        // u ∈ [0, 1) → stem (length 2), left arm (π), right arm (π).
        const total = 2 + 2 * Math.PI;
        const l = u * total;
        if (l < 2) return [0, l - 1];
        const a = l < 2 + Math.PI ? l - 2 : l - 2 - Math.PI;
        const side = l < 2 + Math.PI ? -1 : 1;
        return [side * Math.sin(a), Math.cos(a)];
      };
      const centres = Array.from({ length: N }, () => trackPoint(rng.uniform()));
      const sigma = 0.5;
      for (let s = 0; s < n; s++) {
        const [x, y] = trackPoint(rng.uniform());
        for (let j = 0; j < N; j++) {
          const [cx, cy] = centres[j] as [number, number];
          put(s, j, Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma)));
        }
      }
      break;
    }
    case "sphere": {
      const mu = Array.from({ length: N }, () => unitVector(rng, 3));
      const kappa = uniformArray(N, 2, 4);
      for (let s = 0; s < n; s++) {
        const u = unitVector(rng, 3);
        for (let j = 0; j < N; j++) {
          const m = mu[j] as number[];
          const dot = (m[0] as number) * (u[0] as number) + (m[1] as number) * (u[1] as number) + (m[2] as number) * (u[2] as number);
          put(s, j, Math.exp((kappa[j] as number) * (dot - 1)));
        }
      }
      break;
    }
    case "torus": {
      const phi1 = uniformArray(N, 0, 2 * Math.PI);
      const phi2 = uniformArray(N, 0, 2 * Math.PI);
      const k1 = uniformArray(N, 1, 2);
      const k2 = uniformArray(N, 1, 2);
      for (let s = 0; s < n; s++) {
        const a = 2 * Math.PI * rng.uniform();
        const b = 2 * Math.PI * rng.uniform();
        for (let j = 0; j < N; j++)
          put(s, j, vonMises(a, phi1[j] as number, k1[j] as number) * vonMises(b, phi2[j] as number, k2[j] as number));
      }
      break;
    }
  }
  const activity = f32([n, N]);
  for (let i = 0; i < rates.length; i++) activity.data[i] = rng.poisson(rates[i] as number);
  return { activity, rates };
}

function unitVector(rng: Rng, d: number): number[] {
  for (;;) {
    const v = Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...v);
    if (norm > 1e-9) return v.map((x) => x / norm);
  }
}

export function bettiTruth(space: LatentSpace): NdArray {
  return i32([3], BETTI[space]);
}
