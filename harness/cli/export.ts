// `cajal export`: a dataset split's instances as PROTOCOL.md input folders (ground truth for dev on request), or
// one run with its method archive as a file for `cajal reproduce --file`.
import { writeFile } from "node:fs/promises";
import { z } from "zod";
import { UsageError } from "../usage-error.ts";
import { defineCommand } from "./command.ts";
import { ensureNetworks, runIdSchema, splitSchema, withDb } from "./shared.ts";

const instancesSchema = z
  .object({
    task: z.array(z.string()).length(1, "export needs exactly one --task"),
    dataset: z.array(z.string()).length(1, "export needs exactly one --dataset"),
    split: splitSchema,
    out: z.string({ error: () => "export needs --out <dir>" }).min(1, "export needs --out <dir>"),
    withTruth: z.boolean(),
  })
  .refine((a) => !a.withTruth || a.split === "dev", {
    error: (issue) =>
      `ground truth is exportable only for the dev split, not ${(issue.input as { split: string }).split}; drop --with-truth or export dev`,
  });

async function exportRun(rawId: string, out: string | undefined) {
  const runId = runIdSchema.parse(rawId);
  const file = z
    .string({ error: () => "export --run needs --out <file.json>" })
    .min(1, "export --run needs --out <file.json>")
    .parse(out);
  const { runExport, NotFound, Refused } = await import("../service/runs.ts");
  await withDb(async ({ db }) => {
    try {
      const exported = await runExport(db, runId, { embedArchive: true });
      await writeFile(file, `${JSON.stringify(exported, null, 2)}\n`);
      process.stdout.write(
        `exported run ${runId} (${exported.method.id} on ${exported.task.id}/${exported.dataset.slug}, ${exported.run.split}) to ${file}\n`,
      );
    } catch (error) {
      if (error instanceof NotFound || error instanceof Refused) throw new UsageError(error.message);
      throw error;
    }
  });
}

export const exportCommand = defineCommand({
  name: "export",
  summary: "write instances as PROTOCOL.md input folders, or a run (with its method archive) for reproduce --file",
  usage: ["export --task T --dataset D [--split dev|official] --out DIR [--with-truth]", "export --run RUN-ID --out run.json"],
  details: "Instances go to DIR/<dataset>/<split>/<index>/ (task.json + .npy); --with-truth adds truth/ (dev split only).",
  options: {
    task: { type: "string", multiple: true, value: "T", help: "the task (exactly one)" },
    dataset: { type: "string", multiple: true, value: "D", help: "the dataset (exactly one)" },
    split: { type: "string", value: "dev|official", help: "the split (default: dev)" },
    out: { type: "string", value: "PATH", help: "the folder to write instances to, or the file a run goes to" },
    "with-truth": { type: "boolean", help: "also write each instance's ground truth (dev only)" },
    run: { type: "string", value: "RUN-ID", help: "export this run of the database instead of instances" },
  },
  async run({ values }) {
    if (values.run !== undefined) {
      const extra = (["task", "dataset", "split", "with-truth"] as const).filter((k) => values[k] !== undefined);
      if (extra.length) throw new UsageError(`export --run takes only --out; drop ${extra.map((k) => `--${k}`).join(", ")}`);
      await exportRun(values.run, values.out);
      return 0;
    }
    const args = instancesSchema.parse({
      task: values.task,
      dataset: values.dataset,
      split: values.split ?? "dev",
      out: values.out,
      withTruth: Boolean(values["with-truth"]),
    });
    const { getDataset, getTask } = await import("../registry.ts");
    const taskId = args.task[0] as string;
    const slug = args.dataset[0] as string;
    getTask(taskId); // an unknown task is named as such, before its datasets
    await ensureNetworks([getDataset(taskId, slug)]);
    const { exportInstances } = await import("../protocol.ts");
    const summary = await exportInstances({ taskId, datasetSlug: slug, split: args.split, outDir: args.out, withTruth: args.withTruth });
    process.stdout.write(
      `exported ${summary.count} instances of ${taskId}/${slug}/${args.split} to ${summary.dir} (manifest: ${summary.manifest})\n`,
    );
    return 0;
  },
});
