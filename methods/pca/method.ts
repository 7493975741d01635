// Baseline: principal component analysis. The dictionary is the top principal directions of the centred
// activations; PCA finds at most d orthogonal directions, so for k > d the remaining rows are zero
// (zero rows score cosine 0 and cannot help or hurt).
import { principalAxes } from "../../harness/linalg.ts";
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";

export const pca: MethodDefinition = {
  id: "pca",
  version: "1.0.1",
  name: "PCA",
  kind: "baseline",
  description:
    "Top-k principal directions (eigenvectors of the covariance of the centred activations, by decreasing variance); rows beyond d are zero.",
  url: "https://doi.org/10.1080/14786440109462720",
  tasks: ["feature-recovery"],
  async run(ctx) {
    const x = ctx.inputs.activations as NdArray;
    const [n, d] = x.shape as [number, number];
    const shape = ctx.outputShapes.dictionary as [number, number];
    const k = shape[0];
    const { vectors } = principalAxes(x.data, n, d);
    const dictionary = f32(shape);
    // Eigenvectors come sorted by variance with a canonical sign, so the output is deterministic.
    dictionary.data.set(vectors.subarray(0, Math.min(k, d) * d));
    return { dictionary };
  },
};
