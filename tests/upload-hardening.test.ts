// Hostile uploads (issue 16): archives whose headers lie about their size, that end early, that carry data after
// the end marker or control characters in names, and a few thousand mutations of a valid one. Each is refused with
// a 4xx naming the problem, nothing is stored, no answer names the database, and — against the real site
// (`next build` + `next start`) — a bomb is refused within a second while page loads beside it are not held up.
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerMethod } from "../harness/register.ts";
import { getMethod, listTasks } from "../harness/registry.ts";
import { Rng } from "../harness/rng.ts";
import { createServiceContext, postSubmission, type ServiceContext } from "../harness/service/api.ts";
import { ArchiveError, archiveLimits, extractArchive, inspectArchive } from "../harness/service/archive.ts";
import { createToken } from "../harness/service/tokens.ts";
import { buildSite, type SiteServer, serveSite } from "../harness/site.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { freePort } from "./helpers/free-port.ts";
import { rawTarGz } from "./helpers/tarball.ts";

const GiB = 1024 ** 3;
const BOMB_BYTES = Math.floor(1.1 * GiB);

/** What the upload API reads from the database: the task ids and the built-in method whose id the archives borrow. */
async function registerTasksAndPca(t: TestDatabase) {
  for (const task of listTasks()) {
    const row = { title: task.title, question: task.question, description: task.description, mainScore: task.mainScore.id };
    await t.db.task.upsert({ where: { id: task.id }, create: { id: task.id, ...row }, update: row });
  }
  await registerMethod(t.db, getMethod("pca"));
}
const MANIFEST = {
  protocol: 1,
  id: "pca", // a built-in's id: an archive that survives a mutation intact is still refused (409), never stored
  version: "1.0.0",
  name: "Hardening test",
  tasks: ["topology"],
  command: ["sh", "run.sh"],
  description: "Writes a fixed answer.",
  authors: ["Cajal tests"],
};
const RUN_SH = `printf '{"betti": [1, 0, 0]}' > "$CAJAL_OUTPUT/result.json"\n`;

/** One ustar header (checksum filled in); `size` is what it declares, whatever follows. */
function header(name: string, type: string, size: number, mode = 0o644): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(`${mode.toString(8).padStart(7, "0")}\0`, 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.fill(0x20, 148, 156);
  h.write(type, 156);
  h.write("ustar\u000000", 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

/** A header declaring `declared` bytes followed by `zerosMiB` MiB of zeros, as gzip members (cheap to build, ≈ 1 KiB per MiB). */
function bomb(type: string, declared: number, zerosMiB: number): Buffer {
  const zeroMember = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  return Buffer.concat([gzipSync(header(type === "5" ? "bomb/" : "bomb", type, declared)), ...Array(zerosMiB).fill(zeroMember)]);
}

const validTar = () => {
  const files: [string, string][] = [
    ["method.json", JSON.stringify(MANIFEST)],
    ["run.sh", RUN_SH],
  ];
  const parts: Buffer[] = [];
  for (const [name, body] of files) {
    const data = Buffer.from(body);
    parts.push(header(name, "0", data.length, name.endsWith(".sh") ? 0o755 : 0o644), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
};

/** The hostile archives of the issue, each with the problem its refusal must name. */
const HOSTILE: { name: string; archive: () => Buffer; problem: RegExp }[] = [
  { name: "a directory entry declaring 1.1 GiB", archive: () => bomb("5", BOMB_BYTES, 1100), problem: /more than \d+ bytes once unpacked/ },
  { name: "a file entry declaring 1.1 GiB", archive: () => bomb("0", BOMB_BYTES, 1100), problem: /more than \d+ bytes once unpacked/ },
  { name: "a pax header declaring 1.1 GiB", archive: () => bomb("x", BOMB_BYTES, 1100), problem: /more than \d+ bytes once unpacked/ },
  {
    name: "a GNU long-name record declaring 1.1 GiB",
    archive: () => bomb("L", BOMB_BYTES, 1100),
    problem: /more than \d+ bytes once unpacked/,
  },
  { name: "a valid header then 1.1 GiB of zeros", archive: () => bomb("0", 10, 1100), problem: /data after the end-of-archive marker/ },
  { name: "a truncated archive (60 bytes)", archive: () => gzipSync(validTar()).subarray(0, 60), problem: /damaged or cut short/ },
  {
    name: "an archive cut inside an entry",
    archive: () => gzipSync(validTar().subarray(0, 700)),
    problem: /cut short/,
  },
  {
    name: "data after the end-of-archive marker",
    archive: () => gzipSync(Buffer.concat([validTar(), Buffer.from("#!/bin/sh\nrm -rf /\n"), Buffer.alloc(1024)])),
    problem: /data after the end-of-archive marker/,
  },
  {
    name: "a file name with a newline",
    archive: () =>
      rawTarGz([
        { path: "method.json", body: JSON.stringify(MANIFEST) },
        { path: "evil\nname.sh", body: RUN_SH },
      ]),
    problem: /"evil\\nname\.sh": the file name contains a control character/,
  },
  {
    name: "the same file twice",
    archive: () =>
      rawTarGz([
        { path: "method.json", body: JSON.stringify(MANIFEST) },
        { path: "run.sh", body: RUN_SH },
        { path: "run.sh", body: "curl evil" },
      ]),
    problem: /run\.sh: appears twice/,
  },
  {
    name: "ten thousand empty directories",
    archive: () => gzipSync(Buffer.concat([...Array.from({ length: 10_000 }, (_, i) => header(`d${i}/`, "5", 0)), Buffer.alloc(1024)])),
    problem: /more than \d+ entries/,
  },
];

describe("the archive reader refuses, naming the problem, whatever the headers claim", () => {
  const limits = archiveLimits({});
  it.each(HOSTILE)("$name", async ({ archive, problem }) => {
    const bytes = archive();
    const started = performance.now();
    const error = await inspectArchive(bytes, limits, ["topology"]).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).problems.join("\n")).toMatch(problem);
    expect(elapsed).toBeLessThan(1000);
    // Workers unpack with the same reader: what was refused at upload is refused there too, and nothing is written.
    const dir = await mkdtemp(path.join(os.tmpdir(), "cajal-extract-"));
    await expect(extractArchive(bytes, path.join(dir, "m"))).rejects.toThrow(problem);
    expect(existsSync(path.join(dir, "m"))).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it("unpacks a valid archive exactly (contents and the executable bit)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cajal-extract-"));
    await extractArchive(gzipSync(validTar()), dir);
    expect((await readdir(dir)).sort()).toEqual(["method.json", "run.sh"]);
    expect(await readFile(path.join(dir, "run.sh"), "utf8")).toBe(RUN_SH);
    expect(statSync(path.join(dir, "run.sh")).mode & 0o777).toBe(0o755);
    await rm(dir, { recursive: true, force: true });
  });
});

describe("POST /api/submissions under attack (in process)", () => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let token: string;
  const post = (body: Uint8Array) =>
    postSubmission(
      ctx,
      new Request("http://cajal.test/api/submissions", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: new Uint8Array(body),
      }),
    );

  beforeAll(async () => {
    t = await createTestDatabase("upload_hardening");
    await registerTasksAndPca(t);
    ctx = await createServiceContext(t.url, { CAJAL_SUBMISSIONS_PER_DAY: "100000" });
    token = (await createToken(t.db, "attacker")).token;
  });
  afterAll(async () => {
    await ctx?.close();
    await t?.drop();
  });

  it("answers a truncated archive 400 with the problem, never 5xx and never the database's address", async () => {
    const response = await post(gzipSync(validTar()).subarray(0, 60));
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toMatch(/not a valid tar\.gz: the gzip stream is damaged or cut short/);
    const db = new URL(t.url);
    for (const secret of ["postgres", db.hostname, `:${db.port}`, db.pathname.slice(1)]) expect(text).not.toContain(secret);
  });

  it("refuses manifests with over-long or non-printable strings, naming the field and the limit", async () => {
    const cases: [object, RegExp][] = [
      [{ name: "x".repeat(101) }, /name: is 101 characters long, more than 100/],
      [{ name: "two\nlines" }, /name: .*control character/],
      [{ description: "d".repeat(2001) }, /description: is 2001 characters long, more than 2000/],
      [{ authors: ["a".repeat(101)] }, /authors\[0\]: is 101 characters long, more than 100/],
      [{ id: "a".repeat(65) }, /id: .*more than 64/],
    ];
    for (const [patch, problem] of cases) {
      const response = await post(rawTarGz([{ path: "method.json", body: JSON.stringify({ ...MANIFEST, id: "x-test", ...patch }) }]));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(problem);
    }
  });

  it("fuzz: 2000 mutated archives (truncations, bit flips, header field changes) get only 4xx and store nothing", async () => {
    const rng = new Rng(16);
    const tar = validTar();
    const gz = gzipSync(tar);
    const mutants: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const kind = i % 4;
      if (kind === 0) mutants.push(gz.subarray(0, rng.int(gz.length)));
      else if (kind === 1) {
        const copy = Buffer.from(gz);
        for (let f = 0; f <= rng.int(3); f++) {
          const at = rng.int(copy.length);
          copy[at] = (copy[at] as number) ^ (1 << rng.int(8));
        }
        mutants.push(copy);
      } else {
        // Header fields (name, mode, size, checksum, type, magic, prefix) of the tar, then gzip'd again: reaches the tar walk.
        const copy = Buffer.from(tar);
        const base = rng.int(2) === 0 ? 0 : 1024;
        const field = [0, 100, 124, 148, 156, 257, 345][rng.int(7)] as number;
        const at = base + field + rng.int(kind === 2 ? 12 : 4);
        copy[at] = kind === 2 ? rng.int(256) : ([0x00, 0x0a, 0x2f, 0x2e, 0x37, 0x78, 0x4c, 0x35, 0xff][rng.int(9)] as number);
        mutants.push(gzipSync(copy));
      }
    }
    const statuses = new Map<number, number>();
    let index = 0;
    // Two clients at a time, as concurrent uploads would.
    await Promise.all(
      [0, 1].map(async () => {
        while (index < mutants.length) {
          const response = await post(mutants[index++] as Buffer);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const body = (await response.json()) as { error?: string };
          if (response.status >= 400) expect(typeof body.error).toBe("string");
        }
      }),
    );
    const codes = [...statuses.keys()];
    expect(
      codes.every((c) => c >= 400 && c < 500),
      `answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`,
    ).toBe(true);
    expect(await t.db.submission.count()).toBe(0);
    // Still answering: a valid upload goes through.
    const ok = await post(
      rawTarGz([
        { path: "method.json", body: JSON.stringify({ ...MANIFEST, id: "after-fuzz" }) },
        { path: "run.sh", body: RUN_SH },
      ]),
    );
    expect(ok.status).toBe(202);
  });
});

describe("the real site (next start) while bombs arrive", () => {
  let t: TestDatabase;
  let site: SiteServer;
  let token: string;

  beforeAll(async () => {
    t = await createTestDatabase("upload_site");
    await registerTasksAndPca(t);
    token = (await createToken(t.db, "site-attacker")).token;
    await buildSite({ log: (line) => console.log(`[site] ${line}`) });
    site = await serveSite({ port: await freePort(), databaseUrl: t.url });
  });
  afterAll(async () => {
    await site?.stop();
    await t?.drop();
  });

  it("listens on loopback only by default", async () => {
    const port = Number(new URL(site.url).port);
    const outward = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (!outward) return; // a machine with no outward interface has nothing to check
    const reached = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, outward);
      socket.once("connect", () => resolve(socket.destroy() === socket));
      socket.once("error", () => resolve(false));
    });
    expect(reached).toBe(false);
  });

  it("refuses each bomb with 400/413 within 1 s while page loads beside it are not held up", async () => {
    const PAGE_DELAY_LIMIT_MS = 250;
    const pageUrl = `${site.url}/tasks/topology`;
    const load = async () => {
      const started = performance.now();
      const response = await fetch(pageUrl);
      await response.text();
      expect(response.status).toBe(200);
      return performance.now() - started;
    };
    for (let i = 0; i < 3; i++) await load(); // warm the route
    // The first API request starts the service context (database pool, queue): not what is measured here.
    const warm = await fetch(`${site.url}/api/submissions`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: "x" });
    expect(warm.status).toBe(400);
    const baseline: number[] = [];
    for (let i = 0; i < 15; i++) baseline.push(await load());
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const typical = median(baseline);

    for (const variant of HOSTILE.filter((h) => /GiB|entries|directories|truncated/.test(h.name))) {
      const body = variant.archive();
      const during: number[] = [];
      let uploading = true;
      const pages = (async () => {
        while (uploading) during.push(await load());
      })();
      const started = performance.now();
      const response = await fetch(`${site.url}/api/submissions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
        body: new Uint8Array(body),
      });
      const text = await response.text();
      const elapsed = performance.now() - started;
      uploading = false;
      await pages;
      console.log(
        `[upload] ${variant.name}: ${response.status} in ${elapsed.toFixed(0)} ms; page loads during it ${during.map((d) => d.toFixed(0)).join(", ")} ms (typical ${typical.toFixed(0)} ms)`,
      );
      expect([400, 413], `${variant.name}: ${text}`).toContain(response.status);
      expect(text, variant.name).toMatch(variant.problem);
      expect(elapsed, `${variant.name}: answered in ${elapsed.toFixed(0)} ms`).toBeLessThan(1000);
      // What this guards against is the event loop blocked by decompression: a server inflating a 1.1 GiB bomb on its
      // request thread held every page for seconds. A page load beside the upload may still share two busy cores with
      // the archive scan and the other test files, so the bound is a quarter second, not a latency target (those are
      // benchmarks).
      expect(
        median(during) - typical,
        `${variant.name}: pages took ${during.map((d) => d.toFixed(0)).join(", ")} ms during the upload, ${typical.toFixed(0)} ms before`,
      ).toBeLessThan(PAGE_DELAY_LIMIT_MS);
    }
    expect(await t.db.submission.count()).toBe(0);
  });
});
