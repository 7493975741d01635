// The compare view in Chromium: a tiny suite (feature-recovery / sparse-linear: pca, fastica and the references) into
// a fresh database, the built site, and a visitor who goes leaderboard row → method page → compare view, or follows a
// leaderboard's "vs row above" cell, or uses the form. Every number on the page is checked against lib/compare.ts.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/paths.ts";
import { runSuite } from "../harness/runner.ts";
import { buildSite, type SiteServer, serveSite } from "../harness/site.ts";
import { type Comparison, compareMethods, type PairComparison } from "../lib/compare.ts";
import { formatDelta, formatP, formatScore } from "../lib/format.ts";
import { BROWSER_TESTS, launchBrowser, warnIfSkipped } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { freePort } from "./helpers/free-port.ts";

const SCREENSHOTS = path.join(REPO_ROOT, ".cajal", "screenshots");
const TASK = "feature-recovery";
const DATASET = "sparse-linear";
const METHODS = ["random", "oracle", "pca", "fastica"];

warnIfSkipped("tests/compare-browser.test.ts");

describe.runIf(BROWSER_TESTS)("compare view in a browser", () => {
  let tdb: TestDatabase | undefined;
  let site: SiteServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    tdb = await createTestDatabase("compare_browser", { registered: true });
    await runSuite(tdb.db, { tasks: [TASK], datasets: [DATASET], methods: METHODS, split: "official", progress: false });
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
  const board = () => page.locator(`[data-testid="leaderboard"][data-dataset="${DATASET}"]`);
  const compare = async (methods: string[], dataset: string | null = null) =>
    (await compareMethods((tdb as TestDatabase).db, { task: TASK, methods, dataset })) as Comparison;

  /** The ranked rows of the sparse-linear leaderboard, best first. */
  async function rankedMethods(): Promise<string[]> {
    await page.goto(url(`/tasks/${TASK}`));
    await board().waitFor({ state: "visible" });
    return board()
      .locator('[data-testid="leaderboard-row"][data-role="ranked"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-method") as string));
  }

  /** Every number a pair's row and scatter show, against the comparison computed by lib/compare.ts. */
  async function expectPairShown(section: Locator, pair: PairComparison, verdictName: (id: string) => string) {
    const row = section.locator(`[data-testid="compare-pair"][data-a="${pair.a}"][data-b="${pair.b}"]`);
    const r = pair.result;
    if (!r) {
      expect(await text(row.locator('[data-testid="no-result"]'))).toBe(pair.reason);
      return;
    }
    expect(await text(row.locator('[data-testid="pair-n"]'))).toBe(String(r.n));
    expect(await text(row.locator('[data-testid="pair-delta"]'))).toBe(formatDelta(r.mean, r.low, r.high));
    expect(await text(row.locator('[data-testid="pair-p"]'))).toBe(formatP(r.p));
    expect(await text(row.locator('[data-testid="pair-p-holm"]'))).toBe(formatP(r.pAdjusted));
    expect(await text(row.locator('[data-testid="pair-wins"]'))).toBe(`${r.wins} / ${r.ties} / ${r.losses}`);
    expect(await text(row.locator('[data-testid="pair-verdict"]'))).toBe(
      r.verdict === "none" ? "no significant difference" : `${verdictName(r.verdict === "a" ? pair.a : pair.b)} better`,
    );
    expect(await row.getAttribute("data-verdict")).toBe(r.verdict);
    // The scatter: one dot per shared instance, coloured by who scores higher, as many as the wins column says.
    const scatter = section.locator(`[data-testid="pair-scatter"][data-a="${verdictName(pair.a)}"][data-b="${verdictName(pair.b)}"]`);
    const winners = await scatter
      .locator('[data-testid="scatter-point"]')
      .evaluateAll((dots) => dots.map((d) => d.getAttribute("data-winner")));
    expect(winners).toHaveLength(r.n);
    expect(winners.filter((w) => w === "a")).toHaveLength(r.wins);
    expect(winners.filter((w) => w === "tie")).toHaveLength(r.ties);
    expect(winners.filter((w) => w === "b")).toHaveLength(r.losses);
  }

  it("leaderboard row → method page → 'compare with the leader' → compare view with lib/compare.ts's numbers", async () => {
    const ranked = await rankedMethods();
    expect([...ranked].sort()).toEqual(["fastica", "pca"]);
    const [leader, second] = ranked as [string, string];
    const methodLink = board().locator(`[data-testid="leaderboard-row"][data-method="${second}"] [data-testid="method-link"]`);
    await Promise.all([page.waitForURL(`**/methods/${second}`), methodLink.click()]);

    const link = page.locator('[data-testid="compare-link"]');
    await link.waitFor({ state: "visible" });
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute("data-rival")).toBe(leader);
    expect(await text(link)).toMatch(/\(leader\)/);
    await Promise.all([page.waitForURL("**/compare?**"), link.click()]);
    const address = new URL(page.url());
    expect(address.searchParams.get("methods")).toBe(`${second},${leader}`);
    expect(address.searchParams.get("task")).toBe(TASK);

    const c = await compare([second, leader]);
    const name = (id: string) => c.methods.find((m) => m.id === id)?.name ?? id;
    await page.locator('[data-testid="compare-dataset"]').first().waitFor({ state: "visible" });
    expect(await text(page.locator('[data-testid="compare-title"]'))).toBe(`${name(second)} vs ${name(leader)} on ${c.task.title}`);
    expect(await page.title()).toBe(`${second} vs ${leader} on ${TASK} · compare · Cajal`);
    expect(await page.locator('meta[property="og:description"]').getAttribute("content")).toMatch(/paired mean differences/);

    // Every dataset of the task has a section; only sparse-linear has runs.
    const sections = await page.locator('[data-testid="compare-dataset"]').evaluateAll((s) => s.map((e) => e.getAttribute("data-dataset")));
    expect(sections).toEqual(c.datasets.map((d) => d.slug));
    expect(sections.length).toBeGreaterThan(1);
    for (const d of c.datasets) {
      const section = page.locator(`[data-testid="compare-dataset"][data-dataset="${d.slug}"]`);
      for (const [i, m] of c.methods.entries()) {
        const run = d.runs[i];
        const shown = section.locator(`[data-testid="compare-run"][data-method="${m.id}"]`);
        if (run) expect(await text(shown.locator('[data-testid="run-score"]'))).toBe(formatScore(run.score));
        else expect(await text(shown.locator('[data-testid="no-run"]'))).toBe("no run");
      }
      for (const p of d.pairs) await expectPairShown(section, p, name);
    }
    const onSparse = c.datasets.find((d) => d.slug === DATASET)?.pairs[0]?.result;
    expect(onSparse?.n).toBeGreaterThan(0);
    expect(onSparse?.losses).toBeGreaterThan(0);
    expect(c.datasets.find((d) => d.slug !== DATASET)?.pairs[0]?.reason).toMatch(/^no run of /);
    // The summary: one pair, one dataset with a result.
    const s = c.summary[0];
    const summaryRow = page.locator('[data-testid="summary-row"]');
    expect(await summaryRow.count()).toBe(1);
    expect(await text(summaryRow)).toContain(`${name(second)}: ${s?.aBetter}`);
    expect(await text(summaryRow)).toContain(`${name(leader)}: ${s?.bBetter}`);
    expect((s?.aBetter ?? 0) + (s?.bBetter ?? 0) + (s?.neither ?? 0)).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "compare.png"), fullPage: true });

    // The leader's own page offers the runner-up instead.
    await page.goto(url(`/methods/${leader}`));
    const back = page.locator('[data-testid="compare-link"]');
    await back.waitFor({ state: "visible" });
    expect(await back.getAttribute("data-rival")).toBe(second);
    expect(await text(back)).toMatch(/\(runner-up\)/);
    expect(await back.getAttribute("href")).toBe(`/compare?methods=${leader},${second}&task=${TASK}`);
  });

  it("a leaderboard's 'vs row above' cell opens the same pair on that dataset, with the same difference", async () => {
    const [leader, second] = (await rankedMethods()) as [string, string];
    const cell = board().locator(`[data-testid="leaderboard-row"][data-method="${second}"] [data-testid="vs-above"]`);
    const shownOnBoard = await text(cell);
    await Promise.all([page.waitForURL("**/compare?**"), cell.locator('[data-testid="compare-link"]').click()]);
    const address = new URL(page.url());
    expect(address.searchParams.get("dataset")).toBe(DATASET);
    const sections = page.locator('[data-testid="compare-dataset"]');
    await sections.first().waitFor({ state: "visible" });
    expect(await sections.count()).toBe(1);
    const c = await compare([second, leader], DATASET);
    const r = c.datasets[0]?.pairs[0]?.result;
    expect(r).toBeTruthy();
    const row = sections.locator('[data-testid="compare-pair"]');
    // One pair on one dataset: one test, as on the two-method leaderboard, so even the adjusted p is the same.
    expect(c.tests).toBe(1);
    expect(shownOnBoard).toBe(
      `${await text(row.locator('[data-testid="pair-delta"]'))}, ${await text(row.locator('[data-testid="pair-p-holm"]'))}`,
    );
    expect(shownOnBoard).toBe(`${formatDelta(r?.mean ?? 0, r?.low ?? 0, r?.high ?? 0)}, ${formatP(r?.pAdjusted)}`);
  });

  it("the form (plain GET) compares three methods: three pairs per dataset, Holm over all of them", async () => {
    const response = await page.goto(url("/compare"));
    expect(response?.status()).toBe(200);
    const form = page.locator('[data-testid="compare-form"]');
    await form.waitFor({ state: "visible" });
    expect(await text(page.locator('[data-testid="compare-prompt"]'))).toBe("Choose a task and two or three methods.");
    expect(await page.title()).toBe("Compare methods · Cajal");
    await form.locator('select[name="task"]').selectOption(TASK);
    const slots = form.locator('select[name="methods"]');
    await slots.nth(0).selectOption("pca");
    await slots.nth(1).selectOption("fastica");
    await slots.nth(2).selectOption("random");
    await Promise.all([page.waitForURL("**/compare?**"), form.locator('button[type="submit"]').click()]);
    const section = page.locator(`[data-testid="compare-dataset"][data-dataset="${DATASET}"]`);
    await section.waitFor({ state: "visible" });
    const c = await compare(["pca", "fastica", "random"]);
    const name = (id: string) => c.methods.find((m) => m.id === id)?.name ?? id;
    const pairs = c.datasets.find((d) => d.slug === DATASET)?.pairs ?? [];
    expect(pairs.map((p) => `${p.a}-${p.b}`)).toEqual(["pca-fastica", "pca-random", "fastica-random"]);
    expect(c.tests).toBe(3);
    for (const p of pairs) await expectPairShown(section, p, name);
    // The form keeps the choices.
    expect(await form.locator('select[name="task"]').inputValue()).toBe(TASK);
    expect(await slots.nth(2).inputValue()).toBe("random");
  });

  it("a bad address says what is wrong and lists what exists", async () => {
    await page.goto(url(`/compare?methods=pca,no-such-method&task=${TASK}`));
    const error = page.locator('[data-testid="compare-error"]');
    await error.waitFor({ state: "visible" });
    expect(await text(error)).toContain('Unknown method "no-such-method".');
    const valid = await text(page.locator('[data-testid="valid-methods"]'));
    for (const m of METHODS) expect(valid).toContain(m);
    expect(await page.locator('[data-testid="compare-dataset"]').count()).toBe(0);

    await page.goto(url(`/compare?methods=pca,fastica&task=${TASK}&dataset=no-such-dataset`));
    await error.waitFor({ state: "visible" });
    expect(await text(page.locator('[data-testid="valid-datasets"]'))).toContain(DATASET);

    await page.goto(url(`/compare?methods=pca&task=${TASK}`));
    await page.locator('[data-testid="compare-form"]').waitFor({ state: "visible" });
    expect(await page.locator('[data-testid="compare-error"]').count()).toBe(0);
    expect(await text(page.locator('[data-testid="compare-prompt"]'))).toBe("Choose a task and two or three methods.");
    expect(await page.locator('select[name="methods"]').first().inputValue()).toBe("pca");
  });
});

/** What a visitor sees (rendered text), not the raw DOM text. */
function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point here
  return locator.innerText();
}
