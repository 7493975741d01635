// Task dataset of fmri_haxby2001_subj1_slice (datasets.ts): split by run, z-scoring within run, the references,
// and the sanity number of README.md (ridge balanced accuracy on held-out runs).
import { describe, expect, it } from "vitest";
import { generateInstance, getMethod, getTask } from "../../../harness/registry.ts";
import { evaluateInstance } from "../../../harness/runner.ts";
import type { Instance, MethodDefinition, NdArray } from "../../../harness/types.ts";
import { ridge } from "../../../methods/ridge/method.ts";
import { fmriHaxbyCard as card } from "./card.ts";
import { HAXBY_CLASSES, haxbyCategoryDecoding, zscoredByRun } from "./datasets.ts";
import { HAXBY_RUNS, loadHaxby2001Slice } from "./load.ts";

// The references are registered for every task by the methods registry.
const oracle = getMethod("oracle");
const random = getMethod("random");

const skip = haxbyCategoryDecoding.unavailable?.() ?? null;
if (skip) console.log(`${card.id} task dataset: skipped — ${skip}`);

async function score(method: MethodDefinition, instance: Instance): Promise<number> {
  const outcome = await evaluateInstance(method, getTask("latent-decoding"), instance);
  expect(outcome.status, outcome.message ?? "").toBe("ok");
  return outcome.score as number;
}

describe.skipIf(skip !== null)(`${card.id}: task dataset`, () => {
  it("z-scores every voxel within every run", () => {
    const s = loadHaxby2001Slice();
    const z = zscoredByRun(s);
    for (const run of [0, HAXBY_RUNS - 1]) {
      for (const k of [0, 123, s.nVoxels - 1]) {
        const xs: number[] = [];
        for (let t = 0; t < s.nVolumes; t++) if (s.runs[t] === run) xs.push(z[t * s.nVoxels + k] as number);
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
        expect(Math.abs(mean)).toBeLessThan(1e-5);
        expect(sd).toBeCloseTo(1, 4);
      }
    }
  });

  it("splits by run: 9 runs train, 3 consecutive held-out runs test, rest volumes dropped, 8 balanced classes", () => {
    const held = new Set<string>();
    for (const split of ["dev", "official"] as const) {
      for (let i = 0; i < haxbyCategoryDecoding.sizes[split]; i++) {
        const inst = generateInstance(haxbyCategoryDecoding, split, i);
        const testRuns = inst.meta.testRuns as number[];
        expect(testRuns).toHaveLength(3);
        expect(testRuns[2]).toBe((testRuns[0] as number) + 2);
        expect((inst.meta.trainRuns as number[]).some((r) => testRuns.includes(r))).toBe(false);
        // 8 categories × 9 volumes per run.
        expect(inst.inputs.trainActivity?.shape).toEqual([9 * 72, 256]);
        expect(inst.inputs.testActivity?.shape).toEqual([3 * 72, 256]);
        const counts = new Array(HAXBY_CLASSES.length).fill(0);
        for (const c of (inst.truth.testTarget as NdArray).data) counts[c] += 1;
        expect(counts).toEqual(new Array(HAXBY_CLASSES.length).fill(27));
        held.add(`${testRuns[0]}:${Array.from((inst.inputs.testActivity as NdArray).data.subarray(0, 4)).join(",")}`);
      }
    }
    // Instances differ (held-out runs and/or voxel subsets).
    expect(held.size).toBe(haxbyCategoryDecoding.sizes.dev + haxbyCategoryDecoding.sizes.official);
  });

  it("references and sanity: ridge reads the category from held-out runs far above chance (README: 0.44–0.62 on dev)", async () => {
    const lines: string[] = [];
    let randomSum = 0;
    const n = haxbyCategoryDecoding.sizes.dev;
    for (let i = 0; i < n; i++) {
      const inst = generateInstance(haxbyCategoryDecoding, "dev", i);
      expect(await score(oracle, inst)).toBe(1);
      randomSum += await score(random, inst);
      const acc = await score(ridge, inst);
      lines.push(`${inst.key} (test runs ${(inst.meta.testRuns as number[]).join(", ")}): ridge balanced accuracy ${acc.toFixed(2)}`);
      expect(acc).toBeGreaterThan(0.35);
    }
    // Chance is 1/8; 216 test volumes per instance.
    expect(Math.abs(randomSum / n - 1 / 8)).toBeLessThan(0.06);
    console.log(`${card.id}: category decoding on held-out runs (dev)\n  ${lines.join("\n  ")}`);
  });
});
