// The place-cell hybrid (hybrid.ts): oracle at 1, random at the analytic chance level, every instance a
// contiguous block of one rat's windows, and sparse coding ahead of PCA when planted features outnumber cells.
import { describe, expect, it } from "vitest";
import type { NdArray } from "../../../harness/types.ts";
import { zscoreColumns } from "../../../tasks/feature-recovery/hybrid.ts";
import { skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { methodMmcs, referenceCheck, regimeInstances, splitInstances } from "../../../tests/helpers/hybrid-checks.ts";
import { placeCellsTampuu2019Card as card, type TampuuRat } from "./card.ts";
import { hybridPlaceCells } from "./hybrid.ts";
import { loadTampuuRat } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

describe.skipIf(skip !== undefined)("hybrid-place-cells", () => {
  it("oracle 1 and random at the analytic chance on every dev and official instance", () => {
    for (const inst of [...splitInstances(hybridPlaceCells, "dev"), ...splitInstances(hybridPlaceCells, "official")]) {
      const check = referenceCheck(inst);
      expect(check.oracle).toBeCloseTo(1, 6);
      expect(Math.abs(check.randomMean - check.chance), inst.key).toBeLessThan(0.02);
    }
  });

  it("the background is a contiguous block of the rat's windows, z-scored, plus the planted features", () => {
    const inst = splitInstances(hybridPlaceCells, "dev")[0];
    if (!inst) throw new Error("no dev instance");
    const w = loadTampuuRat(inst.meta.rat as TampuuRat);
    const cells = inst.meta.cells as number[];
    const [n, d] = (inst.inputs.activations as NdArray).shape as [number, number];
    const start = inst.meta.startWindow as number;
    const block = new Float64Array(n * d);
    for (let s = 0; s < n; s++)
      for (let j = 0; j < d; j++) block[s * d + j] = w.counts[(start + s) * w.nCells + (cells[j] as number)] as number;
    const background = zscoreColumns(block, n, d);
    // activations − background = codes × features: rank ≤ k and zero wherever no feature is active.
    const x = (inst.inputs.activations as NdArray).data;
    let quiet = 0;
    for (let s = 0; s < n; s++) {
      let residual = 0;
      for (let j = 0; j < d; j++) residual += Math.abs((x[s * d + j] as number) - (background[s * d + j] as number));
      if (residual < 1e-4 * d) quiet++;
    }
    // With k features each active with p = 0.05, a sample has none active with probability 0.95^k.
    const k = inst.params.nFeatures as number;
    expect(quiet / n).toBeGreaterThan(0.95 ** k - 0.05);
    expect(quiet / n).toBeLessThan(0.95 ** k + 0.05);
  });

  it("sparse dictionary learning beats PCA by a wide margin when k = 2d", async () => {
    const rows: string[] = [];
    for (const inst of regimeInstances(hybridPlaceCells)) {
      if (inst.meta.ratio !== 2) continue;
      const pca = await methodMmcs("pca", inst);
      const dl = await methodMmcs("dictionary-learning", inst);
      rows.push(
        `${inst.key} (${inst.meta.rat}, amplitude ${inst.meta.amplitude}): pca ${pca.toFixed(3)}, dictionary-learning ${dl.toFixed(3)}`,
      );
      expect(dl - pca, inst.key).toBeGreaterThan(0.15);
    }
    console.log(`hybrid-place-cells k = 2d: ${rows.join("; ")}`);
  });
});
