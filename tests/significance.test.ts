// lib/significance.ts against a test database: runs and per-instance results written directly, then the
// leaderboard's rank groups, rank intervals and row-above comparisons read back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holm, wilcoxon } from "../harness/statistics.ts";
import { loadSignificance, type RowSignificance } from "../lib/significance.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { insertScoredRun } from "./helpers/fixture-runs.ts";

const N = 20;
const TASK = "sig-task";
const DATASET = "sig-data";
// alpha and beta score identically on every instance; gamma is clearly worse; delta fails on half its instances
// (counted at the task's lowest score, 0) and scores alpha − 0.3 on the rest.
const alpha = Array.from({ length: N }, (_, i) => 0.6 + 0.015 * ((i * 7) % 20));
const gamma = alpha.map((v, i) => v - 0.2 - 0.004 * i);
const deltaOk = (i: number) => i % 2 === 0;

let tdb: TestDatabase;
let result: RowSignificance[];

async function addRun(
  ids: { taskVersionId: number; datasetVersionId: number },
  method: string,
  kind: "baseline" | "reference" | "floor",
  scores: (number | null)[],
) {
  const { db } = tdb;
  await db.method.create({ data: { id: method, name: method, kind, description: `${method} (test fixture)` } });
  const mv = await db.methodVersion.create({ data: { methodId: method, version: "1.0.0", sourceHash: "0".repeat(64) } });
  return insertScoredRun(db, { ...ids, methodVersionId: mv.id }, DATASET, scores);
}

beforeAll(async () => {
  tdb = await createTestDatabase("significance");
  const { db } = tdb;
  await db.task.create({ data: { id: TASK, title: "Significance", question: "?", description: "test", mainScore: "score" } });
  const tv = await db.taskVersion.create({
    data: { taskId: TASK, version: 1, contractHash: "c".repeat(64), contract: { mainScore: { id: "score", min: 0, max: 1 } } },
  });
  const ds = await db.dataset.create({ data: { taskId: TASK, slug: DATASET, title: "Data", domain: "synthetic", description: "test" } });
  const dv = await db.datasetVersion.create({ data: { datasetId: ds.id, version: 1, contentHash: "d".repeat(64), config: {} } });
  const ids = { taskVersionId: tv.id, datasetVersionId: dv.id };
  await addRun(ids, "alpha", "baseline", alpha);
  await addRun(ids, "beta", "baseline", [...alpha]);
  await addRun(ids, "gamma", "baseline", gamma);
  await addRun(
    ids,
    "delta",
    "baseline",
    alpha.map((v, i) => (deltaOk(i) ? v - 0.3 : null)),
  );
  // References and floors are rows to beat, never ranked: they must not enter the analysis.
  await addRun(
    ids,
    "random",
    "reference",
    alpha.map(() => 0.1),
  );
  await addRun(
    ids,
    "floor-constant",
    "floor",
    alpha.map(() => 0.2),
  );
  result = await loadSignificance(db, { task: TASK, taskVersion: 1, dataset: DATASET, datasetVersion: 1, split: "official" });
});

afterAll(async () => {
  await tdb?.drop();
});

describe("loadSignificance", () => {
  it("ranks only the methods, in the leaderboard's order", () => {
    expect(result.map((r) => r.method)).toEqual(["alpha", "beta", "gamma", "delta"]);
  });

  it("two methods with identical per-instance scores share rank 1 with p = 1", () => {
    expect(result[0]).toMatchObject({ group: 1, vsAbove: null });
    expect(result[1]).toMatchObject({ group: 1, vsAbove: { method: "alpha", mean: 0, low: 0, high: 0, n: N, p: 1, pAdjusted: 1 } });
    expect(result[0]?.rankLow).toBe(1);
    expect(result[1]?.rankLow).toBe(1);
  });

  it("a clearly worse method is separated, with the paired difference and Holm-adjusted Wilcoxon p", () => {
    const g = result[2] as RowSignificance;
    expect(g.group).toBe(3);
    expect(g).toMatchObject({ rankLow: 3, rankHigh: 3 });
    const diffs = gamma.map((v, i) => v - (alpha[i] as number));
    const meanDiff = diffs.reduce((a, b) => a + b, 0) / N;
    expect(g.vsAbove?.mean).toBeCloseTo(meanDiff, 12);
    expect(g.vsAbove?.high).toBeLessThan(0);
    expect(g.vsAbove?.low).toBeLessThanOrEqual(meanDiff);
    // Every pair of the four ranked rows is in Holm's family (6 p-values); gamma−beta is the 4th of them here.
    const delta = alpha.map((v, i) => (deltaOk(i) ? v - 0.3 : 0));
    const table = [alpha, alpha, gamma, delta];
    const raw: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) raw.push(wilcoxon(table[i] as number[], table[j] as number[]).p);
    expect(g.vsAbove?.p).toBe(wilcoxon(gamma, alpha).p);
    expect(g.vsAbove?.pAdjusted).toBe(holm(raw)[3]);
    expect(g.vsAbove?.pAdjusted).toBeLessThan(0.05);
  });

  it("failed instances count at the task's lowest score", () => {
    const d = result[3] as RowSignificance;
    const expected = alpha.reduce((s, v, i) => s + (deltaOk(i) ? v - 0.3 : 0) - (gamma[i] as number), 0) / N;
    expect(d.vsAbove).toMatchObject({ method: "gamma", n: N });
    expect(d.vsAbove?.mean).toBeCloseTo(expected, 12);
    expect(d.group).toBe(4);
  });
});
