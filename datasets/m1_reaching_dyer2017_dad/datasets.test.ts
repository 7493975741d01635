// Task datasets of m1_reaching_dyer2017_dad (datasets.ts): trial-aligned held-out blocks, the epochs of
// cross-session-epochs, the references, and the sanity numbers of README.md.
import { describe, expect, it } from "vitest";
import { generateInstance, getTask } from "../../harness/registry.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { DatasetDefinition, Instance, MethodDefinition, NdArray } from "../../harness/types.ts";
import { linearCkaMethod } from "../../methods/linear-cka/method.ts";
import { oracle } from "../../methods/oracle/method.ts";
import { procrustes } from "../../methods/procrustes/method.ts";
import { random } from "../../methods/random/method.ts";
import { rbfCka } from "../../methods/rbf-cka/method.ts";
import { ridge } from "../../methods/ridge/method.ts";
import { rsa } from "../../methods/rsa/method.ts";
import { svcca } from "../../methods/svcca/method.ts";
import { m1Dyer2017Card as card } from "./card.ts";
import { m1CrossSessionEpochs, m1VelocityDecoding, velocitySeriesOf } from "./datasets.ts";
import { loadM1Subject, type M1Subject } from "./load.ts";

const skip = m1VelocityDecoding.unavailable?.() ?? null;
if (skip) console.log(`${card.id} task datasets: skipped — ${skip}`);

const instances = (d: DatasetDefinition, split: "dev" | "official") =>
  Array.from({ length: d.sizes[split] }, (_, i) => generateInstance(d, split, i));

async function score(method: MethodDefinition, instance: Instance, dataset: DatasetDefinition): Promise<number> {
  const outcome = await evaluateInstance(method, getTask(dataset.task), instance);
  expect(outcome.status, outcome.message ?? "").toBe("ok");
  return outcome.score as number;
}

describe.skipIf(skip !== null)(`${card.id}: task datasets`, () => {
  it("T2 instances cut a session at trial boundaries: earlier trials train, the following ones test", () => {
    const seen = new Set<string>();
    for (const split of ["dev", "official"] as const) {
      instances(m1VelocityDecoding, split).forEach((inst, i) => {
        const { subject, session } = velocitySeriesOf(i);
        const s = loadM1Subject(subject)[session];
        const start = inst.meta.startBin as number;
        const nTrain = inst.meta.nTrain as number;
        const nTest = inst.meta.nTest as number;
        expect(s.trials.some((t) => t.start === start)).toBe(true);
        expect(s.trials.some((t) => t.start === start + nTrain)).toBe(true);
        expect(s.trials.some((t) => t.end === start + nTrain + nTest)).toBe(true);
        const first = (inst.inputs.testActivity as NdArray).data.subarray(0, s.d);
        expect(Array.from(first)).toEqual(Array.from(s.activity.subarray((start + nTrain) * s.d, (start + nTrain + 1) * s.d), Math.fround));
        seen.add(`${subject}/${session}/${start}`);
      });
    }
    // dev and official use different stretches of each session.
    expect(seen.size).toBe(m1VelocityDecoding.sizes.dev + m1VelocityDecoding.sizes.official);
  });

  it("T2 references and sanity: ridge decodes hand velocity on every dev instance (README: R² 0.53–0.71)", async () => {
    const lines: string[] = [];
    for (const inst of instances(m1VelocityDecoding, "dev")) {
      expect(await score(oracle, inst, m1VelocityDecoding)).toBeCloseTo(1, 6);
      const r = await score(random, inst, m1VelocityDecoding);
      expect(r).toBeLessThanOrEqual(1e-6);
      expect(r).toBeGreaterThan(-0.5);
      const r2 = await score(ridge, inst, m1VelocityDecoding);
      lines.push(`${inst.key} (${inst.meta.subject} ${inst.meta.session}): ridge R² ${r2.toFixed(2)}`);
      expect(r2).toBeGreaterThan(0.45);
    }
    console.log(`${card.id}: hand-velocity decoding (dev)\n  ${lines.join("\n  ")}`);
  });

  it("T5 parts are trial-averaged epochs (target × bin rows); B is a shuffle of the same epochs with other neurons", () => {
    for (const inst of instances(m1CrossSessionEpochs, "dev")) {
      const subject = inst.meta.subject as M1Subject;
      const { A } = loadM1Subject(subject);
      const L = inst.params.L as number;
      const match = Array.from((inst.truth.match as NdArray).data);
      expect([...match].sort()).toEqual(Array.from({ length: L }, (_, i) => i));
      const targets = inst.meta.targets as number[];
      const w = inst.meta.binsPerEpoch as number;
      const offset = inst.meta.offset as number;
      const a0 = inst.inputs.a0 as NdArray;
      expect(a0.shape[0]).toBe(targets.length * w);
      // Row 0 of a0 is the mean over complete trials to the first target at bin `offset`; the columns are a subset
      // of A's neurons, so the row's sum is at most the sum over all neurons.
      const trials = A.trials.filter((t) => t.complete && t.target === targets[0] && t.end - t.start > offset);
      let all = 0;
      for (const t of trials) for (let k = 0; k < A.d; k++) all += A.activity[(t.start + offset) * A.d + k] as number;
      const rowSum = Array.from(a0.data.subarray(0, a0.shape[1] as number)).reduce((x, y) => x + y, 0);
      expect(rowSum).toBeLessThanOrEqual(all / trials.length + 1e-3);
      expect(rowSum).toBeGreaterThan(0);
      if (subject === "chewie") expect((inst.meta.neuronsA as number) + (inst.meta.neuronsB as number)).toBe(A.d);
    }
  });

  it("T5 references and baselines (README): Chewie's epochs are identified above chance, Mihi's are not", async () => {
    const chance: Record<M1Subject, number[]> = { mihi: [], chewie: [] };
    const best: Record<M1Subject, number[]> = { mihi: [], chewie: [] };
    const lines: string[] = [];
    const randomScores: number[] = [];
    for (const inst of instances(m1CrossSessionEpochs, "official")) {
      const subject = inst.meta.subject as M1Subject;
      expect(await score(oracle, inst, m1CrossSessionEpochs)).toBe(1);
      randomScores.push(await score(random, inst, m1CrossSessionEpochs));
      chance[subject].push(1 / (inst.params.M as number));
      const scores: string[] = [];
      let top = 0;
      for (const m of [linearCkaMethod, rbfCka, rsa, svcca, procrustes]) {
        const s = await score(m, inst, m1CrossSessionEpochs);
        top = Math.max(top, s);
        scores.push(`${m.id} ${s.toFixed(2)}`);
      }
      best[subject].push(top);
      lines.push(`${inst.key} (${subject}, offset ${inst.meta.offset}): ${scores.join(", ")}`);
    }
    console.log(`${card.id}: cross-session epochs (official)\n  ${lines.join("\n  ")}`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Random: expected 1/M (0.29 on average here); 8 instances of 3–4 rows leave a wide spread.
    expect(Math.abs(mean(randomScores) - mean([...chance.mihi, ...chance.chewie]))).toBeLessThan(0.25);
    // The best baseline per instance: well above chance (1/4) on Chewie; at chance (1/3) on Mihi.
    expect(mean(best.chewie)).toBeGreaterThan(mean(chance.chewie) + 0.3);
    expect(mean(best.mihi)).toBeLessThan(mean(chance.mihi) + 0.2);
  });
});
