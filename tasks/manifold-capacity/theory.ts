// The mean-field theory of manifold capacity (Chung, Lee & Sompolinsky 2018, PRX 8, 031003): for P manifolds
// x = c^μ + Σ_i s_i u_i^μ (s in a shape S ⊂ R^D, centres and axes random with norm ≈ 1) in N dimensions, the largest
// P/N at which half of the random dichotomies are linearly separable tends, as N → ∞, to
//   α_M⁻¹ = ⟨ F(T) ⟩_T,  F(T) = min_V { ‖V − T‖² : V·s̃ ≥ 0 for every s̃ = (1, s), s ∈ S },  T ~ N(0, I_{D+1})
// (margin κ = 0). Heterogeneous manifolds average α_μ⁻¹. F is the squared distance from T to a polyhedral cone,
// i.e. by Moreau's decomposition ‖Σ λ_k s̃_k‖² with λ the NNLS solution of min_{λ ≥ 0} ‖T + Σ λ_k s̃_k‖².

import type { Rng } from "../../harness/rng.ts";
import { normalSf } from "../../harness/statistics.ts";
import { nnlsGram } from "./nnls.ts";

/** Per-manifold mean-field sums over samples T: Σ F and, of the anchor point, Σ radius² and Σ (t·ŝ)². */
export interface MeanFieldSums {
  samples: number;
  sumF: number;
  /** Control variate: G = t₀² [t₀ < 0], a point's F, whose mean ½ is known; Σ G, Σ G², Σ F·G. */
  sumG: number;
  sumGG: number;
  sumFG: number;
  sumRadius2: number;
  sumProjection2: number;
}

/**
 * Mean-field sums for one manifold given as m points s̃_k (rows of `points`, length k = D + 1, the centre coordinate
 * first and ≈ 1), over `samples` Gaussian T. Also the manifold anchor point of Chung et al. (2018):
 * s̃(T) = Σ λ_k s̃_k / Σ λ_k (a convex combination of the points), whose radius ‖s(T)‖ / s̃₀ and whose alignment with
 * t (the non-centre part of T) define the manifold radius R_M² = ⟨‖s‖²⟩ and dimension D_M = ⟨(t·ŝ)²⟩. Where F = 0
 * (T already separates the manifold) the anchor is the support point argmin_s t·s, as in Chung et al. (2018).
 */
export function meanFieldSums(points: Float64Array, m: number, k: number, rng: Rng, samples: number): MeanFieldSums {
  const gram = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += (points[i * k + c] as number) * (points[j * k + c] as number);
      gram[i * m + j] = s;
      gram[j * m + i] = s;
    }
  const columns = Array.from({ length: m }, (_, i) => gram.subarray(i * m, (i + 1) * m));
  const column = (i: number) => columns[i] as Float64Array;
  const t = new Float64Array(k);
  const atb = new Float64Array(m);
  const anchor = new Float64Array(k);
  const sums: MeanFieldSums = { samples, sumF: 0, sumG: 0, sumGG: 0, sumFG: 0, sumRadius2: 0, sumProjection2: 0 };
  for (let n = 0; n < samples; n++) {
    for (let c = 0; c < k; c++) t[c] = rng.normal();
    // min ‖T + Σλ s̃‖² is NNLS with A = −S̃ᵀ and b = T: Aᵀb = −S̃T.
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += (points[i * k + c] as number) * (t[c] as number);
      atb[i] = -s;
    }
    const lambda = nnlsGram(column, atb, m);
    anchor.fill(0);
    let total = 0;
    for (let i = 0; i < m; i++) {
      const l = lambda[i] as number;
      if (l === 0) continue;
      total += l;
      for (let c = 0; c < k; c++) anchor[c] = (anchor[c] as number) + l * (points[i * k + c] as number);
    }
    let f = 0;
    for (let c = 0; c < k; c++) f += (anchor[c] as number) ** 2;
    sums.sumF += f;
    const point = (t[0] as number) < 0 ? (t[0] as number) ** 2 : 0;
    sums.sumG += point;
    sums.sumGG += point * point;
    sums.sumFG += f * point;
    if (!(total > 0 && f > 0)) {
      // Interior regime (F = 0): the anchor is the support point, the point of the manifold that minimises t·s.
      let best = 0;
      let bestDot = Number.POSITIVE_INFINITY;
      for (let i = 0; i < m; i++) {
        let dot = 0;
        for (let c = 1; c < k; c++) dot += (t[c] as number) * (points[i * k + c] as number);
        dot /= points[i * k] as number;
        if (dot < bestDot) {
          bestDot = dot;
          best = i;
        }
      }
      for (let c = 0; c < k; c++) anchor[c] = points[best * k + c] as number;
      total = 1;
    }
    const centre = (anchor[0] as number) / total;
    let r2 = 0;
    let ts = 0;
    for (let c = 1; c < k; c++) {
      const s = (anchor[c] as number) / total / centre;
      r2 += s * s;
      ts += (t[c] as number) * s;
    }
    sums.sumRadius2 += r2;
    if (r2 > 0) sums.sumProjection2 += (ts * ts) / r2;
  }
  return sums;
}

/**
 * Capacity, radius and dimension from the per-manifold sums: α⁻¹ = mean over manifolds of ⟨F⟩, R_M and D_M averaged.
 * ⟨F⟩ uses the control variate G (a point's F, mean ½ exactly) with the regression coefficient pooled over manifolds:
 * near the point limit F ≈ G and the Monte Carlo error all but vanishes.
 */
export function combineMeanField(perManifold: readonly MeanFieldSums[]): { capacity: number; radius: number; dimension: number } {
  let n = 0;
  let sf = 0;
  let sg = 0;
  let sgg = 0;
  let sfg = 0;
  let inv = 0;
  let r2 = 0;
  let d = 0;
  for (const s of perManifold) {
    n += s.samples;
    sf += s.sumF;
    sg += s.sumG;
    sgg += s.sumGG;
    sfg += s.sumFG;
    r2 += s.sumRadius2 / s.samples;
    d += s.sumProjection2 / s.samples;
  }
  const varG = sgg / n - (sg / n) ** 2;
  const beta = varG > 0 ? (sfg / n - (sf / n) * (sg / n)) / varG : 0;
  for (const s of perManifold) inv += s.sumF / s.samples - beta * (s.sumG / s.samples - 0.5);
  const p = perManifold.length;
  return { capacity: p / inv, radius: Math.sqrt(r2 / p), dimension: d / p };
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const phi = (x: number) => INV_SQRT_2PI * Math.exp(-0.5 * x * x);
const Phi = (x: number) => 1 - normalSf(x);

/** ∫_a^b (c − x)² φ(x) dx in closed form (∫xφ = −φ, ∫x²φ = Φ − xφ). */
function squaredGaussianIntegral(c: number, a: number, b: number): number {
  const dPhi = Phi(b) - Phi(a);
  const pa = Number.isFinite(a) ? phi(a) : 0;
  const pb = Number.isFinite(b) ? phi(b) : 0;
  const apa = Number.isFinite(a) ? a * pa : 0;
  const bpb = Number.isFinite(b) ? b * pb : 0;
  return (c * c + 1) * dPhi - 2 * c * (pa - pb) + apa - bpb;
}

/** ln Γ(x) (Lanczos, g = 7): for the χ density. */
function logGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
    -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Capacity of D-dimensional L2 balls (or spheres: the same convex hull) of radius R relative to the centre norm, κ = 0
 * (Chung, Lee & Sompolinsky 2016, PRE 93, 060301): with t = ‖T_D‖ ~ χ_D and t₀ ~ N(0, 1),
 * F = 0 if t₀ ≥ R t, (R t − t₀)² / (1 + R²) if −t/R < t₀ < R t, t² + t₀² if t₀ ≤ −t/R.
 * The t₀ integral is closed-form; the t integral is Simpson's rule. R = 0 gives Cover's 2; R → ∞ gives 1/(D + ½).
 */
export function ballCapacity(radius: number, dimension: number): number {
  if (radius === 0) return 2;
  const R = radius;
  const D = dimension;
  const inner = (t: number) =>
    squaredGaussianIntegral(R * t, -t / R, R * t) / (1 + R * R) +
    t * t * Phi(-t / R) +
    squaredGaussianIntegral(0, Number.NEGATIVE_INFINITY, -t / R);
  const logNorm = (1 - D / 2) * Math.LN2 - logGamma(D / 2);
  const chi = (t: number) => (t <= 0 ? (D === 1 ? Math.exp(logNorm) : 0) : Math.exp(logNorm + (D - 1) * Math.log(t) - (t * t) / 2));
  const top = Math.sqrt(D) + 9;
  const steps = 300;
  const h = top / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const t = i * h;
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += w * chi(t) * inner(t);
  }
  return 1 / ((sum * h) / 3);
}
