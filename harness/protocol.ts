// The out-of-process side of PROTOCOL.md: the task.json an external method reads, the instance directories it
// receives (and that `export` hands to people working offline), and validation of the outputs it writes.
import { createHash } from "node:crypto";
import { lstat, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { firstNonFinite, hashInputs, shapeMatches } from "./ndarray.ts";
import { NpyError, parseNpy, writeNpy } from "./npy.ts";
import { generateInstance, getDataset, getTask, UsageError } from "./registry.ts";
import type { Instance, JsonValue, MethodOutputs, NdArray, Split, TaskDefinition } from "./types.ts";
import { checkJsonKey, expectedJsonKey } from "./validate.ts";

export const PROTOCOL_VERSION = 1;
/** The file every JSON (scalar) output lives in. */
export const RESULT_FILE = "result.json";
/** PROTOCOL.md default limit on a method's output files per instance. */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export interface TaskJsonArrayInput {
  file: string;
  dtype: "float32" | "int32";
  shape: number[];
}
/** A JSON document input (e.g. T6's network.json). */
export interface TaskJsonJsonInput {
  file: string;
}
export type TaskJsonInput = TaskJsonArrayInput | TaskJsonJsonInput;
export interface TaskJsonArrayOutput {
  file: string;
  shape: number[];
}
export interface TaskJsonJsonOutput {
  file: typeof RESULT_FILE;
  keys: string[];
  /** Keys that hold an array of this many numbers instead of one number. */
  lengths?: Record<string, number>;
}
export type TaskJsonOutput = TaskJsonArrayOutput | TaskJsonJsonOutput;

/** `$CAJAL_INPUT/task.json`, exactly as PROTOCOL.md specifies it. */
export interface TaskJson {
  protocol: typeof PROTOCOL_VERSION;
  task: string;
  taskVersion: number;
  instance: string;
  params: Record<string, JsonValue>;
  inputs: Record<string, TaskJsonInput>;
  outputs: Record<string, TaskJsonOutput>;
}

const OPAQUE_ID = /^[0-9a-f]{16}$/;

/**
 * The id a method is given for an instance (task.json's `instance`, `MethodContext.instance.key`): the first 16 hex
 * digits of sha256(key, NUL, seed). It names the instance without saying which dataset, split or index it is, so no
 * method can read the answer off the id (issue 10); the harness, the database and the site keep the real key. An id
 * that is already opaque is returned as it is (a real key always holds "/").
 */
export function opaqueInstanceId(instance: Pick<Instance, "key" | "seed">): string {
  if (OPAQUE_ID.test(instance.key)) return instance.key;
  return createHash("sha256").update(`${instance.key}\0${instance.seed}`).digest("hex").slice(0, 16);
}

/** Array names become file names: keep them to characters that are safe on every filesystem. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function checkName(kind: string, name: string): void {
  if (!SAFE_NAME.test(name) || name === RESULT_FILE) throw new Error(`${kind} name "${name}" cannot be used as a file name`);
}

export function buildTaskJson(task: TaskDefinition, instance: Instance): TaskJson {
  const inputs: Record<string, TaskJsonInput> = {};
  // A dataset that breaks its task's contract is a Cajal bug, not a method's problem: fail loudly.
  for (const [name, spec] of Object.entries(task.inputs)) {
    const present = spec.kind === "json" ? instance.jsonInputs?.[name] !== undefined : instance.inputs[name] !== undefined;
    if (!present) throw new Error(`instance ${instance.key} has no input "${name}" required by task ${task.id}`);
  }
  // Every array the instance carries is an input: declared ones and patterned ones (T5's a0…a{L-1}).
  for (const [name, array] of Object.entries(instance.inputs)) {
    checkName("input", name);
    const spec = task.inputs[name];
    const dtype = spec?.kind === "array" ? spec.dtype : array.dtype;
    if (array.dtype !== dtype || (dtype !== "float32" && dtype !== "int32")) {
      throw new Error(
        `instance ${instance.key}: input "${name}" is ${array.dtype}, task ${task.id} declares ${dtype}; inputs are float32 or int32`,
      );
    }
    inputs[name] = { file: `${name}.npy`, dtype, shape: [...array.shape] };
  }
  for (const name of Object.keys(instance.jsonInputs ?? {})) {
    checkName("input", name);
    inputs[name] = { file: `${name}.json` };
  }
  const shapes = task.outputShapes(instance);
  const outputs: Record<string, TaskJsonOutput> = {};
  for (const [name, spec] of Object.entries(task.outputs)) {
    if (spec.kind === "json") {
      outputs[name] = { file: RESULT_FILE, keys: [...spec.keys], ...(spec.lengths ? { lengths: { ...spec.lengths } } : {}) };
    } else {
      checkName("output", name);
      const shape = shapes[name];
      if (!shape) throw new Error(`task ${task.id} gives no shape for output "${name}" of ${instance.key}`);
      outputs[name] = { file: `${name}.npy`, shape: [...shape] };
    }
  }
  return {
    protocol: PROTOCOL_VERSION,
    task: task.id,
    taskVersion: task.version,
    instance: opaqueInstanceId(instance),
    params: instance.params,
    inputs,
    outputs,
  };
}

/**
 * Write one instance directory: `task.json` and `<input>.npy` for every input. With `withTruth` (dev exports
 * only; never for a directory a method process can read) also `truth/<name>.npy` and `truth/meta.json`.
 */
export async function writeInstanceDir(
  dir: string,
  task: TaskDefinition,
  instance: Instance,
  opts: { withTruth: boolean },
): Promise<TaskJson> {
  const taskJson = buildTaskJson(task, instance);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "task.json"), `${JSON.stringify(taskJson, null, 2)}\n`);
  for (const [name, entry] of Object.entries(taskJson.inputs)) {
    const json = instance.jsonInputs?.[name];
    await writeFile(
      join(dir, entry.file),
      json !== undefined ? `${JSON.stringify(json, null, 2)}\n` : writeNpy(instance.inputs[name] as NdArray),
    );
  }
  if (opts.withTruth) {
    const truthDir = join(dir, "truth");
    await mkdir(truthDir, { recursive: true });
    for (const [name, array] of Object.entries(instance.truth)) {
      checkName("truth", name);
      await writeFile(join(truthDir, `${name}.npy`), writeNpy(array));
    }
    const meta = { instance: instance.key, index: instance.index, seed: instance.seed, meta: instance.meta };
    await writeFile(join(truthDir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  }
  return taskJson;
}

export interface ManifestEntry {
  key: string;
  task: string;
  taskVersion: number;
  dataset: string;
  datasetVersion: number;
  split: Split;
  index: number;
  /** Instance directory relative to the export root. */
  dir: string;
  /** hashInputs(instance): identifies the exact inputs a result was computed on. */
  inputHash: string;
  withTruth: boolean;
}

export interface Manifest {
  protocol: typeof PROTOCOL_VERSION;
  instances: ManifestEntry[];
}

export interface ExportOptions {
  taskId: string;
  datasetSlug: string;
  split: "dev" | "official";
  outDir: string;
  withTruth: boolean;
  /** Default: every instance of the split. */
  indices?: number[];
}

export interface ExportSummary {
  count: number;
  dir: string;
  manifest: string;
  instances: ManifestEntry[];
}

/**
 * Export instances for offline work. Layout:
 *
 *   <outDir>/manifest.json                          every exported instance (merged across exports), with inputHash
 *   <outDir>/<dataset>/<split>/<index>/task.json    exactly what $CAJAL_INPUT holds for a run …
 *   <outDir>/<dataset>/<split>/<index>/<input>.npy
 *   <outDir>/<dataset>/<split>/<index>/truth/       … plus, dev only and on request, the ground truth
 *
 * so an instance directory can be passed as CAJAL_INPUT to a method under development. Re-exporting an
 * instance replaces its directory, so no stale truth survives an export without it.
 */
export async function exportInstances(opts: ExportOptions): Promise<ExportSummary> {
  const split = opts.split as string;
  if (split === "private") {
    throw new UsageError("the private split is never exported: its instances exist only on a Cajal server; export dev or official");
  }
  if (split !== "dev" && split !== "official") throw new UsageError(`unknown split "${split}"; export dev or official`);
  if (opts.withTruth && split !== "dev") {
    throw new UsageError(`ground truth is exportable only for the dev split, not ${split}; drop the truth option or export dev`);
  }
  const task = getTask(opts.taskId);
  const dataset = getDataset(opts.taskId, opts.datasetSlug);
  const all = Array.from({ length: dataset.sizes[opts.split] }, (_, i) => i);
  const indices = opts.indices ? [...new Set(opts.indices)].sort((a, b) => a - b) : all;
  if (indices.length === 0) throw new UsageError("no instances selected to export");

  const entries: ManifestEntry[] = [];
  for (const index of indices) {
    const instance = generateInstance(dataset, opts.split, index); // UsageError when out of range
    const rel = `${dataset.slug}/${opts.split}/${index}`;
    const dir = join(opts.outDir, rel);
    await rm(dir, { recursive: true, force: true });
    await writeInstanceDir(dir, task, instance, { withTruth: opts.withTruth });
    entries.push({
      key: instance.key,
      task: task.id,
      taskVersion: task.version,
      dataset: dataset.slug,
      datasetVersion: dataset.version,
      split: opts.split,
      index,
      dir: rel,
      inputHash: hashInputs(instance),
      withTruth: opts.withTruth,
    });
  }

  const manifestPath = join(opts.outDir, "manifest.json");
  const previous = await readManifest(manifestPath);
  const fresh = new Set(entries.map((e) => `${e.task}/${e.key}`));
  const merged = [...previous.filter((e) => !fresh.has(`${e.task}/${e.key}`)), ...entries].sort(
    (a, b) => a.task.localeCompare(b.task) || a.dataset.localeCompare(b.dataset) || a.split.localeCompare(b.split) || a.index - b.index,
  );
  const manifest: Manifest = { protocol: PROTOCOL_VERSION, instances: merged };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { count: entries.length, dir: opts.outDir, manifest: manifestPath, instances: entries };
}

/** Entries of an earlier export into the same folder, or none; refuses to overwrite a file it does not own. */
async function readManifest(path: string): Promise<ManifestEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Manifest>;
    if (parsed.protocol === PROTOCOL_VERSION && Array.isArray(parsed.instances)) return parsed.instances;
  } catch {
    // fall through
  }
  throw new UsageError(`${path} exists but is not a Cajal export manifest; export into an empty or earlier export folder`);
}

// ---------------------------------------------------------------------------------------------- outputs

export type ReadOutputsResult = { ok: true; outputs: MethodOutputs } | { ok: false; message: string };

function showShape(shape: readonly number[]): string {
  return `[${shape.map((s) => (s === -1 ? "any" : String(s))).join(", ")}]`;
}

/** Flat index → "[i, j, …]" for messages. */
function multiIndex(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = flat;
  for (let a = shape.length - 1; a >= 0; a--) {
    const s = shape[a] as number;
    idx.unshift(rest % s);
    rest = Math.floor(rest / s);
  }
  return `[${idx.join(", ")}]`;
}

/**
 * Read and validate what a method wrote into its output directory against the task.json outputs. Every
 * problem is reported (joined by "; "), each naming the output and what was expected.
 */
export async function readMethodOutputs(
  outputDir: string,
  task: TaskDefinition,
  instance: Instance,
  opts: { maxBytes?: number } = {},
): Promise<ReadOutputsResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const declared = buildTaskJson(task, instance).outputs;
  const problems: string[] = [];
  const outputs: MethodOutputs = {};

  // Sizes first, so a huge file is refused before it is read into memory.
  const files = [...new Set(Object.values(declared).map((o) => o.file))];
  const sizes = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    try {
      const st = await lstat(join(outputDir, file));
      if (st.isFile()) {
        sizes.set(file, st.size);
        total += st.size;
      } else sizes.set(file, -1);
    } catch {
      // missing: reported per output below
    }
  }
  if (total > maxBytes) {
    return { ok: false, message: `outputs are ${total} bytes, more than the limit of ${maxBytes} bytes` };
  }

  let result: { ok: true; value: Record<string, unknown> } | { ok: false; message: string } | undefined;
  for (const [name, spec] of Object.entries(declared)) {
    const size = sizes.get(spec.file);
    if ("keys" in spec) {
      const jsonSpec = { kind: "json" as const, keys: spec.keys, lengths: spec.lengths, description: "" };
      const expected = `a JSON object with ${spec.keys.map((k) => `"${k}": ${expectedJsonKey(jsonSpec, k)}`).join(", ")}`;
      if (size === undefined || size < 0) {
        problems.push(`output "${name}": ${size === undefined ? "missing file" : "not a regular file"} ${spec.file}; expected ${expected}`);
        continue;
      }
      result ??= await readResultJson(join(outputDir, spec.file));
      if (!result.ok) {
        problems.push(`output "${name}": ${result.message}; expected ${expected}`);
        continue;
      }
      const value: Record<string, JsonValue> = {};
      for (const key of spec.keys) {
        const v = result.value[key];
        if (!(key in result.value)) problems.push(`output "${name}": ${spec.file} is missing key "${key}"; expected ${expected}`);
        else {
          const problem = checkJsonKey(jsonSpec, key, v);
          if (problem) problems.push(`output "${name}": ${spec.file} ${problem}`);
          else value[key] = v as JsonValue;
        }
      }
      outputs[name] = value;
      continue;
    }

    const expected = `a float32 or float64 array of shape ${showShape(spec.shape)}`;
    if (size === undefined || size < 0) {
      problems.push(`output "${name}": ${size === undefined ? "missing file" : "not a regular file"} ${spec.file}; expected ${expected}`);
      continue;
    }
    let array: NdArray;
    let descr: string;
    try {
      const parsed = parseNpy(await readFile(join(outputDir, spec.file)), spec.file);
      array = parsed.array;
      descr = parsed.descr;
    } catch (e) {
      if (!(e instanceof NpyError)) throw e;
      problems.push(`output "${name}": unreadable array: ${e.message}`);
      continue;
    }
    // types.ts gives array outputs no dtype: they are float outputs, and PROTOCOL.md allows float32/float64.
    if (descr !== "<f4" && descr !== "<f8") {
      problems.push(`output "${name}": ${spec.file} has dtype '${descr}'; expected float32 or float64, e.g. arr.astype('<f4')`);
      continue;
    }
    if (!shapeMatches(array.shape, spec.shape)) {
      problems.push(`output "${name}": ${spec.file} has shape ${showShape(array.shape)}; expected ${showShape(spec.shape)}`);
      continue;
    }
    const bad = firstNonFinite(array.data);
    if (bad >= 0) {
      const v = array.data[bad] as number;
      problems.push(
        `output "${name}": ${spec.file} contains ${Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"} at index ${multiIndex(bad, array.shape)} (flat ${bad}); every value must be finite`,
      );
      continue;
    }
    outputs[name] = array;
  }
  return problems.length > 0 ? { ok: false, message: problems.join("; ") } : { ok: true, outputs };
}

async function readResultJson(path: string): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    return { ok: false, message: `cannot read ${RESULT_FILE} (${(e as Error).message})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Python's json.dump writes non-finite floats as bare NaN / Infinity, which is not JSON.
    if (/\b(NaN|-?Infinity)\b/.test(text)) {
      return { ok: false, message: `${RESULT_FILE} contains NaN or Infinity (not valid JSON); every value must be a finite number` };
    }
    return { ok: false, message: `${RESULT_FILE} is not valid JSON (${(e as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: `${RESULT_FILE} holds ${Array.isArray(value) ? "an array" : JSON.stringify(value)}, not an object` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
