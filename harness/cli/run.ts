// `cajal run`: score the selected methods × tasks × datasets on a split, build the networks those datasets need, record
// every instance, print a table (or JSON), and exit 1 when any run failed.
import { existsSync } from "node:fs";
import path from "node:path";
import type { SuiteResult } from "../runner.ts";
import type { MethodDefinition } from "../types.ts";
import { UsageError } from "../usage-error.ts";
import { defineCommand } from "./command.ts";
import { ensureNetworks, jobsSchema, splitSchema, withDb } from "./shared.ts";

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

/** "2 of 14 runs failed: pca on feature-recovery/sparse-linear (error), …", or null when every run is ok. */
export function failureSummary(results: readonly SuiteResult[]): string | null {
  const failed = results.filter((r) => r.status !== "ok");
  if (failed.length === 0) return null;
  const shown = failed.slice(0, 8).map((r) => `${r.method} on ${r.task}/${r.dataset} (${r.status}${r.skipped ? ", cached" : ""})`);
  const more = failed.length > shown.length ? `, and ${failed.length - shown.length} more` : "";
  const cached = failed.some((r) => r.skipped) ? "; re-run failed ones with --retry-failed" : "";
  return `${failed.length} of ${results.length} runs failed: ${shown.join(", ")}${more}${cached}`;
}

/** A --method value that names a folder (has a slash, or holds a method.json) is an external method. */
const isMethodFolder = (value: string) => value.includes("/") || value.startsWith(".") || existsSync(path.join(value, "method.json"));

/** Load external method folders; manifest and sandbox problems are usage errors with one line each. */
async function resolveMethods(values: readonly string[], sandbox: boolean) {
  const { loadExternalMethod } = await import("../external/method.ts");
  const { ManifestError } = await import("../external/manifest.ts");
  const { SandboxUnavailableError } = await import("../external/sandbox.ts");
  const ids: string[] = [];
  const extraMethods: MethodDefinition[] = [];
  for (const value of values) {
    if (!isMethodFolder(value)) {
      ids.push(value);
      continue;
    }
    try {
      const method = await loadExternalMethod(path.resolve(value), { sandbox });
      ids.push(method.id);
      extraMethods.push(method);
      if (method.manifest.resources?.gpus) {
        const { hostGpuPool, noGpuMessage } = await import("../gpu.ts");
        const pool = await hostGpuPool();
        process.stderr.write(
          pool.size === 0
            ? `cajal: ${noGpuMessage(method.id, 1, pool.reason)}; every instance is refused and the run recorded as failed\n`
            : `cajal: ${method.id} runs on ${pool.size} GPU(s), one instance per GPU at a time: ${pool.devices.map((d) => `${d.index} ${d.name}`).join(", ")}\n`,
        );
      }
    } catch (error) {
      if (error instanceof ManifestError) throw new UsageError(`${value} is not a valid method folder:\n  ${error.problems.join("\n  ")}`);
      if (error instanceof SandboxUnavailableError) throw new UsageError(error.message);
      throw error;
    }
  }
  return { ids, extraMethods };
}

export const runCommand = defineCommand({
  name: "run",
  summary: "score methods on tasks × datasets and record every instance in the database",
  usage: ["run [--task T]… [--dataset D]… [--method M|PATH]… [--split dev|official] [--json] [--retry-failed] [--jobs N] [--no-sandbox]"],
  details: [
    "The references (random, oracle) and the floor references always run too: the normalized score needs them on the",
    "same instances. Finished combinations are skipped (shown as cached); an interrupted one resumes. Networks that the",
    "selected datasets need are trained first when missing (as `cajal datasets build` would, only those).",
  ].join("\n"),
  options: {
    task: { type: "string", multiple: true, value: "T", help: "a task id (default: every task)" },
    dataset: { type: "string", multiple: true, value: "D", help: "a dataset slug (default: every dataset of the tasks available here)" },
    method: {
      type: "string",
      multiple: true,
      value: "M|PATH",
      help: "a method id, or a method folder with method.json (PROTOCOL.md) (default: every built-in method)",
    },
    split: { type: "string", value: "dev|official", help: "the split to score (default: official)" },
    json: { type: "boolean", help: "print the results as one JSON array on stdout (progress stays on stderr)" },
    "retry-failed": { type: "boolean", help: "re-run combinations and instances that failed before" },
    jobs: { type: "string", value: "N", help: "instances of an external method run in parallel (default: number of cores)" },
    "no-sandbox": { type: "boolean", help: "run external methods without bubblewrap (recorded on the run)" },
  },
  exitCodes: { ok: "every run ok", failed: "a run failed (the last line names them), or the database is down" },
  async run({ values }) {
    const split = splitSchema.parse(values.split ?? "official");
    const jobs = values.jobs === undefined ? undefined : jobsSchema.parse(values.jobs);
    const { ids, extraMethods } = await resolveMethods(values.method ?? [], !values["no-sandbox"]);
    const [{ planRuns, runSuite }, { registerAll }] = await Promise.all([import("../runner.ts"), import("../register.ts")]);
    const selection = { tasks: values.task, datasets: values.dataset, methods: ids, split, extraMethods };
    // Validate names before touching the database, so a typo fails fast with the list of what exists.
    const plan = planRuns(selection);
    const datasets = [...new Set(plan.map((p) => p.dataset))];
    const report = await withDb(async ({ db }) => {
      await ensureNetworks(datasets);
      // Only the selected datasets: another dataset's network may not be built (and need not be).
      const registered = await registerAll(db, { datasets });
      return runSuite(db, { ...selection, retryFailed: values["retry-failed"], progress: true, jobs }, registered);
    });
    if (values.json) process.stdout.write(`${JSON.stringify(report.results.map(jsonResult), null, 2)}\n`);
    else process.stdout.write(`${formatResultsTable(report.results)}\n`);
    process.stderr.write(`backend: ${report.backend}; ${(report.wallMs / 1000).toFixed(1)} s\n`);
    const failed = failureSummary(report.results);
    if (!failed) return 0;
    process.stderr.write(`cajal: ${failed}\n`);
    return 1;
  },
});
