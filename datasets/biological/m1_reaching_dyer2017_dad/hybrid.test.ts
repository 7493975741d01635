// The motor-cortex hybrid (hybrid.ts): oracle at 1, random at the analytic chance level, every instance a
// contiguous block of one session, and sparse coding ahead of PCA when planted features outnumber neurons.
import { describe, expect, it } from "vitest";
import type { NdArray } from "../../../harness/types.ts";
import { zscoreColumns } from "../../../tasks/feature-recovery/hybrid.ts";
import { skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { devStreamIndex, devStreamInstance } from "../../../tests/helpers/feature-recovery.ts";
import { methodMmcs, referenceCheck, regimeInstances, splitInstances } from "../../../tests/helpers/hybrid-checks.ts";
import { m1Dyer2017Card as card } from "./card.ts";
import { hybridM1, hybridM1SessionFromSeed } from "./hybrid.ts";
import { loadM1Subject, type M1Session, type M1Subject } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

describe.skipIf(skip !== undefined)("hybrid-m1", () => {
  it("oracle 1 and random at the analytic chance on every dev and official instance", () => {
    for (const inst of [...splitInstances(hybridM1, "dev"), ...splitInstances(hybridM1, "official")]) {
      const check = referenceCheck(inst);
      expect(check.oracle).toBeCloseTo(1, 6);
      expect(Math.abs(check.randomMean - check.chance), inst.key).toBeLessThan(0.02);
      expect(inst.meta.d).toBe(32);
    }
  });

  it("sessions are drawn from the seed, each background a contiguous block of 80 % of its session", () => {
    // The dev split plus the first dev-stream instance of every session (the dev split of 4 need not cover them).
    const sessionKey = (s: { subject: string; session: string }) => `${s.subject}/${s.session}`;
    const keys = hybridM1.config.sessions as string[];
    const dev = [
      ...splitInstances(hybridM1, "dev"),
      ...keys.map((key) =>
        devStreamInstance(
          hybridM1,
          devStreamIndex(hybridM1, (seed) => sessionKey(hybridM1SessionFromSeed(seed)) === key),
        ),
      ),
    ];
    expect(new Set(dev.map((i) => sessionKey(i.meta as { subject: string; session: string }))).size).toBe(4);
    for (const inst of dev) {
      const s = loadM1Subject(inst.meta.subject as M1Subject)[inst.meta.session as M1Session];
      const cells = inst.meta.cells as number[];
      const [n, d] = (inst.inputs.activations as NdArray).shape as [number, number];
      expect(n).toBe(Math.round(0.8 * s.n));
      const start = inst.meta.startBin as number;
      const block = new Float64Array(n * d);
      for (let t = 0; t < n; t++)
        for (let j = 0; j < d; j++) block[t * d + j] = s.activity[(start + t) * s.d + (cells[j] as number)] as number;
      const background = zscoreColumns(block, n, d);
      // activations − background is zero wherever no planted feature is active (probability 0.95^k).
      const x = (inst.inputs.activations as NdArray).data;
      let quiet = 0;
      for (let t = 0; t < n; t++) {
        let residual = 0;
        for (let j = 0; j < d; j++) residual += Math.abs((x[t * d + j] as number) - (background[t * d + j] as number));
        if (residual < 1e-4 * d) quiet++;
      }
      const k = inst.params.nFeatures as number;
      expect(Math.abs(quiet / n - 0.95 ** k), inst.key).toBeLessThan(0.06);
    }
  });

  it("sparse dictionary learning beats PCA when k = 2d", async () => {
    const rows: string[] = [];
    for (const inst of regimeInstances(hybridM1)) {
      if (inst.meta.ratio !== 2) continue;
      const pca = await methodMmcs("pca", inst);
      const dl = await methodMmcs("dictionary-learning", inst);
      rows.push(
        `${inst.key} (${inst.meta.subject} ${inst.meta.session}, amplitude ${inst.meta.amplitude}): pca ${pca.toFixed(3)}, dictionary-learning ${dl.toFixed(3)}`,
      );
      // Weak regime: 500–1450 bins give each feature only 25–70 events, so the margin is smaller (README).
      expect(dl - pca, inst.key).toBeGreaterThan(inst.meta.amplitude === 8 ? 0.2 : 0.05);
    }
    console.log(`hybrid-m1 k = 2d: ${rows.join("; ")}`);
  });
});
