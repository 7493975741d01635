// Builds and serves the Next.js site (app/, lib/). `next build` runs only when the site's sources
// changed since the last build (a sha256 stamp in .cajal/site-build.json); `next start` runs as a
// child process with DATABASE_URL pointing at the results database.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT } from "./paths.ts";
import { importClosure, listFiles } from "./provenance.ts";

/**
 * Everything `next build` reads, relative to the repository root: folders are hashed recursively.
 * The site reaches the harness only through lib/data.ts; list every harness file it imports
 * (directly or not) here. tests/browser.test.ts checks this list against `siteImportClosure()`.
 */
export const SITE_SOURCES: readonly string[] = [
  "app",
  "lib",
  "next.config.js",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
  "prisma/schema.prisma",
  "harness/db/client.ts",
  "harness/results.ts",
  "harness/scoring.ts",
  "harness/rng.ts",
  // Paired significance on leaderboards (lib/significance.ts, /about/statistics).
  "harness/statistics.ts",
  "harness/types.ts",
  // The submission service's API (app/api) and submission page.
  "harness/service/api.ts",
  "harness/service/archive.ts",
  "harness/service/archive-scan.ts",
  "harness/service/queue.ts",
  "harness/service/runs.ts",
  "harness/service/tokens.ts",
  "harness/external/manifest-schema.ts",
];

const CAJAL_DIR = path.join(REPO_ROOT, ".cajal");
const STAMP = path.join(CAJAL_DIR, "site-build.json");
const LOCK = path.join(CAJAL_DIR, "site-build.lock");
export const SITE_BUILD_LOG = path.join(CAJAL_DIR, "logs", "next-build.log");
export const SITE_SERVER_LOG = path.join(CAJAL_DIR, "logs", "next-start.log");
const NEXT_BIN = path.join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next");
const BUILD_ID = path.join(REPO_ROOT, ".next", "BUILD_ID");

type Log = (line: string) => void;

function nextEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // NODE_ENV must be production: a test runner's NODE_ENV=test would give a broken build.
  return { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

// ---------------------------------------------------------------------------------------------
// Source hash and stamp

/** sha256 over the paths and contents of every site source (SITE_SOURCES). */
export function siteSourceHash(): string {
  const h = createHash("sha256");
  for (const rel of SITE_SOURCES.flatMap(listFiles)) {
    h.update(rel.split(path.sep).join("/"));
    h.update("\u0000");
    h.update(readFileSync(path.join(REPO_ROOT, rel)));
    h.update("\u0000");
  }
  return h.digest("hex");
}

interface Stamp {
  hash: string;
  buildId: string;
  builtAt: string;
  durationMs: number;
}

function readStamp(): Stamp | null {
  try {
    return JSON.parse(readFileSync(STAMP, "utf8")) as Stamp;
  } catch {
    return null;
  }
}

/** True when .next holds a build of exactly the current site sources. */
export function siteBuildIsCurrent(): boolean {
  if (!existsSync(BUILD_ID)) return false;
  const stamp = readStamp();
  if (!stamp) return false;
  return stamp.hash === siteSourceHash() && stamp.buildId === readFileSync(BUILD_ID, "utf8").trim();
}

/**
 * Relative imports reachable from app/ and lib/ that live outside them (i.e. harness files the
 * site depends on). Every one must be covered by SITE_SOURCES; a test checks it.
 */
export function siteImportClosure(): string[] {
  const entries = [...listFiles("app"), ...listFiles("lib")].filter((f) => /\.(ts|tsx|js|mjs)$/.test(f));
  return importClosure(entries).filter((f) => !f.startsWith("app/") && !f.startsWith("lib/") && f !== "prisma/schema.prisma");
}

// ---------------------------------------------------------------------------------------------
// Build

function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One `next build` at a time per checkout (e.g. `npm start` while tests run): they share .next/. */
async function withBuildLock<T>(log: Log, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CAJAL_DIR, { recursive: true });
  let waited = false;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(LOCK, "utf8").trim());
      if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
        rmSync(LOCK, { force: true }); // left by a process that died
        continue;
      }
      if (!waited) log(`waiting for another site build (pid ${holder}) to finish…`);
      waited = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

export interface BuildResult {
  /** False when the existing build was current and nothing ran. */
  built: boolean;
  durationMs: number;
}

/** Run `next build` unless .next already holds a build of the current sources. */
export async function buildSite(options: { log?: Log } = {}): Promise<BuildResult> {
  const log = options.log ?? (() => undefined);
  if (siteBuildIsCurrent()) {
    log("site build is up to date");
    return { built: false, durationMs: 0 };
  }
  return withBuildLock(log, async () => {
    // Someone else may have built it while we waited for the lock.
    if (siteBuildIsCurrent()) {
      log("site build is up to date");
      return { built: false, durationMs: 0 };
    }
    if (!existsSync(NEXT_BIN)) throw new Error(`Next.js is not installed (${NEXT_BIN} is missing): run npm install`);
    mkdirSync(path.dirname(SITE_BUILD_LOG), { recursive: true });
    const out = createWriteStream(SITE_BUILD_LOG);
    log(`building the site (next build; log: ${path.relative(REPO_ROOT, SITE_BUILD_LOG)})…`);
    const t0 = performance.now();
    let output = "";
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [NEXT_BIN, "build"], { cwd: REPO_ROOT, env: nextEnv(), stdio: ["ignore", "pipe", "pipe"] });
      const collect = (chunk: Buffer) => {
        out.write(chunk);
        output = (output + chunk.toString()).slice(-64_000);
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      child.on("error", reject);
      child.on("close", resolve);
    });
    await new Promise<void>((resolve) => out.end(resolve));
    const durationMs = performance.now() - t0;
    if (code !== 0 || !existsSync(BUILD_ID)) {
      throw new Error(`next build failed (exit code ${code}); full log: ${SITE_BUILD_LOG}\n${tail(output)}`);
    }
    // Hashed after the build: `next build` may rewrite tsconfig.json (adding settings it wants).
    const stamp: Stamp = {
      hash: siteSourceHash(),
      buildId: readFileSync(BUILD_ID, "utf8").trim(),
      builtAt: new Date().toISOString(),
      durationMs: Math.round(durationMs),
    };
    writeFileSync(STAMP, `${JSON.stringify(stamp, null, 2)}\n`);
    log(`site built in ${(durationMs / 1000).toFixed(1)} s`);
    return { built: true, durationMs };
  });
}

// ---------------------------------------------------------------------------------------------
// Serve

export interface ServeOptions {
  port: number;
  databaseUrl: string;
  /**
   * Interface to listen on; default 127.0.0.1, so a site started on a laptop or a shared machine is not reachable
   * from the network. A deployment behind a reverse proxy passes its interface (`--host 0.0.0.0`).
   */
  hostname?: string;
  /** How long to wait for the first answer. */
  timeoutMs?: number;
  log?: Log;
}

export interface SiteServer {
  url: string;
  stop(): Promise<void>;
}

export const DEFAULT_HOST = "127.0.0.1";

function portFree(port: number, hostname: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.once("listening", () => server.close(() => resolve(true)));
    server.listen(port, hostname);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: next may start workers
  } catch {
    child.kill(signal);
  }
}

/** Start `next start` on `port` against `databaseUrl`; resolves once the site answers. */
export async function serveSite(options: ServeOptions): Promise<SiteServer> {
  const { port, databaseUrl } = options;
  const hostname = options.hostname ?? DEFAULT_HOST;
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid port ${port}: choose another with --port`);
  if (!existsSync(BUILD_ID))
    throw new Error("the site has not been built (.next/BUILD_ID is missing): run buildSite() / `npx cajal start` first");
  if (!(await portFree(port, hostname))) {
    throw new Error(`port ${port} is already in use: stop whatever listens on it, or choose another port with --port`);
  }
  const args = [NEXT_BIN, "start", "-p", String(port), "-H", hostname];
  mkdirSync(path.dirname(SITE_SERVER_LOG), { recursive: true });
  const logFile = createWriteStream(SITE_SERVER_LOG);
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: nextEnv({ DATABASE_URL: databaseUrl, PORT: String(port) }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    logFile.write(chunk);
    output = (output + chunk.toString()).slice(-16_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const onExit = () => killGroup(child, "SIGKILL");
  process.once("exit", onExit);

  const stop = async () => {
    process.removeListener("exit", onExit);
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => logFile.end(resolve));
  };

  const loopbackOrAll = ["127.0.0.1", "localhost", "0.0.0.0", "::"].includes(hostname);
  const url = `http://${loopbackOrAll ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | null = null;
  child.once("error", (e) => {
    spawnError = e;
  });
  for (;;) {
    if (spawnError) throw new Error(`could not start next: ${(spawnError as Error).message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      const hint = /EADDRINUSE/.test(output) ? ` (port ${port} is already in use: choose another port with --port)` : "";
      throw new Error(`next start exited with code ${child.exitCode ?? child.signalCode}${hint}; its output:\n${tail(output)}`);
    }
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
      await response.body?.cancel();
      log(`site is up at ${url}`);
      return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the site did not answer at ${url}/ within ${timeoutMs / 1000} s; next's output:\n${tail(output) || "(none)"}`);
    }
    await sleep(250);
  }
}
