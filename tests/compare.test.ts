// lib/compare.ts against a test database: runs and per-instance results written directly (hand-checkable scores),
// then the compare view's pairs read back, and its query checked against the ids that exist.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holm, pairedBootstrap, wilcoxon } from "../harness/statistics.ts";
import { type CompareChoices, type Comparison, compareHref, compareMethods, type PairResult, parseCompareQuery } from "../lib/compare.ts";
import { loadSignificance } from "../lib/significance.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { insertScoredRun } from "./helpers/fixture-runs.ts";

const N = 20;
const TASK = "cmp-task";
const ONE = "cmp-one";
const TWO = "cmp-two";
// alpha beats beta on every instance by 0.1 + 0.002·i; gamma equals alpha everywhere; delta fails on the odd
// instances (counted at the task's lowest score, 0) and scores alpha − 0.3 on the rest.
const alpha = Array.from({ length: N }, (_, i) => 0.6 + 0.015 * ((i * 7) % 20));
const beta = alpha.map((v, i) => v - 0.1 - 0.002 * i);
const delta = alpha.map((v, i) => (i % 2 === 0 ? v - 0.3 : null));
const deltaCounted = delta.map((v) => v ?? 0);

let tdb: TestDatabase;
let all: Comparison;

interface Ids {
  taskVersionId: number;
  datasetVersionId: number;
}

async function method(id: string) {
  const { db } = tdb;
  await db.method.create({ data: { id, name: id.toUpperCase(), kind: "baseline", description: `${id} (test fixture)` } });
  return db.methodVersion.create({ data: { methodId: id, version: "1.0.0", sourceHash: "1".repeat(64) } });
}

function addRun(ids: Ids, methodVersionId: number, slug: string, scores: (number | null)[]) {
  return insertScoredRun(tdb.db, { ...ids, methodVersionId }, slug, scores);
}

beforeAll(async () => {
  tdb = await createTestDatabase("compare");
  const { db } = tdb;
  await db.task.create({ data: { id: TASK, title: "Compare", question: "?", description: "test", mainScore: "score" } });
  const contract = { mainScore: { id: "score", min: 0, max: 1 } };
  const tv1 = await db.taskVersion.create({ data: { taskId: TASK, version: 1, contractHash: "b".repeat(64), contract } });
  const tv2 = await db.taskVersion.create({ data: { taskId: TASK, version: 2, contractHash: "c".repeat(64), contract } });
  const one = await db.dataset.create({ data: { taskId: TASK, slug: ONE, title: "One", domain: "synthetic", description: "test" } });
  const two = await db.dataset.create({ data: { taskId: TASK, slug: TWO, title: "Two", domain: "biological", description: "test" } });
  const oneV1 = await db.datasetVersion.create({ data: { datasetId: one.id, version: 1, contentHash: "1".repeat(64), config: {} } });
  const oneV2 = await db.datasetVersion.create({ data: { datasetId: one.id, version: 2, contentHash: "2".repeat(64), config: {} } });
  const twoV1 = await db.datasetVersion.create({ data: { datasetId: two.id, version: 1, contentHash: "3".repeat(64), config: {} } });
  const current = { taskVersionId: tv2.id, datasetVersionId: oneV2.id };
  const a = await method("alpha");
  const b = await method("beta");
  const g = await method("gamma");
  const d = await method("delta");
  const low = alpha.map(() => 0.05);
  // Superseded runs the comparison must not read: an older task version, an older dataset version, and an older
  // method version of alpha (the leaderboard shows the latest run whatever its method version).
  await addRun({ taskVersionId: tv1.id, datasetVersionId: oneV2.id }, a.id, ONE, low);
  await addRun({ taskVersionId: tv2.id, datasetVersionId: oneV1.id }, a.id, ONE, low);
  const alphaOld = await db.methodVersion.create({ data: { methodId: "alpha", version: "0.9.0", sourceHash: "9".repeat(64) } });
  await addRun(current, alphaOld.id, ONE, low);
  const alphaNew = await db.methodVersion.create({ data: { methodId: "alpha", version: "2.0.0", sourceHash: "8".repeat(64) } });
  await addRun(current, alphaNew.id, ONE, alpha);
  await addRun(current, b.id, ONE, beta);
  await addRun(current, g.id, ONE, [...alpha]);
  await addRun(current, d.id, ONE, delta);
  // The second dataset: alpha and beta only (gamma has no run there), alpha − beta reversed in sign.
  const onTwo = { taskVersionId: tv2.id, datasetVersionId: twoV1.id };
  await addRun(onTwo, alphaNew.id, TWO, beta);
  await addRun(onTwo, b.id, TWO, alpha);
  all = (await compareMethods(db, { task: TASK, methods: ["alpha", "beta", "gamma"], dataset: null })) as Comparison;
});

afterAll(async () => {
  await tdb?.drop();
});

const pair = (c: Comparison, slug: string, a: string, b: string) =>
  c.datasets.find((d) => d.slug === slug)?.pairs.find((p) => p.a === a && p.b === b);
const resultOf = (c: Comparison, slug: string, a: string, b: string) => pair(c, slug, a, b)?.result as PairResult;

describe("compareMethods", () => {
  it("compares every pair on every dataset of the task, current versions only", () => {
    expect(all.task).toMatchObject({ id: TASK, version: 2 });
    expect(all.methods.map((m) => m.id)).toEqual(["alpha", "beta", "gamma"]);
    expect(all.datasets.map((d) => d.slug)).toEqual([ONE, TWO]);
    expect(all.datasets[0]?.pairs.map((p) => `${p.a}-${p.b}`)).toEqual(["alpha-beta", "alpha-gamma", "beta-gamma"]);
    // alpha's latest run, on the current task and dataset versions, is the one used (method version 2.0.0).
    const alphaRun = all.datasets[0]?.runs[0];
    expect(alphaRun).toMatchObject({ methodVersion: "2.0.0", status: "ok", instances: N, failedInstances: 0 });
    expect(alphaRun?.score).toBeCloseTo(alpha.reduce((s, v) => s + v, 0) / N, 12);
  });

  it("a method better on every instance: all wins, the exact Wilcoxon p, the paired bootstrap of the differences", () => {
    const r = resultOf(all, ONE, "alpha", "beta");
    expect(r).toMatchObject({ n: N, wins: N, ties: 0, losses: 0, failedA: 0, failedB: 0, verdict: "a" });
    const diffs = alpha.map((v, i) => v - (beta[i] as number));
    expect(r.mean).toBeCloseTo(diffs.reduce((s, v) => s + v, 0) / N, 12);
    // All 20 differences positive and distinct: the exact null gives p = 2 / 2^20.
    expect(r.p).toBeCloseTo(2 / 2 ** N, 15);
    expect(r.low).toBeGreaterThan(0.1);
    expect(r.high).toBeLessThan(0.1 + 0.002 * (N - 1));
    expect(r.low).toBeLessThanOrEqual(r.mean);
    expect(r.high).toBeGreaterThanOrEqual(r.mean);
    expect(r.points).toHaveLength(N);
    expect(r.points[3]).toEqual({
      index: 3,
      key: `${ONE}/official/3`,
      a: alpha[3],
      b: beta[3],
      aFailed: false,
      bFailed: false,
      winner: "a",
    });
  });

  it("identical methods: difference 0 with CI [0, 0], p = 1, every instance a tie", () => {
    const r = resultOf(all, ONE, "alpha", "gamma");
    expect(r).toMatchObject({ n: N, mean: 0, low: 0, high: 0, p: 1, pAdjusted: 1, wins: 0, ties: N, losses: 0, verdict: "none" });
  });

  it("the reverse pair order flips the sign: beta − gamma loses everywhere", () => {
    const r = resultOf(all, ONE, "beta", "gamma");
    expect(r).toMatchObject({ wins: 0, ties: 0, losses: N, verdict: "b" });
    expect(r.mean).toBeCloseTo(-resultOf(all, ONE, "alpha", "beta").mean, 12);
  });

  it("a method with no run on a dataset: no statistics there, the reason given", () => {
    const two = all.datasets[1];
    expect(two?.runs[2]).toBeNull();
    expect(pair(all, TWO, "alpha", "gamma")).toMatchObject({ result: null, reason: "no run of GAMMA" });
    expect(pair(all, TWO, "beta", "gamma")).toMatchObject({ result: null, reason: "no run of GAMMA" });
    expect(resultOf(all, TWO, "alpha", "beta")).toMatchObject({ wins: 0, losses: N, verdict: "b" });
  });

  it("Holm-adjusts over every pair with a result on every dataset, and summarizes where each wins", () => {
    const order: [string, string, string][] = [
      [ONE, "alpha", "beta"],
      [ONE, "alpha", "gamma"],
      [ONE, "beta", "gamma"],
      [TWO, "alpha", "beta"],
    ];
    expect(all.tests).toBe(4);
    const adjusted = holm(order.map(([s, a, b]) => resultOf(all, s, a, b).p));
    expect(order.map(([s, a, b]) => resultOf(all, s, a, b).pAdjusted)).toEqual(adjusted);
    expect(all.summary).toEqual([
      { a: "alpha", b: "beta", aBetter: 1, bBetter: 1, neither: 0, noResult: 0 },
      { a: "alpha", b: "gamma", aBetter: 0, bBetter: 0, neither: 1, noResult: 1 },
      { a: "beta", b: "gamma", aBetter: 0, bBetter: 1, neither: 0, noResult: 1 },
    ]);
  });

  it("failed instances count at the task's lowest score and are flagged", async () => {
    const c = (await compareMethods(tdb.db, { task: TASK, methods: ["alpha", "delta"], dataset: ONE })) as Comparison;
    expect(c.datasets.map((d) => d.slug)).toEqual([ONE]);
    expect(c.datasets[0]?.runs[1]).toMatchObject({ status: "error", failedInstances: N / 2, instances: N });
    const r = resultOf(c, ONE, "alpha", "delta");
    expect(r).toMatchObject({ n: N, failedA: 0, failedB: N / 2, wins: N, verdict: "a" });
    expect(r.points.filter((p) => p.bFailed).map((p) => p.index)).toEqual(alpha.flatMap((_, i) => (i % 2 ? [i] : [])));
    expect(r.points.filter((p) => p.bFailed).every((p) => p.b === 0)).toBe(true);
    const diffs = alpha.map((v, i) => v - (deltaCounted[i] as number));
    expect(r.mean).toBeCloseTo(diffs.reduce((s, v) => s + v, 0) / N, 12);
    expect(r.p).toBe(wilcoxon(alpha, deltaCounted).p);
    // One test in the family: Holm leaves it as it is.
    expect(r.pAdjusted).toBe(r.p);
    expect(c.datasets[0]?.runs[1]?.score).toBeCloseTo(deltaCounted.reduce((s, v) => s + v, 0) / N, 12);
  });

  it("shows the same difference and CI as the leaderboard's 'vs row above' for the same pair", async () => {
    const board = await loadSignificance(tdb.db, { task: TASK, taskVersion: 2, dataset: ONE, datasetVersion: 2, split: "official" });
    // alpha and gamma tie (alpha first by id), then beta, then delta.
    expect(board.map((r) => r.method)).toEqual(["alpha", "gamma", "beta", "delta"]);
    const betaRow = board[2]?.vsAbove;
    const c = (await compareMethods(tdb.db, { task: TASK, methods: ["beta", "gamma"], dataset: ONE })) as Comparison;
    const r = resultOf(c, ONE, "beta", "gamma");
    expect({ mean: r.mean, low: r.low, high: r.high, n: r.n, p: r.p }).toEqual({
      mean: betaRow?.mean,
      low: betaRow?.low,
      high: betaRow?.high,
      n: betaRow?.n,
      p: betaRow?.p,
    });
    // And both are harness/statistics.ts's paired bootstrap of beta − gamma (not a second implementation).
    const runs = c.datasets[0]?.runs.map((x) => String(x?.runId)) as string[];
    const { seedFrom } = await import("../harness/rng.ts");
    const expected = pairedBootstrap(beta, alpha, { seed: seedFrom(seedFrom("cajal-statistics"), runs[1] as string, runs[0] as string) });
    expect(r.low).toBe(expected.low);
    expect(r.high).toBe(expected.high);
  });

  it("an unknown task is null", async () => {
    expect(await compareMethods(tdb.db, { task: "no-such-task", methods: ["alpha", "beta"], dataset: null })).toBeNull();
  });
});

describe("parseCompareQuery", () => {
  const choices: CompareChoices = {
    methods: ["alpha", "beta", "gamma", "delta"].map((id) => ({ id, name: id, kind: "baseline" })),
    tasks: [{ id: TASK, title: "Compare", datasets: [{ slug: ONE, title: "One" }] }],
  };
  const issuesOf = (params: Record<string, string | string[] | undefined>) => {
    const parsed = parseCompareQuery(params, choices);
    return parsed.ok ? [] : parsed.issues;
  };

  it("reads `methods=a,b` and repeated `methods=a&methods=b` alike, dropping empty choices", () => {
    const expected = { ok: true, query: { task: TASK, methods: ["alpha", "beta"], dataset: null } };
    expect(parseCompareQuery({ methods: "alpha,beta", task: TASK }, choices)).toEqual(expected);
    expect(parseCompareQuery({ methods: ["alpha", "beta", ""], task: TASK }, choices)).toEqual(expected);
    expect(parseCompareQuery({ methods: "alpha,beta,gamma", task: TASK, dataset: ONE }, choices)).toEqual({
      ok: true,
      query: { task: TASK, methods: ["alpha", "beta", "gamma"], dataset: ONE },
    });
  });

  it("nothing or one method chosen: the form asks (missing, not an error)", () => {
    expect(issuesOf({})).toEqual([
      { field: "methods", message: "Choose two or three methods.", missing: true },
      { field: "task", message: "Choose a task.", missing: true },
    ]);
    expect(issuesOf({ methods: "alpha", task: TASK })).toEqual([
      { field: "methods", message: "Choose two or three methods.", missing: true },
    ]);
    const parsed = parseCompareQuery({ methods: "alpha", task: TASK }, choices);
    expect(parsed.ok ? null : parsed.selection).toEqual({ task: TASK, methods: ["alpha"], dataset: null });
  });

  it("unknown, repeated or too many methods, unknown tasks and datasets are errors that say which", () => {
    expect(issuesOf({ methods: "alpha,nope", task: TASK })).toEqual([
      { field: "methods", message: 'Unknown method "nope".', missing: false },
    ]);
    expect(issuesOf({ methods: "alpha,alpha", task: TASK })).toEqual([
      { field: "methods", message: "Choose distinct methods.", missing: false },
    ]);
    expect(issuesOf({ methods: "alpha,beta,gamma,delta", task: TASK })[0]).toMatchObject({ field: "methods", missing: false });
    expect(issuesOf({ methods: "alpha,beta", task: "nope" })).toEqual([{ field: "task", message: 'Unknown task "nope".', missing: false }]);
    expect(issuesOf({ methods: "alpha,beta", task: [TASK, TASK] })).toEqual([{ field: "task", message: "Give it once.", missing: false }]);
    expect(issuesOf({ methods: "alpha,beta", task: TASK, dataset: "nope" })).toEqual([
      { field: "dataset", message: `Task ${TASK} has no dataset "nope".`, missing: false },
    ]);
  });

  it("compareHref writes a query parseCompareQuery reads back", () => {
    const href = compareHref(TASK, ["alpha", "gamma"], ONE);
    expect(href).toBe(`/compare?methods=alpha,gamma&task=${TASK}&dataset=${ONE}`);
    const params = Object.fromEntries(new URL(href, "http://x").searchParams);
    expect(parseCompareQuery(params, choices)).toEqual({ ok: true, query: { task: TASK, methods: ["alpha", "gamma"], dataset: ONE } });
  });
});
