// Point-cloud PCA heuristic: each manifold's radius and dimension from the spectrum of its points about their centre
// (RMS radius relative to the centre norm; participation ratio), plugged into the capacity of a ball of that radius and
// dimension (Chung, Lee & Sompolinsky 2016). No optimisation at all: what PCA alone says about separability.
import { symmetricEigen } from "../../harness/linalg.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { centredManifolds } from "../../tasks/manifold-capacity/manifolds.ts";
import { ballCapacity } from "../../tasks/manifold-capacity/theory.ts";

/** RMS radius and participation-ratio dimension of M residual rows of length N (Gram trick: M × M, M ≪ N). */
export function residualGeometry(residuals: Float64Array, M: number, N: number): { radius: number; dimension: number } {
  const gram = new Float64Array(M * M);
  for (let a = 0; a < M; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += (residuals[a * N + j] as number) * (residuals[b * N + j] as number);
      gram[a * M + b] = s / M;
      gram[b * M + a] = s / M;
    }
  const { values } = symmetricEigen(gram, M);
  let sum = 0;
  let sq = 0;
  for (const v of values) {
    const l = Math.max(0, v);
    sum += l;
    sq += l * l;
  }
  return { radius: Math.sqrt(sum), dimension: sq > 0 ? (sum * sum) / sq : 0 };
}

export const capacityPca: MethodDefinition = {
  id: "capacity-pca",
  version: "1.0.1",
  name: "PCA ball heuristic",
  kind: "baseline",
  description:
    "Per manifold, the RMS radius of its points about the centre (in units of the centre norm) and their participation ratio, plugged into the mean-field capacity of a ball of that radius and dimension (Chung et al. 2016); α̂⁻¹ averaged over manifolds.",
  url: "https://doi.org/10.1103/PhysRevE.93.060301",
  tasks: ["manifold-capacity"],
  async run(ctx) {
    const manifolds = ctx.inputs.manifolds;
    if (!manifolds) throw new Error("capacity-pca needs the input 'manifolds'");
    const { M, N, list } = centredManifolds(manifolds);
    let inv = 0;
    let r2 = 0;
    let d = 0;
    for (const m of list) {
      const g = residualGeometry(m.residuals, M, N);
      inv += 1 / ballCapacity(g.radius, Math.max(g.dimension, 1e-6));
      r2 += g.radius ** 2;
      d += g.dimension;
    }
    const P = list.length;
    return { result: { capacity: P / inv, radius: Math.sqrt(r2 / P), dimension: d / P } };
  },
};
