// End-to-end test of the site: a real suite run into a fresh database, `next build` + `next start`
// (harness/site.ts), and headless Chromium (playwright-core, the system's /usr/bin/chromium)
// reading the pages the way a visitor does.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/paths.ts";
import { getDataset, listMethods } from "../harness/registry.ts";
import { loadResults, type ResultRow } from "../harness/results.ts";
import { runSuite } from "../harness/runner.ts";
import { buildSite, SITE_SOURCES, type SiteServer, serveSite, siteImportClosure } from "../harness/site.ts";
import { formatCi, formatScore } from "../lib/format.ts";
import { BROWSER_TESTS, launchBrowser, warnIfSkipped } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { freePort } from "./helpers/free-port.ts";

const SCREENSHOTS = path.join(REPO_ROOT, ".cajal", "screenshots");

const TASK = "feature-recovery";
const DATASET = "sparse-linear";
// TODO(pca): once methods/pca is registered in methods/registry.ts, make "pca" unconditional here.
const SUITE_METHODS = ["random", "oracle", ...(listMethods(TASK).some((m) => m.id === "pca") ? ["pca"] : [])];
/** The floor references of the task: they always run with the references and are shown as rows to beat. */
const FLOORS = listMethods(TASK)
  .filter((m) => m.kind === "floor")
  .map((m) => m.id);
/** A run that failed, written directly: the site must show its status and message, never a score. */
const BROKEN = {
  id: "broken-fixture",
  name: "Broken fixture",
  message: "12 of 12 instances failed (12 error); first: sparse-linear/official/0: Error: boom",
};

warnIfSkipped("tests/browser.test.ts");

describe("site sources", () => {
  it("SITE_SOURCES covers every harness file the site imports", () => {
    const covered = (file: string) => SITE_SOURCES.some((s) => file === s || file.startsWith(`${s}/`));
    expect(siteImportClosure().filter((f) => !covered(f))).toEqual([]);
  });
});

describe.runIf(BROWSER_TESTS)("site in a browser", () => {
  let tdb: TestDatabase | undefined;
  let site: SiteServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let rows: ResultRow[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase("browser", { registered: true });
    await runSuite(tdb.db, { tasks: [TASK], datasets: [DATASET], methods: SUITE_METHODS, split: "official", progress: false });
    await addBrokenRun(tdb);
    rows = await loadResults(tdb.db, { task: TASK, split: "official" });
    await buildSite({ log: (line) => console.log(`[site] ${line}`) });
    site = await serveSite({ port: await freePort(), databaseUrl: tdb.url });
    ({ browser, page } = await launchBrowser());
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await tdb?.drop();
  });

  const url = (p: string) => `${site?.url}${p}`;
  const row = (method: string) => rows.find((r) => r.method === method && r.dataset === DATASET) as ResultRow;

  it("overview lists the task and its datasets with domains", async () => {
    const response = await page.goto(url("/"));
    expect(response?.status()).toBe(200);
    const card = page.locator(`[data-testid="overview-task"][data-task="${TASK}"]`);
    // Content streams in behind a loading skeleton: wait until it is revealed, not just in the DOM.
    await card.waitFor({ state: "visible" });
    await expect(card.count()).resolves.toBe(1);
    const datasets = await card
      .locator('[data-testid="overview-dataset"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-dataset")));
    expect(datasets).toContain(DATASET);
    expect(await text(card.locator('[data-testid="domain"]').first())).toMatch(/synthetic|artificial|biological/);
    // One column per domain, even where a domain has no datasets yet (shown, not hidden).
    const columns = await card.locator('[data-testid="domain-column"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-domain")));
    expect(columns).toEqual(["synthetic", "artificial", "biological"]);
    const causal = page.locator('[data-testid="overview-task"][data-task="causal-attribution"]');
    expect(await text(causal.locator('[data-testid="domain-note"][data-domain="biological"]'))).toMatch(/No ground truth available/);
    // The oracle is a reference: never a row of the overview table.
    const methods = await card.locator('[data-testid="overview-row"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-method")));
    expect(methods).not.toContain("oracle");
    expect(methods).toContain("random");
    // The floors are rows to beat, styled apart from methods, with the sentence that says what they are.
    for (const id of FLOORS) {
      expect(await card.locator(`[data-testid="overview-row"][data-method="${id}"]`).getAttribute("data-role")).toBe("floor");
    }
    expect(await text(card.locator('[data-testid="scoring-note"]'))).toMatch(/best of random .* floor rows/);
    expect(await text(card.locator('[data-testid="scoring-note"]'))).toMatch(/failed instance counts as the task.s lowest score/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "overview.png"), fullPage: true });
  });

  it("task page: leaderboard rows are exactly the non-oracle runs, with their database scores", async () => {
    const response = await page.goto(url(`/tasks/${TASK}`));
    expect(response?.status()).toBe(200);
    const board = page.locator(`[data-testid="leaderboard"][data-dataset="${DATASET}"]`);
    await board.waitFor({ state: "visible" });
    const lbRows = board.locator('[data-testid="leaderboard-row"]');
    const shown = await lbRows.evaluateAll((els) => els.map((e) => e.getAttribute("data-method")));
    const expected = [...SUITE_METHODS.filter((m) => m !== "oracle"), ...FLOORS, BROKEN.id];
    expect([...shown].sort()).toEqual([...expected].sort());
    // Floor rows: shown with their scores, never ranked.
    for (const id of FLOORS) {
      const floorRow = board.locator(`[data-testid="leaderboard-row"][data-method="${id}"]`);
      expect(await floorRow.getAttribute("data-role")).toBe("floor");
      expect((await text(floorRow.locator('[data-testid="rank"]'))).trim()).toBe("");
      expect(await text(floorRow.locator('[data-testid="score"]'))).toBe(formatScore(row(id).score));
    }

    for (const method of SUITE_METHODS.filter((m) => m !== "oracle")) {
      const r = row(method);
      expect(r.status).toBe("ok");
      const tr = board.locator(`[data-testid="leaderboard-row"][data-method="${method}"]`);
      expect(await text(tr.locator('[data-testid="score"]'))).toBe(formatScore(r.score));
      expect(await text(tr.locator('[data-testid="ci"]'))).toBe(formatCi(r.ciLow, r.ciHigh));
      expect(await text(tr.locator('[data-testid="normalized"]'))).toBe(formatScore(r.normalized));
      expect(await text(tr.locator('[data-testid="instances"]'))).toBe(`${r.instancesDone}/${r.instances}`);
      expect(await text(tr.locator('[data-testid="status"]'))).toBe("ok");
    }
    // random is the chance row: shown, never ranked.
    const chance = board.locator('[data-testid="leaderboard-row"][data-method="random"]');
    expect(await chance.getAttribute("data-role")).toBe("chance");
    expect((await text(chance.locator('[data-testid="rank"]'))).trim()).toBe("");
    if (SUITE_METHODS.includes("pca")) {
      const pca = board.locator('[data-testid="leaderboard-row"][data-method="pca"]');
      expect(await pca.getAttribute("data-role")).toBe("ranked");
      expect((await text(pca.locator('[data-testid="rank"]'))).trim()).toBe("1");
    }
    // Scored rows come in score order.
    const scores = await board.locator('[data-testid="leaderboard-row"] [data-testid="score"]').allInnerTexts();
    expect(scores.map(Number)).toEqual([...scores.map(Number)].sort((a, b) => b - a));

    // A failed run shows its status and message, and no score.
    const broken = board.locator(`[data-testid="leaderboard-row"][data-method="${BROKEN.id}"]`);
    expect(await text(broken.locator('[data-testid="status"]'))).toBe("error");
    expect(await text(broken.locator('[data-testid="message"]'))).toContain("Error: boom");
    await expect(broken.locator('[data-testid="score"]').count()).resolves.toBe(0);
    expect(await text(broken.locator('[data-testid="rank"]'))).toBe("");

    // The oracle only appears as the normalization reference.
    const refs = await text(board.locator('[data-testid="references"]'));
    expect(refs).toContain(`oracle = ${formatScore(row("oracle").score)}`);
    expect(refs).toContain(`random = ${formatScore(row("random").score)}`);
    const floor = row("oracle").floorMethod as string;
    expect(await text(board.locator('[data-testid="floor-level"]'))).toBe(`${floor} = ${formatScore(row(floor).score)}`);
    expect(await board.locator('[data-testid="score-plot"]').count()).toBe(1);

    await page.screenshot({ path: path.join(SCREENSHOTS, "task.png"), fullPage: true });
  });

  it("clicking a leaderboard row opens its run page with provenance and instances", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    const method = SUITE_METHODS.includes("pca") ? "pca" : "random";
    const r = row(method);
    const link = page.locator(
      `[data-testid="leaderboard"][data-dataset="${DATASET}"] [data-testid="leaderboard-row"][data-method="${method}"] [data-testid="run-link"]`,
    );
    await Promise.all([page.waitForURL(`**/runs/${r.runId}`), link.click()]);
    await page.locator('[data-testid="provenance"]').waitFor({ state: "visible" });
    const provenance = await text(page.locator('[data-testid="provenance"]'));
    const run = await tdb?.db.run.findUniqueOrThrow({ where: { id: r.runId }, include: { methodVersion: true, datasetVersion: true } });
    expect(provenance).toContain(run?.harnessVersion);
    expect(provenance).toContain(run?.gitSha.slice(0, 12));
    expect(provenance).toContain(String(run?.seed));
    expect(provenance).toContain(run?.backend ?? "—");
    expect(provenance).toContain(run?.methodVersion.sourceHash.slice(0, 12));
    expect(provenance).toContain(run?.datasetVersion.contentHash.slice(0, 12));
    expect(await text(page.locator('[data-testid="run-score"]'))).toContain(formatScore(r.score));

    const instances = await tdb?.db.instanceResult.findMany({ where: { runId: r.runId }, orderBy: { index: "asc" } });
    const instanceRows = page.locator('[data-testid="instance-row"]');
    expect(await instanceRows.count()).toBe(instances?.length);
    expect(instances?.length).toBe(r.instances);
    const firstRow = await text(instanceRows.first());
    expect(firstRow).toContain(instances?.[0]?.instanceKey);
    expect(firstRow).toContain(formatScore(instances?.[0]?.score));
    expect(await page.locator('[data-testid="strip-plot"]').count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "run.png"), fullPage: true });
  });

  it("a failed run's page shows its notes and each failed instance's message and output", async () => {
    const brokenRun = await tdb?.db.run.findFirstOrThrow({ where: { methodVersion: { methodId: BROKEN.id } } });
    await page.goto(url(`/runs/${brokenRun?.id}`));
    expect(await text(page.locator('[data-testid="run-notes"]'))).toBe("no-sandbox");
    const instance = page.locator('[data-testid="instance-row"]').first();
    expect(await text(instance)).toContain("exit code 1: Error: boom");
    expect(await text(instance)).toContain("19 MiB");
    await instance.locator("summary").click();
    const output = await text(instance.locator("pre"));
    expect(output).toContain("Traceback (most recent call last):");
    // The whole stored tail is there, capped at 64 KiB.
    expect(output.length).toBeGreaterThan(60_000);
    expect(output.length).toBeLessThanOrEqual(65_537);
  });

  it("task page: one column per domain and the transfer gap per method", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    const summary = page.locator('[data-testid="domain-summary"]');
    expect(
      await summary.locator('[data-testid="domain-column"]').evaluateAll((ths) => ths.map((t) => t.getAttribute("data-domain"))),
    ).toEqual(["synthetic", "artificial", "biological"]);
    const pca = summary.locator('[data-testid="domain-row"][data-method="random"]');
    expect(await pca.count()).toBe(1);
    // Only synthetic results exist here, so the gap (synthetic − biological) is not defined.
    expect((await text(pca.locator('[data-testid="transfer-gap"]'))).trim()).toBe("—");
  });

  it("dataset page: opened from its leaderboard, shows the leaderboard restricted to it and its README", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    await page.locator(`[data-testid="leaderboard"][data-dataset="${DATASET}"] h2 a`).click();
    await page.waitForURL(`**/tasks/${TASK}/datasets/${DATASET}`);
    expect(await text(page.locator('[data-testid="dataset-title"]'))).toBe(getDataset(TASK, DATASET).title);
    const boards = page.locator('[data-testid="leaderboard"]');
    expect(await boards.count()).toBe(1);
    expect(await boards.first().getAttribute("data-dataset")).toBe(DATASET);
    const shown = await boards.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-method")));
    expect([...shown].sort()).toEqual([...SUITE_METHODS.filter((m) => m !== "oracle"), ...FLOORS, BROKEN.id].sort());
    // Generated datasets draw the first two principal components of a dev instance.
    expect(await text(page.locator("h3").filter({ hasText: "principal components" }))).toContain("activations of dev instance 0");
    expect(await page.locator('[data-testid="data-plot"] path').count()).toBe(1);
    await page.locator('[data-testid="dataset-readme"] summary').click();
    expect(await text(page.locator('[data-testid="dataset-readme"] pre'))).toMatch(/^# `sparse-linear`/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "dataset.png"), fullPage: true });
    const response = await page.goto(url(`/tasks/${TASK}/datasets/no-such-dataset`));
    expect(response?.status()).toBe(404);
    expect(await text(page.locator("h1"))).toBe("Unknown dataset");
  });

  it("a real recording's dataset page shows its card, BibTeX and a plot of the data", async (ctx) => {
    const hd = getDataset("latent-decoding", "hd_peyrache2015_adn");
    const reason = hd.unavailable?.();
    if (reason) ctx.skip(reason);
    const response = await page.goto(url("/tasks/latent-decoding/datasets/hd_peyrache2015_adn"));
    expect(response?.status()).toBe(200);
    const card = page.locator('[data-testid="dataset-card"]');
    await card.waitFor({ state: "visible" });
    expect(await text(card)).toContain(hd.card?.licence.slice(0, 40));
    expect(await text(card.locator('[data-testid="bibtex"]'))).toMatch(/^@article\{/);
    expect(await text(card)).toContain("dataHD.mat");
    // The preview stored at registration: one line per head-direction cell's tuning curve.
    await page.locator('[data-testid="data-plot"]').waitFor({ state: "visible" });
    expect(await page.locator('[data-testid="data-plot"] path').count()).toBeGreaterThan(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "dataset-hd.png"), fullPage: true });
  });

  it("method page: opened from a leaderboard's method name, README as Markdown, the heatmap's numbers, the index", async () => {
    await page.goto(url(`/tasks/${TASK}`));
    const method = SUITE_METHODS.includes("pca") ? "pca" : "random";
    const link = page.locator(
      `[data-testid="leaderboard"][data-dataset="${DATASET}"] [data-testid="leaderboard-row"][data-method="${method}"] [data-testid="method-link"]`,
    );
    await Promise.all([page.waitForURL(`**/methods/${method}`), link.click()]);
    const readme = page.locator('[data-testid="method-readme"]');
    await readme.waitFor({ state: "visible" });
    // The README's "# …" title is a heading (one level below the page's <h1>), not raw Markdown.
    expect(await text(readme.locator("h2").first())).toMatch(method === "pca" ? /^PCA/ : /random/);
    expect(await text(readme)).not.toMatch(/^#/m);
    const cell = page.locator(`[data-testid="heat-cell"][data-task="${TASK}"][data-dataset="${DATASET}"]`);
    expect(await text(cell.locator('[data-testid="heat-value"]'))).toBe(formatScore(row(method).normalized));
    expect(await page.locator('[data-testid="method-versions"] tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "method.png"), fullPage: true });

    const response = await page.goto(url("/methods"));
    expect(response?.status()).toBe(200);
    await page.locator(`[data-testid="method-row"][data-method="${method}"]`).waitFor({ state: "visible" });
    expect(await text(page.locator(`[data-testid="method-row"][data-method="${method}"]`))).toMatch(/TypeScript \(built-in\)/);
  });

  it("an unknown method is a 404 with the not-found page", async () => {
    for (const p of ["/methods/no-such-method", "/methods/..%2Fpackage"]) {
      const response = await page.goto(url(p));
      expect(response?.status(), p).toBe(404);
      await page.locator('[data-testid="not-found"]').waitFor({ state: "visible" });
    }
    expect(await text(page.locator("h1"))).toBe("Unknown method");
  });

  it("an unknown task or run is a 404 with the not-found page", async () => {
    for (const p of ["/tasks/no-such-task", "/runs/987654321", "/runs/not-a-number", "/no/such/page"]) {
      const response = await page.goto(url(p));
      expect(response?.status(), p).toBe(404);
      await page.locator('[data-testid="not-found"]').waitFor({ state: "visible" });
    }
    expect(await text(page.locator("h1"))).toBe("Page not found");
    await page.goto(url("/tasks/no-such-task"));
    expect(await text(page.locator("h1"))).toBe("Unknown task");
    await page.goto(url("/runs/987654321"));
    expect(await text(page.locator("h1"))).toBe("Unknown run");
  });
});

/** What a visitor sees (rendered text), not the raw DOM text. */
function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point here
  return locator.innerText();
}

async function addBrokenRun(tdb: TestDatabase) {
  const { db } = tdb;
  const ref = await db.run.findFirstOrThrow({ where: { methodVersion: { methodId: "random" }, split: "official" } });
  await db.method.create({
    data: { id: BROKEN.id, name: BROKEN.name, kind: "baseline", description: "Fails on every instance (test fixture)." },
  });
  const mv = await db.methodVersion.create({ data: { methodId: BROKEN.id, version: "0.0.1", sourceHash: "0".repeat(64) } });
  return db.run.create({
    data: {
      methodVersionId: mv.id,
      notes: ["no-sandbox"],
      results: {
        create: {
          index: 0,
          instanceKey: "sparse-linear/official/0",
          seed: 1,
          inputHash: "0".repeat(64),
          status: "error",
          message: "exit code 1: Error: boom",
          log: `${"x".repeat(70_000)}\nTraceback (most recent call last):\nError: boom`,
          wallMs: 5,
          cpuMs: 4,
          peakRssMb: 19,
        },
      },
      taskVersionId: ref.taskVersionId,
      datasetVersionId: ref.datasetVersionId,
      split: "official",
      status: "error",
      message: BROKEN.message,
      instances: 12,
      instancesDone: 12,
      seed: ref.seed,
      harnessVersion: ref.harnessVersion,
      gitSha: ref.gitSha,
      backend: ref.backend,
      hardware: ref.hardware ?? {},
      wallMs: 12,
      cpuMs: 12,
      finishedAt: new Date(),
    },
  });
}
