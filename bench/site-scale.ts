// Issue 12, item 9: how fast the site answers with a large results database. Starts its own embedded PostgreSQL
// (a fresh cluster under .cajal/bench-site-pg), migrates, seeds --runs runs (default 100 000) the way a busy server
// accumulates them (built-in methods plus many submitted methods with many versions, on every task × dataset and
// every split, superseded task and dataset versions, per-instance results rows as the runner writes them), builds and
// serves the site, then requests each page --requests times (after warm-up) and prints p50/p95 of the time to the
// full response, measured from a client on loopback, and the task pages' data alone (in-process). Results JSON under
// bench-results/.
//
//   npm run bench:site [-- --runs 100000 --requests 30 --externals 60]
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbedded } from "../harness/db/embedded.ts";
import { migrate } from "../harness/db/migrate.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { sha256Json } from "../harness/provenance.ts";
import { taskContract } from "../harness/register.ts";
import { listDatasets, listMethods, listTasks } from "../harness/registry.ts";
import { Rng } from "../harness/rng.ts";
import { buildSite, serveSite } from "../harness/site.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "100000" },
    requests: { type: "string", default: "30" },
    warmup: { type: "string", default: "3" },
    externals: { type: "string", default: "60" },
    port: { type: "string", default: "0" },
    "keep-db": { type: "boolean", default: false },
    // With --keep-db on the previous run: serve its seeded database again (no reseeding) to time a change quickly.
    "reuse-db": { type: "boolean", default: false },
  },
});
const TARGET_RUNS = Number(values.runs);
const REQUESTS = Number(values.requests);
const WARMUP = Number(values.warmup);
/** Submitted (external) methods per task; their versions are as many as it takes to reach --runs. */
const EXTERNALS = Number(values.externals);
const SPLITS = ["official", "private", "dev"] as const;
type SplitName = (typeof SPLITS)[number];

const log = (line: string) => console.log(`[bench:site] ${line}`);
const rng = new Rng(20261210);

// ---------------------------------------------------------------------------------------------
// Seed plan (JS): identities and versions, then one row per run

interface RunPlan {
  methodVersionId: number;
  taskVersionId: number;
  datasetVersionId: number;
  split: SplitName;
  instances: number;
  /** Method skill in [0, 1]: the run's instance scores scatter around it. */
  skill: number;
  status: "ok" | "error" | "timeout" | "queued" | "running";
  /** Superseded runs of old versions sometimes lost their instance rows (pruned); current ones never do. */
  withResults: boolean;
}

async function insertRows(client: pg.Client, table: string, columns: string[], rows: unknown[][], returning = "id"): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < rows.length; start += 2000) {
    const chunk = rows.slice(start, start + 2000);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => `(${row.map((v) => `$${params.push(v)}`).join(", ")})`);
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")} RETURNING "${returning}"`;
    const result = await client.query(sql, params);
    ids.push(...result.rows.map((r) => r[returning]));
  }
  return ids;
}

async function seed(client: pg.Client): Promise<{ runs: number; instanceRows: number; seconds: number; sample: Sample }> {
  const t0 = performance.now();
  const now = new Date();
  const tasks = listTasks();
  // Task versions: the current one, and version 1 too where the task is at version 2 (superseded results).
  await insertRows(
    client,
    "Task",
    ["id", "title", "question", "description", "mainScore", "updatedAt"],
    tasks.map((t) => [t.id, t.title, t.question, t.description, t.mainScore.label, now]),
  );
  const taskVersion = new Map<string, { current: number; old: number | null }>();
  for (const task of tasks) {
    const contract = { ...taskContract(task), noGroundTruth: task.noGroundTruth ?? {} };
    const versions = task.version > 1 ? [task.version - 1, task.version] : [task.version];
    const ids = await insertRows(
      client,
      "TaskVersion",
      ["taskId", "version", "contractHash", "contract"],
      versions.map((v) => [task.id, v, sha256Json({ ...contract, version: v }), JSON.stringify({ ...contract, version: v })]),
    );
    taskVersion.set(task.id, { current: ids.at(-1) as number, old: ids.length > 1 ? (ids[0] as number) : null });
  }
  // Datasets: every third one has a superseded version 1 below its current version 2.
  const datasets = listDatasets();
  const datasetIds = await insertRows(
    client,
    "Dataset",
    ["taskId", "slug", "title", "domain", "description", "readme", "updatedAt"],
    datasets.map((d) => [d.task, d.slug, d.title, d.domain, d.description, `# ${d.title}\n\n${d.description}\n`, now]),
  );
  const datasetVersion = new Map<string, { current: number; old: number | null }>();
  for (const [i, d] of datasets.entries()) {
    const versions = i % 3 === 0 ? [1, 2] : [1];
    const ids = await insertRows(
      client,
      "DatasetVersion",
      ["datasetId", "version", "contentHash", "config"],
      versions.map((v) => [datasetIds[i], v, sha256Json({ bench: d.slug, v }), JSON.stringify(d.config ?? {})]),
    );
    datasetVersion.set(`${d.task}/${d.slug}`, { current: ids.at(-1) as number, old: ids.length > 1 ? (ids[0] as number) : null });
  }
  // Methods: every built-in (its kind from the registry), and EXTERNALS submitted methods per task.
  const builtIns = new Map(tasks.flatMap((t) => listMethods(t.id)).map((m) => [m.id, m]));
  const externals = tasks.flatMap((t) =>
    Array.from({ length: EXTERNALS }, (_, k) => ({ id: `sub-${t.id}-${String(k + 1).padStart(3, "0")}`, task: t.id })),
  );
  await insertRows(
    client,
    "Method",
    ["id", "name", "kind", "description", "updatedAt"],
    [
      ...[...builtIns.values()].map((m) => [m.id, m.name, m.kind, m.description, now]),
      ...externals.map((m) => [m.id, `Submitted ${m.id.slice(4)}`, "external", `A submitted method for ${m.task}.`, now]),
    ],
    "id",
  );
  const builtInVersion = new Map<string, number>();
  const builtInIds = await insertRows(
    client,
    "MethodVersion",
    ["methodId", "version", "sourceHash"],
    [...builtIns.keys()].map((id) => [id, "1.0.0", sha256Json({ id })]),
  );
  for (const [i, id] of [...builtIns.keys()].entries()) builtInVersion.set(id, builtInIds[i] as number);

  // Versions per external method: enough that the runs reach the target (trimmed below).
  const perRound = tasks.reduce((s, t) => s + EXTERNALS * listDatasets(t.id).length * SPLITS.length, 0);
  const builtInRuns = tasks.reduce((s, t) => s + listMethods(t.id).length * listDatasets(t.id).length * SPLITS.length, 0);
  const versionsPerMethod = Math.max(1, Math.ceil((TARGET_RUNS - builtInRuns * 1.4) / perRound));
  const externalVersions: { methodId: string; task: string; versionIds: number[] }[] = [];
  for (const m of externals) {
    const ids = await insertRows(
      client,
      "MethodVersion",
      ["methodId", "version", "sourceHash"],
      Array.from({ length: versionsPerMethod }, (_, v) => [m.id, `0.${v + 1}.0`, sha256Json({ id: m.id, v })]),
    );
    externalVersions.push({ methodId: m.id, task: m.task, versionIds: ids });
  }

  // Runs, oldest first: superseded task/dataset versions, then method versions in order (a later version's runs
  // have larger ids, as on a server where resubmissions come later).
  const plans: RunPlan[] = [];
  const removable: number[] = [];
  const skillOf = new Map<string, number>();
  const skill = (methodId: string, kind: string) => {
    let s = skillOf.get(methodId);
    if (s === undefined) {
      s =
        kind === "reference" && methodId === "oracle"
          ? 1
          : kind === "reference"
            ? 0.08
            : kind === "floor"
              ? 0.15 + 0.1 * rng.uniform()
              : 0.25 + 0.6 * rng.uniform();
      skillOf.set(methodId, s);
    }
    return s;
  };
  for (const task of tasks) {
    const tv = taskVersion.get(task.id) as { current: number; old: number | null };
    const methods = listMethods(task.id);
    for (const d of listDatasets(task.id)) {
      const dv = datasetVersion.get(`${d.task}/${d.slug}`) as { current: number; old: number | null };
      for (const split of SPLITS) {
        const instances = d.sizes[split];
        const add = (
          methodVersionId: number,
          methodId: string,
          kind: string,
          taskVersionId: number,
          datasetVersionId: number,
          latest: boolean,
          version = 1,
        ) => {
          const u = rng.uniform();
          const superseded = !latest || taskVersionId !== tv.current || datasetVersionId !== dv.current;
          const status: RunPlan["status"] =
            kind === "reference" || kind === "floor"
              ? "ok"
              : latest && u < 0.02
                ? "queued"
                : latest && u < 0.03
                  ? "running"
                  : u < 0.08
                    ? "error"
                    : u < 0.1
                      ? "timeout"
                      : "ok";
          if (superseded && kind === "external") removable.push(plans.length);
          plans.push({
            methodVersionId,
            taskVersionId,
            datasetVersionId,
            split,
            instances,
            // Later versions of a submitted method do a little better.
            skill: Math.min(1, skill(methodId, kind) + 0.005 * version),
            status,
            withResults: !superseded || rng.uniform() < 0.8,
          });
        };
        // Superseded task and dataset versions: the built-ins and each submitted method's first version ran there.
        for (const [t, dvId] of [
          ...(tv.old !== null ? [[tv.old, dv.old ?? dv.current] as const] : []),
          ...(dv.old !== null ? [[tv.current, dv.old] as const] : []),
        ]) {
          for (const m of methods) add(builtInVersion.get(m.id) as number, m.id, m.kind, t, dvId, false);
          for (const e of externalVersions.filter((x) => x.task === task.id))
            add(e.versionIds[0] as number, e.methodId, "external", t, dvId, false);
        }
        for (const m of methods) add(builtInVersion.get(m.id) as number, m.id, m.kind, tv.current, dv.current, true);
        for (const e of externalVersions.filter((x) => x.task === task.id)) {
          for (const [v, id] of e.versionIds.entries()) {
            add(id, e.methodId, "external", tv.current, dv.current, v === e.versionIds.length - 1, v + 1);
          }
        }
      }
    }
  }
  // Trim to exactly TARGET_RUNS by dropping superseded external runs at random (not every version ran everywhere).
  const drop = new Set<number>();
  for (let i = removable.length - 1; i > 0 && drop.size < plans.length - TARGET_RUNS; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [removable[i], removable[j]] = [removable[j] as number, removable[i] as number];
    drop.add(removable[i] as number);
  }
  const kept = plans.filter((_, i) => !drop.has(i));
  // Runs sorted as they would have been created: by method version, so each run of a later version has a larger id.
  kept.sort((a, b) => a.methodVersionId - b.methodVersionId);
  log(`seeding ${kept.length} runs (${versionsPerMethod} versions × ${EXTERNALS} submitted methods per task, ${builtIns.size} built-ins)…`);

  const hardware = JSON.stringify({ cpus: "bench", memoryGb: 16 });
  const column = <T>(f: (p: RunPlan) => T) => kept.map(f);
  await client.query(
    `INSERT INTO "Run" ("methodVersionId", "taskVersionId", "datasetVersionId", "split", "status", "score", "instances", "instancesDone",
       "seed", "harnessVersion", "gitSha", "backend", "hardware", "startedAt", "updatedAt")
     SELECT mv, tv, dv, split::"Split", status::"RunStatus", skill, instances,
       CASE status WHEN 'queued' THEN 0 WHEN 'running' THEN instances / 2 ELSE instances END,
       seed, '0.1.0', 'bench000', 'wasm', $8::jsonb, CASE status WHEN 'queued' THEN NULL ELSE now() END, now()
     FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::float8[], $7::int[], $9::int[])
       AS t(mv, tv, dv, split, status, skill, instances, seed)`,
    [
      column((p) => p.methodVersionId),
      column((p) => p.taskVersionId),
      column((p) => p.datasetVersionId),
      column((p) => p.split),
      column((p) => p.status),
      column((p) => p.skill),
      column((p) => p.instances),
      hardware,
      kept.map((_, i) => i),
    ],
  );
  // Instance rows, generated in the database: a shared per-instance difficulty (so paired comparisons are paired)
  // plus per-run noise; a failed run's failed instances have no score, as the runner writes them.
  const withResults = kept.map((p) => p.withResults);
  await client.query(`CREATE TEMP TABLE bench_results AS SELECT (row_number() OVER ())::int AS n, w FROM unnest($1::bool[]) AS w`, [
    withResults,
  ]);
  const { rowCount } = await client.query(
    `INSERT INTO "InstanceResult" ("runId", "index", "instanceKey", "seed", "inputHash", "status", "score", "metrics", "message", "log",
       "wallMs", "cpuMs", "peakRssMb", "worker")
     SELECT r.id, g.i, 'bench/' || r."split" || '/' || g.i, g.i, md5(r."datasetVersionId" || ':' || r."split" || ':' || g.i),
       f.outcome::"Outcome",
       CASE WHEN f.outcome = 'ok' THEN least(1, greatest(0, r.score + 0.15 * s.difficulty + 0.1 * s.noise)) END,
       CASE WHEN f.outcome = 'ok' THEN jsonb_build_object('secondary', round((0.5 + 0.4 * s.noise)::numeric, 4)) END,
       CASE WHEN f.outcome <> 'ok' THEN 'Error: bench failure on instance ' || g.i END,
       CASE WHEN f.outcome <> 'ok' THEN 'Traceback (most recent call last):\n  bench\nError: failure' END,
       40 + 200 * abs(s.noise), 35 + 180 * abs(s.noise), 180 + 40 * abs(s.noise), 'bench-worker:1'
     FROM "Run" r
     JOIN bench_results b ON b.n = r.id - (SELECT min(id) FROM "Run") + 1
     CROSS JOIN LATERAL generate_series(0, r."instancesDone" - 1) AS g(i)
     CROSS JOIN LATERAL (SELECT hashint4(g.i * 7919 + r."datasetVersionId")::float8 / 2147483648 AS difficulty,
                                hashint8(r.id::bigint * 100003 + g.i)::float8 / 2147483648 AS noise) s
     CROSS JOIN LATERAL (SELECT CASE WHEN r.status IN ('error', 'timeout') AND (g.i = 0 OR s.noise > 0.6)
                                     THEN r.status::text ELSE 'ok' END AS outcome) f
     WHERE b.w`,
  );
  // Each finished run's score, CI and message from its instance rows (finalizeRun's rules).
  await client.query(
    `WITH agg AS (
       SELECT "runId", avg(score) AS mean, stddev_samp(score) AS sd, count(*) AS n, count(*) FILTER (WHERE status <> 'ok') AS failed,
              sum("wallMs") AS wall, sum("cpuMs") AS cpu
       FROM "InstanceResult" GROUP BY "runId")
     UPDATE "Run" r SET
       score = CASE WHEN r.status = 'ok' THEN agg.mean END,
       "ciLow" = CASE WHEN r.status = 'ok' THEN agg.mean - 1.96 * coalesce(agg.sd, 0) / sqrt(agg.n) END,
       "ciHigh" = CASE WHEN r.status = 'ok' THEN agg.mean + 1.96 * coalesce(agg.sd, 0) / sqrt(agg.n) END,
       message = CASE WHEN r.status IN ('error', 'timeout') THEN agg.failed || ' of ' || agg.n || ' instances failed (' || agg.failed || ' ' || r.status || '); first: bench/0: Error: bench failure' END,
       "wallMs" = agg.wall, "cpuMs" = agg.cpu, "peakRssMb" = 220,
       metrics = CASE WHEN r.status = 'ok' THEN jsonb_build_object('secondary', 0.5) END,
       "finishedAt" = CASE WHEN r.status IN ('ok', 'error', 'timeout') THEN now() - (r.id || ' seconds')::interval END
     FROM agg WHERE agg."runId" = r.id AND r.status NOT IN ('queued', 'running')`,
  );
  // Finished runs whose instance rows were pruned keep their skill as score.
  await client.query(
    `UPDATE "Run" SET "finishedAt" = now(), score = CASE WHEN status = 'ok' THEN score END,
       message = CASE WHEN status IN ('error', 'timeout') THEN 'instances pruned' END
     WHERE "finishedAt" IS NULL AND status NOT IN ('queued', 'running')`,
  );
  await client.query(`UPDATE "Run" SET score = NULL WHERE status IN ('queued', 'running')`);
  // A server's steady state: statistics current and the visibility map set (index-only scans, e.g. lib/data.ts's stamp).
  await client.query("VACUUM ANALYZE");
  const sample = await pickSample(client);
  return { runs: kept.length, instanceRows: rowCount ?? 0, seconds: (performance.now() - t0) / 1000, sample };
}

// ---------------------------------------------------------------------------------------------
// Pages to time

interface Sample {
  task: string;
  dataset: string;
  method: string;
  runId: number;
}

/** The heaviest task (most official instances), its largest dataset, a submitted method with many versions, a ranked run. */
async function pickSample(client: pg.Client): Promise<Sample> {
  const task = listTasks()
    .map((t) => ({ id: t.id, n: listDatasets(t.id).reduce((s, d) => s + d.sizes.official, 0) }))
    .sort((a, b) => b.n - a.n)[0]?.id as string;
  const dataset = listDatasets(task).sort((a, b) => b.sizes.official - a.sizes.official)[0]?.slug as string;
  const { rows } = await client.query<{ id: number; methodId: string }>(
    `SELECT r.id, mv."methodId" FROM "Run" r JOIN "MethodVersion" mv ON mv.id = r."methodVersionId"
     JOIN "Method" m ON m.id = mv."methodId" JOIN "TaskVersion" tv ON tv.id = r."taskVersionId"
     WHERE tv."taskId" = $1 AND m.kind = 'external' AND r.split = 'official' AND r.status = 'ok' ORDER BY r.id DESC LIMIT 1`,
    [task],
  );
  return { task, dataset, method: rows[0]?.methodId as string, runId: rows[0]?.id as number };
}

/** A Markdown table (what the other bench scripts print). */
function markdownTable(header: string[], rows: string[][]): string {
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

interface PageTiming {
  page: string;
  path: string;
  status: number;
  bytes: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  firstMs: number;
}

async function timePage(base: string, page: string, pathname: string): Promise<PageTiming> {
  const once = async () => {
    const t = performance.now();
    const response = await fetch(`${base}${pathname}`);
    const body = await response.arrayBuffer();
    return { ms: performance.now() - t, status: response.status, bytes: body.byteLength };
  };
  const first = await once();
  for (let i = 1; i < WARMUP; i++) await once();
  const times: number[] = [];
  let last = first;
  for (let i = 0; i < REQUESTS; i++) {
    last = await once();
    if (last.status !== 200) throw new Error(`${pathname} answered ${last.status}`);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  return {
    page,
    path: pathname,
    status: last.status,
    bytes: last.bytes,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    min: times[0] as number,
    max: times.at(-1) as number,
    firstMs: first.ms,
  };
}

interface DataTiming {
  page: string;
  p50: number;
  p95: number;
}

/**
 * A task page's data alone, in this process as the server computes it (lib/task-page.ts: the stamp query, the cached
 * task, the URL's view), after one call fills the cache: the page's time minus this is rendering and transfer.
 */
async function timeTaskData(databaseUrl: string, page: string, taskId: string): Promise<DataTiming> {
  process.env.DATABASE_URL = databaseUrl;
  const { getTaskPage } = await import("../lib/task-page.ts");
  await getTaskPage(taskId, {});
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await getTaskPage(taskId, {});
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { page, p50: percentile(times, 50), p95: percentile(times, 95) };
}

// ---------------------------------------------------------------------------------------------
// Main

const dataDir = path.join(REPO_ROOT, ".cajal", "bench-site-pg");
const seededFile = `${dataDir}.seeded.json`;
const reuse = values["reuse-db"] && existsSync(seededFile);
if (!reuse) {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(`${dataDir}.server.json`, { force: true });
  rmSync(seededFile, { force: true });
}
const handle = await startEmbedded({ dataDir, notice: log });
let site: Awaited<ReturnType<typeof serveSite>> | undefined;
try {
  const migrated = await migrate(handle.url);
  let seeded: Awaited<ReturnType<typeof seed>>;
  if (reuse) {
    seeded = JSON.parse(readFileSync(seededFile, "utf8"));
    log(`reusing the database seeded earlier (${seeded.runs} runs)`);
    if (migrated.applied.length > 0) {
      // A migration that rewrote a table leaves it without statistics or visibility map, unlike a server at rest.
      const client = new pg.Client({ connectionString: handle.url });
      await client.connect();
      await client.query("VACUUM ANALYZE");
      await client.end();
    }
  } else {
    const client = new pg.Client({ connectionString: handle.url });
    await client.connect();
    seeded = await seed(client);
    await client.end();
    writeFileSync(seededFile, JSON.stringify(seeded));
    log(`seeded ${seeded.runs} runs and ${seeded.instanceRows} instance rows in ${seeded.seconds.toFixed(1)} s`);
  }

  await buildSite({ log });
  const port = Number(values.port) || 20000 + Math.floor(Math.random() * 10000);
  site = await serveSite({ port, databaseUrl: handle.url, log });
  const { task, dataset, method, runId } = seeded.sample;
  const pages: [string, string][] = [
    ["overview", "/"],
    ["task", `/tasks/${task}`],
    ["task (small)", "/tasks/causal-attribution"],
    ["dataset", `/tasks/${task}/datasets/${dataset}`],
    ["method (submitted)", `/methods/${method}`],
    ["method (built-in)", "/methods/random"],
    ["run", `/runs/${runId}`],
    ["methods index", "/methods"],
  ];
  const timings: PageTiming[] = [];
  for (const [page, pathname] of pages) {
    const timing = await timePage(site.url, page, pathname);
    timings.push(timing);
    log(`${page}: p50 ${timing.p50.toFixed(1)} ms, p95 ${timing.p95.toFixed(1)} ms`);
  }
  const dataTimings = [await timeTaskData(handle.url, "task", task), await timeTaskData(handle.url, "task (small)", "causal-attribution")];
  const fmt = (v: number) => v.toFixed(1);
  console.log(
    `\n${markdownTable(
      ["page", "path", "KiB", "first ms", "p50 ms", "p95 ms", "max ms"],
      timings.map((t) => [t.page, t.path, (t.bytes / 1024).toFixed(0), fmt(t.firstMs), fmt(t.p50), fmt(t.p95), fmt(t.max)]),
    )}`,
  );
  console.log(
    `\nData alone (lib/task-page.ts in the bench process, cache warm): ${dataTimings.map((d) => `${d.page} p50 ${fmt(d.p50)} ms, p95 ${fmt(d.p95)} ms`).join("; ")}.`,
  );
  console.log(
    `\n${seeded.runs} runs, ${seeded.instanceRows} instance rows (seeded in ${seeded.seconds.toFixed(1)} s); ${REQUESTS} requests per page after ${WARMUP} warm-up, sequential, loopback; ${os.cpus().length} CPUs.`,
  );
  const outDir = path.join(REPO_ROOT, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `site-scale-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, runs: seeded.runs, instanceRows: seeded.instanceRows, seedSeconds: seeded.seconds, requests: REQUESTS, warmup: WARMUP, externalsPerTask: EXTERNALS, timings, dataTimings }, null, 2)}\n`,
  );
  log(`results: ${path.relative(REPO_ROOT, file)}`);
} finally {
  await site?.stop();
  await handle.stop();
  if (!values["keep-db"]) {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(seededFile, { force: true });
  }
}
