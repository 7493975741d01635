// Baseline: orthogonal Procrustes similarity (Ding, Denain & Steinhardt 2021; Williams et al. 2021). Each part is
// centred and scaled to unit Frobenius norm; min over orthogonal Q of ‖X − YQ‖²_F = 2 − 2‖XᵀY‖_* (parts of
// different widths are zero-padded), so the similarity reported is the nuclear norm ‖XᵀY‖_* ∈ [0, 1], a
// monotone function of −distance.
import { symmetricEigen } from "../../harness/linalg.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { type CentredPart, centreColumns } from "../../tasks/layer-correspondence/parts.ts";
import { crossProduct } from "../shared/cka.ts";
import { similarityMatrix } from "../shared/similarity.ts";

export function normalizedPart(x: NdArray): CentredPart {
  const c = centreColumns(x);
  let ss = 0;
  for (let i = 0; i < c.data.length; i++) ss += (c.data[i] as number) ** 2;
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let i = 0; i < c.data.length; i++) c.data[i] = (c.data[i] as number) * inv;
  return c;
}

/** Nuclear norm of XᵀY (sum of singular values). */
export function nuclearNorm(x: CentredPart, y: CentredPart): number {
  const d = x.d;
  const e = y.d;
  const m = crossProduct(x, y); // d×e
  const small = Math.min(d, e);
  const g = new Float64Array(small * small);
  if (d <= e) {
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let q = 0; q < e; q++) s += (m[i * e + q] as number) * (m[j * e + q] as number);
        g[i * d + j] = s;
        g[j * d + i] = s;
      }
  } else {
    for (let i = 0; i < e; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let p = 0; p < d; p++) s += (m[p * e + i] as number) * (m[p * e + j] as number);
        g[i * e + j] = s;
        g[j * e + i] = s;
      }
  }
  const { values } = symmetricEigen(g, small);
  let total = 0;
  for (const v of values) total += Math.sqrt(Math.max(0, v));
  return total;
}

/** Procrustes distance between normalized parts: sqrt(2 − 2‖XᵀY‖_*). */
export function procrustesDistance(x: CentredPart, y: CentredPart): number {
  return Math.sqrt(Math.max(0, 2 - 2 * nuclearNorm(x, y)));
}

export const procrustes: MethodDefinition = {
  id: "procrustes",
  version: "1.0.2",
  name: "Orthogonal Procrustes",
  kind: "baseline",
  description:
    "Centre and scale each part to unit Frobenius norm; similarity = ‖XᵀY‖_* (nuclear norm), i.e. 1 − d²/2 for the orthogonal Procrustes distance d (narrower parts zero-padded).",
  url: "https://arxiv.org/abs/2108.01661",
  tasks: ["layer-correspondence"],
  async run(ctx) {
    const similarity = similarityMatrix(ctx.inputs, ctx.params, normalizedPart, nuclearNorm);
    return { similarity };
  },
};
