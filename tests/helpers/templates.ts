// The three templates scaffolded as a newcomer would (scripts/new.ts) under fresh ids, into a scratch copy of the
// repository layout under .cajal/tmp (ignored by git, tsc, biome and vitest; inside the checkout so `zod` resolves),
// then imported. Built once per test file: the registry mocks of tests/templates.test.ts and its tests share it.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DatasetSource } from "../../harness/source.ts";
import type { MethodDefinition, TaskDefinition } from "../../harness/types.ts";
import { camelCase, type Scaffolded, scaffold } from "../../scripts/new.ts";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ScaffoldedTemplates {
  root: string;
  ids: { task: string; method: string; dataset: string };
  made: { task: Scaffolded; method: Scaffolded; dataset: Scaffolded };
  task: TaskDefinition;
  method: MethodDefinition;
  source: DatasetSource;
  /** Every export of the copied task module (the template's helpers, e.g. chanceScore). */
  taskModule: Record<string, unknown>;
  remove(): void;
}

async function exported<T>(file: string, name: string): Promise<{ value: T; module: Record<string, unknown> }> {
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  if (!(name in module)) throw new Error(`${path.basename(file)} does not export ${name} (exports: ${Object.keys(module).join(", ")})`);
  return { value: module[name] as T, module };
}

async function build(): Promise<ScaffoldedTemplates> {
  const scratch = path.join(REPO, ".cajal", "tmp");
  mkdirSync(scratch, { recursive: true });
  const root = mkdtempSync(path.join(scratch, "templates-"));
  const suffix = path
    .basename(root)
    .slice("templates-".length)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
  const ids = { task: `tpl-task-${suffix}`, method: `tpl-method-${suffix}`, dataset: `tpl-data-${suffix}` };
  const made = {
    task: scaffold({ kind: "task", id: ids.task, root }),
    method: scaffold({ kind: "method", id: ids.method, task: ids.task, root }),
    dataset: scaffold({ kind: "dataset", id: ids.dataset, task: ids.task, root }),
  };
  const task = await exported<TaskDefinition>(path.join(made.task.folder, "task.ts"), camelCase(ids.task));
  const method = await exported<MethodDefinition>(path.join(made.method.folder, "method.ts"), camelCase(ids.method));
  const source = await exported<DatasetSource>(path.join(made.dataset.folder, "source.ts"), "source");
  return {
    root,
    ids,
    made,
    task: task.value,
    method: method.value,
    source: source.value,
    taskModule: task.module,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

let pending: Promise<ScaffoldedTemplates> | undefined;
export function scaffoldedTemplates(): Promise<ScaffoldedTemplates> {
  pending ??= build();
  return pending;
}
