import { describe, expect, it } from "vitest";
import { Rng } from "../../harness/rng.ts";
import { nearest } from "./method.ts";

/** Neighbour lists by the definition: ‖r‖² − 2 q·r, one reference at a time, sorted stably (ties by index). */
function naiveNearest(q: Float64Array, nq: number, refs: Float64Array, nr: number, d: number, k: number, skip: [number, number]) {
  const out: number[] = [];
  for (let i = 0; i < nq; i++) {
    const scored: { r: number; dist: number }[] = [];
    for (let r = 0; r < nr; r++) {
      if (r >= skip[0] && r < skip[1]) continue;
      let norm = 0;
      let dot = 0;
      for (let c = 0; c < d; c++) norm += (refs[r * d + c] as number) ** 2;
      for (let c = 0; c < d; c++) dot += (q[i * d + c] as number) * (refs[r * d + c] as number);
      scored.push({ r, dist: norm - 2 * dot });
    }
    scored.sort((a, b) => a.dist - b.dist || a.r - b.r);
    out.push(...scored.slice(0, k).map((s) => s.r));
  }
  return out;
}

describe("nearest", () => {
  it("lists the same neighbours, in the same order, as one reference at a time (any row count, skipped block, ties)", () => {
    const rng = new Rng(5);
    const d = 6;
    for (const nr of [3, 9, 30]) {
      const refs = Float64Array.from({ length: nr * d }, () => Math.round(rng.normal() * 2)); // small integers: ties
      const q = Float64Array.from({ length: 4 * d }, () => Math.round(rng.normal() * 2));
      for (const skip of [[0, 0] as [number, number], [1, Math.min(3, nr)] as [number, number]]) {
        const k = Math.min(5, nr - (skip[1] - skip[0]));
        expect([...nearest(q, 4, refs, nr, d, 5, skip[0], skip[1])], `nr ${nr}, skip ${skip}`).toEqual(
          naiveNearest(q, 4, refs, nr, d, k, skip),
        );
      }
    }
  });
});
