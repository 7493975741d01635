// examples/ripser-topology end to end: Debian's `ripser` program wrapped as an external method for T4 topology
// (TASKS.md), run through loadExternalMethod + runSuite against a real PostgreSQL. It must be ok on every dev
// instance, score far above the random reference, and give the same Betti numbers as the TypeScript
// `persistent-homology` baseline, whose pipeline it ports (only the barcode engine differs).
// Without ripser the tests are skipped with a message — except in CI (process.env.CI), where that is a failure.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadExternalMethod } from "../harness/external/method.ts";
import { sandboxAvailable } from "../harness/external/sandbox.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { generateInstance, getDataset, getMethod, getTask } from "../harness/registry.ts";
import { methodContext, runSuite } from "../harness/runner.ts";
import { predictedBetti, trueBetti } from "../tasks/topology/task.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

/** Where the sandbox's PATH (/usr/bin:/bin:/usr/local/bin) can find ripser. */
const RIPSER = ["/usr/bin/ripser", "/bin/ripser", "/usr/local/bin/ripser"].find((p) => existsSync(p));
const inCi = Boolean(process.env.CI);
const MISSING = "Debian's ripser program is not installed (/usr/bin/ripser); install it with `apt-get install ripser`";
if (!RIPSER && !inCi) console.log(`${MISSING}: skipping tests/ripser-method.test.ts (examples/ripser-topology)`);

// Sandboxed where bubblewrap works (CI installs it); elsewhere the method still runs, without isolation.
const canSandbox = sandboxAvailable().ok;
const task = getTask("topology");
const dataset = getDataset("topology", "neural-manifolds");

describe("examples/ripser-topology (Debian's ripser as an external method)", () => {
  it.runIf(!RIPSER && inCi)("has ripser installed (required in CI)", () => {
    expect.fail(`${MISSING}; CI must install it (see .ci/run)`);
  });

  describe.skipIf(!RIPSER)("through runSuite", () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase("ripser_method");
    });
    afterAll(async () => {
      await t?.drop();
    });

    it("is ok on every dev instance, beats random by a wide margin and agrees with the TypeScript persistent-homology", async () => {
      const method = await loadExternalMethod(path.join(REPO_ROOT, "examples", "ripser-topology"), { sandbox: canSandbox });
      expect(method).toMatchObject({ id: "ripser-topology", kind: "external", tasks: ["topology"] });
      const selection = { tasks: ["topology"], datasets: ["neural-manifolds"], split: "dev" as const, progress: false };

      const started = performance.now();
      const report = await runSuite(t.db, { ...selection, methods: ["ripser-topology"], extraMethods: [method] });
      const ripserMs = performance.now() - started;
      const row = report.results.find((r) => r.method === "ripser-topology");
      expect(row?.status, row?.message ?? "").toBe("ok");
      const random = (await runSuite(t.db, { ...selection, methods: ["random"] })).results.find((r) => r.method === "random");
      expect(random?.status).toBe("ok");

      const stored = await t.db.instanceResult.findMany({ where: { runId: row?.runId }, orderBy: { index: "asc" } });
      expect(stored).toHaveLength(dataset.sizes.dev);

      const ts = getMethod("persistent-homology");
      const lines: string[] = [];
      let agree = 0;
      let tsScore = 0;
      let tsMs = 0;
      for (const r of stored) {
        expect(r.status, r.message ?? "").toBe("ok");
        const instance = generateInstance(dataset, "dev", r.index);
        // The method prints the Betti numbers it wrote; they must be the ones that were scored.
        const logged = /betti = \[(\d+), (\d+), (\d+)\]/.exec(r.log ?? "");
        expect(logged, `log of instance ${r.index}: ${r.log}`).not.toBeNull();
        const external = (logged as RegExpExecArray).slice(1, 4).map(Number);
        expect(r.score).toBe(task.score(instance, { result: { betti: external } }).main);

        const t0 = performance.now();
        const outputs = await ts.run(methodContext(ts, task, instance));
        tsMs += performance.now() - t0;
        const internal = predictedBetti(outputs);
        tsScore += task.score(instance, outputs).main;
        if (JSON.stringify(internal) === JSON.stringify(external)) agree++;
        lines.push(
          `  ${instance.key} (${instance.meta.latent}, peak ${instance.meta.peakCount}): truth ${JSON.stringify(trueBetti(instance))}, ripser ${JSON.stringify(external)}, TypeScript ${JSON.stringify(internal)} — ${r.wallMs.toFixed(0)} ms`,
        );
      }
      console.log(
        [
          `ripser-topology on ${dataset.slug}/dev (${canSandbox ? "sandboxed" : "no sandbox"}): exact match ${row?.score?.toFixed(3)} ` +
            `(TypeScript persistent-homology ${(tsScore / stored.length).toFixed(3)}, random ${random?.score?.toFixed(3)}); ` +
            `runSuite ${(ripserMs / 1000).toFixed(1)} s, TypeScript in-process ${(tsMs / 1000).toFixed(1)} s; Betti numbers agree on ${agree}/${stored.length}`,
          ...lines,
        ].join("\n"),
      );

      // Chance is 1/27 ≈ 0.04 (the random reference); the pipeline recovers most dev instances.
      expect(row?.score as number).toBeGreaterThanOrEqual(5 / 7);
      expect(row?.score as number).toBeGreaterThan((random?.score as number) + 0.5);
      expect(row?.normalized).not.toBeNull();
      // Same preprocessing and the same 120 landmarks (checked on every dev instance), barcodes equal up to
      // ripser's single precision (1e-5, T4 tests), and every deciding bar is ≥ 5% away from its threshold: the
      // Betti numbers agree on every instance, so the scores are equal.
      expect(agree, "instances where ripser-topology and persistent-homology agree").toBe(stored.length);
      expect(row?.score).toBeCloseTo(tsScore / stored.length, 12);
    }, 60_000);
  });
});
