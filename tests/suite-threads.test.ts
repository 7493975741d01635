// The suite split over worker threads must record exactly what a sequential run records.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factorNetworkRecipe } from "../datasets/artificial/factor-network/recipe.ts";
import { artifactStatus } from "../harness/artifacts.ts";
import { datasetContentHash, registerAll } from "../harness/register.ts";
import { getDataset, listDatasets } from "../harness/registry.ts";
import { runSuite } from "../harness/runner.ts";
import { runSuiteThreaded } from "../harness/suite-threads.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

// Three datasets of one task: enough units for two threads, and cheap on the dev split.
const TASKS = ["causal-attribution"];
const factorNetwork = getDataset("intrinsic-dimension", "factor-network");
/** Registering only the selected tasks' datasets spares hashing every other dataset's instances. */
const registerSelected = (db: TestDatabase["db"]) => registerAll(db, { datasets: listDatasets().filter((d) => TASKS.includes(d.task)) });
let threaded: TestDatabase;
let sequential: TestDatabase;

beforeAll(async () => {
  [threaded, sequential] = await Promise.all([createTestDatabase("threads"), createTestDatabase("sequential")]);
});
afterAll(async () => {
  await Promise.all([threaded?.drop(), sequential?.drop()]);
});

describe("suite on worker threads", () => {
  it("records the same runs and scores as a sequential suite, and skips them on a second start", { timeout: 300_000 }, async () => {
    const registered = await registerSelected(threaded.db);
    const report = await runSuiteThreaded(threaded.url, registered, { split: "dev", tasks: TASKS, threads: 2, progress: false });
    const reference = await runSuite(sequential.db, { split: "dev", tasks: TASKS, progress: false }, await registerSelected(sequential.db));
    const key = (r: { method: string; task: string; dataset: string }) => `${r.method}|${r.task}|${r.dataset}`;
    expect(report.results.map(key)).toEqual(reference.results.map(key));
    expect(report.results.length).toBeGreaterThan(10);
    for (const [i, r] of report.results.entries()) {
      const ref = reference.results[i];
      expect(r.status, key(r)).toBe(ref?.status);
      expect(r.score, key(r)).toBe(ref?.score);
      expect(r.ciLow, key(r)).toBe(ref?.ciLow);
      expect(r.instancesDone).toBe(r.instances);
      expect(r.skipped).toBe(false);
    }
    const again = await runSuiteThreaded(threaded.url, registered, { split: "dev", tasks: TASKS, threads: 2, progress: false });
    expect(again.results.map(key)).toEqual(report.results.map(key));
    expect(again.results.every((r) => r.skipped)).toBe(true);
  });

  it("trains a missing network and registers new datasets on its threads, with the same instances and scores", async () => {
    const artifactDir = mkdtempSync(path.join(os.tmpdir(), "cajal-threads-artifacts-"));
    const before = process.env.CAJAL_ARTIFACT_DIR;
    process.env.CAJAL_ARTIFACT_DIR = artifactDir; // worker threads copy the environment when they start
    try {
      const selection = { split: "dev" as const, tasks: ["intrinsic-dimension"], datasets: ["factor-network"] };
      const fresh = await createTestDatabase("threads-train");
      try {
        const registered = await registerAll(fresh.db, { datasets: [] });
        const report = await runSuiteThreaded(fresh.url, registered, {
          ...selection,
          threads: 2,
          train: [factorNetworkRecipe],
          progress: false,
        });
        // The network the thread trained is the pinned one, and the dataset version the thread registered carries the
        // content hash registration computes in this thread.
        expect(artifactStatus(factorNetworkRecipe)).toBe("ok");
        const version = await fresh.db.datasetVersion.findFirstOrThrow({
          where: { dataset: { taskId: "intrinsic-dimension", slug: "factor-network" } },
        });
        expect(version.contentHash).toBe(datasetContentHash(factorNetwork, { cache: false }));
        const reference = await runSuite(
          sequential.db,
          { ...selection, progress: false },
          await registerAll(sequential.db, { datasets: [factorNetwork] }),
        );
        const key = (r: { method: string; task: string; dataset: string }) => `${r.method}|${r.task}|${r.dataset}`;
        expect(report.results.map(key)).toEqual(reference.results.map(key));
        for (const [i, r] of report.results.entries()) {
          expect(r.status, key(r)).toBe("ok");
          expect(r.score, key(r)).toBe(reference.results[i]?.score);
        }
      } finally {
        await fresh.drop();
      }
    } finally {
      if (before === undefined) delete process.env.CAJAL_ARTIFACT_DIR;
      else process.env.CAJAL_ARTIFACT_DIR = before;
      rmSync(artifactDir, { recursive: true, force: true });
    }
  });

  it("a unit that fails to run rejects with the unit named", async () => {
    const registered = await registerSelected(threaded.db);
    registered.taskVersionId.set("causal-attribution", 987654321); // a foreign key no run can reference
    await expect(
      runSuiteThreaded(threaded.url, registered, { split: "official", tasks: ["causal-attribution"], threads: 1, progress: false }),
    ).rejects.toThrow(/causal-attribution\/planted-circuits/);
  });
});
