// External methods end to end through runSuite against a real PostgreSQL: example methods in Python are run in
// the sandbox, scored and recorded with their own log, CPU time and peak memory; the Python port of `random` is
// bit-identical to the TypeScript one; a hostile method's failure is recorded without touching other results.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadExternalMethod } from "../harness/external/method.ts";
import { sandboxAvailable } from "../harness/external/sandbox.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { registerAll } from "../harness/register.ts";
import { generateInstance, getDataset, getMethod, getTask, methodSeed } from "../harness/registry.ts";
import { loadResults } from "../harness/results.ts";
import { methodContext, runSuite } from "../harness/runner.ts";
import type { NdArray } from "../harness/types.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

// Sandboxed where bubblewrap works (CI installs it); elsewhere the examples still run, without isolation.
const canSandbox = sandboxAvailable().ok;
const options = { sandbox: canSandbox };
const task = getTask("feature-recovery");
const dataset = getDataset("feature-recovery", "sparse-linear");
const selection = { tasks: ["feature-recovery"], datasets: ["sparse-linear"], split: "dev" as const, progress: false };

let t: TestDatabase;
let scratch: string;
beforeAll(async () => {
  t = await createTestDatabase("external", { registered: true });
  scratch = await mkdtemp(path.join(os.tmpdir(), "cajal-external-test-"));
  await chmod(scratch, 0o755);
});
afterAll(async () => {
  await t.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe("external methods through runSuite", () => {
  it("runs examples/python-pca (sandboxed where bubblewrap works): ok, scored like the TypeScript PCA, with the method's own log, CPU and memory", async () => {
    const method = await loadExternalMethod(path.join(REPO_ROOT, "examples", "python-pca"), options);
    expect(method).toMatchObject({ id: "python-pca", kind: "external", concurrent: true });
    expect(method.notes.includes("no-sandbox")).toBe(!canSandbox);
    expect(method.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    const registered = await registerAll(t.db);
    const report = await runSuite(t.db, { ...selection, methods: ["python-pca", "pca"], extraMethods: [method] }, registered);
    const by = Object.fromEntries(report.results.map((r) => [r.method, r]));
    expect(by["python-pca"]?.status).toBe("ok");
    expect(by["python-pca"]?.score).toBeCloseTo(by.pca?.score as number, 6);
    expect(by["python-pca"]?.normalized).not.toBeNull();

    const run = await t.db.run.findUniqueOrThrow({
      where: { id: by["python-pca"]?.runId },
      include: { results: { orderBy: { index: "asc" } } },
    });
    const pcaRun = await t.db.run.findUniqueOrThrow({ where: { id: by.pca?.runId }, include: { results: { orderBy: { index: "asc" } } } });
    expect(run.results).toHaveLength(dataset.sizes.dev);
    for (const [i, r] of run.results.entries()) {
      expect(r.status).toBe("ok");
      expect(r.score).toBeCloseTo(pcaRun.results[i]?.score as number, 6);
      expect(r.log).toMatch(/^pca: 4096 samples x 32 dims -> 32 directions/);
      expect(r.cpuMs).toBeGreaterThan(0);
      // The Python process tree's peak, not the harness's (which is far above 100 MiB with TensorFlow.js loaded).
      expect(r.peakRssMb).toBeGreaterThan(1);
      expect(r.peakRssMb).toBeLessThan(200);
      expect(r.wallMs).toBeGreaterThan(0);
    }
  });

  it("runs examples/python-random bit-identically to the TypeScript random method for the same seed", async () => {
    const external = await loadExternalMethod(path.join(REPO_ROOT, "examples", "python-random"), options);
    const random = getMethod("random");
    const report = await runSuite(t.db, { ...selection, methods: ["python-random"], extraMethods: [external] });
    const row = report.results.find((r) => r.method === "python-random");
    expect(row?.status).toBe("ok");
    const stored = await t.db.instanceResult.findMany({ where: { runId: row?.runId }, orderBy: { index: "asc" } });
    expect(stored).toHaveLength(dataset.sizes.dev);
    for (const r of stored) {
      const instance = generateInstance(dataset, "dev", r.index);
      // The seed the harness gave python-random for this instance, given to the in-process method.
      const ctx = { ...methodContext(random, task, instance), seed: methodSeed(instance, "python-random") };
      const inProcess = await random.run(ctx);
      expect(r.score).toBe(task.score(instance, inProcess).main);
      const outOfProcess = await external.run(ctx);
      const a = (outOfProcess.dictionary as NdArray).data;
      const b = (inProcess.dictionary as NdArray).data;
      expect(a).toBeInstanceOf(Float32Array);
      expect(Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(0);
    }
  });

  it("records a hostile method's failure with its message and log, leaving other results untouched", async () => {
    const dir = path.join(scratch, "hostile");
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "main.py"),
      "import sys, urllib.request\nprint('phoning home')\ntry:\n    urllib.request.urlopen('http://1.1.1.1', timeout=2)\nexcept Exception as e:\n    print(f'no network: {e}')\nsys.exit('giving up')\n",
    );
    const manifest = {
      protocol: 1,
      id: "test-hostile",
      version: "1.0.0",
      name: "hostile",
      tasks: ["feature-recovery"],
      command: ["python3", "main.py"],
      description: "tries the network, then fails",
      authors: [],
      limits: { timeoutSeconds: 20 },
    };
    await writeFile(path.join(dir, "method.json"), JSON.stringify(manifest));
    const hostile = await loadExternalMethod(dir, options);
    const before = await loadResults(t.db, { split: "dev" });
    const report = await runSuite(t.db, { ...selection, methods: ["test-hostile"], extraMethods: [hostile] });
    const row = report.results.find((r) => r.method === "test-hostile");
    expect(row?.status).toBe("error");
    expect(row?.score).toBeNull();
    expect(row?.message).toBe("6 of 6 instances failed (6 error); first: sparse-linear/dev/0: exit code 1: giving up");
    const first = await t.db.instanceResult.findFirstOrThrow({ where: { runId: row?.runId, index: 0 } });
    expect(first.status).toBe("error");
    expect(first.log).toContain("phoning home");
    if (canSandbox) expect(first.log).toContain("no network: <urlopen error [Errno 101] Network is unreachable>");
    const after = await loadResults(t.db, { runIds: before.map((r) => r.runId) });
    expect(after.map((r) => [r.runId, r.status, r.score])).toEqual(before.map((r) => [r.runId, r.status, r.score]));
  });
});
