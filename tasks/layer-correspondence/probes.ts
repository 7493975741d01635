// Trivial answers to T5 (issue 10): what a method scores without comparing system A with system B. Used by the
// task's `floors` (bestConstant, the within-system ordering shortcut) and by the tests and
// bench/analysis/layer-correspondence-floors.ts (the per-part scalar probes).
import { f32 } from "../../harness/ndarray.ts";
import type { Instance, JsonValue, MethodOutputs, NdArray } from "../../harness/types.ts";
import { type CentredPart, centreColumns, crossProduct, readParts } from "./parts.ts";

const sumSquares = (v: Float64Array) => v.reduce((a, b) => a + b * b, 0);

/** Linear CKA of every pair of parts within one list (symmetric K × K, 1 on the diagonal). */
export function withinSystemCka(parts: NdArray[]): Float64Array {
  const centred = parts.map(centreColumns);
  const self = centred.map((c) => Math.sqrt(sumSquares(crossProduct(c, c))));
  const K = parts.length;
  const out = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    out[i * K + i] = 1;
    for (let j = i + 1; j < K; j++) {
      const denominator = (self[i] as number) * (self[j] as number);
      const v = denominator > 0 ? sumSquares(crossProduct(centred[i] as CentredPart, centred[j] as CentredPart)) / denominator : 0;
      out[i * K + j] = v;
      out[j * K + i] = v;
    }
  }
  return out;
}

/**
 * The order of K parts along a chain: the Hamiltonian path maximizing the summed similarity of neighbours (exact
 * dynamic programme up to 14 parts, greedy from the best pair beyond). Oriented so that the end whose neighbour is
 * less similar to it comes first (in a layer chain the first layer is the most distinct one).
 */
export function chainOrder(sim: Float64Array, K: number): number[] {
  if (K === 1) return [0];
  let path: number[];
  if (K <= 14) {
    const full = 1 << K;
    const best = new Float64Array(full * K).fill(Number.NEGATIVE_INFINITY);
    const prev = new Int32Array(full * K).fill(-1);
    for (let k = 0; k < K; k++) best[(1 << k) * K + k] = 0;
    for (let mask = 1; mask < full; mask++) {
      for (let last = 0; last < K; last++) {
        const cur = best[mask * K + last] as number;
        if (cur === Number.NEGATIVE_INFINITY) continue;
        for (let next = 0; next < K; next++) {
          if (mask & (1 << next)) continue;
          const m2 = mask | (1 << next);
          const v = cur + (sim[last * K + next] as number);
          if (v > (best[m2 * K + next] as number)) {
            best[m2 * K + next] = v;
            prev[m2 * K + next] = last;
          }
        }
      }
    }
    let end = 0;
    for (let k = 1; k < K; k++) if ((best[(full - 1) * K + k] as number) > (best[(full - 1) * K + end] as number)) end = k;
    path = [];
    let mask = full - 1;
    let cur = end;
    while (cur >= 0) {
      path.push(cur);
      const p = prev[mask * K + cur] as number;
      mask &= ~(1 << cur);
      cur = p;
    }
    path.reverse();
  } else {
    let a = 0;
    let b = 1;
    for (let i = 0; i < K; i++)
      for (let j = i + 1; j < K; j++) if ((sim[i * K + j] as number) > (sim[a * K + b] as number)) [a, b] = [i, j];
    path = [a, b];
    const used = new Set(path);
    while (path.length < K) {
      let bestV = Number.NEGATIVE_INFINITY;
      let bestK = -1;
      let atFront = false;
      for (let k = 0; k < K; k++) {
        if (used.has(k)) continue;
        const front = sim[(path[0] as number) * K + k] as number;
        const back = sim[(path[path.length - 1] as number) * K + k] as number;
        if (front > bestV) [bestV, bestK, atFront] = [front, k, true];
        if (back > bestV) [bestV, bestK, atFront] = [back, k, false];
      }
      if (atFront) path.unshift(bestK);
      else path.push(bestK);
      used.add(bestK);
    }
  }
  const first = sim[(path[0] as number) * K + (path[1] as number)] as number;
  const last = sim[(path[K - 1] as number) * K + (path[K - 2] as number)] as number;
  return last < first ? path.reverse() : path;
}

/**
 * The within-system ordering shortcut (issue 10): order A's parts by their similarity chain within A, and B's
 * within B, never comparing A with B; then A's k-th part in its chain is matched to B's part at the same relative
 * position (k·(M−1)/(L−1), rounded). When A is given in order and L = M this is exactly "map A's i-th part to B's
 * i-th part in B's chain".
 */
export function orderingShortcut(inputs: Record<string, NdArray>, params: Record<string, JsonValue>): MethodOutputs {
  const { a, b } = readParts(inputs, params);
  const L = a.length;
  const M = b.length;
  const orderA = chainOrder(withinSystemCka(a), L);
  const orderB = chainOrder(withinSystemCka(b), M);
  const similarity = f32([L, M]);
  orderA.forEach((i, rank) => {
    const pos = L === 1 ? 0 : Math.round((rank * (M - 1)) / (L - 1));
    similarity.data[i * M + (orderB[pos] as number)] = 1;
  });
  return { similarity };
}

/**
 * The best constant similarity matrix for an L × M instance: row i counts how often each B index is the match of
 * A part i over `truths` (those of the same L and with every match below M; all truths when none has this L).
 * Accuracy is a sum over rows and ties share credit, so per-row match frequencies are the best constant answer.
 */
export function bestConstantSimilarity(truths: readonly Record<string, NdArray>[], L: number, M: number): MethodOutputs {
  const matches = truths.map((t) => t.match).filter((m): m is NdArray => m !== undefined);
  const sameShape = matches.filter((m) => m.data.length === L && Array.from(m.data).every((v) => v < M));
  const pool = sameShape.length > 0 ? sameShape : matches;
  const similarity = f32([L, M]);
  for (const m of pool) {
    for (let i = 0; i < Math.min(L, m.data.length); i++) {
      const j = m.data[i] as number;
      if (j >= 0 && j < M) similarity.data[i * M + j] = (similarity.data[i * M + j] as number) + 1;
    }
  }
  return { similarity };
}

/** Per-part scalar statistics a shortcut could match A's and B's parts by. */
export const PART_SCALARS = {
  /** Mean absolute activation (issue 10's probe). */
  meanAbs: (x: NdArray) => {
    let s = 0;
    for (const v of x.data) s += Math.abs(v);
    return s / x.data.length;
  },
  /** Width (number of units). */
  width: (x: NdArray) => x.shape[1] as number,
  /** Root mean square of the centred activity. */
  rms: (x: NdArray) => Math.sqrt(sumSquares(centreColumns(x).data) / x.data.length),
  /** Fraction of entries equal to their unit's minimum (exact zeros of a ReLU layer, whatever the offset). */
  atMinimum: (x: NdArray) => {
    const [n, d] = x.shape as [number, number];
    let count = 0;
    for (let k = 0; k < d; k++) {
      let min = Number.POSITIVE_INFINITY;
      for (let s = 0; s < n; s++) min = Math.min(min, x.data[s * d + k] as number);
      for (let s = 0; s < n; s++) if (x.data[s * d + k] === min) count++;
    }
    return count / (n * d);
  },
  /** Participation ratio of the covariance spectrum, via tr(C)² / tr(C²) (scale-free effective dimension). */
  participationRatio: (x: NdArray) => {
    const c = centreColumns(x);
    const gram = crossProduct(c, c);
    let trace = 0;
    for (let k = 0; k < c.d; k++) trace += gram[k * c.d + k] as number;
    const t2 = sumSquares(gram);
    return t2 > 0 ? (trace * trace) / t2 : 0;
  },
} satisfies Record<string, (x: NdArray) => number>;

export type PartScalar = keyof typeof PART_SCALARS;

/** The scalar probe: similarity[i, j] = −|log s(a_i) − log s(b_j)| for one per-part statistic s. */
export function scalarProbe(instance: Pick<Instance, "inputs" | "params">, statistic: PartScalar): MethodOutputs {
  const { a, b } = readParts(instance.inputs, instance.params);
  const f = PART_SCALARS[statistic];
  const log = (v: number) => Math.log(Math.max(v, 1e-12));
  const sa = a.map((x) => log(f(x)));
  const sb = b.map((x) => log(f(x)));
  const similarity = f32([a.length, b.length]);
  sa.forEach((u, i) => {
    sb.forEach((v, j) => {
      similarity.data[i * b.length + j] = -Math.abs(u - v);
    });
  });
  return { similarity };
}
