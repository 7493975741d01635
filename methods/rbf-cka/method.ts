// Baseline: RBF-kernel centred kernel alignment (Kornblith et al. 2019) with the median-distance bandwidth.
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { centreColumns } from "../../tasks/layer-correspondence/parts.ts";
import { centreGram, gramCka } from "../shared/cka.ts";
import { similarityMatrix } from "../shared/similarity.ts";

/** Bandwidth σ as a multiple of the median pairwise Euclidean distance (Kornblith et al. use 0.2–0.8; 1 here). */
export const BANDWIDTH_FRACTION = 1;

/** k-th smallest value (0-based) of `values` (reordered in place), by quickselect. */
export function quickselect(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k] as number;
  }
  return values[k] as number;
}

interface RbfPart {
  gram: Float64Array;
  norm: number;
}

/** Centred RBF Gram matrix exp(−‖xᵢ − xⱼ‖² / (2σ²)), σ = BANDWIDTH_FRACTION × median distance. */
export function rbfGram(x: NdArray): RbfPart {
  const c = centreColumns(x);
  const { n, d, data } = c;
  const sq = new Float64Array(n * n);
  const upper = new Float64Array((n * (n - 1)) / 2);
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = (data[i * d + k] as number) - (data[j * d + k] as number);
        s += diff * diff;
      }
      sq[i * n + j] = s;
      sq[j * n + i] = s;
      upper[t++] = s;
    }
  }
  // Median of squared distances = square of the median distance.
  const mid = upper.length >> 1;
  const medianSq = upper.length > 0 ? quickselect(upper, mid) : 0;
  const sigma2 = BANDWIDTH_FRACTION ** 2 * medianSq;
  const gram = sq; // reuse the buffer
  for (let i = 0; i < gram.length; i++) gram[i] = sigma2 > 0 ? Math.exp(-(gram[i] as number) / (2 * sigma2)) : 1;
  centreGram(gram, n);
  let norm = 0;
  for (let i = 0; i < gram.length; i++) norm += (gram[i] as number) ** 2;
  return { gram, norm: Math.sqrt(norm) };
}

export const rbfCka: MethodDefinition = {
  id: "rbf-cka",
  version: "1.0.2",
  name: "RBF CKA",
  kind: "baseline",
  description:
    "Centred kernel alignment of Gaussian (RBF) Gram matrices, bandwidth σ = median pairwise distance of each part; ⟨HKH, HLH⟩ / (‖HKH‖_F ‖HLH‖_F).",
  url: "https://proceedings.mlr.press/v97/kornblith19a.html",
  tasks: ["layer-correspondence"],
  async run(ctx) {
    const similarity = similarityMatrix(ctx.inputs, ctx.params, rbfGram, (k, l) => gramCka(k.gram, k.norm, l.gram, l.norm));
    return { similarity };
  },
};
