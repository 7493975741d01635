// The T7 heading-manifold dataset (capacity.ts): instances are what the README says (8 × 4 distinct points of the
// 19 cells, centred, truth the measured capacity), and the effect it rests on holds: averaging more bins per point
// shrinks the heading manifolds and raises their capacity, which the mean-field analysis follows.
import { describe, expect, it } from "vitest";
import { generateInstance } from "../../../harness/registry.ts";
import { Rng } from "../../../harness/rng.ts";
import { mftma } from "../../../methods/mftma/method.ts";
import { empiricalCapacity } from "../../../tasks/manifold-capacity/separability.ts";
import { capacityBounds, trueCapacity } from "../../../tasks/manifold-capacity/task.ts";
import { skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { hdHeadingCapacity, headingManifolds } from "./capacity.ts";
import { hdPeyrache2015Card as card } from "./card.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

describe.skipIf(skip !== undefined)("hd-heading-sectors (manifold-capacity)", () => {
  it("instances: 8 headings × 4 distinct points of the 19 cells, centred, truth within the physical bounds", () => {
    for (let i = 0; i < 2; i++) {
      const instance = generateInstance(hdHeadingCapacity, "dev", i);
      const m = instance.inputs.manifolds;
      expect(m?.shape).toEqual([8, 4, 19]);
      const data = m?.data as Float32Array;
      const rows = new Set<string>();
      for (let r = 0; r < 32; r++) rows.add(Array.from(data.subarray(r * 19, (r + 1) * 19)).join(","));
      expect(rows.size).toBe(32);
      for (let c = 0; c < 19; c++) {
        let s = 0;
        for (let r = 0; r < 32; r++) s += data[r * 19 + c] as number;
        expect(Math.abs(s / 32)).toBeLessThan(1e-4);
      }
      const [lo, hi] = capacityBounds(4);
      const alpha = trueCapacity(instance);
      expect(alpha).toBeGreaterThan(lo);
      expect(alpha).toBeLessThanOrEqual(hi);
      expect(alpha).toBeCloseTo(instance.meta.capacity as number, 3);
      const k = instance.meta.averagedBins as number;
      expect(Number.isInteger(k) && k >= 1 && k <= 64).toBe(true);
    }
  });

  it("capacity rises with the bins averaged per point (1 → 32), and MFTMA follows", async () => {
    const measured: number[] = [];
    const meanField: number[] = [];
    for (const k of [1, 32]) {
      // The same rotation and draw order at both k: only the averaging differs.
      const m = headingManifolds(new Rng(11), k);
      measured.push(empiricalCapacity(m.data, 8, 4, 19, new Rng(12), 32, 8).capacity);
      const out = await mftma.run({ task: "manifold-capacity", params: {}, inputs: { manifolds: m }, outputShapes: {}, seed: 13 });
      meanField.push((out.result as { capacity: number }).capacity);
    }
    console.log(
      `hd-heading-sectors, k = 1 → 32: simulated ${measured.map((v) => v.toFixed(2)).join(" → ")}, mftma ${meanField.map((v) => v.toFixed(2)).join(" → ")}`,
    );
    expect(measured[1] as number).toBeGreaterThan(1.5 * (measured[0] as number));
    expect(meanField[1] as number).toBeGreaterThan(1.3 * (meanField[0] as number));
  });
});
