// The structure report of issue 11: import cycles, imports from plugins (tasks/, datasets/, methods/) into the
// engine's side and back, plugin folders that import other plugin folders, and the largest files. Reads relative
// imports of every .ts/.tsx/.mjs source outside node_modules, .next, .cajal and generated code.
// `npm run bench:imports [-- --json]`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SKIP = new Set(["node_modules", ".next", ".cajal", "generated", ".git"]);
/** Skipped only at the top: a checkout's shared/ (public data and contracts), not methods/shared/. */
const ROOT_SKIP = new Set(["shared"]);
const SOURCE = /\.(ts|tsx|mjs)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || (dir === ROOT && ROOT_SKIP.has(name))) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

const IMPORT = /(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

function resolveImport(from: string, spec: string, files: Set<string>): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = path.join(ROOT, spec.slice(2));
  else if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}.mjs`, path.join(base, "index.ts")]) {
    if (files.has(candidate)) return candidate;
  }
  return null;
}

const isTest = (f: string) => /\.test\.tsx?$/.test(f) || f.split(path.sep).includes("tests");
/** tasks/<id>, datasets/<…>/<id>, methods/<id>: the unit a plugin is; null for engine and site code. */
function pluginOf(rel: string): string | null {
  const parts = rel.split("/");
  if (!["tasks", "datasets", "methods"].includes(parts[0] as string) || parts.length < 3) return null;
  const domains = ["synthetic", "artificial", "biological"];
  if (parts[0] === "datasets" && domains.includes(parts[1] as string)) return parts.length >= 4 ? parts.slice(0, 3).join("/") : null;
  return parts.slice(0, 2).join("/");
}
const isEngine = (rel: string) => rel.startsWith("harness/");
/** methods/shared/: code several methods use (issue 11); methods may import it as they import the core. */
const isMethodsLibrary = (rel: string) => rel.startsWith("methods/shared/");

export function importGraph() {
  const files = walk(ROOT);
  const set = new Set(files);
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec) continue;
      const to = resolveImport(f, spec, set);
      if (to) targets.push(to);
    }
    edges.set(f, targets);
  }
  const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join("/");

  // Cycles: strongly connected components of more than one file (Tarjan), test files excluded.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (isTest(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(rel(w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!isTest(f) && !idx.has(f)) strong(f);

  const engineToPlugin: string[] = [];
  const pluginToPlugin: string[] = [];
  const pluginToNonCore: string[] = [];
  for (const [from, targets] of edges) {
    if (isTest(from)) continue;
    const a = rel(from);
    for (const to of targets) {
      const b = rel(to);
      const pa = pluginOf(a);
      const pb = pluginOf(b);
      if (isEngine(a) && pb) engineToPlugin.push(`${a} → ${b}`);
      if (pa && pb && pa !== pb && !(pa.startsWith("methods/") && isMethodsLibrary(b))) pluginToPlugin.push(`${a} → ${b}`);
      if (pa && !pb && !isEngine(b)) pluginToNonCore.push(`${a} → ${b}`);
    }
  }
  const largest = files
    .filter((f) => !isTest(f))
    .map((f) => ({ file: rel(f), lines: readFileSync(f, "utf8").split("\n").length }))
    .sort((x, y) => y.lines - x.lines)
    .slice(0, 10);
  return { files: files.length, cycles, engineToPlugin, pluginToPlugin, pluginToNonCore, largest };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });
  const g = importGraph();
  if (values.json) console.log(JSON.stringify(g, null, 2));
  else {
    console.log(`${g.files} source files`);
    console.log(`import cycles (outside tests): ${g.cycles.length}`);
    for (const c of g.cycles) console.log(`  ${c.join(" ↔ ")}`);
    console.log(`engine (harness/) → plugin imports: ${g.engineToPlugin.length}`);
    for (const e of g.engineToPlugin) console.log(`  ${e}`);
    console.log(`plugin → other plugin imports: ${g.pluginToPlugin.length}`);
    for (const e of g.pluginToPlugin) console.log(`  ${e}`);
    console.log(`plugin → non-core (not harness/) imports: ${g.pluginToNonCore.length}`);
    for (const e of g.pluginToNonCore) console.log(`  ${e}`);
    console.log("largest files (lines):");
    for (const l of g.largest) console.log(`  ${String(l.lines).padStart(5)}  ${l.file}`);
  }
}
