import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../harness/db/client.ts";
import { listMethods } from "../harness/registry.ts";
import { loadResults, type ResultRow } from "../harness/results.ts";
import { runSuite } from "../harness/runner.ts";
import { buildSite, type SiteServer, serveSite } from "../harness/site.ts";
import { formatMs, formatScore } from "../lib/format.ts";
import { BROWSER_TESTS, launchBrowser, warnIfSkipped } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { freePort } from "./helpers/free-port.ts";

const TASK = "feature-recovery";
/** One synthetic and one artificial dataset, so the domain filter has something to remove. */
const DATASETS = { synthetic: "sparse-linear", artificial: "toy-superposition" } as const;
const METHODS = ["random", "oracle", "pca", "fastica"];
const FLOORS = listMethods(TASK)
  .filter((m) => m.kind === "floor")
  .map((m) => m.id);
/** The score pca's copied run gets on the older task version: the page must show it there and only there. */
const OLD_PCA_SCORE = 0.4321;

warnIfSkipped("tests/taskpage-browser.test.ts");

describe.runIf(BROWSER_TESTS)("task page in a browser: filters, sorting, cost plot, history", () => {
  let tdb: TestDatabase | undefined;
  let site: SiteServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let rows: ResultRow[] = [];
  /** Median wall time per instance by run id, from the database. */
  const medians = new Map<number, number>();
  const pooledWalls = new Map<string, number[]>();

  beforeAll(async () => {
    tdb = await createTestDatabase("taskpage", { registered: true });
    await runSuite(tdb.db, {
      tasks: [TASK],
      datasets: Object.values(DATASETS),
      methods: METHODS,
      split: "official",
      progress: false,
    });
    await makeHistory(tdb.db);
    rows = (await loadResults(tdb.db, { task: TASK, split: "official" })).filter((r) => r.taskVersion === 2);
    const instances = await tdb.db.instanceResult.findMany({ where: { runId: { in: rows.map((r) => r.runId) } } });
    for (const r of rows) {
      const walls = instances.filter((i) => i.runId === r.runId).map((i) => i.wallMs);
      medians.set(r.runId, median(walls));
      pooledWalls.set(r.method, [...(pooledWalls.get(r.method) ?? []), ...walls]);
    }
    await buildSite({ log: (line) => console.log(`[site] ${line}`) });
    site = await serveSite({ port: await freePort(), databaseUrl: tdb.url });
    ({ browser, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await tdb?.drop();
  });

  const url = (p: string) => `${site?.url}${p}`;
  const board = (slug: string) => page.locator(`[data-testid="leaderboard"][data-dataset="${slug}"]`);
  const shownMethods = (slug: string) =>
    board(slug)
      .locator('[data-testid="leaderboard-row"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-method")));
  const ranks = async (slug: string) => {
    const out: Record<string, string> = {};
    for (const tr of await board(slug).locator('[data-testid="leaderboard-row"]').all()) {
      out[(await tr.getAttribute("data-method")) as string] = (await text(tr.locator('[data-testid="rank"]'))).trim();
    }
    return out;
  };

  it("the filter form (plain GET) changes the URL and the tables; invalid params are ignored with a note", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    await page.locator('[data-testid="filters"]').waitFor({ state: "visible" });
    const boards = () => page.locator('[data-testid="leaderboard"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-dataset")));
    const all = await boards();
    expect(all).toEqual(expect.arrayContaining(Object.values(DATASETS)));
    expect(await page.locator('[data-testid="version-banner"]').count()).toBe(0);

    await page.selectOption('select[name="domain"]', "artificial");
    await Promise.all([page.waitForURL(/domain=artificial/), page.getByRole("button", { name: "Apply" }).click()]);
    await board(DATASETS.artificial).waitFor({ state: "visible" });
    const artificial = await boards();
    expect(artificial).toContain(DATASETS.artificial);
    expect(artificial).not.toContain(DATASETS.synthetic);
    expect(await page.locator('[data-testid="leaderboard"] [data-testid="domain"]').allInnerTexts()).toEqual(
      artificial.map(() => "artificial"),
    );
    // The form shows the view it is the URL of.
    expect(await page.locator('select[name="domain"]').inputValue()).toBe("artificial");

    await page.selectOption('select[name="kind"]', "baseline");
    await Promise.all([page.waitForURL(/kind=baseline/), page.getByRole("button", { name: "Apply" }).click()]);
    expect(new URL(page.url()).searchParams.get("domain")).toBe("artificial");
    await board(DATASETS.artificial).waitFor({ state: "visible" });
    expect([...(await shownMethods(DATASETS.artificial))].sort()).toEqual(["fastica", "pca"]);

    // Built-in vs submitted: every method here is built in.
    await page.goto(url(`/tasks/${TASK}?origin=submitted`));
    await page.locator('[data-testid="filters"]').waitFor({ state: "visible" });
    expect(await shownMethods(DATASETS.synthetic)).toEqual([]);
    await page.goto(url(`/tasks/${TASK}?language=TypeScript`));
    await page.locator('[data-testid="filters"]').waitFor({ state: "visible" });
    expect([...(await shownMethods(DATASETS.synthetic))].sort()).toEqual(["fastica", "pca", "random", ...FLOORS].sort());

    const response = await page.goto(url(`/tasks/${TASK}?sort=fastest&domain=martian&version=99`));
    expect(response?.status()).toBe(200);
    const notes = await text(page.locator('[data-testid="query-notes"]'));
    expect(notes).toContain('Ignored sort="fastest"');
    expect(notes).toContain('Ignored domain="martian"');
    expect(notes).toContain("this task has no version 99");
    expect(await boards()).toEqual(all);
  });

  it("sorting by time per instance reorders the rows (database medians) and keeps the score order's ranks", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    const slug = DATASETS.synthetic;
    await board(slug).waitFor({ state: "visible" });
    const scoreRanks = await ranks(slug);
    expect(scoreRanks.pca === "1" || scoreRanks.fastica === "1").toBe(true);
    const header = board(slug).locator('[data-testid="sortable-column"][data-sort="runtime"]');
    expect(await header.getAttribute("aria-sort")).toBe("none");
    expect(await board(slug).locator('[data-testid="sortable-column"][data-sort="score"]').getAttribute("aria-sort")).toBe("descending");
    await Promise.all([page.waitForURL(/sort=runtime/), header.locator('[data-testid="sort-link"]').click()]);
    await board(slug).waitFor({ state: "visible" });
    expect(await board(slug).locator('[data-testid="sortable-column"][data-sort="runtime"]').getAttribute("aria-sort")).toBe("ascending");
    expect(await text(board(slug).locator('[data-testid="sort-note"]'))).toMatch(/keep the ranks of the score order/);

    const shown = await shownMethods(slug);
    const dsRows = rows.filter((r) => r.dataset === slug && r.method !== "oracle");
    const expected = [...dsRows]
      .sort((a, b) => (medians.get(a.runId) as number) - (medians.get(b.runId) as number))
      .map((r) => (medians.get(r.runId) as number).toFixed(6));
    expect(shown.map((m) => (medians.get(dsRows.find((r) => r.method === m)?.runId as number) as number).toFixed(6))).toEqual(expected);
    for (const r of dsRows) {
      const tr = board(slug).locator(`[data-testid="leaderboard-row"][data-method="${r.method}"]`);
      expect(await text(tr.locator('[data-testid="time-per-instance"]'))).toBe(formatMs(medians.get(r.runId)));
    }
    expect(await ranks(slug)).toEqual(scoreRanks);

    // Clicking again flips the order.
    await Promise.all([
      page.waitForURL(/dir=desc/),
      board(slug).locator('[data-testid="sortable-column"][data-sort="runtime"] [data-testid="sort-link"]').click(),
    ]);
    await board(slug).waitFor({ state: "visible" });
    expect(await shownMethods(slug)).toEqual([...shown].reverse());
  });

  it("the cost plot marks exactly the non-dominated methods (mean normalized score vs median time per instance)", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    const plot = page.locator('[data-testid="cost-plot"]');
    await plot.waitFor({ state: "visible" });
    // Independent of lib/pareto.ts: brute force over the database's numbers.
    const normalizable = Object.values(DATASETS).filter(
      (d) => rows.find((r) => r.dataset === d && r.method === "oracle")?.normalized !== null,
    );
    expect(normalizable.length).toBeGreaterThan(0);
    const points = ["pca", "fastica"].flatMap((method) => {
      const values = normalizable.map((d) => rows.find((r) => r.dataset === d && r.method === method)?.normalized ?? null);
      if (values.some((v) => v === null)) return [];
      const score = (values as number[]).reduce((a, b) => a + b, 0) / values.length;
      return [{ method, score, time: median(pooledWalls.get(method) ?? []) }];
    });
    expect(points.length).toBeGreaterThan(0);
    const expectedFront = points
      .filter((p) => !points.some((q) => q.time <= p.time && q.score >= p.score && (q.time < p.time || q.score > p.score)))
      .map((p) => p.method)
      .sort();
    const onFront = await plot
      .locator('[data-testid="cost-point"][data-front="true"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-method")));
    expect([...onFront].sort()).toEqual(expectedFront);
    // The chance row is drawn as a reference, never on the front; the oracle is not drawn.
    expect(await plot.locator('[data-testid="cost-point"][data-method="random"]').getAttribute("data-front")).toBe("false");
    expect(await plot.locator('[data-testid="cost-point"][data-method="oracle"]').count()).toBe(0);
    const pca = points.find((p) => p.method === "pca");
    if (pca) {
      const title = await plot.locator('[data-testid="cost-point"][data-method="pca"] title').textContent();
      expect(title).toContain(`normalized ${formatScore(pca.score)}`);
      expect(title).toContain(`${formatMs(pca.time)} per instance`);
      expect(title).toContain(`backend ${rows.find((r) => r.method === "pca")?.backend}`);
    }
    expect(await text(page.locator('[data-testid="cost-machines"]'))).toMatch(/Measured with backend \S+ on .+ \(\d+ cores\)/);
  });

  it("an older task version is browsable with ?version=, with a banner, its own ranking, the version list and the changelog", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    const history = page.locator('[data-testid="history"]');
    await history.waitFor({ state: "visible" });
    expect(await text(history.locator('[data-testid="changelog"]'))).toMatch(/2026-11-27 — version 1/);
    const title = await page.title();
    const description = await page.locator('meta[property="og:description"]').getAttribute("content");
    expect(description).toMatch(/\S/);

    await Promise.all([page.waitForURL(/version=1/), history.locator('[data-testid="version-item"][data-version="1"] a').click()]);
    const banner = page.locator('[data-testid="version-banner"]');
    await banner.waitFor({ state: "visible" });
    expect(await text(banner)).toMatch(/Older version, not comparable with v2/);
    expect(await text(page.locator('[data-testid="task-version"]'))).toMatch(/^v1 /);
    // Only the copied v1 runs: pca with its old score, ranked alone; the current runs are not mixed in.
    const slug = DATASETS.synthetic;
    expect([...(await shownMethods(slug))].sort()).toEqual(["pca", "random"]);
    const pca = board(slug).locator('[data-testid="leaderboard-row"][data-method="pca"]');
    expect(await text(pca.locator('[data-testid="score"]'))).toBe(formatScore(OLD_PCA_SCORE));
    expect((await text(pca.locator('[data-testid="rank"]'))).trim()).toBe("1");
    expect(await board(DATASETS.artificial).locator('[data-testid="leaderboard-row"]').count()).toBe(0);
    // Filters keep the version (a hidden field), and the title does not change with the view.
    await page.selectOption('select[name="kind"]', "baseline");
    await Promise.all([page.waitForURL(/kind=baseline/), page.getByRole("button", { name: "Apply" }).click()]);
    expect(new URL(page.url()).searchParams.get("version")).toBe("1");
    await banner.waitFor({ state: "visible" });
    expect(await page.title()).toBe(title);
    expect(title).toMatch(/leaderboard/);
  });
});

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** What a visitor sees (rendered text), not the raw DOM text. */
function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point here
  return locator.innerText();
}

/**
 * A task history: the suite's runs move to a new task version 2 (same contract, as after a version bump), and version 1
 * keeps copies of the sparse-linear oracle, random and pca runs (pca with another score), written directly as
 * tests/browser.test.ts writes its broken run.
 */
async function makeHistory(db: Db) {
  const v1 = await db.taskVersion.findFirstOrThrow({ where: { taskId: TASK, version: 1 } });
  const v2 = await db.taskVersion.create({
    data: { taskId: TASK, version: 2, contractHash: "f".repeat(64), contract: v1.contract ?? {} },
  });
  await db.run.updateMany({ where: { taskVersionId: v1.id }, data: { taskVersionId: v2.id } });
  const sources = await db.run.findMany({
    where: {
      taskVersionId: v2.id,
      split: "official",
      datasetVersion: { dataset: { slug: DATASETS.synthetic } },
      methodVersion: { methodId: { in: ["oracle", "random", "pca"] } },
    },
    include: { results: true, methodVersion: true },
  });
  for (const { id: _id, results, methodVersion, createdAt: _c, updatedAt: _u, ...run } of sources) {
    const pca = methodVersion.methodId === "pca";
    await db.run.create({
      data: {
        ...run,
        hardware: run.hardware ?? {},
        metrics: run.metrics ?? undefined,
        taskVersionId: v1.id,
        score: pca ? OLD_PCA_SCORE : run.score,
        results: {
          create: results.map(({ id: _i, runId: _r, createdAt: _ca, ...r }) => ({ ...r, metrics: r.metrics ?? undefined })),
        },
      },
    });
  }
}
