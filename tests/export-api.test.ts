import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { f32 } from "../harness/ndarray.ts";
import { loadResults } from "../harness/results.ts";
import { runSuite } from "../harness/runner.ts";
import { INSTANCE_QUEUE, openQueue, type PgBoss, PLAN_QUEUE } from "../harness/service/queue.ts";
import { buildSite, type SiteServer, serveSite } from "../harness/site.ts";
import type { MethodDefinition } from "../harness/types.ts";
import { getTask } from "../lib/data.ts";
import { INSTANCE_COLUMNS, LEADERBOARD_COLUMNS, leaderboardExport } from "../lib/export.ts";
import { getMethodPage, median } from "../lib/methods.ts";
import { BROWSER_TESTS, launchBrowser, warnIfSkipped } from "./helpers/browser.ts";
import { csvRecords } from "./helpers/csv.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { freePort } from "./helpers/free-port.ts";
import { queueFixture } from "./helpers/queue-fixtures.ts";

const TASK = "feature-recovery";
const DATASET = "sparse-linear";
/** A name and a failure message that CSV must quote; the message also starts like a spreadsheet formula. */
const TRICKY_NAME = 'Sparse, "quoted" method';
const FORMULA = "=SUM(A1)";
let calls = 0;
const tricky: MethodDefinition = {
  id: "tricky-name",
  name: TRICKY_NAME,
  version: "1.0.0",
  kind: "baseline",
  description: "test double: fails its first instance",
  tasks: [TASK],
  sourceHash: "test",
  run: async (ctx) => {
    if (calls++ === 0) {
      const error = new Error('bad, "input"\nsecond line');
      error.name = FORMULA;
      throw error;
    }
    const a = f32(ctx.outputShapes.dictionary as number[]);
    for (let i = 0; i < a.data.length; i++) a.data[i] = Math.cos(i + 1);
    return { dictionary: a };
  },
};

let t: TestDatabase;
let site: SiteServer;
let boss: PgBoss | undefined;
const get = (path: string) => fetch(`${site.url}${path}`);

beforeAll(async () => {
  t = await createTestDatabase("export_api", { registered: true });
  process.env.DATABASE_URL = t.url; // lib/ reads the same database as the site, for the expected values
  const common = { tasks: [TASK], datasets: [DATASET], split: "official" as const, progress: false, jobs: 1 };
  await runSuite(t.db, { ...common, methods: ["random", "oracle", "pca"] });
  await runSuite(t.db, { ...common, methods: [tricky.id], extraMethods: [tricky] });
  await buildSite({ log: (line) => console.log(`[site] ${line}`) });
  site = await serveSite({ port: await freePort(), databaseUrl: t.url });
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await site?.stop();
  await t?.drop();
});

async function trickyRun() {
  return t.db.run.findFirstOrThrow({
    where: { methodVersion: { methodId: tricky.id } },
    include: { results: { orderBy: { index: "asc" } } },
  });
}

describe("GET /api/tasks/:task/leaderboard", () => {
  it("JSON: one row per (dataset, method) with the leaderboard's numbers, versions and provenance", async () => {
    const response = await get(`/api/tasks/${TASK}/leaderboard`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = await response.json();
    const expected = await leaderboardExport(TASK);
    expect(Date.parse(body.generatedAt)).toBeGreaterThan(Date.now() - 120_000);
    expect({ ...body, generatedAt: null }).toEqual({ ...expected, generatedAt: null });

    // The same numbers as the task page's entries and the query layer's rows, and medians of the stored instances.
    const page = await getTask(TASK);
    const entries = page?.leaderboards.find((b) => b.slug === DATASET)?.entries ?? [];
    const results = await loadResults(t.db, { task: TASK, split: "official" });
    expect(body.rows.map((r: { method: string }) => r.method)).toEqual(entries.map((e) => e.method));
    expect(body.rows.map((r: { method: string }) => r.method)).not.toContain("oracle");
    for (const row of body.rows) {
      const entry = entries.find((e) => e.runId === row.runId);
      const result = results.find((r) => r.runId === row.runId);
      const instances = await t.db.instanceResult.findMany({ where: { runId: row.runId } });
      const run = await t.db.run.findUniqueOrThrow({ where: { id: row.runId } });
      expect(row).toMatchObject({
        task: TASK,
        taskVersion: page?.version,
        dataset: DATASET,
        methodVersion: result?.methodVersion,
        status: result?.status,
        score: entry?.score,
        ciLow: result?.ciLow,
        normalized: entry?.normalized,
        rank: entry?.rank,
        rankGroup: entry?.significance?.group ?? null,
        instances: instances.length,
        failedInstances: instances.filter((i) => i.status !== "ok").length,
        medianRuntimeMsPerInstance: median(instances.map((i) => i.wallMs)),
        peakMemoryMb: run.peakRssMb,
        backend: run.backend,
      });
      expect(row.hardware).toMatch(/^cpu=.*; cores=\d+; memoryGb=/);
    }
    const pca = body.rows.find((r: { method: string }) => r.method === "pca");
    expect(pca).toMatchObject({ role: "ranked", status: "ok", rankGroup: 1 });
    expect(pca.score).toBe(results.find((r) => r.method === "pca")?.score);
    const trickyRow = body.rows.find((r: { method: string }) => r.method === tricky.id);
    expect(trickyRow).toMatchObject({ methodName: TRICKY_NAME, status: "error", role: "ranked", failedInstances: 1 });
    expect(body.rows.find((r: { method: string }) => r.method === "random")).toMatchObject({ role: "chance", rank: null });
    expect(body.datasets[0]).toMatchObject({ slug: DATASET, oracle: { score: results.find((r) => r.method === "oracle")?.score } });
  });

  it("CSV: the JSON rows, quoted so a name with a comma and quotes parses back exactly", async () => {
    const [jsonBody, response] = await Promise.all([
      get(`/api/tasks/${TASK}/leaderboard?format=json`).then((r) => r.json()),
      get(`/api/tasks/${TASK}/leaderboard?format=csv`),
    ]);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="cajal-${TASK}-leaderboard.csv"`);
    const text = await response.text();
    expect(text).toContain('"Sparse, ""quoted"" method"');
    const { header, records } = csvRecords(text);
    expect(header).toEqual([...LEADERBOARD_COLUMNS]);
    expect(records).toHaveLength(jsonBody.rows.length);
    records.forEach((record, i) => {
      const row = jsonBody.rows[i];
      for (const column of LEADERBOARD_COLUMNS) {
        const value = row[column];
        // Numbers in full precision, nulls empty, text as it is.
        expect(record[column], `${row.method}.${column}`).toBe(value === null ? "" : String(value));
      }
    });
    expect(records.find((r) => r.method === tricky.id)?.methodName).toBe(TRICKY_NAME);
  });

  it("unknown task: 404 listing the tasks; unknown format: 400", async () => {
    const missing = await get("/api/tasks/no-such-task/leaderboard");
    expect(missing.status).toBe(404);
    const body = await missing.json();
    expect(body.error).toMatch(/^unknown task "no-such-task"; tasks: .*feature-recovery/);
    expect(body.tasks).toContain(TASK);
    const bad = await get(`/api/tasks/${TASK}/leaderboard?format=xlsx`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('unknown format "xlsx": use ?format=json (the default) or ?format=csv');
  });
});

describe("GET /api/methods/:id", () => {
  it("is the method page's data; unknown ids are 404", async () => {
    const response = await get("/api/methods/pca");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual(JSON.parse(JSON.stringify(await getMethodPage("pca"))));
    expect(body.profile[0].id).toBe(TASK);
    expect(body.versionHistory.length).toBeGreaterThan(0);
    for (const id of ["no-such-method", "..%2Fetc"]) {
      const missing = await get(`/api/methods/${id}`);
      expect(missing.status).toBe(404);
      expect((await missing.json()).error).toMatch(/^unknown method ".*": the page \/methods lists every method$/);
    }
  });
});

describe("GET /api/runs/:id/instances", () => {
  it("JSON and CSV: every instance's key, score, status, runtime, memory and message as stored", async () => {
    const run = await trickyRun();
    const json = await (await get(`/api/runs/${run.id}/instances`)).json();
    expect(json.run).toMatchObject({ id: run.id, status: "error", instances: run.instances });
    expect(json.method).toEqual({ id: tricky.id, name: TRICKY_NAME, version: "1.0.0" });
    expect(json.instances).toEqual(
      run.results.map((r) => ({
        index: r.index,
        instanceKey: r.instanceKey,
        status: r.status === "invalid_output" ? "invalid-output" : r.status,
        score: r.score,
        wallMs: r.wallMs,
        cpuMs: r.cpuMs,
        peakMemoryMb: r.peakRssMb,
        message: r.message,
      })),
    );
    const response = await get(`/api/runs/${run.id}/instances?format=csv`);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="cajal-run-${run.id}-instances.csv"`);
    const { header, records } = csvRecords(await response.text());
    expect(header).toEqual([...INSTANCE_COLUMNS]);
    const failed = records.find((r) => r.status === "error");
    // The message starts like a formula: the apostrophe keeps spreadsheets from running it; the rest is exact.
    expect(failed?.message).toBe(`'${FORMULA}: bad, "input"\nsecond line`);
    expect(run.results.find((r) => r.status === "error")?.message).toBe(`${FORMULA}: bad, "input"\nsecond line`);
  });

  it("unknown run: 404; unknown format: 400", async () => {
    for (const id of ["999999", "abc"]) {
      const missing = await get(`/api/runs/${id}/instances?format=csv`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: `run ${id} does not exist` });
    }
    const run = await trickyRun();
    expect((await get(`/api/runs/${run.id}/instances?format=tsv`)).status).toBe(400);
  });
});

warnIfSkipped("tests/export-api.test.ts");

describe.runIf(BROWSER_TESTS)("downloads and the queue in a browser", () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    ({ browser, page } = await launchBrowser());
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("the run page's CSV link downloads the run's per-instance scores as stored", async () => {
    const run = await trickyRun();
    await page.goto(`${site.url}/runs/${run.id}`);
    const link = page.getByTestId("instance-downloads").getByTestId("download-csv");
    await link.waitFor({ state: "visible" });
    const href = (await link.getAttribute("href")) as string;
    expect(href).toBe(`/api/runs/${run.id}/instances?format=csv`);
    const response = await page.request.get(new URL(href, site.url).toString());
    expect(response.headers()["content-type"]).toBe("text/csv; charset=utf-8");
    const { records } = csvRecords(await response.text());
    expect(
      records.map((r) => [Number(r.index), r.instanceKey, r.status, r.score === "" ? null : Number(r.score), Number(r.wallMs)]),
    ).toEqual(run.results.map((r) => [r.index, r.instanceKey, r.status, r.score, r.wallMs]));
    // The task leaderboard's header links every leaderboard of the task.
    await page.goto(`${site.url}/tasks/${TASK}`);
    const board = page.getByTestId("leaderboard-downloads").getByTestId("download-csv");
    await board.waitFor({ state: "visible" });
    const csv = await page.request.get(new URL((await board.getAttribute("href")) as string, site.url).toString());
    expect(csvRecords(await csv.text()).records.map((r) => r.runId)).toContain(String(run.id));
  });

  it("/queue lists waiting and running jobs with ages, and a job past its limit as stuck", async () => {
    await page.goto(`${site.url}/queue`);
    await page.getByTestId("queue-empty").waitFor({ state: "visible" });
    expect(await page.getByTestId("queue-empty").textContent()).toMatch(/^No queue yet/);

    const { submissionId, runId } = await queueFixture(t.db, "page");
    boss = await openQueue(t.url, { supervise: false, poolSize: 2 });
    const stuckId = await boss.send(INSTANCE_QUEUE, { runId, index: 2 }, { expireInSeconds: 1 });
    expect((await boss.fetch(INSTANCE_QUEUE))[0]?.id).toBe(stuckId);
    const waitingId = await boss.send(PLAN_QUEUE, { submissionId });
    await new Promise((r) => setTimeout(r, 1500));

    const response = await page.goto(`${site.url}/queue`);
    expect(response?.status()).toBe(200);
    await page.getByTestId("queue-table").waitFor({ state: "visible" });
    expect(await page.title()).toBe("Queue · Cajal");
    expect(await page.locator('meta[property="og:description"]').getAttribute("content")).toMatch(/wait for a worker or run now/);
    expect(await page.getByTestId("queue-counts").textContent()).toMatch(/^1 waiting · 0 running · 1 stuck/);
    const stuck = page.locator(`[data-testid="queue-job"][data-job="${stuckId}"]`);
    expect(await stuck.getAttribute("data-state")).toBe("stuck");
    expect(await stuck.getByTestId("job-state").textContent()).toBe("stuck");
    expect(await stuck.getByTestId("job-over").textContent()).toMatch(/^(\d+ ms|\d+\.\d s) over its 1\.0 s limit$/);
    expect(await stuck.getByTestId("job-target").textContent()).toBe("queue-task-page / queue-data-page (official)");
    expect(await stuck.getByTestId("job-method").textContent()).toBe("queued-method-page v1.2.3");
    const waiting = page.locator(`[data-testid="queue-job"][data-job="${waitingId}"]`);
    expect(await waiting.getAttribute("data-state")).toBe("waiting");
    expect(await waiting.getByTestId("job-submissions").locator("a").getAttribute("href")).toBe(`/submissions/${submissionId}`);
    expect(await waiting.getByTestId("job-attempts").textContent()).toBe("0 of 4");
    expect(await page.locator('header nav a[href="/queue"]').textContent()).toBe("Queue");
  });
});
