// A submitted method folder travels as a tar.gz: node-tar packs it (`cajal submit`); our own bounded reader
// (archive-scan.ts) checks uploads off the request thread and unpacks them in workers and `cajal reproduce`. The server
// accepts only plain files and directories with printable relative paths inside the folder, under size, entry and
// file-count limits, with a valid method.json at the root; every problem is reported, one line each.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { create } from "tar";
import { z } from "zod";
import { DEFAULT_LIMITS, MANIFEST_FILE, ManifestError, type MethodManifest, parseManifest } from "../external/manifest-schema.ts";
import { type ArchiveScan, type ScanLimits, scanTarGz } from "./archive-scan.ts";

export interface ArchiveLimits {
  /** Size of the uploaded .tar.gz. */
  maxArchiveBytes: number;
  /** Sum of the file sizes once unpacked (a gzip bomb stops here, while it is read). */
  maxUnpackedBytes: number;
  maxFiles: number;
}

const MB = 1024 * 1024;
const positive = (name: string, fallback: number) =>
  z.coerce
    .number({ error: () => `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be positive`)
    .default(fallback);

/** The deployment's limits: CAJAL_MAX_ARCHIVE_MB (default 10), CAJAL_MAX_UNPACKED_MB (50), CAJAL_MAX_ARCHIVE_FILES (1000). */
export function archiveLimits(env: Record<string, string | undefined> = process.env): ArchiveLimits {
  const parsed = z
    .object({
      CAJAL_MAX_ARCHIVE_MB: positive("CAJAL_MAX_ARCHIVE_MB", 10),
      CAJAL_MAX_UNPACKED_MB: positive("CAJAL_MAX_UNPACKED_MB", 50),
      CAJAL_MAX_ARCHIVE_FILES: positive("CAJAL_MAX_ARCHIVE_FILES", 1000),
    })
    .parse(env);
  return {
    maxArchiveBytes: parsed.CAJAL_MAX_ARCHIVE_MB * MB,
    maxUnpackedBytes: parsed.CAJAL_MAX_UNPACKED_MB * MB,
    maxFiles: parsed.CAJAL_MAX_ARCHIVE_FILES,
  };
}

/** Derived files and VCS metadata never travel (the same set hashMethodFolder skips). */
const SKIP = /^(__pycache__|\.git|\.mypy_cache|\.pytest_cache)$|\.py[co]$/;

export class ArchiveError extends Error {
  override name = "ArchiveError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

export const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

/** The folder's files (sorted relative paths); a symlink or special file is refused with its name. */
export function listMethodFiles(folder: string, limits: ArchiveLimits): string[] {
  const files: string[] = [];
  const problems: string[] = [];
  let bytes = 0;
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(folder, rel)).sort()) {
      if (SKIP.test(name)) continue;
      const relPath = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(folder, relPath));
      if (st.isSymbolicLink())
        problems.push(`${relPath}: a symbolic link (to ${readlinkSync(path.join(folder, relPath))}); copy the file instead`);
      else if (st.isDirectory()) walk(relPath);
      else if (st.isFile()) {
        files.push(relPath);
        bytes += st.size;
      } else problems.push(`${relPath}: not a regular file or directory`);
    }
  };
  walk("");
  if (!files.includes(MANIFEST_FILE)) problems.push(`${MANIFEST_FILE}: not found at the folder's root (see PROTOCOL.md)`);
  if (files.length > limits.maxFiles) problems.push(`${files.length} files, more than the limit of ${limits.maxFiles}`);
  if (bytes > limits.maxUnpackedBytes) problems.push(`${bytes} bytes of files, more than the limit of ${limits.maxUnpackedBytes}`);
  if (problems.length) throw new ArchiveError(problems);
  return files;
}

/** Pack a method folder as a reproducible tar.gz (sorted entries, no owners or times). */
export async function packMethodFolder(folder: string, limits: ArchiveLimits = archiveLimits()): Promise<Buffer> {
  const files = listMethodFiles(folder, limits);
  const stream = create({ gzip: true, cwd: folder, portable: true, noMtime: true, follow: false, noDirRecurse: true }, files);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    // A file that changes while it is packed (or vanishes) fails the pack instead of crashing the process.
    stream.on("error", (error: unknown) => reject(new ArchiveError([`cannot pack ${folder}: ${(error as Error).message}`])));
  });
}

export interface InspectedArchive {
  manifest: MethodManifest;
  files: number;
  unpackedBytes: number;
  sha256: string;
}

const scanLimits = (limits: ArchiveLimits): ScanLimits => ({
  maxUnpackedBytes: limits.maxUnpackedBytes,
  maxFiles: limits.maxFiles,
  // Directories and extended headers count too; a folder has far fewer of them than files.
  maxEntries: 2 * limits.maxFiles + 16,
});

/** Wall-clock and heap bounds of one inspection; decompression itself is bounded by the unpacked limit. */
export const INSPECT_TIMEOUT_MS = 2000;
const INSPECT_HEAP_MB = 64;
/** Inspector threads; more uploads at once wait their turn instead of taking every core from the site. */
const INSPECTORS = 2;

// The worker runs scanTarGz from its source text, so it needs no module resolution (the site is bundled).
// `__name` is the helper esbuild (tsx, vitest) wraps around named functions when it keeps names.
const WORKER_SOURCE = `"use strict";
var __name = (f) => f;
const { parentPort } = process.getBuiltinModule("node:worker_threads");
const scanTarGz = ${scanTarGz.toString()};
parentPort.on("message", async ({ archive, limits, manifestName }) => {
  const scan = await scanTarGz(archive, limits, manifestName);
  parentPort.postMessage({ ...scan, tar: null });
});
`;

/** Reused inspector threads (a thread costs tens of ms to start); one that times out or runs out of memory is replaced. */
const idle: Worker[] = [];
let started = 0;
const waiting: ((worker: Worker) => void)[] = [];

function spawnInspector(): Worker {
  started++;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: INSPECT_HEAP_MB, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    stdout: true,
    stderr: true,
  });
  worker.unref(); // an idle inspector never keeps the process alive
  return worker;
}

function acquire(): Promise<Worker> {
  const worker = idle.pop();
  if (worker) return Promise.resolve(worker);
  if (started < INSPECTORS) return Promise.resolve(spawnInspector());
  return new Promise((resolve) => waiting.push(resolve));
}

function release(worker: Worker | null) {
  if (worker === null) {
    started--; // the thread was discarded: its successor starts on demand
    if (waiting.length) waiting.shift()?.(spawnInspector());
    return;
  }
  const next = waiting.shift();
  if (next) next(worker);
  else idle.push(worker);
}

/** scanTarGz in an inspector thread with its own heap cap and a deadline, so no archive can stall the caller's thread. */
export async function scanInWorker(archive: Uint8Array, limits: ArchiveLimits, timeoutMs = INSPECT_TIMEOUT_MS): Promise<ArchiveScan> {
  const worker = await acquire();
  worker.ref();
  return new Promise<ArchiveScan>((resolve, reject) => {
    const done = (keep: boolean, fn: () => void) => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      if (keep) {
        worker.unref();
        release(worker);
      } else {
        void worker.terminate();
        release(null);
      }
      fn();
    };
    const onMessage = (scan: ArchiveScan) => done(true, () => resolve(scan));
    const onError = (error: Error & { code?: string }) =>
      done(false, () =>
        reject(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? new ArchiveError([`the archive needs more than ${INSPECT_HEAP_MB} MiB of memory to inspect: make it smaller or simpler`])
            : error,
        ),
      );
    const onExit = (code: number) => done(false, () => reject(new Error(`the archive inspector exited with code ${code}`)));
    const timer = setTimeout(
      () =>
        done(false, () =>
          reject(new ArchiveError([`the archive took longer than ${timeoutMs} ms to inspect: make it smaller or simpler`])),
        ),
      timeoutMs,
    );
    worker.on("message", onMessage);
    worker.once("error", onError);
    worker.once("exit", onExit);
    worker.postMessage({ archive, limits: scanLimits(limits), manifestName: MANIFEST_FILE });
  });
}

/**
 * Check an uploaded archive without writing anything: gzip'd tar, only files and directories, relative printable
 * paths inside the folder, within the limits whatever the headers claim, a valid method.json at the root. Runs in a
 * worker thread. Throws ArchiveError (or ManifestError for method.json) listing every problem.
 */
export async function inspectArchive(archive: Uint8Array, limits: ArchiveLimits, taskIds: readonly string[]): Promise<InspectedArchive> {
  if (archive.byteLength > limits.maxArchiveBytes) {
    throw new ArchiveError([`the archive is ${archive.byteLength} bytes, more than the limit of ${limits.maxArchiveBytes} bytes`]);
  }
  if (archive.byteLength < 2 || archive[0] !== 0x1f || archive[1] !== 0x8b) {
    throw new ArchiveError(["not a gzip file: upload a .tar.gz of the method folder (`npx cajal submit <folder>` makes one)"]);
  }
  const scan = await scanInWorker(archive, limits);
  const problems = [...scan.problems];
  if (scan.complete && scan.manifestText === null && !problems.some((p) => p.startsWith(MANIFEST_FILE)))
    problems.push(`${MANIFEST_FILE}: not found at the root of the archive (see PROTOCOL.md)`);
  if (problems.length) throw new ArchiveError(problems);
  const manifest = parseManifest(scan.manifestText as string, "the archive", DEFAULT_LIMITS, taskIds);
  return { manifest, files: scan.files, unpackedBytes: scan.unpackedBytes, sha256: sha256(archive) };
}

/**
 * Unpack an archive into `dir` (created) with the same reader and limits as the upload check, so what was checked is
 * what is written: plain files and directories only, modes rw-r--r-- or rwxr-xr-x.
 */
export async function extractArchive(archive: Uint8Array, dir: string, limits: ArchiveLimits = archiveLimits()): Promise<void> {
  const scan = await scanTarGz(archive, scanLimits(limits), MANIFEST_FILE);
  if (scan.problems.length || !scan.tar) throw new ArchiveError(scan.problems);
  const tar = scan.tar;
  await mkdir(dir, { recursive: true });
  for (const entry of scan.entries) {
    const target = path.join(dir, ...entry.path.split("/"));
    if (entry.kind === "directory") {
      await mkdir(target, { recursive: true, mode: 0o755 });
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, tar.subarray(entry.offset, entry.offset + entry.size), {
      flag: "wx",
      mode: entry.mode & 0o111 ? 0o755 : 0o644,
    });
  }
  await chmod(dir, 0o755);
}

export { ManifestError };
