// Baseline: maximum-likelihood intrinsic dimension (Levina & Bickel 2004) with the correction of
// MacKay & Ghahramani (2005): for each k the inverse local estimates are averaged over points (the
// log-ratio sum is an unbiased estimate of 1/d), then inverted; the result is averaged over k = 10…20.
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { nearestNeighbours } from "../shared/neighbors.ts";

export const K1 = 10;
export const K2 = 20;

export function mleDimension(x: ArrayLike<number>, n: number, d: number, k1 = K1, k2 = K2): number {
  const { dist } = nearestNeighbours(x, n, d, k2);
  const estimates: number[] = [];
  for (let k = k1; k <= k2; k++) {
    // Σ_i Σ_{j<k} log(T_k / T_j) over points with k finite neighbours.
    let total = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const base = i * k2;
      const tk = dist[base + k - 1] as number;
      if (!Number.isFinite(tk)) continue;
      const ltk = Math.log(tk);
      for (let j = 0; j < k - 1; j++) total += ltk - Math.log(dist[base + j] as number);
      count += k - 1;
    }
    if (count > 0 && total > 0) estimates.push(count / total);
  }
  return estimates.length ? estimates.reduce((a, b) => a + b, 0) / estimates.length : 1;
}

export const mle: MethodDefinition = {
  id: "mle",
  version: "1.0.2",
  name: "MLE (Levina–Bickel)",
  kind: "baseline",
  description:
    "Levina–Bickel k-NN maximum-likelihood estimator with MacKay–Ghahramani averaging of inverse local estimates, averaged over k = 10…20.",
  url: "https://papers.nips.cc/paper/2577-maximum-likelihood-estimation-of-intrinsic-dimension",
  tasks: ["intrinsic-dimension"],
  async run(ctx) {
    const x = ctx.inputs.activity as NdArray;
    const [n, d] = x.shape as [number, number];
    return { result: { dimension: Math.max(mleDimension(x.data, n, d), 1e-6) } };
  },
};
