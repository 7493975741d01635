// Baseline: representational similarity analysis (Kriegeskorte, Mur & Bandettini 2008): correlation-distance
// RDMs of every part, compared by Spearman rank correlation of their upper triangles.
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { centreColumns } from "../../tasks/layer-correspondence/parts.ts";
import { similarityMatrix } from "../shared/similarity.ts";

/**
 * Upper triangle (i < j, row by row) of the RDM 1 − corr(xᵢ, xⱼ) between stimulus patterns, after removing the
 * mean pattern (each unit's mean over stimuli), so per-unit offsets do not enter the distances.
 */
export function correlationRdm(x: NdArray): Float64Array {
  const { n, d, data } = centreColumns(x);
  const z = new Float64Array(n * d);
  for (let s = 0; s < n; s++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += data[s * d + k] as number;
    mean /= d;
    let ss = 0;
    for (let k = 0; k < d; k++) {
      const v = (data[s * d + k] as number) - mean;
      z[s * d + k] = v;
      ss += v * v;
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let k = 0; k < d; k++) z[s * d + k] = (z[s * d + k] as number) * inv;
  }
  const rdm = new Float64Array((n * (n - 1)) / 2);
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += (z[i * d + k] as number) * (z[j * d + k] as number);
      rdm[t++] = 1 - dot;
    }
  }
  return rdm;
}

/**
 * Indices that sort `values` ascending (stable), by an LSD radix sort on the IEEE-754 bit patterns mapped to
 * unsigned keys that order like the numbers (4 passes of 16 bits): O(N), unlike comparison sorts of indices.
 */
export function argsort(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = words[2 * i] as number; // little-endian: low word first
    const h = words[2 * i + 1] as number;
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  // Keys travel with the indices, so every pass reads sequentially.
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  let loNext = new Uint32Array(n);
  let hiNext = new Uint32Array(n);
  let loCur = lo;
  let hiCur = hi;
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? loCur : hiCur;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const b = ((key[i] as number) >>> shift) & 0xffff;
      counts[b] = (counts[b] as number) + 1;
    }
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b] as number;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const b = ((key[i] as number) >>> shift) & 0xffff;
      const dst = counts[b] as number;
      counts[b] = dst + 1;
      next[dst] = order[i] as number;
      loNext[dst] = loCur[i] as number;
      hiNext[dst] = hiCur[i] as number;
    }
    [order, next] = [next, order];
    [loCur, loNext] = [loNext, loCur];
    [hiCur, hiNext] = [hiNext, hiCur];
  }
  return order;
}

/** Ranks 1…N of `values` with ties given their average rank. */
export function ranks(values: Float64Array): Float64Array {
  const order = argsort(values);
  const out = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    const v = values[order[start] as number] as number;
    let end = start + 1;
    while (end < order.length && values[order[end] as number] === v) end++;
    const rank = (start + end + 1) / 2; // mean of ranks start+1 … end
    for (let t = start; t < end; t++) out[order[t] as number] = rank;
    start = end;
  }
  return out;
}

interface RankedRdm {
  /** Centred ranks of the RDM's upper triangle. */
  ranks: Float64Array;
  norm: number;
}

export function rankedRdm(x: NdArray): RankedRdm {
  const r = ranks(correlationRdm(x));
  let mean = 0;
  for (let i = 0; i < r.length; i++) mean += r[i] as number;
  mean /= Math.max(1, r.length);
  let ss = 0;
  for (let i = 0; i < r.length; i++) {
    const v = (r[i] as number) - mean;
    r[i] = v;
    ss += v * v;
  }
  return { ranks: r, norm: Math.sqrt(ss) };
}

/** Spearman correlation of two RDMs = Pearson correlation of their (centred) ranks. */
export function spearman(a: RankedRdm, b: RankedRdm): number {
  let s = 0;
  for (let i = 0; i < a.ranks.length; i++) s += (a.ranks[i] as number) * (b.ranks[i] as number);
  return s / (a.norm * b.norm);
}

export const rsa: MethodDefinition = {
  id: "rsa",
  version: "1.0.2",
  name: "RSA (correlation-distance RDMs, Spearman)",
  kind: "baseline",
  description:
    "Representational similarity analysis: per part, the RDM of correlation distances between stimulus patterns (mean pattern removed); similarity = Spearman correlation of two RDMs' upper triangles.",
  url: "https://doi.org/10.3389/neuro.06.004.2008",
  tasks: ["layer-correspondence"],
  async run(ctx) {
    const similarity = similarityMatrix(ctx.inputs, ctx.params, rankedRdm, spearman);
    return { similarity };
  },
};
