// `cajal reproduce`: re-run a published run here, from its server or from an `export --run` file, and compare.
import { readFile } from "node:fs/promises";
import type { RunExport } from "../service/runs.ts";
import { UsageError } from "../usage-error.ts";
import { defineCommand } from "./command.ts";
import { ensureNetworks, runIdSchema } from "./shared.ts";

async function readExportFile(file: string): Promise<RunExport> {
  const { runExportSchema } = await import("../service/runs.ts");
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message} (write one with \`cajal export --run <id> --out run.json\`)`);
  }
  const parsed = runExportSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(
      `${file} is not a run export (\`cajal export --run <id> --out run.json\` writes one): ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/** The network the run's dataset needs, when this checkout has that dataset at the run's version (else reproduce says why not). */
async function networksFor(exported: RunExport): Promise<void> {
  const { getDataset } = await import("../registry.ts");
  let dataset: ReturnType<typeof getDataset>;
  try {
    dataset = getDataset(exported.task.id, exported.dataset.slug);
  } catch {
    return;
  }
  if (dataset.version === exported.dataset.version && !dataset.unavailable?.()) await ensureNetworks([dataset]);
}

export const reproduceCommand = defineCommand({
  name: "reproduce",
  summary: "re-run a published run here and compare with its published score",
  usage: ["reproduce RUN-ID --server URL [--json] [--no-sandbox]", "reproduce --file run.json [--json] [--no-sandbox]"],
  details: "A run file comes from `cajal export --run RUN-ID --out run.json` (offline).",
  options: {
    server: { type: "string", value: "URL", help: "the Cajal server that published the run (default: CAJAL_SERVER)" },
    file: { type: "string", value: "PATH", help: "a run exported with `cajal export --run` instead of a server" },
    json: { type: "boolean", help: "print the report as JSON" },
    "no-sandbox": { type: "boolean", help: "run a submitted method without bubblewrap" },
  },
  maxPositionals: 1,
  exitCodes: {
    ok: "the scores agree (identical, or within the published CI)",
    failed: "they disagree, or the run cannot be re-run here (the report says why)",
  },
  async run({ values, positionals }) {
    const rawId = positionals[0];
    let exported: RunExport;
    if (values.file !== undefined) {
      if (rawId !== undefined || values.server !== undefined) {
        throw new UsageError("reproduce takes a run id with --server, or --file, not both");
      }
      exported = await readExportFile(values.file);
    } else {
      if (rawId === undefined) throw new UsageError("reproduce needs a run id (with --server URL) or --file run.json");
      const { serverSchema, fetchRun } = await import("../service/client.ts");
      const runId = runIdSchema.parse(rawId);
      exported = await fetchRun(serverSchema.parse(values.server ?? (process.env.CAJAL_SERVER || undefined)), runId);
    }
    // Loaded once the run is in hand: an unreadable file or a bad run id is answered without loading the harness.
    const { reproduceRun, formatReproduce } = await import("../service/reproduce.ts");
    await networksFor(exported);
    const { ProgressBar } = await import("../progress.ts");
    const bar = new ProgressBar("reproduce", exported.run.instances, process.stderr, !values.json);
    const report = await reproduceRun(exported, { sandbox: !values["no-sandbox"], onInstance: () => bar.tick() });
    bar.finish();
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatReproduce(report)}\n`);
    return report.verdict === "identical" || report.verdict === "within-ci" ? 0 : 1;
  },
});
