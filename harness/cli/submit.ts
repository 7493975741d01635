// `cajal submit FOLDER --server URL`: pack a method folder reproducibly and upload it (token: CAJAL_TOKEN).
import path from "node:path";
import { UsageError } from "../usage-error.ts";
import { defineCommand } from "./command.ts";

export const submitCommand = defineCommand({
  name: "submit",
  summary: "upload a method folder to a Cajal server (token: CAJAL_TOKEN); prints its page",
  usage: ["submit FOLDER --server URL [--json]"],
  options: {
    server: { type: "string", value: "URL", help: "the Cajal server (default: CAJAL_SERVER)" },
    json: { type: "boolean", help: "print the server's answer as JSON" },
  },
  maxPositionals: 1,
  async run({ values, positionals }) {
    const { serverSchema, submitFolder } = await import("../service/client.ts");
    const { ArchiveError } = await import("../service/archive.ts");
    const folder = positionals[0];
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
    return 0;
  },
});
