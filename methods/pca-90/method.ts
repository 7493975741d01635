// Baseline: linear dimension = number of principal components needed to explain 90% of the variance.
import { covariance, symmetricEigen } from "../../harness/linalg.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";

export const VARIANCE_FRACTION = 0.9;

/** Covariance eigenvalues (descending, negatives clipped to 0) of the rows of an n×d matrix. */
export function covarianceSpectrum(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const { values } = symmetricEigen(covariance(x, n, d), d);
  return values.map((v) => Math.max(0, v));
}

export function pcaDimension(values: Float64Array, fraction = VARIANCE_FRACTION): number {
  const total = values.reduce((a, b) => a + b, 0);
  if (total <= 0) return 1;
  let acc = 0;
  for (let i = 0; i < values.length; i++) {
    acc += values[i] as number;
    if (acc >= fraction * total - 1e-12 * total) return i + 1;
  }
  return values.length;
}

export const pca90: MethodDefinition = {
  id: "pca-90",
  version: "1.0.1",
  name: "PCA 90% variance",
  kind: "baseline",
  description:
    "Number of principal components (covariance eigenvalues, descending) whose cumulative variance first reaches 90% of the total.",
  url: "https://doi.org/10.1080/14786440109462720",
  tasks: ["intrinsic-dimension"],
  async run(ctx) {
    const x = ctx.inputs.activity as NdArray;
    const [n, d] = x.shape as [number, number];
    return { result: { dimension: pcaDimension(covarianceSpectrum(x.data, n, d)) } };
  },
};
