// The Kalman filter + RTS smoother against the dense joint Gaussian (two independent algorithms), and EM's two
// promises: the likelihood never decreases, and the dynamics of a simulated system are recovered.
import { describe, expect, it } from "vitest";
import { eigenvalues, matMul, solveGeneral, symmetricEigen, transpose } from "../../harness/linalg.ts";
import { Rng } from "../../harness/rng.ts";
import { fitLdsEm, kalmanSmooth, type LinearGaussianModel } from "./lds.ts";

const gaussian = (rng: Rng, length: number, scale = 1) => Float64Array.from({ length }, () => scale * rng.normal());
/** M Mᵀ / d + floor·I: a random well-conditioned covariance. */
function randomCovariance(rng: Rng, d: number, floor: number): Float64Array {
  const m = gaussian(rng, d * d);
  return matMul(m, transpose(m, d, d), d, d, d).map((v, i) => v / d + (i % (d + 1) === 0 ? floor : 0));
}

/** A random two-dimensional model whose A has eigenvalues 0.9 e^{±0.3i}. */
function randomModel(rng: Rng, n: number): LinearGaussianModel {
  const d = 2;
  const angle = 0.3;
  // A rotation shrunk to |λ| = 0.9, seen in a non-orthogonal basis so that A is not normal.
  const a = Float64Array.of(0.9 * Math.cos(angle), -0.9 * Math.sin(angle), 0.9 * Math.sin(angle), 0.9 * Math.cos(angle));
  const basis = Float64Array.of(1, 0.4, -0.3, 1.2);
  const basisInv = denseInverse(basis, d);
  return {
    d,
    n,
    a: matMul(matMul(basis, a, d, d, d), basisInv, d, d, d),
    c: gaussian(rng, d, 0.5),
    q: randomCovariance(rng, d, 0.05),
    loading: gaussian(rng, n * d),
    bias: gaussian(rng, n),
    r: Float64Array.from({ length: n }, () => 0.2 + rng.uniform()),
    mu0: gaussian(rng, d),
    v0: randomCovariance(rng, d, 0.5),
  };
}

/** y = C x + b + noise from the model's own generative process, [K·T, n]. */
function simulate(model: LinearGaussianModel, rng: Rng, trials: number, bins: number): Float64Array {
  const { d, n } = model;
  const squareRoot = (m: Float64Array) => {
    const { values, vectors } = symmetricEigen(m, d);
    // A symmetric square root: Σ^(1/2) = Eᵀ diag(√λ) E.
    return Float64Array.from({ length: d * d }, (_, k) => {
      const [i, j] = [Math.floor(k / d), k % d];
      let s = 0;
      for (let e = 0; e < d; e++) s += Math.sqrt(values[e] as number) * (vectors[e * d + i] as number) * (vectors[e * d + j] as number);
      return s;
    });
  };
  const qRoot = squareRoot(model.q);
  const v0Root = squareRoot(model.v0);
  const y = new Float64Array(trials * bins * n);
  for (let tr = 0; tr < trials; tr++) {
    const noise0 = gaussian(rng, d);
    let x = Float64Array.from({ length: d }, (_, i) => {
      let s = model.mu0[i] as number;
      for (let k = 0; k < d; k++) s += (v0Root[i * d + k] as number) * (noise0[k] as number);
      return s;
    });
    for (let t = 0; t < bins; t++) {
      for (let i = 0; i < n; i++) {
        let s = (model.bias[i] as number) + Math.sqrt(model.r[i] as number) * rng.normal();
        for (let k = 0; k < d; k++) s += (model.loading[i * d + k] as number) * (x[k] as number);
        y[(tr * bins + t) * n + i] = s;
      }
      const w = gaussian(rng, d);
      const current = x;
      x = Float64Array.from({ length: d }, (_, i) => {
        let s = model.c[i] as number;
        for (let k = 0; k < d; k++)
          s += (model.a[i * d + k] as number) * (current[k] as number) + (qRoot[i * d + k] as number) * (w[k] as number);
        return s;
      });
    }
  }
  return y;
}

/** Inverse of a general matrix column by column with the harness's Gaussian elimination. */
function denseInverse(m: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let col = 0; col < size; col++) {
    const e = new Float64Array(size);
    e[col] = 1;
    const x = solveGeneral(m, e, size) as Float64Array;
    for (let row = 0; row < size; row++) out[row * size + col] = x[row] as number;
  }
  return out;
}

describe("linear Gaussian state-space model (methods/shared/lds.ts)", () => {
  it("the RTS smoother's posterior equals the dense joint Gaussian's, and the filter's likelihood the dense marginal's", () => {
    const rng = new Rng(11);
    const [d, n, bins, trials] = [2, 3, 6, 2];
    const model = randomModel(rng, n);
    const y = gaussian(rng, trials * bins * n, 2);
    const posterior = kalmanSmooth(model, y, trials, bins);
    const size = bins * d;
    const qInv = denseInverse(model.q, d);
    const aT = transpose(model.a, d, d);
    const atQinv = matMul(aT, qInv, d, d, d);
    const atQinvA = matMul(atQinv, model.a, d, d, d);
    const ctRinvC = Float64Array.from({ length: d * d }, (_, k) => {
      let s = 0;
      for (let i = 0; i < n; i++)
        s += ((model.loading[i * d + Math.floor(k / d)] as number) * (model.loading[i * d + (k % d)] as number)) / (model.r[i] as number);
      return s;
    });
    // The block-tridiagonal precision of x_0..x_{T−1} given y: prior terms plus CᵀR⁻¹C on every diagonal block.
    const precision = new Float64Array(size * size);
    const addBlock = (bi: number, bj: number, block: ArrayLike<number>, sign = 1) => {
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++)
          precision[(bi * d + i) * size + bj * d + j] =
            (precision[(bi * d + i) * size + bj * d + j] as number) + sign * (block[i * d + j] as number);
    };
    addBlock(0, 0, denseInverse(model.v0, d));
    for (let t = 0; t < bins; t++) {
      addBlock(t, t, ctRinvC);
      if (t + 1 < bins) {
        addBlock(t, t, atQinvA);
        addBlock(t + 1, t + 1, qInv);
        addBlock(t + 1, t, matMul(qInv, model.a, d, d, d), -1);
        addBlock(t, t + 1, atQinv, -1);
      }
    }
    const covariance = denseInverse(precision, size);
    const v0InvMu = solveGeneral(model.v0, model.mu0, d) as Float64Array;
    const qInvC = matMul(qInv, model.c, d, d, 1);
    const atQinvC = matMul(atQinv, model.c, d, d, 1);
    for (let tr = 0; tr < trials; tr++) {
      const h = new Float64Array(size);
      for (let k = 0; k < d; k++) h[k] = v0InvMu[k] as number;
      for (let t = 0; t < bins; t++)
        for (let k = 0; k < d; k++) {
          let s = 0;
          for (let i = 0; i < n; i++)
            s +=
              ((model.loading[i * d + k] as number) * ((y[(tr * bins + t) * n + i] as number) - (model.bias[i] as number))) /
              (model.r[i] as number);
          if (t > 0) s += qInvC[k] as number;
          if (t + 1 < bins) s -= atQinvC[k] as number;
          h[t * d + k] = (h[t * d + k] as number) + s;
        }
      const mean = solveGeneral(precision, h, size) as Float64Array;
      for (let i = 0; i < size; i++) expect(posterior.means[tr * size + i] as number).toBeCloseTo(mean[i] as number, 8);
    }
    for (let t = 0; t < bins; t++)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          expect(posterior.covariances[t * d * d + i * d + j] as number).toBeCloseTo(
            covariance[(t * d + i) * size + t * d + j] as number,
            8,
          );
          if (t + 1 < bins)
            expect(posterior.crossCovariances[t * d * d + i * d + j] as number).toBeCloseTo(
              covariance[((t + 1) * d + i) * size + t * d + j] as number,
              8,
            );
        }

    // log p(y): the prior moments of the stacked states by their recursion, y's by the loading, one dense Gaussian.
    const priorMean = new Float64Array(size);
    const priorCov = new Float64Array(size * size);
    const blocks: Float64Array[] = [];
    for (let t = 0; t < bins; t++) {
      const m =
        t === 0 ? model.mu0 : matMul(model.a, priorMean.subarray((t - 1) * d, t * d), d, d, 1).map((v, i) => v + (model.c[i] as number));
      priorMean.set(m, t * d);
      blocks.push(
        t === 0
          ? Float64Array.from(model.v0)
          : matMul(matMul(model.a, blocks[t - 1] as Float64Array, d, d, d), aT, d, d, d).map((v, i) => v + (model.q[i] as number)),
      );
      // Cov(x_t, x_s) = A^(t−s) V_s for s ≤ t.
      for (let s = 0; s <= t; s++) {
        const cross = matMul(powerOf(model.a, d, t - s), blocks[s] as Float64Array, d, d, d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) {
            priorCov[(t * d + i) * size + s * d + j] = cross[i * d + j] as number;
            priorCov[(s * d + j) * size + t * d + i] = cross[i * d + j] as number;
          }
      }
    }
    const ny = bins * n;
    const g = new Float64Array(ny * size);
    for (let t = 0; t < bins; t++)
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) g[(t * n + i) * size + t * d + k] = model.loading[i * d + k] as number;
    const yCov = matMul(matMul(g, priorCov, ny, size, size), transpose(g, ny, size), ny, size, ny).map((v, k) =>
      Math.floor(k / ny) === k % ny ? v + (model.r[(k % ny) % n] as number) : v,
    );
    const yMean = matMul(g, priorMean, ny, size, 1).map((v, k) => v + (model.bias[k % n] as number));
    const logDet = symmetricEigen(yCov, ny).values.reduce((s, v) => s + Math.log(v), 0);
    let logLikelihood = 0;
    for (let tr = 0; tr < trials; tr++) {
      const residual = Float64Array.from({ length: ny }, (_, k) => (y[tr * ny + k] as number) - (yMean[k] as number));
      const solved = solveGeneral(yCov, residual, ny) as Float64Array;
      const quad = residual.reduce((s, v, k) => s + v * (solved[k] as number), 0);
      logLikelihood += -0.5 * (ny * Math.log(2 * Math.PI) + logDet + quad);
    }
    expect(posterior.logLikelihood).toBeCloseTo(logLikelihood, 8);
  });

  it("EM never lowers the likelihood and recovers the eigenvalues of a simulated system's dynamics", () => {
    const rng = new Rng(5);
    const [d, n, bins, trials] = [2, 10, 50, 20];
    const truth = randomModel(rng, n);
    const y = simulate(truth, rng, trials, bins);
    // A start that knows nothing of the dynamics: A = ½ I, no offset, a random loading.
    const start: LinearGaussianModel = {
      ...truth,
      a: Float64Array.of(0.5, 0, 0, 0.5),
      c: new Float64Array(d),
      q: Float64Array.of(1, 0, 0, 1),
      loading: gaussian(rng, n * d),
      bias: new Float64Array(n),
      r: new Float64Array(n).fill(1),
      mu0: new Float64Array(d),
      v0: Float64Array.of(1, 0, 0, 1),
    };
    const fit = fitLdsEm(start, y, trials, bins, { iterations: 30, varianceFloor: 1e-6 });
    const ll = fit.logLikelihoods;
    expect(ll.length).toBe(31);
    for (let i = 1; i < ll.length; i++)
      expect(ll[i] as number).toBeGreaterThanOrEqual((ll[i - 1] as number) - 1e-9 * Math.abs(ll[i - 1] as number));
    expect((ll[30] as number) - (ll[0] as number)).toBeGreaterThan(100);
    // Eigenvalues are invariant to the latent coordinates EM settles in: 0.9 e^{±0.3i} (fitted: 0.891 e^{±0.321i}).
    const { re, im } = eigenvalues(fit.model.a, d);
    for (let k = 0; k < d; k++) {
      expect(Math.hypot(re[k] as number, im[k] as number)).toBeCloseTo(0.9, 1);
      expect(Math.abs(Math.atan2(im[k] as number, re[k] as number))).toBeCloseTo(0.3, 1);
    }
  });
});

/** A^k of a d×d matrix by repeated products. */
function powerOf(a: Float64Array, d: number, k: number): Float64Array {
  let out: Float64Array = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0));
  for (let i = 0; i < k; i++) out = matMul(a, out, d, d, d);
  return out;
}
