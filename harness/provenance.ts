// How a run was produced: harness version, git sha, hardware, and source hashes of methods.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./paths.ts";

export const HARNESS_VERSION: string = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;

let cachedSha: string | undefined;

/** HEAD's sha, with "-dirty" when tracked files differ from it; "unknown" outside a git checkout. */
export function gitSha(): string {
  if (cachedSha !== undefined) return cachedSha;
  try {
    const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    cachedSha = dirty ? `${sha}-dirty` : sha;
  } catch {
    cachedSha = process.env.CAJAL_GIT_SHA ?? "unknown";
  }
  return cachedSha;
}

/** The machine; `webgpuAdapter`: the GPU TensorFlow.js computes on when its backend is webgpu (tf.ts). */
export function hardware(webgpuAdapter?: string) {
  const cpus = os.cpus();
  return {
    ...(webgpuAdapter ? { webgpuAdapter } : {}),
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()}-${os.arch()}`,
    node: process.version,
  };
}

/** sha256 over a folder's source files (sorted paths and contents), skipping docs and tests. */
export function hashFolder(dir: string): string {
  const h = createHash("sha256");
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!/\.test\.ts$|\.md$/.test(name)) {
        h.update(path.relative(dir, full));
        h.update("\u0000");
        h.update(readFileSync(full));
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return h.digest("hex");
}

/** Repo-relative files (posix paths) under `rel`, sorted; `rel` itself when it is a file. */
export function listFiles(rel: string): string[] {
  const full = path.join(REPO_ROOT, rel);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [rel.split(path.sep).join("/")];
  return readdirSync(full)
    .sort()
    .flatMap((name) => listFiles(path.join(rel, name)));
}

/** Relative (`./`, `../`) and repository-rooted (`@/`, tsconfig.json's `paths`) specifiers. */
const IMPORT =
  /(?:import|export)\s(?!type\s)[^'"]*?from\s*["']((?:\.|@\/)[^"']+)["']|import\(\s*["']((?:\.|@\/)[^"']+)["']\s*\)|import\s*["']((?:\.|@\/)[^"']+)["']/g;

/** The repo-relative path an import specifier of `from` (repo-relative) names. */
function importTarget(from: string, spec: string): string {
  if (spec.startsWith("@/")) return path.posix.normalize(spec.slice(2));
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
}

/**
 * Every repo file reachable from `entries` through relative or `@/` value imports (type-only imports change
 * no behaviour and are skipped; generated Prisma code is represented by prisma/schema.prisma).
 */
export function importClosure(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => e.split(path.sep).join("/"));
  while (queue.length) {
    const rel = queue.pop() as string;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const source = readFileSync(path.join(REPO_ROOT, rel), "utf8");
    for (const match of source.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (!spec || spec.endsWith(".css")) continue;
      const target = importTarget(rel, spec);
      if (target.startsWith("harness/generated/")) {
        queue.push("prisma/schema.prisma");
        continue;
      }
      if (existsSync(path.join(REPO_ROOT, target)) && statSync(path.join(REPO_ROOT, target)).isFile()) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** sha256 over the given repo files' paths and contents. */
export function hashFiles(files: readonly string[]): string {
  const h = createHash("sha256");
  for (const rel of files) {
    h.update(rel);
    h.update("\u0000");
    h.update(readFileSync(path.join(REPO_ROOT, rel)));
  }
  return h.digest("hex");
}

export function sha256Json(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
