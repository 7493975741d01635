// Baseline: SVCCA (Raghu, Gilmer, Yosinski & Sohl-Dickstein 2017): reduce every part to the top singular
// directions that explain 99% of its variance, then canonical correlation analysis between the reduced parts;
// similarity = mean canonical correlation.
import { symmetricEigen } from "../../harness/linalg.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { centreColumns } from "../../tasks/layer-correspondence/parts.ts";
import { crossProduct } from "../shared/cka.ts";
import { similarityMatrix } from "../shared/similarity.ts";

/** Fraction of variance the SVD step keeps (Raghu et al. 2017 keep 99%). */
export const VARIANCE_KEPT = 0.99;

/** An orthonormal basis (n×k, row-major) of the top singular directions of a centred part. */
export interface ReducedPart {
  n: number;
  d: number;
  data: Float64Array;
}

export function reduce(x: NdArray, keep = VARIANCE_KEPT): ReducedPart {
  const c = centreColumns(x);
  const { n, d, data } = c;
  const { values, vectors } = symmetricEigen(crossProduct(c, c), d);
  let total = 0;
  for (let i = 0; i < d; i++) total += Math.max(0, values[i] as number);
  let k = 0;
  let acc = 0;
  while (k < d && (values[k] as number) > 0 && (k === 0 || acc < keep * total)) {
    acc += values[k] as number;
    k++;
  }
  k = Math.max(1, k);
  // U = X V_k Λ_k^(-1/2): the left singular vectors, orthonormal columns.
  const u = new Float64Array(n * k);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < k; j++) {
      let v = 0;
      for (let p = 0; p < d; p++) v += (data[s * d + p] as number) * (vectors[j * d + p] as number);
      const lambda = values[j] as number;
      u[s * k + j] = lambda > 0 ? v / Math.sqrt(lambda) : 0;
    }
  }
  return { n, d: k, data: u };
}

/** Canonical correlations of two reduced parts: singular values of U_xᵀ U_y, in [0, 1]. */
export function canonicalCorrelations(x: ReducedPart, y: ReducedPart): Float64Array {
  const kx = x.d;
  const ky = y.d;
  const m = crossProduct(x, y); // kx×ky
  // Singular values² = eigenvalues of the smaller of M Mᵀ and Mᵀ M.
  const small = Math.min(kx, ky);
  const g = new Float64Array(small * small);
  if (kx <= ky) {
    for (let i = 0; i < kx; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let q = 0; q < ky; q++) s += (m[i * ky + q] as number) * (m[j * ky + q] as number);
        g[i * kx + j] = s;
        g[j * kx + i] = s;
      }
  } else {
    for (let i = 0; i < ky; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let p = 0; p < kx; p++) s += (m[p * ky + i] as number) * (m[p * ky + j] as number);
        g[i * ky + j] = s;
        g[j * ky + i] = s;
      }
  }
  const { values } = symmetricEigen(g, small);
  return values.map((v) => Math.min(1, Math.sqrt(Math.max(0, v))));
}

export function meanCanonicalCorrelation(x: ReducedPart, y: ReducedPart): number {
  const rho = canonicalCorrelations(x, y);
  let s = 0;
  for (const r of rho) s += r;
  return s / rho.length;
}

export const svcca: MethodDefinition = {
  id: "svcca",
  version: "1.0.2",
  name: "SVCCA",
  kind: "baseline",
  description:
    "SVD of each centred part down to the directions explaining 99% of its variance, then CCA between reduced parts; similarity = mean canonical correlation.",
  url: "https://arxiv.org/abs/1706.05806",
  tasks: ["layer-correspondence"],
  async run(ctx) {
    const similarity = similarityMatrix(ctx.inputs, ctx.params, (x) => reduce(x), meanCanonicalCorrelation);
    return { similarity };
  },
};
