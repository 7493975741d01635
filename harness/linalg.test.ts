import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  columnMeans,
  covariance,
  eigenvalueModuli,
  eigenvalues,
  matMul,
  orthonormalizeColumns,
  symmetricDecorrelation,
  symmetricEigen,
  transpose,
} from "./linalg.ts";
import { Rng } from "./rng.ts";

function randomSymmetric(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

/** max |V Vᵀ − I| and max |Vᵀ Λ V − A| for the decomposition of A. */
function errors(a: Float64Array, n: number) {
  const { values, vectors } = symmetricEigen(a, n);
  const vvt = matMul(vectors, transpose(vectors, n, n), n, n, n);
  for (let i = 0; i < n; i++) vvt[i * n + i] = (vvt[i * n + i] as number) - 1;
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled[i * n + j] = (values[i] as number) * (vectors[i * n + j] as number);
  const recon = matMul(transpose(vectors, n, n), scaled, n, n, n);
  for (let i = 0; i < n * n; i++) recon[i] = (recon[i] as number) - (a[i] as number);
  return { values, vectors, orth: maxAbs(vvt), recon: maxAbs(recon) / Math.max(1, maxAbs(a)) };
}

describe("symmetricEigen", () => {
  it("solves a known 2×2 and 3×3 decomposition", () => {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1 with eigenvectors (1, 1)/√2 and (1, −1)/√2.
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0] as number)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0]).toBeCloseTo(vectors[1] as number, 12);
    expect(vectors[2]).toBeCloseTo(-(vectors[3] as number), 12);
    // A diagonal matrix: eigenvalues are the diagonal, sorted, eigenvectors the unit axes (sign +).
    const diag = symmetricEigen([1, 0, 0, 0, 5, 0, 0, 0, -2], 3);
    expect(Array.from(diag.values)).toEqual([5, 1, -2]);
    expect(Array.from(diag.vectors)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
  });

  it("reproduces a matrix built from chosen eigenpairs", () => {
    // A = Qᵀ diag(λ) Q with Q a rotation in the (0, 1) plane and λ = 4, 2, 1, 0.5.
    const t = 0.3;
    const q = [Math.cos(t), Math.sin(t), 0, 0, -Math.sin(t), Math.cos(t), 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const lambda = [4, 2, 1, 0.5];
    const scaled = q.map((v, i) => v * (lambda[Math.floor(i / 4)] as number));
    const a = matMul(transpose(q, 4, 4), scaled, 4, 4, 4);
    const { values, vectors } = symmetricEigen(a, 4);
    for (let i = 0; i < 4; i++) expect(values[i]).toBeCloseTo(lambda[i] as number, 12);
    for (let i = 0; i < 4; i++) {
      let dot = 0;
      for (let j = 0; j < 4; j++) dot += (vectors[i * 4 + j] as number) * (q[i * 4 + j] as number);
      expect(Math.abs(dot)).toBeCloseTo(1, 12);
    }
  });

  it("is accurate on random matrices of several sizes", () => {
    const rng = new Rng(7);
    for (const n of [1, 3, 10, 64, 200]) {
      const a = randomSymmetric(rng, n);
      const { values, orth, recon } = errors(a, n);
      expect(orth).toBeLessThan(1e-12 * Math.max(10, n));
      expect(recon).toBeLessThan(1e-12 * Math.max(10, n));
      for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1] as number);
      // The trace is the sum of the eigenvalues.
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i] as number;
      expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
    }
  });

  it("handles repeated eigenvalues and rank deficiency", () => {
    // Projection onto a 2-D subspace of R^5: eigenvalues 1, 1, 0, 0, 0.
    const u = [1, 2, 0, -1, 1];
    const v = [0, 1, 1, 1, -1];
    const n = 5;
    const a = new Float64Array(n * n);
    // Gram–Schmidt the two vectors then sum their outer products.
    const nu = Math.hypot(...u);
    const e1 = u.map((x) => x / nu);
    const proj = v.reduce((s, x, i) => s + x * (e1[i] as number), 0);
    const w = v.map((x, i) => x - proj * (e1[i] as number));
    const nw = Math.hypot(...w);
    const e2 = w.map((x) => x / nw);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] = (e1[i] as number) * (e1[j] as number) + (e2[i] as number) * (e2[j] as number);
    const { values, orth, recon } = errors(a, n);
    expect(values[0]).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    for (let i = 2; i < n; i++) expect(Math.abs(values[i] as number)).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-12);
    expect(recon).toBeLessThan(1e-12);
  });

  it("decomposes a 512×512 matrix accurately in well under a few seconds", () => {
    const n = 512;
    const a = randomSymmetric(new Rng(3), n);
    const t0 = performance.now();
    const { values, vectors } = symmetricEigen(a, n);
    expect(performance.now() - t0).toBeLessThan(10_000);
    // Residuals ‖A v − λ v‖ and orthogonality on a spread of eigenpairs (a full check is O(n³) again).
    const picks = [0, 1, 2, 100, 255, 256, 400, 510, 511];
    for (const i of picks) {
      const v = vectors.subarray(i * n, i * n + n);
      const av = matMul(a, v, n, n, 1);
      let residual = 0;
      for (let r = 0; r < n; r++) residual = Math.max(residual, Math.abs((av[r] as number) - (values[i] as number) * (v[r] as number)));
      expect(residual, `eigenpair ${i}`).toBeLessThan(1e-11 * Math.abs(values[0] as number));
      for (const j of picks) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += (v[r] as number) * (vectors[j * n + r] as number);
        expect(Math.abs(dot - (i === j ? 1 : 0)), `v${i}·v${j}`).toBeLessThan(1e-12 * n);
      }
    }
  });
});

describe("covariance", () => {
  it("matches the definition on a small example", () => {
    // Rows (1, 2), (3, 6), (5, 10): mean (3, 6), second column = 2 × first.
    const x = [1, 2, 3, 6, 5, 10];
    expect(Array.from(columnMeans(x, 3, 2))).toEqual([3, 6]);
    const cov = covariance(x, 3, 2);
    const v = 8 / 3;
    expect(Array.from(cov).map((c) => Number(c.toFixed(12)))).toEqual([v, 2 * v, 2 * v, 4 * v].map((c) => Number(c.toFixed(12))));
  });

  it("recovers a planted covariance from samples", () => {
    // x = L z with z standard normal: covariance L Lᵀ.
    const rng = new Rng(11);
    const d = 3;
    const l = [2, 0, 0, 1, 1, 0, -0.5, 0.3, 0.2];
    const n = 200_000;
    const x = new Float32Array(n * d);
    for (let s = 0; s < n; s++) {
      const z = [rng.normal(), rng.normal(), rng.normal()];
      for (let i = 0; i < d; i++)
        x[s * d + i] =
          1 +
          (l[i * d] as number) * (z[0] as number) +
          (l[i * d + 1] as number) * (z[1] as number) +
          (l[i * d + 2] as number) * (z[2] as number);
    }
    const want = matMul(l, transpose(l, d, d), d, d, d);
    const got = covariance(x, n, d);
    for (let i = 0; i < d * d; i++) expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThan(0.03);
  });
});

describe("symmetricDecorrelation", () => {
  it("returns an orthogonal matrix with the same row space ordering", () => {
    const rng = new Rng(5);
    const m = 8;
    const w = new Float64Array(m * m).map(() => rng.normal());
    const out = symmetricDecorrelation(w, m);
    const g = matMul(out, transpose(out, m, m), m, m, m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) expect(g[i * m + j]).toBeCloseTo(i === j ? 1 : 0, 10);
    // An orthogonal input is a fixed point.
    const again = symmetricDecorrelation(out, m);
    for (let i = 0; i < m * m; i++) expect(again[i]).toBeCloseTo(out[i] as number, 10);
  });
});

describe("eigenvalues (general real matrices: Hessenberg + Francis double-shift QR)", () => {
  /** Eigenvalues as [re, im] pairs sorted by real part (rounded), then imaginary part: the fixture's order. */
  const sorted = (a: ArrayLike<number>, n: number) => {
    const { re, im } = eigenvalues(a, n);
    return Array.from(re, (r, i) => [r, im[i] as number] as [number, number]).sort(
      (p, q) => Math.round(p[0] * 1e9) - Math.round(q[0] * 1e9) || p[1] - q[1],
    );
  };

  it("gives a rotation's pair e^{±iφ}, a triangular matrix's diagonal and a 1×1 matrix's entry", () => {
    const phi = 0.7;
    const rotation = sorted([Math.cos(phi), -Math.sin(phi), Math.sin(phi), Math.cos(phi)], 2);
    expect(rotation[0]?.[0]).toBeCloseTo(Math.cos(phi), 12);
    expect(rotation.map((v) => v[1])).toEqual([expect.closeTo(-Math.sin(phi), 12), expect.closeTo(Math.sin(phi), 12)]);
    const triangular = sorted([3, 1, 4, 0, -2, 5, 0, 0, 0.5], 3);
    expect(triangular.map((v) => v[0])).toEqual([expect.closeTo(-2, 12), expect.closeTo(0.5, 12), expect.closeTo(3, 12)]);
    expect(triangular.every((v) => v[1] === 0)).toBe(true);
    expect(sorted([4.25], 1)).toEqual([[4.25, 0]]);
  });

  it("finds the roots of polynomials from their companion matrices (real, repeated-free, complex)", () => {
    // Companion matrix of p(x) = xⁿ + c₁xⁿ⁻¹ + … + cₙ: first row −c, ones on the sub-diagonal.
    const companion = (roots: [number, number][]) => {
      let coeffs: [number, number][] = [[1, 0]];
      for (const [rr, ri] of roots) {
        const next: [number, number][] = [...coeffs.map((c) => [c[0], c[1]] as [number, number]), [0, 0]];
        coeffs.forEach(([cr, ci], k) => {
          const target = next[k + 1] as [number, number];
          target[0] -= cr * rr - ci * ri;
          target[1] -= cr * ri + ci * rr;
        });
        coeffs = next;
      }
      const n = roots.length;
      const m = new Float64Array(n * n);
      for (let j = 0; j < n; j++) m[j] = -(coeffs[j + 1] as [number, number])[0];
      for (let i = 1; i < n; i++) m[i * n + i - 1] = 1;
      return m;
    };
    const roots: [number, number][] = [
      [-3, 0],
      [-1, 2],
      [-1, -2],
      [0.5, 0],
      [2, 0.25],
      [2, -0.25],
      [4, 0],
    ];
    const found = sorted(companion(roots), roots.length);
    const expected = [...roots].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    found.forEach(([r, i], k) => {
      expect(r).toBeCloseTo((expected[k] as [number, number])[0], 8);
      expect(i).toBeCloseTo((expected[k] as [number, number])[1], 8);
    });
  });

  it("keeps the trace and the determinant of random matrices (Σλ = tr A, Πλ = det A) and conjugate pairs", () => {
    const rng = new Rng(7);
    for (const n of [3, 10, 33, 64]) {
      const a = Float64Array.from({ length: n * n }, () => rng.normal());
      const { re, im } = eigenvalues(a, n);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i] as number;
      expect(re.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 8);
      expect(im.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 8);
      // det A by LU with partial pivoting, as log |det| and sign, against Σ log|λ| and the product's sign.
      const lu = Float64Array.from(a);
      let logDet = 0;
      let sign = 1;
      for (let c = 0; c < n; c++) {
        let p = c;
        for (let r = c + 1; r < n; r++) if (Math.abs(lu[r * n + c] as number) > Math.abs(lu[p * n + c] as number)) p = r;
        if (p !== c) {
          sign = -sign;
          for (let k = 0; k < n; k++) [lu[c * n + k], lu[p * n + k]] = [lu[p * n + k] as number, lu[c * n + k] as number];
        }
        const pivot = lu[c * n + c] as number;
        logDet += Math.log(Math.abs(pivot));
        if (pivot < 0) sign = -sign;
        for (let r = c + 1; r < n; r++) {
          const f = (lu[r * n + c] as number) / pivot;
          for (let k = c; k < n; k++) lu[r * n + k] = (lu[r * n + k] as number) - f * (lu[c * n + k] as number);
        }
      }
      const moduli = eigenvalueModuli(a, n);
      expect(moduli.reduce((s, m) => s + Math.log(m), 0)).toBeCloseTo(logDet, 7);
      // Complex eigenvalues come in conjugate pairs, so the product's sign is that of the real ones.
      const realSign = Array.from(re).reduce((s, r, i) => (im[i] === 0 && r < 0 ? -s : s), 1);
      expect(realSign).toBe(sign);
      for (let i = 0; i < n; i++) if ((im[i] as number) > 0) expect(im[i + 1]).toBeCloseTo(-(im[i] as number), 12);
    }
  });

  it("matches numpy.linalg.eigvals (LAPACK dgeev) on seeded random matrices to 1e-9", () => {
    const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, "eigenvalues.numpy.json"), "utf8")) as {
      origin: string;
      cases: { n: number; a: number[]; re: number[]; im: number[] }[];
    };
    expect(fixture.origin).toContain("numpy.linalg.eigvals");
    expect(fixture.cases.map((c) => c.n)).toEqual([5, 12, 24]);
    for (const c of fixture.cases) {
      const found = sorted(c.a, c.n);
      found.forEach(([r, i], k) => {
        expect(Math.abs(r - (c.re[k] as number))).toBeLessThan(1e-9);
        expect(Math.abs(i - (c.im[k] as number))).toBeLessThan(1e-9);
      });
    }
  });
});

describe("orthonormalizeColumns", () => {
  it("returns the Q of A = QR (orthonormal columns, R upper triangular with a positive diagonal); a dependent column becomes zeros", () => {
    const rng = new Rng(8);
    const r = 7;
    const c = 4;
    const a = Float64Array.from({ length: r * c }, () => rng.normal());
    // Column 2 = column 0 − 2·column 1: dependent.
    for (let i = 0; i < r; i++) a[i * c + 2] = (a[i * c] as number) - 2 * (a[i * c + 1] as number);
    const q = Float64Array.from(a);
    expect(orthonormalizeColumns(q, r, c)).toBe(3);
    const qtq = matMul(transpose(q, r, c), q, c, r, c);
    const qta = matMul(transpose(q, r, c), a, c, r, c);
    for (let i = 0; i < c; i++)
      for (let j = 0; j < c; j++) {
        const live = i !== 2 && j !== 2;
        expect(qtq[i * c + j]).toBeCloseTo(live && i === j ? 1 : 0, 12);
        // R = QᵀA: zero below the diagonal, positive on it (except the dependent column's row).
        if (i > j) expect(qta[i * c + j]).toBeCloseTo(0, 12);
        if (i === j && live) expect(qta[i * c + j]).toBeGreaterThan(0);
      }
    // The independent columns are reproduced: A = Q (QᵀA) column by column.
    const back = matMul(q, qta, r, c, c);
    back.forEach((v, i) => {
      expect(v).toBeCloseTo(a[i] as number, 12);
    });
  });
});
