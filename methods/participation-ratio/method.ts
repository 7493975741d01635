// Baseline: participation ratio PR = (Σλ)² / Σλ² of the covariance eigenvalues (Gao et al. 2017;
// Litwin-Kumar et al. 2017): a continuous count of the dimensions that carry the variance.
import { covariance, symmetricEigen } from "../../harness/linalg.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";

export function participationRatio(values: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.max(0, values[i] as number);
    s += v;
    s2 += v * v;
  }
  return s2 > 0 ? (s * s) / s2 : 1;
}

export const participationRatioMethod: MethodDefinition = {
  id: "participation-ratio",
  version: "1.0.1",
  name: "Participation ratio",
  kind: "baseline",
  description: "(Σλ)² / Σλ² of the covariance eigenvalues λ of the activity.",
  url: "https://doi.org/10.1101/214262",
  tasks: ["intrinsic-dimension"],
  async run(ctx) {
    const x = ctx.inputs.activity as NdArray;
    const [n, d] = x.shape as [number, number];
    const { values } = symmetricEigen(covariance(x.data, n, d), d);
    return { result: { dimension: Math.max(participationRatio(values), 1e-6) } };
  },
};
