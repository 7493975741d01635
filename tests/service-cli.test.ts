import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/paths.ts";
import { registerAll } from "../harness/register.ts";
import { getDataset } from "../harness/registry.ts";
import { runSuite } from "../harness/runner.ts";
import { createServiceContext, type ServiceContext } from "../harness/service/api.ts";
import { hashToken } from "../harness/service/tokens.ts";
import { type ApiServer, startApiServer } from "./helpers/api-server.ts";
import { cajal } from "./helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

// A deterministic built-in method on a small dataset (24 official instances; its network is built by the test setup):
// the same instances give bit-identical scores.
const DATASET = "factor-network";
const SELECTION = { tasks: ["intrinsic-dimension"], datasets: [DATASET], methods: ["participation-ratio"] };

let t: TestDatabase;
let ctx: ServiceContext;
let api: ApiServer;
let scratch: string;
let runId: number;
let published: { score: number; ciLow: number; ciHigh: number; instances: number };

beforeAll(async () => {
  t = await createTestDatabase("service_cli");
  // Only the dataset it runs: registering every dataset would hash every official instance on a fresh checkout.
  const registered = await registerAll(t.db, { datasets: [getDataset("intrinsic-dimension", DATASET)] });
  const report = await runSuite(t.db, { ...SELECTION, split: "official", progress: false }, registered);
  const row = report.results.find((r) => r.method === "participation-ratio");
  if (row?.status !== "ok") throw new Error(`the published run did not finish ok: ${row?.message}`);
  runId = row.runId;
  published = { score: row.score as number, ciLow: row.ciLow as number, ciHigh: row.ciHigh as number, instances: row.instances };
  ctx = await createServiceContext(t.url);
  api = await startApiServer(ctx);
  scratch = await mkdtemp(path.join(os.tmpdir(), "cajal-service-cli-"));
});
afterAll(async () => {
  await api?.close();
  await ctx?.close();
  await t?.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe("tokens and submit", () => {
  it("`tokens create` prints the token once; `submit` uploads a folder and prints its page; refusals say why", async () => {
    const created = await cajal(["tokens", "create", "cli-lab"], { DATABASE_URL: t.url });
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^cajal_\S{43}$/);
    expect(created.stderr).toMatch(/token "cli-lab" created; it is shown only now/);
    expect((await t.db.apiToken.findUniqueOrThrow({ where: { name: "cli-lab" } })).tokenHash).toBe(hashToken(token));
    const again = await cajal(["tokens", "create", "cli-lab"], { DATABASE_URL: t.url });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/a token named "cli-lab" already exists/);

    const folder = path.join(REPO_ROOT, "examples", "template");
    const noToken = await cajal(["submit", folder, "--server", api.url], { CAJAL_TOKEN: "" });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/no token: set CAJAL_TOKEN/);
    const badToken = await cajal(["submit", folder, "--server", api.url], { CAJAL_TOKEN: "cajal_wrong" });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/the server refused the submission \(HTTP 401\): invalid token/);
    const noServer = await cajal(["submit", folder], { CAJAL_TOKEN: token, CAJAL_SERVER: "" });
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/--server <url> is required/);

    const ok = await cajal(["submit", folder, "--server", api.url], { CAJAL_TOKEN: token });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const submission = await t.db.submission.findFirstOrThrow({ where: { methodId: "my-method" } });
    expect(ok.stdout).toContain(`submitted my-method v0.1.0 (3 files`);
    expect(ok.stdout).toContain(`position 1 in the queue; follow it at\n${api.url}/submissions/${submission.id}\n`);
  });
});

describe("reproduce", () => {
  it("re-runs the published run from the server's export and agrees exactly", async () => {
    const { code, stdout, stderr } = await cajal(["reproduce", String(runId), "--server", api.url]);
    expect(stderr).not.toMatch(/cajal: /);
    expect(code, stdout).toBe(0);
    expect(stdout).toContain(`reproducing participation-ratio v`);
    expect(stdout).toContain(`published   ${published.score.toFixed(6)}  [${published.ciLow.toFixed(6)}, ${published.ciHigh.toFixed(6)}]`);
    expect(stdout).toContain(`local       ${published.score.toFixed(6)}  [${published.ciLow.toFixed(6)}, ${published.ciHigh.toFixed(6)}]`);
    const n = published.instances;
    expect(stdout).toContain(`instances: ${n}/${n} with identical inputs, ${n}/${n} with identical scores`);
    expect(stdout).toContain("AGREE: identical scores");
  });

  it("works offline from `export --run`, and reports (without running) versions that differ here", async () => {
    const file = path.join(scratch, "run.json");
    const exported = await cajal(["export", "--run", String(runId), "--out", file], { DATABASE_URL: t.url });
    expect(exported.code).toBe(0);
    const json = await cajal(["reproduce", "--file", file, "--json"]);
    expect(json.code, json.stdout + json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { verdict: string; local: { score: number }; mismatches: string[] };
    expect(report.verdict).toBe("identical");
    expect(report.local.score).toBe(published.score);
    expect(report.mismatches).toEqual([]);

    const run = JSON.parse(await readFile(file, "utf8"));
    run.dataset.version += 1;
    run.task.contractHash = "0".repeat(64);
    const changed = path.join(scratch, "changed.json");
    await writeFile(changed, JSON.stringify(run));
    const refused = await cajal(["reproduce", "--file", changed]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("not run: what this machine has differs from what the run used:");
    expect(refused.stdout).toContain(`- task intrinsic-dimension v${run.task.version}: its contract here differs from the run's`);
    expect(refused.stdout).toContain(`- dataset ${DATASET}: v${run.dataset.version - 1} here, the run used v${run.dataset.version}`);
    expect(refused.stdout).not.toContain("AGREE");

    const notAnExport = path.join(scratch, "other.json");
    await writeFile(notAnExport, JSON.stringify({ hello: "world" }));
    const bad = await cajal(["reproduce", "--file", notAnExport]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a run export \(`cajal export --run <id> --out run.json` writes one\)/);
  });

  it("refuses private-split runs: their instances are secret", async () => {
    const run = await t.db.run.findUniqueOrThrow({ where: { id: runId } });
    const secret = await t.db.run.create({
      data: { ...run, id: undefined, split: "private", createdAt: undefined, updatedAt: undefined, hardware: {}, metrics: undefined },
    });
    const response = await fetch(`${api.url}/api/runs/${secret.id}`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/private split, whose instances are secret/);
    const { code, stderr } = await cajal(["reproduce", String(secret.id), "--server", api.url]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/HTTP 403/);
  });
});
