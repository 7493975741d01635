// `npm run bench:queue`: what the submission service's queue and API cost, on a throwaway database.
//  1. Queue: 1 000 no-op jobs through 1, 2 and 4 `cajal worker` processes: throughput (jobs/s) and the queue's
//     overhead per job (claim + complete round trips; the handler does nothing). Timed with the database's own
//     timestamps, from the first claim to the last completion, so worker start-up and polling are not counted.
//  2. API: 50 concurrent uploads (one token each) to the real site (`next build` + `next start`) on loopback: every
//     one must be answered 202 and stored with its queued plan job. Latency percentiles.
// Results go to bench-results/queue.json. Usage: npx tsx bench/queue.ts [jobs=1000] [uploads=50]
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb } from "../harness/db/client.ts";
import { openDatabase } from "../harness/db/embedded.ts";
import { migrate } from "../harness/db/migrate.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { hardware } from "../harness/provenance.ts";
import { packMethodFolder } from "../harness/service/archive.ts";
import { NOOP_QUEUE, openQueue, PLAN_QUEUE } from "../harness/service/queue.ts";
import { createToken } from "../harness/service/tokens.ts";
import { buildSite, serveSite } from "../harness/site.ts";

const JOBS = Number(process.argv[2] ?? 1000);
const UPLOADS = Number(process.argv[3] ?? 50);
const WORKER_COUNTS = [1, 2, 4];
const log = (line: string) => process.stderr.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

interface WorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startWorker(url: string): WorkerProcess {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/cajal.mjs"), "worker", "--no-sandbox"], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: url, CAJAL_PRIVATE_SECRET: "bench", CAJAL_WORKER_POLL_MS: "100" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes("] ready:")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready:\n${output.slice(-3000)}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { child, ready, exited };
}

async function main() {
  const handle = await openDatabase();
  const name = `cajal_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: handle.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = (() => {
    const u = new URL(handle.url);
    u.pathname = `/${name}`;
    return u.toString();
  })();
  const results: Record<string, unknown> = { date: new Date().toISOString(), hardware: hardware(), jobs: JOBS, uploads: UPLOADS };
  try {
    await migrate(url);
    const boss = await openQueue(url, { supervise: false, poolSize: 2 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();

    // 1. Queue throughput with 1, 2, 4 worker processes.
    const queue: Record<string, unknown>[] = [];
    for (const count of WORKER_COUNTS) {
      log(`starting ${count} worker process(es)…`);
      const workers = Array.from({ length: count }, () => startWorker(url));
      await Promise.all(workers.map((w) => w.ready));
      await client.query("DELETE FROM pgboss.job WHERE name = $1", [NOOP_QUEUE]);
      const t0 = performance.now();
      await boss.insert(Array.from({ length: JOBS }, (_, n) => ({ name: NOOP_QUEUE, data: { n } })));
      const insertMs = performance.now() - t0;
      for (;;) {
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'",
          [NOOP_QUEUE],
        );
        if ((rows[0]?.n ?? 0) >= JOBS) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const { rows } = await client.query<{ seconds: number; failed: number; retried: number }>(
        `SELECT EXTRACT(epoch FROM max(completed_on) - min(started_on))::float8 AS seconds,
                count(*) FILTER (WHERE state <> 'completed')::int AS failed, count(*) FILTER (WHERE retry_count > 0)::int AS retried
         FROM pgboss.job WHERE name = $1`,
        [NOOP_QUEUE],
      );
      const seconds = rows[0]?.seconds as number;
      const row = {
        workers: count,
        seconds: Number(seconds.toFixed(3)),
        jobsPerSecond: Number((JOBS / seconds).toFixed(1)),
        // Each worker claims and completes one job at a time: its time per job is the queue's overhead per job.
        overheadMsPerJob: Number(((seconds * 1000 * count) / JOBS).toFixed(2)),
        enqueueMs: Number(insertMs.toFixed(1)),
        retried: rows[0]?.retried,
        notCompleted: rows[0]?.failed,
      };
      log(`  ${JSON.stringify(row)}`);
      queue.push(row);
      for (const w of workers) w.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
    }
    results.queue = queue;

    // 2. 50 concurrent uploads to the real site.
    log("building the site (next build)…");
    await buildSite({ log });
    const port = await freePort();
    const site = await serveSite({ port, databaseUrl: url, hostname: "127.0.0.1", log });
    try {
      const db = createDb(url);
      // The tasks method.json may name were registered by the workers above.
      const tokens = await Promise.all(Array.from({ length: UPLOADS }, (_, i) => createToken(db, `bench-${i}`)));
      const archives: Uint8Array<ArrayBuffer>[] = [];
      for (let i = 0; i < UPLOADS; i++) {
        const folder = path.join(os.tmpdir(), `cajal-bench-method-${process.pid}-${i}`);
        mkdirSync(folder, { recursive: true });
        writeFileSync(
          path.join(folder, "method.json"),
          JSON.stringify({
            protocol: 1,
            id: `bench-method-${i}`,
            version: "1.0.0",
            name: `Bench ${i}`,
            tasks: ["topology"],
            command: ["sh", "run.sh"],
            description: "upload benchmark",
            authors: [],
          }),
        );
        writeFileSync(path.join(folder, "run.sh"), `# ${i}\n${randomBytes(2048).toString("base64")}\n`);
        archives.push(new Uint8Array(await packMethodFolder(folder)));
        rmSync(folder, { recursive: true, force: true });
      }
      // Warm the route (first request compiles nothing in production, but opens the service's connections).
      await fetch(`${site.url}/api/submissions/1`);
      const t0 = performance.now();
      const answers = await Promise.all(
        archives.map(async (body, i) => {
          const s = performance.now();
          const response = await fetch(`${site.url}/api/submissions`, {
            method: "POST",
            headers: { authorization: `Bearer ${tokens[i]?.token}`, "content-type": "application/gzip" },
            body,
          });
          const json = (await response.json()) as { id?: number; error?: string };
          return { status: response.status, id: json.id, error: json.error, ms: performance.now() - s };
        }),
      );
      const wallMs = performance.now() - t0;
      const stored = await db.submission.count();
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1", [PLAN_QUEUE]);
      const latencies = answers.map((a) => a.ms).sort((x, y) => x - y);
      const uploads = {
        uploads: UPLOADS,
        accepted: answers.filter((a) => a.status === 202).length,
        errors: answers.filter((a) => a.status !== 202).map((a) => `${a.status} ${a.error}`),
        distinctIds: new Set(answers.map((a) => a.id)).size,
        stored,
        planJobs: rows[0]?.n,
        archiveBytes: Math.round(archives.reduce((s, a) => s + a.byteLength, 0) / archives.length),
        wallMs: Math.round(wallMs),
        p50Ms: Math.round(percentile(latencies, 0.5)),
        p95Ms: Math.round(percentile(latencies, 0.95)),
        maxMs: Math.round(latencies.at(-1) as number),
      };
      log(`  ${JSON.stringify(uploads)}`);
      results.uploads = uploads;
      await db.$disconnect();
    } finally {
      await site.stop();
    }
    await client.end();
    await boss.stop({ graceful: false, wait: true });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await handle.stop();
  }
  mkdirSync(path.join(REPO_ROOT, "bench-results"), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, "bench-results", "queue.json"), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

await main();
process.exit(0);
