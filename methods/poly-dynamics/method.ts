// Fixed-point search on a fitted nonlinear dynamics model (Sussillo & Barak 2013's procedure, on a polynomial model
// instead of an RNN): PCA latents of the smoothed √counts, z-scored; the increment z_{t+1} − z_t regressed on every
// monomial of z up to degree 3 (SINDy's library, Brunton et al. 2016); zeros of the fitted increment found by Newton
// from many data states, kept when the residual is tiny and the point lies within the data's range, deduplicated,
// and classed by the eigenvalues of the map's Jacobian. Held-out neurons: the Poisson readout of pca-lds.
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { solveSpd } from "../../tasks/latent-dynamics/metrics.ts";
import { type FixedPoint, fixedPointArray } from "../../tasks/latent-dynamics/task.ts";
import {
  eigenvalueModuli,
  heldoutRatesArray,
  pcaScores,
  poissonReadout,
  readDynamicsProblem,
  smoothedRoot,
  solveGeneral,
} from "../shared/dynamics.ts";

const SMOOTHING_BINS = 2;
const READOUT_RIDGE = 1;
/** Ridge of the polynomial regression, relative to the number of transitions. */
const DYNAMICS_RIDGE = 1e-3;
/** Newton starts: this many data states, evenly spaced through the trials. */
const STARTS = 120;
/** A zero counts when |F| is below this (z-scored units per bin)… */
const RESIDUAL = 1e-6;
/** …it lies within the data's range widened by this fraction of it on each side… */
const RANGE_MARGIN = 0.2;
/** …and it is no closer than this (z-scored units) to one already kept. */
const DEDUPLICATE = 0.1;

/** Exponents of every monomial of d variables up to `degree` (the constant first). */
export function monomials(d: number, degree: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[], left: number) => {
    if (prefix.length === d) {
      out.push(prefix);
      return;
    }
    for (let e = 0; e <= left; e++) walk([...prefix, e], left - e);
  };
  walk([], degree);
  return out.sort((a, b) => a.reduce((s, e) => s + e, 0) - b.reduce((s, e) => s + e, 0));
}

/** The largest degree (≤ 3) whose library has at most 40 terms, so that high latent dimensions stay cheap. */
export function libraryDegree(d: number): number {
  let degree = 3;
  while (degree > 1 && monomials(d, degree).length > 40) degree--;
  return degree;
}

function features(z: ArrayLike<number>, terms: readonly number[][], out: Float64Array): void {
  terms.forEach((t, k) => {
    let v = 1;
    for (let c = 0; c < t.length; c++) v *= (z[c] as number) ** (t[c] as number);
    out[k] = v;
  });
}

/** ∂φ_k/∂z_c of every term at z, [terms, d]. */
function featureJacobian(z: ArrayLike<number>, terms: readonly number[][], d: number): Float64Array {
  const out = new Float64Array(terms.length * d);
  terms.forEach((t, k) => {
    for (let c = 0; c < d; c++) {
      const e = t[c] as number;
      if (e === 0) continue;
      let v = e * (z[c] as number) ** (e - 1);
      for (let o = 0; o < d; o++) if (o !== c) v *= (z[o] as number) ** (t[o] as number);
      out[k * d + c] = v;
    }
  });
  return out;
}

export const polyDynamics: MethodDefinition = {
  id: "poly-dynamics",
  version: "1.0.1",
  name: "PCA + polynomial dynamics, fixed-point search",
  kind: "baseline",
  description:
    "PCA latents of smoothed √counts; the increment z_{t+1} − z_t fitted as a polynomial (degree ≤ 3) of z; its zeros found by Newton from 120 data states (residual < 1e-6, inside the data's range, deduplicated) and classed by the Jacobian's eigenvalues; held-out neurons by Poisson regression on the latents.",
  url: "https://doi.org/10.1162/NECO_a_00409",
  tasks: ["latent-dynamics"],
  async run(ctx) {
    const { dims, spikes, heldoutTrain } = readDynamicsProblem(ctx);
    const { trials, bins, heldIn, latentDim: d } = dims;
    const rows = trials * bins;
    const z = pcaScores(smoothedRoot(spikes, SMOOTHING_BINS), rows, heldIn, d);
    // z-score each latent: the library's monomials are then of comparable size.
    const sd = new Float64Array(d);
    for (let i = 0; i < rows; i++) for (let c = 0; c < d; c++) sd[c] = (sd[c] as number) + (z[i * d + c] as number) ** 2 / rows;
    for (let c = 0; c < d; c++) sd[c] = Math.sqrt(sd[c] as number) || 1;
    const zs = z.map((v, i) => v / (sd[i % d] as number));

    const terms = monomials(d, libraryDegree(d));
    const p = terms.length;
    const g = new Float64Array(p * p);
    const b = new Float64Array(p * d);
    const phi = new Float64Array(p);
    let pairs = 0;
    for (let tr = 0; tr < trials; tr++)
      for (let t = 0; t + 1 < bins; t++, pairs++) {
        const i = tr * bins + t;
        features(zs.subarray(i * d, (i + 1) * d), terms, phi);
        for (let a = 0; a < p; a++) {
          for (let c = 0; c < p; c++) g[a * p + c] = (g[a * p + c] as number) + (phi[a] as number) * (phi[c] as number);
          for (let c = 0; c < d; c++)
            b[a * d + c] = (b[a * d + c] as number) + (phi[a] as number) * ((zs[(i + 1) * d + c] as number) - (zs[i * d + c] as number));
        }
      }
    const theta = solveSpd(g, b, p, d, DYNAMICS_RIDGE * pairs);
    const increment = (x: ArrayLike<number>) => {
      features(x, terms, phi);
      return Float64Array.from({ length: d }, (_, c) => {
        let s = 0;
        for (let a = 0; a < p; a++) s += (phi[a] as number) * (theta[a * d + c] as number);
        return s;
      });
    };
    const jacobian = (x: ArrayLike<number>) => {
      const dphi = featureJacobian(x, terms, d);
      const jac = new Float64Array(d * d);
      for (let r = 0; r < d; r++)
        for (let c = 0; c < d; c++) {
          let s = 0;
          for (let a = 0; a < p; a++) s += (theta[a * d + r] as number) * (dphi[a * d + c] as number);
          jac[r * d + c] = s;
        }
      return jac;
    };

    const lo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < rows; i++)
      for (let c = 0; c < d; c++) {
        lo[c] = Math.min(lo[c] as number, zs[i * d + c] as number);
        hi[c] = Math.max(hi[c] as number, zs[i * d + c] as number);
      }
    const inside = (x: ArrayLike<number>) => {
      for (let c = 0; c < d; c++) {
        const margin = RANGE_MARGIN * ((hi[c] as number) - (lo[c] as number));
        if ((x[c] as number) < (lo[c] as number) - margin || (x[c] as number) > (hi[c] as number) + margin) return false;
      }
      return true;
    };
    const found: FixedPoint[] = [];
    for (let s = 0; s < STARTS; s++) {
      const start = Math.floor(((s + 0.5) * rows) / STARTS);
      const x = Float64Array.from(zs.subarray(start * d, (start + 1) * d));
      let converged = false;
      for (let iter = 0; iter < 50 && inside(x); iter++) {
        const f = increment(x);
        if (Math.hypot(...f) < RESIDUAL) {
          converged = true;
          break;
        }
        const step = solveGeneral(jacobian(x), f, d);
        if (!step) break;
        for (let c = 0; c < d; c++) x[c] = (x[c] as number) - (step[c] as number);
      }
      if (!converged || !inside(x)) continue;
      if (found.some((q) => Math.hypot(...q.location.map((v, c) => v / (sd[c] as number) - (x[c] as number))) < DEDUPLICATE)) continue;
      // Stability of the map z ↦ z + F(z): eigenvalues of I + J outside the unit circle are unstable directions.
      const map = jacobian(x).map((v, i) => v + (i % (d + 1) === 0 ? 1 : 0));
      found.push({
        location: x.map((v, c) => v * (sd[c] as number)),
        unstable: eigenvalueModuli(map, d).filter((m) => m > 1).length,
      });
    }
    const rates = poissonReadout(z, d, heldoutTrain.data, dims.heldOut, dims.trainTrials * bins, rows, READOUT_RIDGE);
    return {
      latents: f32([trials, bins, d], z),
      heldoutRates: heldoutRatesArray(rates, dims),
      fixedPoints: fixedPointArray(found, d),
    };
  },
};
