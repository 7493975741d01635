// Baseline: k-nearest-neighbour decoding (T2 latent-decoding). Euclidean distance on standardised
// activity; k chosen by 5-fold blocked (contiguous) cross-validation of the task score. A prediction
// averages the neighbours' targets (linear), their unit vectors (circular, then atan2) or takes their
// majority vote (categorical; ties go to the class whose nearest member is nearest).
import { f32 } from "../../harness/ndarray.ts";
import { rowDots } from "../../harness/row-dots.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import type { DecodingParams } from "../../tasks/latent-decoding/task.ts";
import { applyStandardizer, blockedFolds, readProblem, standardizer, taskScore } from "../shared/decoding.ts";

export const KNN_KS = [1, 3, 5, 9, 15, 25, 41, 65];
export const KNN_FOLDS = 5;

/**
 * For each query row, the indices of its `kMax` nearest reference rows (nearest first; ties by index),
 * among reference rows whose index is not in [skipStart, skipEnd).
 */
export function nearest(
  queries: Float64Array,
  nq: number,
  refs: Float64Array,
  nr: number,
  d: number,
  kMax: number,
  skipStart = 0,
  skipEnd = 0,
): Int32Array {
  const k = Math.min(kMax, nr - (skipEnd - skipStart));
  const out = new Int32Array(nq * k);
  const refNorm = new Float64Array(nr);
  for (let r = 0; r < nr; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (refs[r * d + c] as number) ** 2;
    refNorm[r] = s;
  }
  const best = { dist: new Float64Array(k), index: new Int32Array(k), filled: 0 };
  const dots = new Float64Array(nr);
  for (let qi = 0; qi < nq; qi++) {
    best.filled = 0;
    const query = queries.subarray(qi * d, (qi + 1) * d);
    scanReferences(query, refs, refNorm, d, 0, Math.min(skipStart, nr), best, dots);
    scanReferences(query, refs, refNorm, d, Math.max(skipEnd, skipStart), nr, best, dots);
    out.set(best.index, qi * k);
  }
  return out;
}

interface Best {
  /** Ascending, the first `filled` valid. */
  dist: Float64Array;
  index: Int32Array;
  filled: number;
}

/**
 * Offer reference rows r0…r1−1 to a query's k best, in index order. Their dot products with the query come from
 * `rowDots` (four rows per pass, each sum in coordinate order, so the same floats as one at a time).
 */
function scanReferences(
  query: Float64Array,
  refs: Float64Array,
  refNorm: Float64Array,
  d: number,
  r0: number,
  r1: number,
  best: Best,
  dots: Float64Array,
): void {
  rowDots(refs, r1, d, query, dots, r0, -r0);
  for (let r = r0; r < r1; r++) offer(best, r, (refNorm[r] as number) - 2 * (dots[r - r0] as number));
}

/** ‖q‖² is the same for every reference, so ‖r‖² − 2 q·r orders them; ties keep the lower index first. */
function offer(best: Best, r: number, dist: number): void {
  const k = best.dist.length;
  if (best.filled === k && dist >= (best.dist[k - 1] as number)) return;
  let pos = best.filled < k ? best.filled++ : k - 1;
  while (pos > 0 && (best.dist[pos - 1] as number) > dist) {
    best.dist[pos] = best.dist[pos - 1] as number;
    best.index[pos] = best.index[pos - 1] as number;
    pos--;
  }
  best.dist[pos] = dist;
  best.index[pos] = r;
}

/** Predictions [nq, q] from the first `k` of each query's neighbour list (of width `width`). */
export function knnPredict(
  params: DecodingParams,
  neighbours: Int32Array,
  width: number,
  nq: number,
  k: number,
  y: Float64Array,
  q: number,
): Float64Array {
  const out = new Float64Array(nq * q);
  const kk = Math.min(k, width);
  const nClasses = params.nClasses ?? 0;
  const votes = new Float64Array(nClasses);
  const firstRank = new Float64Array(nClasses);
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < q; j++) {
      if (params.targetKind === "linear") {
        let s = 0;
        for (let r = 0; r < kk; r++) s += y[(neighbours[i * width + r] as number) * q + j] as number;
        out[i * q + j] = s / kk;
      } else if (params.targetKind === "circular") {
        let c = 0;
        let s = 0;
        for (let r = 0; r < kk; r++) {
          const a = y[(neighbours[i * width + r] as number) * q + j] as number;
          c += Math.cos(a);
          s += Math.sin(a);
        }
        out[i * q + j] = Math.atan2(s, c);
      } else {
        votes.fill(0);
        firstRank.fill(Number.POSITIVE_INFINITY);
        for (let r = 0; r < kk; r++) {
          const c = Math.round(y[(neighbours[i * width + r] as number) * q + j] as number);
          if (c < 0 || c >= nClasses) continue;
          votes[c] = (votes[c] as number) + 1;
          if (r < (firstRank[c] as number)) firstRank[c] = r;
        }
        let best = 0;
        for (let c = 1; c < nClasses; c++) {
          const better =
            (votes[c] as number) > (votes[best] as number) ||
            ((votes[c] as number) === (votes[best] as number) && (firstRank[c] as number) < (firstRank[best] as number));
          if (better) best = c;
        }
        out[i * q + j] = best;
      }
    }
  }
  return out;
}

export const knn: MethodDefinition = {
  id: "knn",
  version: "1.0.4",
  name: "k-nearest neighbours (blocked CV)",
  kind: "baseline",
  description:
    "Nonparametric decoder: Euclidean k-nearest neighbours on standardised activity, k ∈ {1, 3, 5, 9, 15, 25, 41, 65} chosen by 5-fold blocked cross-validation; neighbours' targets are averaged (linear), their unit vectors averaged (circular) or their classes voted (categorical).",
  url: "https://doi.org/10.1109/TIT.1967.1053964",
  tasks: ["latent-decoding"],
  async run(ctx) {
    const p = readProblem(ctx);
    const { params, nTrain, nTest, d, q } = p;
    const st = standardizer(p.xTrain, nTrain, d);
    const x = applyStandardizer(p.xTrain, nTrain, d, st);
    const xTest = applyStandardizer(p.xTest, nTest, d, st);
    const kMax = KNN_KS[KNN_KS.length - 1] as number;

    const folds = blockedFolds(nTrain, KNN_FOLDS);
    const candidates = KNN_KS.filter((k) => k <= Math.max(1, nTrain - Math.ceil(nTrain / KNN_FOLDS)));
    const cv = new Float64Array(candidates.length);
    for (const [a, b] of folds) {
      // Neighbours of the held-out block among the other blocks (the training rows outside [a, b)).
      const nb = nearest(x.subarray(a * d, b * d), b - a, x, nTrain, d, kMax, a, b);
      const width = nb.length / (b - a);
      const truth = p.yTrain.subarray(a * q, b * q);
      candidates.forEach((k, i) => {
        cv[i] = (cv[i] as number) + taskScore(params, truth, knnPredict(params, nb, width, b - a, k, p.yTrain, q), b - a, q) / folds.length;
      });
    }
    // Best CV score; ties go to the larger k (the smoother decoder).
    let best = 0;
    for (let i = 1; i < cv.length; i++) if ((cv[i] as number) >= (cv[best] as number)) best = i;
    const k = candidates[best] as number;

    const nb = nearest(xTest, nTest, x, nTrain, d, k);
    const out = knnPredict(params, nb, nb.length / nTest, nTest, k, p.yTrain, q);
    return { testPrediction: f32([nTest, q], out) };
  },
};
