// Trained-network artifacts: the weights of the networks behind the artificial datasets. A recipe (a
// versioned, seeded TensorFlow.js training script in the dataset's folder) builds them; the file's sha256
// is pinned in the recipe and so in the dataset version's config. `npx cajal datasets build` trains the
// missing ones (or all with --force) and refuses a result whose hash differs from the pin, so a dataset
// version always means the same weights. Files are safetensors (readable from Python with `safetensors`).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { z } from "zod";
import { sizeOf } from "./ndarray.ts";
import { REPO_ROOT } from "./paths.ts";
import { ProgressBar } from "./progress.ts";
import type { ArtifactRecipe, JsonValue, NdArray } from "./types.ts";

// Defined with the dataset contract it belongs to; recipes import it from here too.
export type { ArtifactRecipe };

export interface LoadedArtifact {
  tensors: Record<string, NdArray>;
  metadata: Record<string, JsonValue>;
}

/** The directory built artifacts live in: CAJAL_ARTIFACT_DIR, else .cajal/artifacts in the checkout. */
export function artifactDir(): string {
  const fromEnv = z
    .string()
    .min(1)
    .optional()
    .parse(process.env.CAJAL_ARTIFACT_DIR || undefined);
  return fromEnv ? path.resolve(fromEnv) : path.join(REPO_ROOT, ".cajal", "artifacts");
}

export function artifactPath(recipe: Pick<ArtifactRecipe, "id" | "version">): string {
  return path.join(artifactDir(), `${recipe.id}-v${recipe.version}.safetensors`);
}

/** What the config of a dataset built on an artifact records (so its version hash covers the weights). */
export function artifactRef(recipe: ArtifactRecipe): { id: string; version: number; sha256: string } {
  return { id: recipe.id, version: recipe.version, sha256: recipe.sha256 };
}

export class ArtifactError extends Error {
  override name = "ArtifactError";
}

// ---------------------------------------------------------------------------------------------
// safetensors: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, raw LE data.

const DTYPES = { float32: "F32", float64: "F64", int32: "I32" } as const;
const headerEntry = z.object({
  dtype: z.enum(["F32", "F64", "I32"]),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

export function encodeSafetensors(tensors: Record<string, NdArray>, metadata: Record<string, JsonValue>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { cajal: JSON.stringify(metadata) } };
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name] as NdArray;
    if (t.data.length !== sizeOf(t.shape))
      throw new ArtifactError(`tensor ${name}: data length ${t.data.length} does not match shape [${t.shape}]`);
    header[name] = { dtype: DTYPES[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((json.length + 8) % 8)) % 8); // align data to 8 bytes, as the reference writer does
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name] as NdArray;
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, label = "artifact"): LoadedArtifact {
  if (bytes.length < 8) throw new ArtifactError(`${label}: not a safetensors file (shorter than its 8-byte header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new ArtifactError(`${label}: header length ${headerLength} runs past the end of the file`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString("utf8"));
  } catch {
    throw new ArtifactError(`${label}: the safetensors header is not valid JSON`);
  }
  const base = 8 + headerLength;
  const tensors: Record<string, NdArray> = {};
  let metadata: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === "__metadata__") {
      const text = (value as Record<string, string> | null)?.cajal;
      metadata = text ? (JSON.parse(text) as Record<string, JsonValue>) : {};
      continue;
    }
    const entry = headerEntry.parse(value);
    const [begin, end] = entry.data_offsets;
    if (base + end > bytes.length || begin > end) throw new ArtifactError(`${label}: tensor ${name} lies outside the file`);
    // A copy (Buffer.slice would be a view into the pool): aligned and detached from the file bytes.
    const slice = new Uint8Array(bytes.subarray(base + begin, base + end));
    const data =
      entry.dtype === "F32"
        ? new Float32Array(slice.buffer)
        : entry.dtype === "F64"
          ? new Float64Array(slice.buffer)
          : new Int32Array(slice.buffer);
    if (data.length !== sizeOf(entry.shape))
      throw new ArtifactError(`${label}: tensor ${name} has ${data.length} values for shape [${entry.shape}]`);
    const dtype = entry.dtype === "F32" ? "float32" : entry.dtype === "F64" ? "float64" : "int32";
    tensors[name] = { dtype, shape: entry.shape, data };
  }
  return { tensors, metadata };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Loading (synchronous: instance generators are synchronous) and building.

const loaded = new Map<string, { mtimeMs: number; size: number; artifact: LoadedArtifact }>();

export function artifactStatus(recipe: ArtifactRecipe): "missing" | "ok" | "mismatch" {
  const file = artifactPath(recipe);
  if (!existsSync(file)) return "missing";
  return sha256Hex(readFileSync(file)) === recipe.sha256 ? "ok" : "mismatch";
}

/** The recipe's tensors, verified against the pinned sha256; a clear error says how to build them. */
export function loadArtifact(recipe: ArtifactRecipe): LoadedArtifact {
  const file = artifactPath(recipe);
  if (!existsSync(file)) {
    throw new ArtifactError(
      `the trained network "${recipe.id}" v${recipe.version} is not built yet (looked for ${file}); run \`npx cajal datasets build\` (about ${recipe.estimatedSeconds} s) or set CAJAL_ARTIFACT_DIR to where it is`,
    );
  }
  const stat = statSync(file);
  const cached = loaded.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.artifact;
  const bytes = readFileSync(file);
  const actual = sha256Hex(bytes);
  if (actual !== recipe.sha256) {
    throw new ArtifactError(
      `${file} has sha256 ${actual}, but "${recipe.id}" v${recipe.version} pins ${recipe.sha256}; rebuild it with \`npx cajal datasets build --force\``,
    );
  }
  const artifact = decodeSafetensors(bytes, file);
  loaded.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, artifact });
  return artifact;
}

export interface BuildOptions {
  /** Rebuild even when a file with the pinned hash exists (to check that the recipe reproduces it). */
  force?: boolean;
  log?: (message: string) => void;
  progress?: boolean;
}

export interface BuildResult {
  id: string;
  version: number;
  status: "built" | "present";
  sha256: string;
  seconds: number;
  metadata: Record<string, JsonValue>;
}

/** Train one recipe in memory: its file's bytes and their sha256 (what a recipe author pins). */
export async function buildArtifactBytes(
  recipe: ArtifactRecipe,
  log: (message: string) => void = () => undefined,
): Promise<{ bytes: Uint8Array; sha256: string; metadata: Record<string, JsonValue> }> {
  const { tensors, metadata } = await recipe.build(log);
  const bytes = encodeSafetensors(tensors, metadata);
  return { bytes, sha256: sha256Hex(bytes), metadata };
}

/** Train one recipe, check its bytes against the pin and write its file atomically (nothing is written on a mismatch). */
export async function buildArtifact(recipe: ArtifactRecipe, log: (message: string) => void): Promise<BuildResult> {
  const { initTf } = await import("./tf.ts");
  const { backend } = await initTf();
  const t0 = performance.now();
  const { bytes, sha256: actual, metadata } = await buildArtifactBytes(recipe, log);
  const seconds = (performance.now() - t0) / 1000;
  if (actual !== recipe.sha256) {
    throw new ArtifactError(
      `building "${recipe.id}" v${recipe.version} on the ${backend} backend gave sha256 ${actual}, but the recipe pins ${recipe.sha256}. ` +
        "If you changed the recipe, bump its version and pin the new hash; otherwise train on the backend the pin was made with (CAJAL_TF_BACKEND=wasm).",
    );
  }
  const file = artifactPath(recipe);
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.${threadId}.part`;
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, file); // atomic: a killed build never leaves a truncated artifact
  } finally {
    rmSync(partial, { force: true });
  }
  loaded.delete(file);
  return { id: recipe.id, version: recipe.version, status: "built", sha256: actual, seconds, metadata };
}

/** The recipes' results for those already built (verified) and the recipes still to build (all of them with force). */
export function pendingArtifacts(recipes: readonly ArtifactRecipe[], force = false): { present: BuildResult[]; todo: ArtifactRecipe[] } {
  const unique = [...new Map(recipes.map((r) => [`${r.id}@${r.version}`, r])).values()];
  const todo = unique.filter((r) => force || artifactStatus(r) !== "ok");
  const present = unique
    .filter((u) => !todo.includes(u))
    .map(
      (r): BuildResult => ({
        id: r.id,
        version: r.version,
        status: "present",
        sha256: r.sha256,
        seconds: 0,
        metadata: loadArtifact(r).metadata,
      }),
    );
  return { present, todo };
}

/**
 * Build the given recipes' artifacts that are missing (or all, with force), one after another in this thread. A build
 * whose bytes differ from the pin writes nothing and fails with both hashes: either the recipe changed (bump its
 * version and pin the new hash) or a different TensorFlow.js backend trained it (use CAJAL_TF_BACKEND=wasm).
 * harness/suite-threads.ts's buildArtifactsThreaded trains registered recipes side by side on worker threads.
 */
export async function buildArtifacts(recipes: readonly ArtifactRecipe[], options: BuildOptions = {}): Promise<BuildResult[]> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const { present, todo } = pendingArtifacts(recipes, options.force);
  const results = [...present];
  if (todo.length === 0) return results;
  const bar = new ProgressBar("training", todo.length, process.stderr, options.progress ?? true);
  try {
    for (const recipe of todo) {
      bar.update(`${recipe.id} v${recipe.version} (≈${recipe.estimatedSeconds} s)`);
      const built = await buildArtifact(recipe, (m) => log(`  ${recipe.id}: ${m}`));
      results.push(built);
      bar.tick(`${recipe.id} built in ${built.seconds.toFixed(1)} s`);
    }
  } finally {
    bar.finish();
  }
  return results;
}
