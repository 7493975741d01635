// The submission API (harness/service/api.ts, what app/api/**/route.ts serve) against a real PostgreSQL and pg-boss:
// tokens, archive validation (links, escaping paths, size, method.json), the per-token rate limit, and what an
// accepted submission leaves behind (the archive, a queued plan job, the status JSON).
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAll } from "../harness/register.ts";
import { createServiceContext, getSubmission, postSubmission, type ServiceContext } from "../harness/service/api.ts";
import { ArchiveError, archiveLimits, packMethodFolder, sha256 } from "../harness/service/archive.ts";
import { PLAN_QUEUE } from "../harness/service/queue.ts";
import { createToken, hashToken } from "../harness/service/tokens.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { type RawEntry, rawTarGz } from "./helpers/tarball.ts";

const MANIFEST = {
  protocol: 1,
  id: "api-test-method",
  version: "1.0.0",
  name: "API test method",
  tasks: ["topology"],
  command: ["sh", "run.sh"],
  description: "Writes a fixed answer.",
  authors: ["Cajal tests"],
};
const RUN_SH = `printf '{"betti": [1, 0, 0]}' > "$CAJAL_OUTPUT/result.json"\n`;
const good = (manifest: object = MANIFEST): RawEntry[] => [
  { path: "method.json", body: JSON.stringify(manifest) },
  { path: "run.sh", body: RUN_SH, mode: 0o755 },
];

let t: TestDatabase;
let ctx: ServiceContext;
let token: string;
let scratch: string;

function post(body: Uint8Array | null, auth: string | null = `Bearer ${token}`): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/gzip" };
  if (auth !== null) headers.authorization = auth;
  return postSubmission(
    ctx,
    new Request("http://cajal.test/api/submissions", { method: "POST", headers, body: body ? new Uint8Array(body) : null }),
  );
}

async function rejected(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: string; problems?: string[] };
  expect(typeof body.error).toBe("string");
  return body;
}

beforeAll(async () => {
  t = await createTestDatabase("service_api", { registered: true });
  await registerAll(t.db); // the API checks method.json's tasks against the registered ones
  ctx = await createServiceContext(t.url, {
    CAJAL_SUBMISSIONS_PER_DAY: "3",
    CAJAL_MAX_ARCHIVE_MB: "1",
    CAJAL_MAX_UNPACKED_MB: "2",
    CAJAL_MAX_ARCHIVE_FILES: "20",
  });
  token = (await createToken(t.db, "api-tests")).token;
  scratch = await mkdtemp(path.join(os.tmpdir(), "cajal-api-test-"));
});
afterAll(async () => {
  await ctx.close();
  await t.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe("tokens", () => {
  it("are printed once and stored only as their sha256; a name is taken once", async () => {
    const created = await createToken(t.db, "jane-doe-lab");
    expect(created.token).toMatch(/^cajal_[A-Za-z0-9_-]{43}$/);
    const row = await t.db.apiToken.findUniqueOrThrow({ where: { name: "jane-doe-lab" } });
    expect(row.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token.slice(6));
    await expect(createToken(t.db, "jane-doe-lab")).rejects.toThrow(/a token named "jane-doe-lab" already exists/);
    await expect(createToken(t.db, "no spaces")).rejects.toThrow(/letters, digits/);
  });
});

describe("POST /api/submissions refuses, with a JSON error naming the problem", () => {
  it("a missing, malformed or unknown token (401)", async () => {
    const archive = rawTarGz(good());
    expect((await rejected(await post(archive, null), 401)).error).toMatch(/missing token.*Authorization: Bearer/);
    expect((await rejected(await post(archive, "Token abc"), 401)).error).toMatch(/malformed Authorization header/);
    expect((await rejected(await post(archive, "Bearer cajal_nope"), 401)).error).toMatch(/invalid token/);
  });

  it("a symbolic link, a hard link, a device, a ../ path and an absolute path (400, every problem listed)", async () => {
    const body = await rejected(
      await post(
        rawTarGz([
          ...good(),
          { path: "data", type: "2", linkpath: "/etc/passwd" },
          { path: "copy", type: "1", linkpath: "run.sh" },
          { path: "tty", type: "3" },
          { path: "../escape.sh", body: "echo hi" },
          { path: "/etc/cron.d/x", body: "* * * * * root true" },
        ]),
      ),
      400,
    );
    expect(body.problems).toEqual([
      "data: a symbolic link (to /etc/passwd); only plain files and directories are allowed",
      "copy: a hard link (to run.sh); only plain files and directories are allowed",
      "tty: a device; only plain files and directories are allowed",
      "../escape.sh: the path is absolute or leaves the method folder",
      "/etc/cron.d/x: the path is absolute or leaves the method folder",
    ]);
  });

  it("an archive over the size limit (413), a gzip bomb over the unpacked limit, too many files, not a gzip (400)", async () => {
    const noise = randomBytes(1.5 * 1024 * 1024); // incompressible
    const big = rawTarGz([...good(), { path: "weights.bin", body: noise }]);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    expect((await rejected(await post(big), 413)).error).toMatch(/larger than the limit of 1048576 bytes/);

    const bomb = rawTarGz([...good(), { path: "zeros.bin", body: Buffer.alloc(3 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await rejected(await post(bomb), 400)).error).toMatch(/more than 2097152 bytes once unpacked/);

    const many = rawTarGz([...good(), ...Array.from({ length: 25 }, (_, i) => ({ path: `f${i}.txt`, body: "x" }))]);
    expect((await rejected(await post(many), 400)).error).toMatch(/more than 20 files/);

    expect((await rejected(await post(Buffer.from("PK\u0003\u0004 a zip file")), 400)).error).toMatch(/not a gzip file/);
    expect((await rejected(await post(null), 400)).error).toMatch(/empty body/);
  });

  it("a missing or invalid method.json, naming each field", async () => {
    expect((await rejected(await post(rawTarGz([{ path: "run.sh", body: RUN_SH }])), 400)).error).toMatch(
      /method.json: not found at the root of the archive/,
    );
    const body = await rejected(await post(rawTarGz(good({ ...MANIFEST, id: "Bad Id", tasks: ["no-such-task"] }))), 400);
    expect(body.error).toMatch(/^invalid method.json: /);
    expect(body.problems?.join("\n")).toMatch(/method.json: id: is "Bad Id" \(not kebab-case\)/);
    expect(body.problems?.join("\n")).toMatch(
      /method.json: tasks\[0\]: "no-such-task" is not a known task; allowed: a task id, one of: .*topology/,
    );
    expect((await rejected(await post(rawTarGz([{ path: "method.json", body: "{ nope" }])), 400)).error).toMatch(/invalid JSON at line 1/);
  });

  it("the id of a built-in method (409)", async () => {
    const body = await rejected(await post(rawTarGz(good({ ...MANIFEST, id: "persistent-homology" }))), 409);
    expect(body.error).toMatch(/"persistent-homology" is a built-in baseline of Cajal: choose another id/);
  });

  it("nothing of a refused upload is stored", async () => {
    expect(await t.db.submission.count()).toBe(0);
    expect(await ctx.boss.getQueueSize(PLAN_QUEUE)).toBe(0);
  });
});

describe("an accepted submission", () => {
  it("is stored with its archive and a queued plan job, answers 202 with its page, and its status is JSON", async () => {
    const archive = rawTarGz(good());
    const response = await post(archive);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: number; url: string; statusUrl: string; queue: { position: number } };
    expect(body).toMatchObject({
      status: "queued",
      url: `http://cajal.test/submissions/${body.id}`,
      statusUrl: `http://cajal.test/api/submissions/${body.id}`,
      method: { id: "api-test-method", version: "1.0.0" },
      archive: { bytes: archive.length, sha256: sha256(archive), files: 2 },
      queue: { position: 1, ahead: 0 },
    });
    const row = await t.db.submission.findUniqueOrThrow({ where: { id: body.id } });
    expect(Buffer.from(row.archive).equals(archive)).toBe(true);
    expect(row.status).toBe("queued");
    const [job] = await ctx.boss.fetch<{ submissionId: number }>(PLAN_QUEUE);
    expect(job?.data).toEqual({ submissionId: body.id });
    await ctx.boss.complete(PLAN_QUEUE, job?.id as string); // no worker in this test

    const status = await getSubmission(ctx, String(body.id));
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ id: body.id, status: "queued", queue: { position: 1, ahead: 0 }, runs: [] });
    expect((await rejected(await getSubmission(ctx, "999999"), 404)).error).toBe("submission 999999 does not exist");
  });

  it("keeps a method id to the token that first submitted it (409 for another token)", async () => {
    const other = (await createToken(t.db, "someone-else")).token;
    const body = await rejected(await post(rawTarGz(good()), `Bearer ${other}`), 409);
    expect(body.error).toMatch(/"api-test-method" was submitted with another token/);
  });

  it("`cajal submit`'s packer refuses a folder with a symlink and packs a clean one reproducibly", async () => {
    const folder = path.join(scratch, "method");
    await rm(folder, { recursive: true, force: true });
    await mkdir(path.join(folder, "__pycache__"), { recursive: true });
    await writeFile(path.join(folder, "method.json"), JSON.stringify(MANIFEST));
    await writeFile(path.join(folder, "run.sh"), RUN_SH);
    await writeFile(path.join(folder, "__pycache__", "x.pyc"), "cache");
    const a = await packMethodFolder(folder, archiveLimits());
    expect((await packMethodFolder(folder, archiveLimits())).equals(a)).toBe(true);
    await symlink("/etc/passwd", path.join(folder, "secrets"));
    await expect(packMethodFolder(folder, archiveLimits())).rejects.toThrow(ArchiveError);
    await expect(packMethodFolder(folder, archiveLimits())).rejects.toThrow(/secrets: a symbolic link \(to \/etc\/passwd\)/);
  });
});

describe("the rate limit", () => {
  it("accepts CAJAL_SUBMISSIONS_PER_DAY submissions a day per token, then answers 429 with the limit and when to retry", async () => {
    // One was accepted above; the limit is 3.
    for (let i = 0; i < 2; i++) expect((await post(rawTarGz(good({ ...MANIFEST, version: `1.0.${i + 1}` })))).status).toBe(202);
    const response = await post(rawTarGz(good({ ...MANIFEST, version: "1.1.0" })));
    const body = (await rejected(response, 429)) as { error: string; limit?: number; used?: number; retryAfterSeconds?: number };
    expect(body.error).toMatch(
      /rate limit: token "api-tests" has made 3 submissions in the last 24 hours, the limit is 3 a day; the next one is accepted after 20\d\d-/,
    );
    expect(body).toMatchObject({ limit: 3, used: 3 });
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(23 * 3600);
    // Concurrent uploads cannot slip past it together.
    const fresh = (await createToken(t.db, "burst")).token;
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(rawTarGz(good({ ...MANIFEST, id: "burst-method", version: `2.0.${i}` })), `Bearer ${fresh}`),
      ),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
  });
});
