import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opaqueInstanceId } from "../harness/protocol.ts";
import { registerAll } from "../harness/register.ts";
import { getDataset, instanceSeed, listMethods } from "../harness/registry.ts";
import { createServiceContext, postSubmission, type ServiceContext } from "../harness/service/api.ts";
import { createToken } from "../harness/service/tokens.ts";
import { startWorker, type WorkerHandle } from "../harness/service/worker.ts";
import { buildSite, type SiteServer, serveSite } from "../harness/site.ts";
import { BROWSER_TESTS, launchBrowser, warnIfSkipped } from "./helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { freePort } from "./helpers/free-port.ts";
import { rawTarGz } from "./helpers/tarball.ts";

// A small topology dataset (18 official, 18 private instances) keeps the queue test short.
const DATASET = getDataset("topology", "rnn-head-direction");
// Methods see an opaque instance id, never "dataset/split/index": the test knows which id official instance 3 has.
const INSTANCE_3 = opaqueInstanceId({ key: `${DATASET.slug}/official/3`, seed: instanceSeed(DATASET, "official", 3) });
// Fails on official instance 3 with a message on stderr; answers one loop everywhere else.
const METHOD = rawTarGz([
  {
    path: "method.json",
    body: JSON.stringify({
      protocol: 1,
      id: "loop-finder",
      version: "1.0.0",
      name: "Loop finder",
      tasks: ["topology"],
      command: ["sh", "run.sh"],
      description: "Answers one loop; fails on official instance 3.",
      authors: ["Cajal tests"],
    }),
  },
  {
    path: "run.sh",
    body: `if grep -q '"${INSTANCE_3}"' "$CAJAL_INPUT/task.json"; then echo "cannot handle instance 3" >&2; exit 3; fi
sleep 0.3
printf '{"betti": [1, 1, 0]}' > "$CAJAL_OUTPUT/result.json"
`,
  },
]);

warnIfSkipped("tests/submission-page.test.ts");

describe.runIf(BROWSER_TESTS)("the submission page", () => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let site: SiteServer;
  let browser: Browser;
  let page: Page;
  let worker: WorkerHandle | undefined;
  let submissionId: number;

  beforeAll(async () => {
    t = await createTestDatabase("submission_page", { registered: true });
    await registerAll(t.db);
    ctx = await createServiceContext(t.url);
    const token = (await createToken(t.db, "page-test")).token;
    const response = await postSubmission(
      ctx,
      new Request("http://localhost/api/submissions", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: new Uint8Array(METHOD),
      }),
    );
    submissionId = ((await response.json()) as { id: number }).id;
    // A second, older-looking submission ahead in the queue would change the position; this one is first.
    await buildSite({ log: (line) => console.log(`[site] ${line}`) });
    site = await serveSite({ port: await freePort(), databaseUrl: t.url });
    ({ browser, page } = await launchBrowser());
  });
  afterAll(async () => {
    await worker?.stop();
    await browser?.close();
    await site?.stop();
    await ctx?.close();
    await t?.drop();
  });

  it("goes from queued (with its position) to running to finished without a reload, and shows the failed instance's log", async () => {
    const response = await page.goto(`${site.url}/submissions/${submissionId}`);
    expect(response?.status()).toBe(200);
    const status = page.getByTestId("submission-status");
    expect(await status.textContent()).toBe("queued");
    expect(await page.getByTestId("submission-summary").textContent()).toMatch(/^Queued: position 1 \(0 submissions ahead\)/);
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    process.env.CAJAL_PRIVATE_SECRET = "submission-page-secret";
    worker = await startWorker({ url: t.url, datasets: [DATASET.slug], pollMs: 200, log: () => undefined });
    await page.waitForSelector('[data-testid="submission"][data-status="running"], [data-testid="submission"][data-status="finished"]', {
      timeout: 240_000,
    });
    await page.waitForSelector('[data-testid="submission"][data-status="finished"]', { timeout: 300_000 });
    expect(navigations).toBe(0);

    expect(await page.getByTestId("submission-summary").textContent()).toBe("Finished: 1 of 2 runs scored.");
    expect(await page.getByTestId("submission-message").textContent()).toMatch(
      new RegExp(`^1 of 2 runs failed; first: run \\d+: 1 of ${DATASET.sizes.official} instances failed \\(1 error\\)`),
    );
    const runs = page.getByTestId("submission-run");
    // The method, random, oracle and the floor references, on official and private.
    expect(await runs.count()).toBe(2 * (3 + listMethods("topology").filter((m) => m.kind === "floor").length));
    const official = page.locator('[data-testid="submission-run"][data-split="official"][data-status="error"]');
    expect(await official.count()).toBe(1);
    const failed = page.getByTestId("failed-instance");
    expect(await failed.count()).toBe(1);
    await failed.locator("summary").click();
    expect(await failed.textContent()).toContain(`${DATASET.slug}/official/3: error — exit code 3: cannot handle instance 3`);
    expect(await failed.locator("pre").textContent()).toContain("cannot handle instance 3");
  }, 600_000);

  it("run pages show the reproduce command; the leaderboard shows the private score beside the official one", async () => {
    const run = await t.db.run.findFirstOrThrow({ where: { split: "private", methodVersion: { methodId: "loop-finder" } } });
    expect(run.status).toBe("ok");
    const official = await t.db.run.findFirstOrThrow({ where: { split: "official", methodVersion: { methodId: "random" } } });
    await page.goto(`${site.url}/runs/${official.id}`);
    expect(await page.getByTestId("reproduce-command").textContent()).toBe(`npx cajal reproduce ${official.id} --server ${site.url}`);
    // A private run never shows its instances' seeds.
    await page.goto(`${site.url}/runs/${run.id}`);
    expect(await page.getByTestId("reproduce-command").count()).toBe(0);
    expect(await page.locator('[data-testid="instance-row"]').first().textContent()).toContain("secret");

    await page.goto(`${site.url}/tasks/topology`);
    const board = page.locator(`[data-testid="leaderboard"][data-dataset="${DATASET.slug}"]`);
    expect(await board.getByTestId("private-column").count()).toBe(1);
    const random = board.locator('[data-testid="leaderboard-row"][data-method="random"]');
    const privateRandom = await t.db.run.findFirstOrThrow({ where: { split: "private", methodVersion: { methodId: "random" } } });
    expect(await random.getByTestId("private-score").textContent()).toContain((privateRandom.score as number).toFixed(3));
    // The submitted method failed on one official instance: it is ranked with that instance counted at the lowest
    // score (failing never helps), and the row says so.
    const method = board.locator('[data-testid="leaderboard-row"][data-method="loop-finder"]');
    expect(await method.getAttribute("data-role")).toBe("ranked");
    expect(await method.textContent()).toContain(`1 of ${DATASET.sizes.official} failed, counted as lowest`);
  }, 120_000);
});
