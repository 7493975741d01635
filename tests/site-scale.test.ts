// What makes the site fast at 100 000 runs (bench/site-scale.ts) must not change what it shows: the SQL selection of
// current rows equals lib/data.ts's currentRows over every row, superseded counts agree, cached significance is the
// computed one and is recomputed when a ranked run changes, and every page's metadata names its subject.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRuns, loadResults } from "../harness/results.ts";
import { currentRows, getCurrentTasks, getTask, loadTaskInfos } from "../lib/data.ts";
import { datasetMetadata, methodMetadata, runMetadata, taskMetadata } from "../lib/metadata.ts";
import { significanceOfRuns } from "../lib/significance.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

const TASK = "scale-task";
let tdb: TestDatabase;
const versions = { task: [] as number[], dataset: [] as number[], other: 0 };
const methodVersion = new Map<string, number>();

async function run(method: string, taskVersionId: number, datasetVersionId: number, split: "official" | "private", base: number) {
  const scores = Array.from({ length: 10 }, (_, i) => Math.min(1, base + 0.02 * ((i * 7) % 10)));
  return tdb.db.run.create({
    data: {
      methodVersionId: methodVersion.get(method) as number,
      taskVersionId,
      datasetVersionId,
      split,
      status: "ok",
      score: scores.reduce((a, b) => a + b, 0) / scores.length,
      instances: scores.length,
      instancesDone: scores.length,
      seed: 1,
      harnessVersion: "test",
      gitSha: "test",
      hardware: {},
      finishedAt: new Date(),
      results: {
        create: scores.map((score, index) => ({
          index,
          instanceKey: `i${index}`,
          seed: index,
          inputHash: "0",
          status: "ok",
          score,
          wallMs: 1,
          cpuMs: 1,
        })),
      },
    },
  });
}

beforeAll(async () => {
  tdb = await createTestDatabase("site_scale");
  process.env.DATABASE_URL = tdb.url;
  const { db } = tdb;
  await db.task.create({ data: { id: TASK, title: "Scale task", question: "Does it scale?", description: "fixture", mainScore: "score" } });
  for (const v of [1, 2]) {
    const contract = { mainScore: { id: "score", label: "Score", min: 0, max: 1 } };
    versions.task.push((await db.taskVersion.create({ data: { taskId: TASK, version: v, contractHash: `t${v}`, contract } })).id);
  }
  for (const slug of ["alpha-data", "beta-data"]) {
    const d = await db.dataset.create({
      data: { taskId: TASK, slug, title: `${slug} title`, domain: "synthetic", description: `${slug} fixture.` },
    });
    for (const v of slug === "alpha-data" ? [1, 2] : [1]) {
      const id = (await db.datasetVersion.create({ data: { datasetId: d.id, version: v, contentHash: `${slug}${v}`, config: {} } })).id;
      if (slug === "alpha-data") versions.dataset.push(id);
      else versions.other = id;
    }
  }
  for (const [id, kind, vs] of [
    ["oracle", "reference", ["1"]],
    ["random", "reference", ["1"]],
    ["sub-a", "external", ["0.1", "0.2", "0.3"]],
    ["sub-b", "external", ["0.1", "0.2"]],
  ] as const) {
    await db.method.create({ data: { id, name: `${id} name`, kind, description: `${id} description.` } });
    for (const v of vs)
      methodVersion.set(`${id}@${v}`, (await db.methodVersion.create({ data: { methodId: id, version: v, sourceHash: v } })).id);
  }
  const [tv1, tv2] = versions.task as [number, number];
  const [dv1, dv2] = versions.dataset as [number, number];
  // Superseded: the old task version, the old dataset version, and sub-a's older versions; sub-b 0.2 ran before 0.1's
  // retry, so the latest run (largest id) of sub-b is version 0.1's.
  await run("sub-a@0.1", tv1, dv2, "official", 0.3);
  await run("sub-a@0.1", tv2, dv1, "official", 0.3);
  for (const [dv, method, base] of [
    [dv2, "oracle@1", 0.9],
    [dv2, "random@1", 0.05],
    [dv2, "sub-a@0.1", 0.3],
    [dv2, "sub-a@0.2", 0.4],
    [dv2, "sub-b@0.2", 0.5],
    [dv2, "sub-b@0.1", 0.45],
    [dv2, "sub-a@0.3", 0.6],
    [versions.other, "oracle@1", 0.9],
    [versions.other, "sub-b@0.1", 0.2],
  ] as const) {
    await run(method, tv2, dv, "official", base);
  }
  await run("sub-a@0.3", tv2, dv2, "private", 0.55);
  await run("sub-a@0.2", tv2, dv2, "private", 0.35);
});

afterAll(async () => {
  await tdb?.drop();
});

const idsOf = (rows: { runId: number }[]) => rows.map((r) => r.runId).sort((a, b) => a - b);

describe("current rows in SQL", () => {
  it("select exactly what currentRows keeps of every row, on each split", async () => {
    const [task] = await loadTaskInfos(tdb.db, TASK);
    if (!task) throw new Error("fixture task missing");
    for (const split of ["official", "private"] as const) {
      const all = currentRows(task, await loadResults(tdb.db, { task: TASK, split }), split);
      const current = await loadResults(tdb.db, { task: TASK, split, current: true });
      expect(idsOf(current)).toEqual(idsOf([...all.byDataset.values()].flat()));
      // Same rows, same numbers (normalized scores use the same references).
      const expected = [...all.byDataset.values()].flat().sort((a, b) => a.runId - b.runId);
      expect(current.sort((a, b) => a.runId - b.runId)).toEqual(expected);
      if (split === "official") {
        const counts = await countRuns(tdb.db, { task: TASK, split });
        for (const d of task.datasets) {
          expect((counts.get(d.slug) ?? 0) - (all.byDataset.get(d.slug)?.length ?? 0)).toBe(all.superseded.get(d.slug));
        }
        expect(all.superseded.get("alpha-data")).toBe(5);
      }
    }
    // The fixture's point: sub-b's latest run is its 0.1 retry, sub-a's is 0.3 on the current versions only.
    const rows = await loadResults(tdb.db, { task: TASK, split: "official", current: true });
    expect(
      rows
        .filter((r) => r.dataset === "alpha-data")
        .map((r) => `${r.method}@${r.methodVersion}`)
        .sort(),
    ).toEqual(["oracle@1", "random@1", "sub-a@0.3", "sub-b@0.1"]);
  });
});

describe("significance cache", () => {
  it("returns the computed result for the same ranking and recomputes when a run's finishedAt changes", async () => {
    const rows = (await loadResults(tdb.db, { task: TASK, split: "official", current: true }))
      .filter((r) => r.dataset === "alpha-data" && r.methodKind === "external")
      .sort((a, b) => (b.score as number) - (a.score as number));
    const first = await significanceOfRuns(tdb.db, rows, 0);
    expect(first.map((s) => s.method)).toEqual(["sub-a", "sub-b"]);
    expect(first[1]?.vsAbove?.n).toBe(10);
    expect(await significanceOfRuns(tdb.db, rows, 0)).toBe(first);
    // Unfinished runs are never cached; a new finishedAt is a new key with a freshly computed, equal result.
    const unfinished = rows.map((r) => ({ ...r, finishedAt: null }));
    const recomputed = await significanceOfRuns(tdb.db, unfinished, 0);
    expect(recomputed).not.toBe(first);
    expect(recomputed).toEqual(first);
    const refinished = rows.map((r) => ({ ...r, finishedAt: new Date(Date.now() + 1000) }));
    const again = await significanceOfRuns(tdb.db, refinished, 0);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});

describe("page caches", () => {
  it("serve the same task page and overview data until a run changes, in any way and whatever writes it", async () => {
    const page = await getTask(TASK);
    const current = await getCurrentTasks();
    expect(await getTask(TASK)).toBe(page);
    expect(await getCurrentTasks()).toBe(current);
    const board = () => (page?.leaderboards.find((b) => b.slug === "alpha-data")?.entries ?? []).find((e) => e.method === "sub-b");
    const runId = board()?.runId as number;
    // Raw SQL as the worker writes progress (no Prisma @updatedAt): the run's revision changes all the same.
    await tdb.db.$executeRaw`UPDATE "Run" SET score = 0.99 WHERE id = ${runId}`;
    const fresh = await getTask(TASK);
    expect(fresh).not.toBe(page);
    expect(fresh?.leaderboards.find((b) => b.slug === "alpha-data")?.entries.find((e) => e.method === "sub-b")?.score).toBe(0.99);
    const freshCurrent = await getCurrentTasks();
    expect(freshCurrent).not.toBe(current);
    const alpha = freshCurrent.find((t) => t.task.id === TASK)?.byDataset.get("alpha-data") ?? [];
    expect(alpha.find((r) => r.method === "sub-b")?.score).toBe(0.99);
    // Updating a run back to what it was is still a change (a revision only grows), and so is deleting one.
    await tdb.db.$executeRaw`UPDATE "Run" SET score = ${board()?.score ?? null} WHERE id = ${runId}`;
    const restored = await getTask(TASK);
    expect(restored).not.toBe(fresh);
    expect(restored?.leaderboards).toEqual(page?.leaderboards);
    const extra = await run("sub-b@0.2", versions.task[1] as number, versions.other, "private", 0.5);
    const withExtra = await getTask(TASK);
    expect(withExtra).not.toBe(restored);
    await tdb.db.run.delete({ where: { id: extra.id } });
    expect(await getTask(TASK)).not.toBe(withExtra);
  });
});

describe("page metadata", () => {
  it("names the page's subject in its title and OpenGraph description", async () => {
    const task = await taskMetadata(TASK);
    expect(task.title).toBe("Scale task leaderboard");
    expect(task.openGraph?.description).toMatch(/^Does it scale\? Methods ranked/);
    expect(task.openGraph?.title).toBe("Scale task leaderboard · Cajal");
    const dataset = await datasetMetadata(TASK, "alpha-data");
    expect(dataset.title).toBe("alpha-data title · Scale task");
    expect(dataset.description).toMatch(/^alpha-data fixture\. A synthetic dataset/);
    expect((await methodMetadata("sub-a")).openGraph?.description).toMatch(/^sub-a description\./);
    const [row] = await loadResults(tdb.db, { task: TASK, split: "private", current: true });
    expect((await runMetadata(String(row?.runId))).title).toBe(`Run ${row?.runId}: sub-a name on alpha-data title`);
    expect((await taskMetadata("no-such-task")).title).toBe("Task not found");
    expect((await runMetadata("abc")).title).toBe("Run not found");
  });
});
