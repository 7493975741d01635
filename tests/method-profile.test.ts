// A method's profile (lib/methods.ts) against a real PostgreSQL filled by the runner: every number on the method
// page is the one its leaderboard rows and the overview show, runtimes and memory are medians of its instances, and
// unknown ids are null (the page's 404).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { f32 } from "../harness/ndarray.ts";
import { runSuite } from "../harness/runner.ts";
import type { MethodDefinition } from "../harness/types.ts";
import { DOMAIN_ORDER, getOverview, getTask } from "../lib/data.ts";
import { getMethodPage, listMethods, median, type ProfileCell } from "../lib/methods.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

let t: TestDatabase;
let calls = 0;
/** Fails every third instance: its failed instances must show on the method page as on the leaderboard. */
const sometimesFails: MethodDefinition = {
  id: "test-sometimes-fails",
  name: "sometimes fails",
  version: "1.0.0",
  kind: "baseline",
  description: "test double",
  tasks: ["feature-recovery"],
  sourceHash: "test",
  run: async (ctx) => {
    if (calls++ % 3 === 0) throw new Error("boom");
    const a = f32(ctx.outputShapes.dictionary as number[]);
    for (let i = 0; i < a.data.length; i++) a.data[i] = Math.sin(i + 1);
    return { dictionary: a };
  },
};

beforeAll(async () => {
  t = await createTestDatabase("method_profile");
  process.env.DATABASE_URL = t.url;
  // Two tasks, official split (the leaderboard's), small datasets: PCA, ridge and the failing double.
  const common = { split: "official" as const, progress: false, jobs: 1 };
  await runSuite(t.db, { ...common, tasks: ["feature-recovery"], datasets: ["sparse-linear", "mixed-selectivity"], methods: ["pca"] });
  await runSuite(t.db, { ...common, tasks: ["latent-decoding"], datasets: ["tuning-curves"], methods: ["ridge"] });
  await runSuite(t.db, {
    ...common,
    tasks: ["feature-recovery"],
    datasets: ["sparse-linear"],
    methods: [sometimesFails.id],
    extraMethods: [sometimesFails],
  });
});
afterAll(async () => {
  await t.drop();
});

const cellsOf = (page: NonNullable<Awaited<ReturnType<typeof getMethodPage>>>): ProfileCell[] =>
  page.profile.flatMap((task) => DOMAIN_ORDER.flatMap((d) => task.domains[d].cells));

describe("method profile", () => {
  it("has, for every dataset, the numbers of the method's leaderboard row", async () => {
    for (const id of ["pca", "ridge", sometimesFails.id]) {
      const page = await getMethodPage(id);
      expect(page, id).not.toBeNull();
      const cells = cellsOf(page as NonNullable<typeof page>);
      expect(cells.length, id).toBeGreaterThan(0);
      for (const cell of cells) {
        const task = await getTask(cell.task);
        const entry = task?.leaderboards.find((b) => b.slug === cell.dataset)?.entries.find((e) => e.method === id);
        expect(entry, `${id} on ${cell.task}/${cell.dataset}`).toBeDefined();
        expect(cell).toMatchObject({
          runId: entry?.runId,
          status: entry?.status,
          score: entry?.score,
          ciLow: entry?.ciLow,
          ciHigh: entry?.ciHigh,
          normalized: entry?.normalized,
          failedInstances: entry?.failedInstances,
          instances: entry?.instances,
        });
      }
    }
    const pca = cellsOf((await getMethodPage("pca")) as NonNullable<Awaited<ReturnType<typeof getMethodPage>>>);
    expect(pca.map((c) => `${c.task}/${c.dataset}`).sort()).toEqual([
      "feature-recovery/mixed-selectivity",
      "feature-recovery/sparse-linear",
    ]);
    for (const c of pca) {
      expect(c.normalized).not.toBeNull();
      // The CI on the normalized scale brackets the normalized score, as the raw CI brackets the raw score.
      expect(c.normalizedCiLow as number).toBeLessThanOrEqual((c.normalized as number) + 1e-12);
      expect(c.normalizedCiHigh as number).toBeGreaterThanOrEqual((c.normalized as number) - 1e-12);
    }
  });

  it("has the overview's domain means and transfer gap", async () => {
    const overview = await getOverview();
    for (const id of ["pca", "ridge"]) {
      const page = await getMethodPage(id);
      for (const task of page?.profile ?? []) {
        const m = overview.tasks.find((x) => x.id === task.id)?.methods.find((x) => x.method === id);
        expect(m, `${id} on ${task.id}`).toBeDefined();
        expect(task.transferGap).toBe(m?.transferGap);
        for (const d of DOMAIN_ORDER) expect(task.domains[d].mean).toEqual(m?.domainMeans[d] ?? null);
      }
    }
    const pca = await getMethodPage("pca");
    expect(pca?.profile.find((x) => x.id === "feature-recovery")?.domains.synthetic.mean?.mean).toBeTypeOf("number");
  });

  it("names whom to compare with per task: the overview's leader, none where nobody else has a score on every dataset", async () => {
    const pca = await getMethodPage("pca");
    const failing = await getMethodPage(sometimesFails.id);
    // The failing double has no run on mixed-selectivity, so no overall score: PCA leads feature-recovery alone.
    expect(failing?.profile.find((x) => x.id === "feature-recovery")?.rival).toEqual({
      method: "pca",
      methodName: pca?.name,
      leader: true,
    });
    expect(pca?.profile.find((x) => x.id === "feature-recovery")?.rival).toBeNull();
  });

  it("counts failed instances and takes runtime and peak memory as medians over the runs' instances", async () => {
    const page = await getMethodPage(sometimesFails.id);
    const [cell] = cellsOf(page as NonNullable<typeof page>);
    const rows = await t.db.instanceResult.findMany({ where: { runId: cell?.runId } });
    const failed = rows.filter((r) => r.status !== "ok").length;
    expect(failed).toBeGreaterThan(0);
    expect(cell?.failedInstances).toBe(failed);
    expect(page?.totals.failedInstances).toBe(failed);
    expect(page?.totals.instances).toBe(rows.length);
    expect(cell?.medianWallMs).toBe(median(rows.map((r) => r.wallMs)));
    expect(page?.totals.medianWallMs).toBe(median(rows.map((r) => r.wallMs)));
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it("shows a built-in method's README, citation and every version", async () => {
    const page = await getMethodPage("pca");
    expect(page?.builtIn).toBe(true);
    expect(page?.language).toBe("TypeScript (built-in)");
    expect(page?.readme).toMatch(/^# PCA/);
    expect(page?.citation).toContain("Pearson");
    const versions = await t.db.methodVersion.findMany({ where: { methodId: "pca" }, orderBy: { id: "asc" } });
    expect(page?.versionHistory).toEqual(
      versions.map((v) => ({ version: v.version, sourceHash: v.sourceHash, createdAt: v.createdAt.toISOString() })),
    );
    const list = await listMethods();
    expect(list.find((m) => m.id === "pca")).toMatchObject({ builtIn: true, kind: "baseline", latestVersion: versions.at(-1)?.version });
    expect(list.map((m) => m.id)).toEqual(expect.arrayContaining(["oracle", "random", "ridge", sometimesFails.id]));
  });

  it("is null for unknown and malformed ids", async () => {
    expect(await getMethodPage("no-such-method")).toBeNull();
    expect(await getMethodPage("../package")).toBeNull();
    expect(await getMethodPage("PCA")).toBeNull();
  });
});
