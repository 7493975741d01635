// The data cache for real recordings: where their original files live, their checksums, and the one
// command that downloads them. Layout: <dataDir>/<recordingId>/original/<file>, the same as the shared
// datasets folder next to the checkout. Loaders only read (dataFilePath, readDataFile): nothing downloads
// implicitly; `npx cajal datasets fetch <id>` (fetchRecording) is the only writer.
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { REPO_ROOT } from "./paths.ts";
import type { DatasetCardView } from "./types.ts";

// ---------------------------------------------------------------------------------------------- cards

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a lower-case hex sha256 (64 characters)");

export const citationSchema = z.object({
  /** Human-readable reference, as PROVENANCE.md gives it. */
  text: z.string().min(1),
  doi: z.string().regex(/^10\.\d{4,9}\/\S+$/, "a DOI such as 10.1038/nn.3968"),
  bibtex: z
    .string()
    .regex(/^@\w+\{[^,\s]+,[\s\S]*\}\s*$/, "a BibTeX entry (@type{key, … })")
    .refine((s) => /\bdoi\s*=/.test(s), "the BibTeX entry has no doi field"),
});

export const recordingFileSchema = z.object({
  /** File name under original/ (no directories). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, "a plain file name"),
  /** Where `npx cajal datasets fetch` downloads it from: the pinned upstream URL of PROVENANCE.md. */
  url: z.url({ protocol: /^https?$/ }),
  sha256: sha256Hex,
  bytes: z.number().int().positive(),
  format: z.string().min(1),
  description: z.string().min(1),
});

export const recordingCardSchema = z
  .object({
    /** Folder name under the data dir and under datasets/ (e.g. hd_peyrache2015_adn). */
    id: z.string().regex(/^[a-z][a-z0-9_]*$/),
    title: z.string().min(1),
    species: z.string().min(1),
    area: z.string().min(1),
    modality: z.string().min(1),
    /** First entry: the paper to cite; further entries: data or toolbox citations PROVENANCE.md names. */
    citations: z.array(citationSchema).min(1),
    /** Exactly as PROVENANCE.md states them. */
    licence: z.object({ name: z.string().min(1), terms: z.string().min(1) }),
    source: z.object({
      repository: z.string().min(1),
      commit: z.string().regex(/^[0-9a-f]{40}$/),
      /** Where the complete upstream dataset lives (DANDI, CRCNS, Zenodo, …). */
      fullDataset: z.string().min(1),
    }),
    files: z.array(recordingFileSchema).min(1),
    groundTruth: z.object({ variable: z.string().min(1), description: z.string().min(1) }),
    preprocessing: z.object({
      /** Bumped whenever what the loader returns changes (datasets built on it must bump too). */
      version: z.number().int().positive(),
      description: z.string().min(1),
    }),
  })
  .superRefine((card, ctx) => {
    const seen = new Set<string>();
    for (const f of card.files) {
      if (seen.has(f.name)) ctx.addIssue({ code: "custom", message: `file ${f.name} is listed twice`, path: ["files"] });
      seen.add(f.name);
    }
  });

export type RecordingCard = z.infer<typeof recordingCardSchema>;
export type RecordingFile = z.infer<typeof recordingFileSchema>;

/** Validate a card at module load, so a typo in a card fails every import of it. */
export function defineRecordingCard(card: z.input<typeof recordingCardSchema>): RecordingCard {
  const parsed = recordingCardSchema.safeParse(card);
  if (!parsed.success) throw new Error(`recording card ${String(card.id)} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------- where

export type DataDirSource = "env" | "shared" | "local";

export interface DataDir {
  dir: string;
  source: DataDirSource;
}

const envDirSchema = z
  .string()
  .trim()
  .min(1, "CAJAL_DATA_DIR is empty")
  .refine((s) => !s.includes("\0"), "CAJAL_DATA_DIR contains a NUL byte");

/**
 * The data cache dir: CAJAL_DATA_DIR when set, else ../shared/datasets next to the checkout when it exists,
 * else .cajal/data in the checkout.
 */
export function resolveDataDir(env: Record<string, string | undefined> = process.env, repoRoot = REPO_ROOT): DataDir {
  const raw = env.CAJAL_DATA_DIR;
  if (raw !== undefined && raw !== "") {
    const parsed = envDirSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`invalid CAJAL_DATA_DIR: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    const dir = path.resolve(parsed.data);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`CAJAL_DATA_DIR=${dir} exists but is not a directory`);
    return { dir, source: "env" };
  }
  const shared = path.resolve(repoRoot, "..", "shared", "datasets");
  if (existsSync(shared) && statSync(shared).isDirectory()) return { dir: shared, source: "shared" };
  return { dir: path.join(repoRoot, ".cajal", "data"), source: "local" };
}

export interface DataOptions {
  /** Overrides resolveDataDir() (tests, tools). */
  dataDir?: string;
}

function dataDirOf(options: DataOptions): string {
  return options.dataDir !== undefined ? path.resolve(options.dataDir) : resolveDataDir().dir;
}

export function recordingDir(card: Pick<RecordingCard, "id">, options: DataOptions = {}): string {
  return path.join(dataDirOf(options), card.id, "original");
}

function fileOf(card: RecordingCard, file: string): RecordingFile {
  const entry = card.files.find((f) => f.name === file);
  if (!entry) throw new Error(`recording ${card.id} has no file "${file}" (its files: ${card.files.map((f) => f.name).join(", ")})`);
  return entry;
}

function fixHint(card: RecordingCard): string {
  return `run \`npx cajal datasets fetch ${card.id}\`, or set CAJAL_DATA_DIR to a folder that holds ${card.id}/original/`;
}

// ---------------------------------------------------------------------------------------------- errors

/** A file a loader needs is not in the data dir. */
export class DataMissingError extends Error {
  override name = "DataMissingError";
  constructor(
    readonly recording: string,
    readonly file: string,
    readonly searched: string,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/** A file's bytes differ from the sha256 pinned on its card (in the cache, or as downloaded). */
export class DataIntegrityError extends Error {
  override name = "DataIntegrityError";
  constructor(
    readonly recording: string,
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
    message: string,
  ) {
    super(message);
  }
}

/** A download failed (HTTP status, network error, wrong length); nothing was left behind. */
export class DataFetchError extends Error {
  override name = "DataFetchError";
  constructor(
    readonly recording: string,
    readonly file: string,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------- reading

/** Files verified in this process, by path + mtime + size: each is hashed at most once while unchanged. */
const verified = new Map<string, string>();

function verifyKey(file: string, mtimeMs: number, size: number): string {
  return `${file}\0${mtimeMs}\0${size}`;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function statOrMissing(card: RecordingCard, entry: RecordingFile, options: DataOptions) {
  const dir = recordingDir(card, options);
  const full = path.join(dir, entry.name);
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(full);
  } catch {
    st = undefined;
  }
  if (!st?.isFile()) {
    throw new DataMissingError(
      card.id,
      entry.name,
      dir,
      entry.url,
      `recording ${card.id}: ${entry.name} is not in ${dir} (upstream: ${entry.url}). To get it, ${fixHint(card)}. Nothing is downloaded implicitly.`,
    );
  }
  return { full, st };
}

function checkBytes(card: RecordingCard, entry: RecordingFile, full: string, bytes: Uint8Array): void {
  const actual = sha256(bytes);
  if (actual !== entry.sha256) {
    throw new DataIntegrityError(
      card.id,
      entry.name,
      entry.sha256,
      actual,
      `recording ${card.id}: ${full} has sha256 ${actual} (${bytes.length} bytes), expected ${entry.sha256} (${entry.bytes} bytes) — the file is damaged or a different version. Delete it and ${fixHint(card)} (upstream: ${entry.url}).`,
    );
  }
}

/**
 * Path of one original file of a recording, after checking that it exists and matches the card's sha256
 * (hashed once per process while the file's mtime and size are unchanged). Throws DataMissingError or
 * DataIntegrityError with the fix in the message.
 */
export function dataFilePath(card: RecordingCard, file: string, options: DataOptions = {}): string {
  const entry = fileOf(card, file);
  const { full, st } = statOrMissing(card, entry, options);
  const key = verifyKey(full, st.mtimeMs, st.size);
  if (verified.get(key) !== entry.sha256) {
    checkBytes(card, entry, full, readFileSync(full));
    verified.set(key, entry.sha256);
  }
  return full;
}

/** The verified bytes of one original file (read once, hashed from the same buffer). */
export function readDataFile(card: RecordingCard, file: string, options: DataOptions = {}): Buffer {
  const entry = fileOf(card, file);
  const { full, st } = statOrMissing(card, entry, options);
  const bytes = readFileSync(full);
  const key = verifyKey(full, st.mtimeMs, st.size);
  if (verified.get(key) !== entry.sha256) {
    checkBytes(card, entry, full, bytes);
    verified.set(key, entry.sha256);
  }
  return bytes;
}

export type FileState = "ok" | "missing" | "corrupt";

export interface RecordingStatus {
  id: string;
  dir: string;
  files: { name: string; bytes: number; state: FileState }[];
  /** Every file present and verified. */
  complete: boolean;
}

/** Which of a recording's files are present and intact (hashes every file not yet verified in this process). */
export function recordingStatus(card: RecordingCard, options: DataOptions = {}): RecordingStatus {
  const dir = recordingDir(card, options);
  const files = card.files.map((f) => {
    let state: FileState = "ok";
    try {
      dataFilePath(card, f.name, options);
    } catch (e) {
      if (e instanceof DataMissingError) state = "missing";
      else if (e instanceof DataIntegrityError) state = "corrupt";
      else throw e;
    }
    return { name: f.name, bytes: f.bytes, state };
  });
  return { id: card.id, dir, files, complete: files.every((f) => f.state === "ok") };
}

/** Cheap presence check (no hashing): whether every original file of a recording is in the data dir. */
export function recordingPresent(card: RecordingCard, options: DataOptions = {}): boolean {
  const dir = recordingDir(card, options);
  return card.files.every((f) => {
    try {
      return statSync(path.join(dir, f.name)).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Why a recording cannot be used here (files missing or damaged, with the fix), or null when every file is
 * present and verified: what a biological DatasetDefinition's `unavailable()` returns.
 */
export function recordingUnavailable(card: RecordingCard, options: DataOptions = {}): string | null {
  const status = recordingStatus(card, options);
  if (status.complete) return null;
  const missing = status.files.filter((f) => f.state === "missing").map((f) => f.name);
  const corrupt = status.files.filter((f) => f.state === "corrupt").map((f) => f.name);
  const parts = [
    missing.length > 0 ? `missing ${missing.join(", ")}` : "",
    corrupt.length > 0 ? `damaged (sha256 mismatch) ${corrupt.join(", ")}` : "",
  ].filter(Boolean);
  return `recording ${card.id} is not in ${status.dir} (${parts.join("; ")}): ${fixHint(card)}`;
}

/** The card as a dataset page shows it (harness/types.ts DatasetCardView). */
export function cardView(card: RecordingCard): DatasetCardView {
  const [primary, ...more] = card.citations as [z.infer<typeof citationSchema>, ...z.infer<typeof citationSchema>[]];
  return {
    id: card.id,
    title: card.title,
    species: card.species,
    area: card.area,
    modality: card.modality,
    citation: more.length > 0 ? `${primary.text} Also cite: ${more.map((c) => c.text).join(" ")}` : primary.text,
    doi: primary.doi,
    bibtex: card.citations.map((c) => c.bibtex).join("\n\n"),
    licence: `${card.licence.name}. ${card.licence.terms}`,
    groundTruth: `${card.groundTruth.variable}. ${card.groundTruth.description}`,
    preprocessing: card.preprocessing.description,
    preprocessingVersion: card.preprocessing.version,
    files: card.files.map((f) => ({ name: f.name, url: f.url, sha256: f.sha256, bytes: f.bytes })),
  };
}

// ---------------------------------------------------------------------------------------------- fetching

export interface FetchProgress {
  recording: string;
  /** The file being downloaded now (undefined before the first and after the last). */
  file?: string;
  /** Bytes downloaded so far over all files being fetched, and their total (from the card's sizes). */
  bytesDone: number;
  bytesTotal: number;
  /** Files finished (downloaded and verified) and files to fetch. */
  filesDone: number;
  filesTotal: number;
}

export interface FetchOptions extends DataOptions {
  onProgress?: (progress: FetchProgress) => void;
  /** Abort a download that receives nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Replaces the card's URL (tests; mirrors). */
  urlFor?: (file: RecordingFile) => string;
}

export interface FetchResult {
  id: string;
  dir: string;
  /** Files that were already present and verified. */
  present: string[];
  /** Files downloaded now (including ones that replaced a damaged copy). */
  downloaded: string[];
}

/**
 * Download every missing (or damaged) original file of a recording from its upstream URL: each streams
 * to <file>.part in the destination dir, is checked against the card's sha256 and size, and is renamed
 * into place atomically. On any failure the .part is deleted and a DataFetchError or DataIntegrityError
 * names the file, the URL, the expected and actual hash, and what to do.
 */
export async function fetchRecording(card: RecordingCard, options: FetchOptions = {}): Promise<FetchResult> {
  const dir = recordingDir(card, options);
  const status = recordingStatus(card, options);
  const todo = card.files.filter((f) => status.files.find((s) => s.name === f.name)?.state !== "ok");
  const present = card.files.filter((f) => !todo.includes(f)).map((f) => f.name);
  const bytesTotal = todo.reduce((a, f) => a + f.bytes, 0);
  let bytesDone = 0;
  let filesDone = 0;
  const report = (file?: string) =>
    options.onProgress?.({ recording: card.id, file, bytesDone, bytesTotal, filesDone, filesTotal: todo.length });
  report();
  if (todo.length > 0) mkdirSync(dir, { recursive: true });
  const downloaded: string[] = [];
  for (const entry of todo) {
    const url = options.urlFor ? options.urlFor(entry) : entry.url;
    const before = bytesDone;
    await downloadOne(card, entry, url, dir, options.idleTimeoutMs ?? 60_000, (n) => {
      bytesDone = before + n;
      report(entry.name);
    });
    bytesDone = before + entry.bytes;
    filesDone++;
    downloaded.push(entry.name);
    report(entry.name);
  }
  report();
  return { id: card.id, dir, present, downloaded };
}

async function downloadOne(
  card: RecordingCard,
  entry: RecordingFile,
  url: string,
  dir: string,
  idleTimeoutMs: number,
  onBytes: (n: number) => void,
): Promise<void> {
  const target = path.join(dir, entry.name);
  const part = `${target}.part`;
  const retry = `Check the network (or that the URL still serves this file) and run \`npx cajal datasets fetch ${card.id}\` again; or place the file in ${dir} yourself, or set CAJAL_DATA_DIR to a folder that has it.`;
  function fail(why: string): never {
    throw new DataFetchError(
      card.id,
      entry.name,
      url,
      `recording ${card.id}: downloading ${entry.name} from ${url} failed: ${why}. ${retry}`,
    );
  }
  const controller = new AbortController();
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => controller.abort(new Error(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  const hash = createHash("sha256");
  let received = 0;
  try {
    armIdle();
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal, redirect: "follow" });
    } catch (e) {
      return fail(describeNetworkError(e, controller.signal));
    }
    if (!response.ok || !response.body) return fail(`HTTP ${response.status} ${response.statusText}`.trim());
    const out = createWriteStream(part);
    const closed = new Promise<void>((resolve, reject) => {
      out.once("close", resolve);
      out.once("error", reject);
    });
    try {
      const reader = response.body.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          fail(`${describeNetworkError(e, controller.signal)} after ${received} of ${entry.bytes} bytes`);
        }
        if (chunk.done) break;
        armIdle();
        received += chunk.value.length;
        if (received > entry.bytes) {
          controller.abort();
          fail(`the server sent more than the expected ${entry.bytes} bytes`);
        }
        hash.update(chunk.value);
        if (!out.write(chunk.value)) await new Promise<void>((resolve) => out.once("drain", resolve));
        onBytes(received);
      }
    } finally {
      out.end();
      await closed;
    }
    if (received !== entry.bytes) fail(`the connection ended after ${received} of ${entry.bytes} bytes`);
    const actual = hash.digest("hex");
    if (actual !== entry.sha256) {
      throw new DataIntegrityError(
        card.id,
        entry.name,
        entry.sha256,
        actual,
        `recording ${card.id}: ${entry.name} downloaded from ${url} has sha256 ${actual}, expected ${entry.sha256}; it was not kept. The upstream file may have changed or the download was corrupted: try again, and if it persists, report it (the card pins the version in PROVENANCE.md).`,
      );
    }
    renameSync(part, target);
    verified.set(verifyKey(target, statSync(target).mtimeMs, entry.bytes), entry.sha256);
  } finally {
    clearTimeout(idle);
    rmSync(part, { force: true });
  }
}

function describeNetworkError(e: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  const err = e as Error & { cause?: Error & { code?: string } };
  if (err.message === "terminated") return `the connection was dropped (${err.cause?.code ?? "terminated"})`;
  const cause = err.cause ? ` (${err.cause.code ?? err.cause.message})` : "";
  return `${err.message}${cause}`;
}
