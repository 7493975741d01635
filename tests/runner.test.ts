// The runner against a real PostgreSQL: results recorded with provenance, references at ceiling and
// chance, failures recorded as outcomes (never scores), resume after interruption, skip when done.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { f32 } from "../harness/ndarray.ts";
import { registerAll } from "../harness/register.ts";
import { generateInstance, getDataset } from "../harness/registry.ts";
import { loadResults } from "../harness/results.ts";
import { runSuite } from "../harness/runner.ts";
import type { MethodDefinition, MethodOutputs } from "../harness/types.ts";
import { expectedRandomMmcs } from "../tasks/feature-recovery/chance.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("runner");
});
afterAll(async () => {
  await t.drop();
});

const base = { version: "1.0.0", kind: "baseline" as const, description: "test double", tasks: ["feature-recovery"], sourceHash: "test" };
const shaped = (ctx: { outputShapes: Record<string, number[]> }, fill: number) => {
  const a = f32(ctx.outputShapes.dictionary as number[]);
  a.data.fill(fill);
  return a;
};

const throwing: MethodDefinition = {
  ...base,
  id: "test-throws",
  name: "throws",
  run: async () => {
    throw new Error("boom: method crashed");
  },
};
const wrongShape: MethodDefinition = {
  ...base,
  id: "test-wrong-shape",
  name: "wrong shape",
  run: async () => ({ dictionary: f32([3, 3]) }),
};
const nan: MethodDefinition = { ...base, id: "test-nan", name: "nan", run: async (ctx) => ({ dictionary: shaped(ctx, Number.NaN) }) };
const notObject: MethodDefinition = { ...base, id: "test-null", name: "null", run: async () => null as unknown as MethodOutputs };
const slow: MethodDefinition = { ...base, id: "test-slow", name: "slow", run: () => new Promise(() => undefined) };
let flakyCalls = 0;
/** Fails on instance 2 the first time only: used to check that resume keeps finished instances. */
const flaky: MethodDefinition = {
  ...base,
  id: "test-flaky",
  name: "flaky",
  run: async (ctx) => {
    flakyCalls++;
    if (ctx.params.nFeatures === 64 && flakyCalls < 4) throw new Error("transient");
    return { dictionary: shaped(ctx, 1) };
  },
};

describe("runSuite", () => {
  it("runs references on the dev split: oracle at ceiling, random at analytic chance, with provenance", async () => {
    const report = await runSuite(t.db, {
      tasks: ["feature-recovery"],
      datasets: ["sparse-linear"],
      methods: ["random"],
      split: "dev",
      progress: false,
    });
    const byMethod = Object.fromEntries(report.results.map((r) => [r.method, r]));
    expect(Object.keys(byMethod).sort()).toEqual(["oracle", "random"]);
    expect(byMethod.oracle?.score).toBeGreaterThanOrEqual(0.999);
    expect(byMethod.oracle?.normalized).toBeCloseTo(1, 6);
    expect(byMethod.random?.normalized).toBeCloseTo(0, 6);
    // Chance: the mean of each instance's analytic expectation, k random rows in d = 32.
    const dataset = getDataset("feature-recovery", "sparse-linear");
    const chance =
      Array.from({ length: dataset.sizes.dev }, (_, i) => {
        const inst = generateInstance(dataset, "dev", i);
        return expectedRandomMmcs(32, inst.params.nFeatures as number);
      }).reduce((a, b) => a + b, 0) / dataset.sizes.dev;
    expect(Math.abs((byMethod.random?.score as number) - chance)).toBeLessThan(0.03);
    expect(byMethod.random?.ciLow).toBeLessThanOrEqual(byMethod.random?.score as number);
    expect(byMethod.random?.ciHigh).toBeGreaterThanOrEqual(byMethod.random?.score as number);

    const run = await t.db.run.findUniqueOrThrow({ where: { id: byMethod.random?.runId }, include: { results: true } });
    expect(run.status).toBe("ok");
    expect(run.harnessVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.gitSha.length).toBeGreaterThan(0);
    expect(["wasm", "cpu", "tensorflow"]).toContain(run.backend);
    expect((run.hardware as { cores: number }).cores).toBeGreaterThan(0);
    expect(run.wallMs).toBeGreaterThan(0);
    expect(run.peakRssMb).toBeGreaterThan(10);
    expect(run.results).toHaveLength(dataset.sizes.dev);
    for (const r of run.results) {
      expect(r.status).toBe("ok");
      expect(r.inputHash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.score).toBeGreaterThan(0);
    }
  });

  it("skips combinations already done and reports them as cached", async () => {
    const before = await t.db.instanceResult.count();
    const report = await runSuite(t.db, {
      tasks: ["feature-recovery"],
      datasets: ["sparse-linear"],
      methods: ["random"],
      split: "dev",
      progress: false,
    });
    expect(report.results.every((r) => r.skipped)).toBe(true);
    expect(await t.db.instanceResult.count()).toBe(before);
  });

  it("records each kind of bad output as a failed run with a message, never a score", async () => {
    const extraMethods = [throwing, wrongShape, nan, notObject];
    const okBefore = await loadResults(t.db, { split: "dev" });
    const report = await runSuite(t.db, {
      tasks: ["feature-recovery"],
      datasets: ["sparse-linear"],
      methods: extraMethods.map((m) => m.id),
      split: "dev",
      progress: false,
      extraMethods,
    });
    const by = Object.fromEntries(report.results.map((r) => [r.method, r]));
    expect(by["test-throws"]?.status).toBe("error");
    expect(by["test-throws"]?.message).toContain("boom: method crashed");
    expect(by["test-wrong-shape"]?.status).toBe("invalid-output");
    expect(by["test-wrong-shape"]?.message).toMatch(/output "dictionary" has shape \[3, 3\]; expected \[32, 32\]/);
    expect(by["test-nan"]?.status).toBe("invalid-output");
    expect(by["test-nan"]?.message).toMatch(/non-finite value \(NaN\) at flat index 0/);
    expect(by["test-null"]?.status).toBe("invalid-output");
    for (const id of extraMethods.map((m) => m.id)) {
      expect(by[id]?.score).toBeNull();
      expect(by[id]?.normalized).toBeNull();
    }
    const failedInstance = await t.db.instanceResult.findFirstOrThrow({ where: { run: { id: by["test-throws"]?.runId } } });
    expect(failedInstance.status).toBe("error");
    expect(failedInstance.log).toContain("boom: method crashed");
    // Earlier results are untouched.
    const okAfter = await loadResults(t.db, { runIds: okBefore.map((r) => r.runId) });
    expect(okAfter.map((r) => [r.runId, r.score, r.status])).toEqual(okBefore.map((r) => [r.runId, r.score, r.status]));
  });

  it("records a method that never returns as a timeout", async () => {
    const report = await runSuite(t.db, {
      tasks: ["feature-recovery"],
      datasets: ["sparse-linear"],
      methods: ["test-slow"],
      split: "dev",
      progress: false,
      timeoutMs: 50,
      extraMethods: [slow],
    });
    const r = report.results.find((x) => x.method === "test-slow");
    expect(r?.status).toBe("timeout");
    expect(r?.message).toMatch(/timed out after the limit of 0.05 s/);
  });

  it("resumes an interrupted run without redoing finished instances, and retries failures on request", async () => {
    const registered = await registerAll(t.db);
    const options = {
      tasks: ["feature-recovery"],
      datasets: ["mixed-selectivity"],
      methods: ["test-flaky"],
      split: "dev" as const,
      progress: false,
      extraMethods: [flaky],
    };
    const first = await runSuite(t.db, options, registered);
    const run1 = first.results.find((r) => r.method === "test-flaky");
    expect(run1?.status).toBe("error");
    expect(run1?.message).toMatch(/1 of 6 instances failed \(1 error\); first: mixed-selectivity\/dev\/2: Error: transient/);
    const snapshot = async (indices: number[]) =>
      (await t.db.instanceResult.findMany({ where: { runId: run1?.runId, index: { in: indices } }, orderBy: { index: "asc" } })).map(
        (r) => [r.index, r.id, r.status],
      );
    const kept = await snapshot([0, 1, 2, 3]);
    // Simulate a crash after instance 3: later results are missing and the run is left 'running'.
    await t.db.instanceResult.deleteMany({ where: { runId: run1?.runId, index: { gte: 4 } } });
    await t.db.run.update({ where: { id: run1?.runId }, data: { status: "running" } });
    let calls = flakyCalls;
    const resumed = await runSuite(t.db, options, registered);
    expect(resumed.results.find((r) => r.method === "test-flaky")?.runId).toBe(run1?.runId);
    expect(flakyCalls - calls).toBe(2); // only instances 4 and 5
    expect(await snapshot([0, 1, 2, 3])).toEqual(kept);
    expect(resumed.results.find((r) => r.method === "test-flaky")?.status).toBe("error");
    // --retry-failed re-runs just the failed instance; ok ones are kept.
    calls = flakyCalls;
    const retried = await runSuite(t.db, { ...options, retryFailed: true }, registered);
    expect(flakyCalls - calls).toBe(1);
    const run3 = retried.results.find((r) => r.method === "test-flaky");
    expect(run3?.status).toBe("ok");
    expect(run3?.score).not.toBeNull();
    expect((await snapshot([0, 1, 3])).map((x) => x[1])).toEqual(kept.filter((x) => x[0] !== 2).map((x) => x[1]));
  });
});
