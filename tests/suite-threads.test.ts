// The suite split over worker threads must record exactly what a sequential run records.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAll } from "../harness/register.ts";
import { runSuite } from "../harness/runner.ts";
import { runSuiteThreaded } from "../harness/suite-threads.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

const TASKS = ["causal-attribution", "layer-correspondence"];
let threaded: TestDatabase;
let sequential: TestDatabase;

beforeAll(async () => {
  [threaded, sequential] = await Promise.all([createTestDatabase("threads"), createTestDatabase("sequential")]);
});
afterAll(async () => {
  await Promise.all([threaded?.drop(), sequential?.drop()]);
});

describe("suite on worker threads", () => {
  it("records the same runs and scores as a sequential suite, and skips them on a second start", async () => {
    const registered = await registerAll(threaded.db);
    const report = await runSuiteThreaded(threaded.url, registered, { split: "dev", tasks: TASKS, threads: 2, progress: false });
    const reference = await runSuite(sequential.db, { split: "dev", tasks: TASKS, progress: false });
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

  it("a unit that fails to run rejects with the unit named", async () => {
    const registered = await registerAll(threaded.db);
    registered.taskVersionId.set("causal-attribution", 987654321); // a foreign key no run can reference
    await expect(
      runSuiteThreaded(threaded.url, registered, { split: "official", tasks: ["causal-attribution"], threads: 1, progress: false }),
    ).rejects.toThrow(/causal-attribution\/planted-circuits/);
  });
});
