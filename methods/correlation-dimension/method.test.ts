import { describe, expect, it } from "vitest";
import { Rng } from "../../harness/rng.ts";
import { smallestPairDistances } from "./method.ts";

/** Every positive pairwise distance, each summed alone in coordinate order, as float32, ascending. */
function naiveDistances(x: Float64Array, n: number, d: number): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let sq = 0;
      for (let c = 0; c < d; c++) sq += ((x[i * d + c] as number) - (x[j * d + c] as number)) ** 2;
      if (sq > 0) out.push(Math.sqrt(sq));
    }
  }
  return Float32Array.from(out).sort();
}

describe("smallestPairDistances", () => {
  it("returns exactly the smallest positive distances, as computed one pair at a time (rows four at a time, any n)", () => {
    const rng = new Rng(3);
    for (const n of [2, 5, 23, 64]) {
      const d = 7;
      const x = Float64Array.from({ length: n * d }, () => rng.normal());
      if (n > 4) x.copyWithin(3 * d, 1 * d, 2 * d); // a duplicate row: its zero distance is skipped
      const all = naiveDistances(x, n, d);
      for (const count of [1, 10, all.length]) {
        expect([...smallestPairDistances(x, n, d, count)], `n ${n}, count ${count}`).toEqual([
          ...all.subarray(0, Math.min(count, all.length)),
        ]);
      }
    }
  });
});
