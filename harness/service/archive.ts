// A submitted method folder travels as a tar.gz (node-tar). The server accepts only plain files and directories with
// relative paths inside the folder, under size and file-count limits, with a valid method.json at the root; every
// problem is reported, one line each. Used by `cajal submit` (pack), the upload API (inspect) and workers (extract).
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { create, extract, Parser, type ReadEntry } from "tar";
import { z } from "zod";
import { DEFAULT_LIMITS, MANIFEST_FILE, ManifestError, type MethodManifest, parseManifest } from "../external/manifest-schema.ts";

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
const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

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

/** "./a/b" → "a/b"; null when the path is absolute or climbs out of the folder. */
export function safeRelativePath(raw: string): string | null {
  if (raw.includes("\u0000") || raw.includes("\\")) return null;
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) return null;
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) return null;
  return parts.join("/");
}

export interface InspectedArchive {
  manifest: MethodManifest;
  files: number;
  unpackedBytes: number;
  sha256: string;
}

/**
 * Check an uploaded archive without writing anything: gzip'd tar, only files and directories, relative paths
 * inside the folder, within the limits, a valid method.json at the root. Throws ArchiveError (or ManifestError for
 * method.json) listing every problem.
 */
export async function inspectArchive(archive: Uint8Array, limits: ArchiveLimits, taskIds: readonly string[]): Promise<InspectedArchive> {
  if (archive.byteLength > limits.maxArchiveBytes) {
    throw new ArchiveError([`the archive is ${archive.byteLength} bytes, more than the limit of ${limits.maxArchiveBytes} bytes`]);
  }
  if (archive.byteLength < 2 || archive[0] !== 0x1f || archive[1] !== 0x8b) {
    throw new ArchiveError(["not a gzip file: upload a .tar.gz of the method folder (`npx cajal submit <folder>` makes one)"]);
  }
  const problems: string[] = [];
  let files = 0;
  let unpackedBytes = 0;
  let manifestText: string | null = null;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const rel = safeRelativePath(entry.path);
        if (rel === null) problems.push(`${entry.path}: the path is absolute or leaves the method folder`);
        if (!FILE_TYPES.has(entry.type) && entry.type !== "Directory") {
          const what =
            entry.type === "SymbolicLink" || entry.type === "Link" ? `a ${entry.type === "Link" ? "hard" : "symbolic"} link` : entry.type;
          problems.push(
            `${entry.path}: ${what}${entry.linkpath ? ` (to ${entry.linkpath})` : ""}; only plain files and directories are allowed`,
          );
        }
        if (FILE_TYPES.has(entry.type)) {
          files++;
          unpackedBytes += entry.size;
        }
        if (files > limits.maxFiles) {
          parser.abort(new ArchiveError([`more than ${limits.maxFiles} files: keep only what the method needs`]));
          return;
        }
        if (unpackedBytes > limits.maxUnpackedBytes) {
          parser.abort(new ArchiveError([`more than ${limits.maxUnpackedBytes} bytes once unpacked: keep only what the method needs`]));
          return;
        }
        if (rel === MANIFEST_FILE && FILE_TYPES.has(entry.type)) {
          const parts: Buffer[] = [];
          entry.on("data", (d: Buffer) => parts.push(d));
          entry.on("end", () => {
            manifestText = Buffer.concat(parts).toString("utf8");
          });
        } else entry.resume();
      },
    });
    parser.on("error", (error: Error) =>
      reject(error instanceof ArchiveError ? error : new ArchiveError([`not a valid tar.gz: ${error.message}`])),
    );
    parser.on("abort", (error: Error) => reject(error));
    parser.on("end", () => resolve());
    parser.end(Buffer.from(archive));
  });
  if (manifestText === null) problems.push(`${MANIFEST_FILE}: not found at the root of the archive (see PROTOCOL.md)`);
  if (problems.length) throw new ArchiveError(problems);
  const manifest = parseManifest(manifestText as unknown as string, "the archive", DEFAULT_LIMITS, taskIds);
  return { manifest, files, unpackedBytes, sha256: sha256(archive) };
}

/** Unpack an inspected archive into `dir` (created): plain files and directories only, modes limited to rwxr-xr-x. */
export async function extractArchive(archive: Uint8Array, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const unpack = extract({
    cwd: dir,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    filter: (p, entry) =>
      safeRelativePath(p) !== null && ("type" in entry ? FILE_TYPES.has(entry.type) || entry.type === "Directory" : true),
  });
  await new Promise<void>((resolve, reject) => {
    unpack.on("error", reject);
    unpack.on("close", () => resolve());
    unpack.end(Buffer.from(archive));
  });
  await chmod(dir, 0o755);
}

export { ManifestError };
