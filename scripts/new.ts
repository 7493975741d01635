// `npm run new -- task|method|dataset <id> [--task <task-id>]`: copies templates/<kind>/ into place under a new id and
// prints the registry lines to add (CONTRIBUTING.md). Relative imports are re-aimed from the template's folder to
// the destination's, since a dataset sits one level deeper (datasets/synthetic/<id>/) than its template.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const KINDS = ["task", "method", "dataset"] as const;
export type Kind = (typeof KINDS)[number];

/** The identifiers each template uses for itself, and where a copy goes. */
const TEMPLATES: Record<Kind, { placeholder: string; folder: (id: string) => string; registry: string }> = {
  task: { placeholder: "my-task", folder: (id) => path.join("tasks", id), registry: "tasks/registry.ts" },
  method: { placeholder: "my-method", folder: (id) => path.join("methods", id), registry: "methods/registry.ts" },
  dataset: { placeholder: "my-dataset", folder: (id) => path.join("datasets", "synthetic", id), registry: "datasets/registry.ts" },
};
/** The template task's id, which the method and dataset templates name as the task they serve. */
const TEMPLATE_TASK = "my-task";

const kebab = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const camelCase = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export interface ScaffoldOptions {
  kind: Kind;
  id: string;
  /** The task a method or dataset serves; without it they keep serving the template task `my-task`. */
  task?: string;
  /** Where the repository layout is written (tests scaffold into a scratch folder); the repository by default. */
  root?: string;
}

export interface Scaffolded {
  /** The new folder, absolute. */
  folder: string;
  files: string[];
  /** The registry file (relative to the repository) and the lines to add to it. */
  registry: { file: string; lines: string[] };
}

/** Rename every occurrence of the template's own names (kebab-case id and camelCase export) to the new ones. */
function rename(text: string, pairs: readonly (readonly [string, string])[]): string {
  return pairs.reduce((t, [from, to]) => t.replaceAll(from, to), text);
}

/** Re-aim `from "../x"` and `import("../x")` specifiers that leave the template folder so they reach the same file from `destination`. */
function reaimImports(text: string, template: string, destination: string): string {
  return text.replace(/(from\s+|import\s*\(\s*)(["'])(\.{1,2}\/[^"']+)\2/g, (match, lead: string, quote: string, spec: string) => {
    const target = path.resolve(template, spec);
    if (!path.relative(template, target).startsWith("..")) return match;
    let moved = path.relative(destination, target).split(path.sep).join("/");
    if (!moved.startsWith(".")) moved = `./${moved}`;
    return `${lead}${quote}${moved}${quote}`;
  });
}

export function scaffold(options: ScaffoldOptions): Scaffolded {
  const { kind, id } = options;
  const template = TEMPLATES[kind];
  if (!kebab.test(id)) throw new Error(`id "${id}" is not kebab-case (e.g. ${template.placeholder})`);
  if (options.task !== undefined && !kebab.test(options.task)) throw new Error(`task "${options.task}" is not kebab-case`);
  const root = path.resolve(options.root ?? REPO);
  const source = path.join(REPO, "templates", kind);
  const folder = path.join(root, template.folder(id));
  if (existsSync(folder)) throw new Error(`${path.relative(root, folder)} already exists; choose another id`);
  const pairs: [string, string][] = [
    [template.placeholder, id],
    [camelCase(template.placeholder), camelCase(id)],
  ];
  if (options.task && kind !== "task") pairs.push([TEMPLATE_TASK, options.task]);
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (const name of readdirSync(source).sort()) {
    const target = path.join(folder, rename(name, pairs));
    let text = rename(readFileSync(path.join(source, name), "utf8"), pairs);
    if (name.endsWith(".ts")) text = reaimImports(text, source, folder);
    writeFileSync(target, text);
    files.push(target);
  }
  return { folder, files, registry: { file: template.registry, lines: registryLines(kind, id) } };
}

function registryLines(kind: Kind, id: string): string[] {
  const name = camelCase(id);
  if (kind === "dataset") return [`import { source as ${name} } from "./synthetic/${id}/source.ts";`, `  ${name},`];
  return [`import { ${name} } from "./${id}/${kind}.ts";`, `  ${name},`];
}

function main(argv: string[]): void {
  const usage = "usage: npm run new -- task|method|dataset <id> [--task <task-id>]";
  const taskFlag = argv.indexOf("--task");
  const task = taskFlag >= 0 ? argv[taskFlag + 1] : undefined;
  const rest = taskFlag >= 0 ? argv.filter((_, i) => i !== taskFlag && i !== taskFlag + 1) : argv;
  const [kind, id] = rest;
  if (!KINDS.includes(kind as Kind) || !id || rest.length !== 2 || (taskFlag >= 0 && !task)) {
    console.error(usage);
    process.exit(2);
  }
  try {
    const made = scaffold({ kind: kind as Kind, id, ...(task ? { task } : {}) });
    const rel = (f: string) => path.relative(REPO, f);
    console.log(`created ${rel(made.folder)}/: ${made.files.map((f) => path.basename(f)).join(", ")}`);
    console.log(`\nadd to ${made.registry.file} (the import at the top, the entry in the list):\n`);
    for (const line of made.registry.lines) console.log(line);
    const serves = kind === "task" ? id : (task ?? TEMPLATE_TASK);
    // The conformance tests (tests/conformance*.test.ts) name their blocks "task <id>", "dataset <task>/<slug>" and "method <id>".
    const filter = kind === "dataset" ? `${serves}/${id}` : id;
    if (kind === "dataset") console.log("\nthen: npx vitest run tests/sources.test.ts");
    console.log(`${kind === "dataset" ? "and" : "\nthen"}: npx vitest run ${rel(made.folder)} tests/conformance -t ${filter}`);
    if (kind !== "task" && !task) console.log(`(it serves the template task ${TEMPLATE_TASK}; pass --task <id> for another)`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
