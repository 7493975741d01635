// The runner against a real PostgreSQL: results recorded with provenance, references at ceiling and
// chance, floors as the normalized score's 0, failures recorded as outcomes (never scores) and ranked at the
// task's lowest score, resume after interruption, skip when done; methods see opaque instance ids only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { f32 } from "../harness/ndarray.ts";
import { buildTaskJson, opaqueInstanceId } from "../harness/protocol.ts";
import { registerAll } from "../harness/register.ts";
import { generateInstance, getDataset, getMethod, getTask } from "../harness/registry.ts";
import { loadResults, type ResultRow } from "../harness/results.ts";
import { drawSeed, evaluateInstance, methodContext, runSuite } from "../harness/runner.ts";
import type { MethodDefinition, MethodOutputs } from "../harness/types.ts";
import { rankEntries, summarizeTask, type TaskInfo, toEntry } from "../lib/data.ts";
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
/** The id methods are given for mixed-selectivity dev instance 2 (they never see its index). */
const DEV_2 = opaqueInstanceId(generateInstance(getDataset("feature-recovery", "mixed-selectivity"), "dev", 2));
/** Fails on instance 2 the first time only: used to check that resume keeps finished instances. */
const flaky: MethodDefinition = {
  ...base,
  id: "test-flaky",
  name: "flaky",
  run: async (ctx) => {
    flakyCalls++;
    if (ctx.instance?.key === DEV_2 && flakyCalls < 4) throw new Error("transient");
    return { dictionary: shaped(ctx, 1) };
  },
};

describe("what methods see", () => {
  const task = getTask("feature-recovery");
  const dataset = getDataset("feature-recovery", "sparse-linear");
  const instance = generateInstance(dataset, "official", 3);

  it("an opaque instance id, never the dataset, split, index or instance seed", () => {
    const ctx = methodContext(getMethod("pca"), task, instance);
    const id = ctx.instance?.key as string;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(id).toBe(opaqueInstanceId(instance));
    expect(id).not.toBe(opaqueInstanceId(generateInstance(dataset, "official", 4)));
    expect(ctx.instance?.index).toBe(-1);
    expect(ctx.instance?.seed).toBe(ctx.seed);
    expect(ctx.instance?.seed).not.toBe(instance.seed);
    const json = JSON.stringify(buildTaskJson(task, ctx.instance ?? instance));
    expect(json).not.toContain("sparse-linear");
    expect(json).not.toContain("official");
    // task.json carries the same id, whether built from the instance or from what the method was given.
    expect(buildTaskJson(task, instance).instance).toBe(id);
    expect(buildTaskJson(task, ctx.instance ?? instance).instance).toBe(id);
    // Only the oracle keeps the real instance (it reads the truth anyway).
    expect(methodContext(getMethod("oracle"), task, instance).instance?.key).toBe("sparse-linear/official/3");
  });

  it("floor references get every instance of the split (truths, shapes, params), nothing else", () => {
    const ctx = methodContext(getMethod("floor-shape"), task, instance);
    expect(ctx.splitTruths).toHaveLength(dataset.sizes.official);
    expect(ctx.splitTruths?.map((s) => s.key)).toEqual(
      Array.from({ length: dataset.sizes.official }, (_, i) => `sparse-linear/official/${i}`),
    );
    expect(ctx.splitTruths?.[3]?.id).toBe(ctx.instance?.key);
    expect(ctx.splitTruths?.[3]?.shapes.activations).toEqual(instance.inputs.activations?.shape);
    expect(methodContext(getMethod("pca"), task, instance).splitTruths).toBeUndefined();
  });

  it("random's score of an instance is the mean of 8 draws, draw 0 being the method seed", async () => {
    const random = getMethod("random");
    const dev = generateInstance(dataset, "dev", 0);
    const outcome = await evaluateInstance(random, task, dev);
    const draws: number[] = [];
    for (let d = 0; d < 8; d++) {
      const out = await random.run(methodContext(random, task, dev, { seed: drawSeed(dev, "random", d) }));
      draws.push(task.score(dev, out).main);
    }
    expect(new Set(draws).size).toBeGreaterThan(1);
    expect(outcome.score).toBeCloseTo(draws.reduce((a, b) => a + b, 0) / 8, 12);
    expect(drawSeed(dev, "random", 0)).toBe(methodContext(random, task, dev).seed);
  });
});

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
    // The floor references always run with the references: the normalized score's 0 is the best of them and random.
    expect(Object.keys(byMethod).sort()).toEqual(["floor-constant", "floor-shape", "floor-shortcut", "oracle", "random"]);
    expect(byMethod.oracle?.score).toBeGreaterThanOrEqual(0.999);
    expect(byMethod.oracle?.normalized).toBeCloseTo(1, 6);
    const lower = ["random", "floor-constant", "floor-shape", "floor-shortcut"].map((id) => byMethod[id] as ResultRow);
    for (const r of lower) expect(r.status, `${r.method}: ${r.message}`).toBe("ok");
    const best = lower.reduce((a, b) => ((b.score as number) > (a.score as number) ? b : a));
    expect(byMethod.oracle?.floor).toBe(best.score);
    expect(byMethod.oracle?.floorMethod).toBe(best.method);
    expect(best.normalized).toBeCloseTo(0, 12);
    for (const r of lower) expect(r.normalized as number).toBeLessThanOrEqual(1e-12);
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
    expect(by["test-wrong-shape"]?.message).toMatch(/output "dictionary" has shape \[3, 3\]; expected \[\d+, 32\]/);
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

  it("failing on the instances where a method does badly never ranks it above the plain method", async () => {
    const task = getTask("feature-recovery");
    const slugs = ["sparse-linear", "mixed-selectivity"];
    const options = { tasks: [task.id], datasets: slugs, methods: ["pca"], split: "dev" as const, progress: false };
    const plain = await runSuite(t.db, options);
    const pcaRuns = plain.results.filter((r) => r.method === "pca");
    // The wrapper errors where PCA does worst: its two worst instances on the dataset where it is weakest.
    const weakest = pcaRuns.reduce((a, b) => ((b.normalized as number) < (a.normalized as number) ? b : a));
    const instances = await t.db.instanceResult.findMany({ where: { runId: weakest.runId }, orderBy: { score: "asc" }, take: 2 });
    const bad = new Set(instances.map((r) => opaqueInstanceId({ key: r.instanceKey, seed: r.seed })));
    const pca = getMethod("pca");
    const wrapper: MethodDefinition = {
      ...pca,
      id: "test-pca-fails-when-bad",
      name: "PCA, erroring where it would score badly",
      kind: "baseline",
      sourceHash: "test",
      run: async (ctx) => {
        if (bad.has(ctx.instance?.key as string)) throw new Error("refusing an instance I would score badly on");
        return pca.run(ctx);
      },
    };
    const wrapped = await runSuite(t.db, { ...options, methods: [wrapper.id], extraMethods: [wrapper] });
    const failedRun = wrapped.results.find((r) => r.method === wrapper.id && r.dataset === weakest.dataset) as ResultRow;
    expect(failedRun.status).toBe("error");
    expect(failedRun.score).toBeNull(); // failure is never a number in the run's own score…
    expect(failedRun.failedInstances).toBe(2);
    // …but it is ranked with its failed instances at the task's lowest score, which is at most what PCA scored there.
    expect(failedRun.countedScore as number).toBeLessThanOrEqual(weakest.score as number);

    const rows = await loadResults(t.db, { task: task.id, split: "dev" });
    const latest = new Map<string, Map<string, ResultRow>>();
    for (const r of rows) {
      const byMethod = latest.get(r.dataset) ?? new Map<string, ResultRow>();
      if (!byMethod.has(r.method) || (byMethod.get(r.method) as ResultRow).runId < r.runId) byMethod.set(r.method, r);
      latest.set(r.dataset, byMethod);
    }
    const info: TaskInfo = {
      id: task.id,
      title: task.title,
      question: task.question,
      description: task.description,
      version: task.version,
      contractHash: "",
      mainScore: task.mainScore,
      metrics: task.metrics,
      datasets: slugs.map((slug) => {
        const d = getDataset(task.id, slug);
        return { slug, title: d.title, domain: d.domain, description: d.description, version: d.version, contentHash: "" };
      }),
      domainNotes: {},
    };
    const byDataset = new Map(slugs.map((slug) => [slug, [...(latest.get(slug)?.values() ?? [])]]));
    const { methods } = summarizeTask(info, byDataset);
    const of = (id: string) => methods.find((m) => m.method === id);
    expect(of("pca")?.meanNormalized).not.toBeNull();
    expect(of(wrapper.id)?.meanNormalized).not.toBeNull();
    expect(of(wrapper.id)?.meanNormalized as number).toBeLessThanOrEqual(of("pca")?.meanNormalized as number);
    expect(methods.findIndex((m) => m.method === wrapper.id)).toBeGreaterThan(methods.findIndex((m) => m.method === "pca"));
    expect(of(wrapper.id)?.domainMeans.synthetic?.failedInstances).toBe(2);
    // On the dataset's leaderboard it is ranked below PCA, marked, never dropped; floors and random take no rank.
    const board = rankEntries((byDataset.get(weakest.dataset) ?? []).filter((r) => r.method !== "oracle").map(toEntry));
    const entry = (id: string) => board.find((e) => e.method === id);
    expect(entry(wrapper.id)?.role).toBe("ranked");
    expect(entry(wrapper.id)?.rank as number).toBeGreaterThanOrEqual(entry("pca")?.rank as number);
    for (const id of ["random", "floor-constant", "floor-shape", "floor-shortcut"]) expect(entry(id)?.rank).toBeNull();
    expect(entry("floor-constant")?.role).toBe("floor");

    // A method with no run on one dataset of the domain gets no domain score (leaving the dataset out would reward it).
    const missing = new Map(
      slugs.map((slug) => [slug, (byDataset.get(slug) ?? []).filter((r) => !(r.method === "pca" && slug !== weakest.dataset))]),
    );
    const partial = summarizeTask(info, missing).methods.find((m) => m.method === "pca");
    expect(partial?.domainMeans.synthetic?.mean).toBeNull();
    expect(partial?.meanNormalized).toBeNull();
  });
});
