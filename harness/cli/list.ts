// `cajal list tasks|datasets|methods`: the registries, as a table or JSON.
import { z } from "zod";
import { artifactStatus } from "../artifacts.ts";
import { defineCommand } from "./command.ts";

const kindSchema = z.enum(["tasks", "datasets", "methods"], { error: () => "list what? one of: tasks, datasets, methods" });

export const listCommand = defineCommand({
  name: "list",
  summary: "list the tasks, datasets or methods of this checkout",
  usage: ["list tasks|datasets|methods [--json]"],
  details: "`list datasets` says what `run` needs first for each dataset: a recording fetched (datasets fetch) or a network trained.",
  options: {
    json: { type: "boolean", help: "print one JSON array" },
  },
  maxPositionals: 1,
  async run({ values, positionals }) {
    const kind = kindSchema.parse(positionals[0]);
    const { listDatasets, listMethods, listTasks } = await import("../registry.ts");
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
              // What `run` needs first: a recording fetched (datasets fetch); a missing network `run` trains itself.
              ready: d.unavailable?.()
                ? "data missing"
                : d.artifacts?.some((a) => artifactStatus(a) !== "ok")
                  ? "network not built"
                  : "yes",
            }))
          : listMethods().map((m) => ({ id: m.id, version: m.version, kind: m.kind, name: m.name, tasks: m.tasks }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    for (const row of rows) {
      const { id, ...rest } = row;
      process.stdout.write(
        `${id.padEnd(22)} ${Object.values(rest)
          .map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)))
          .join("  ")}\n`,
      );
    }
    return 0;
  },
});
