// `method.json`, the manifest of an external method folder (PROTOCOL.md, "The method folder"): its schema and the
// messages, one line per problem: `method.json: <field>: <what is wrong>; allowed: <what is allowed>`. The known task
// ids are passed in, so the site's upload API validates archives without loading the task registry (manifest.ts
// supplies them from the registry for the harness).
import { z } from "zod";

export const MANIFEST_FILE = "method.json";

/** The harness's limits per instance (PROTOCOL.md defaults). A deployment may change them; a manifest may only lower them. */
export interface HarnessLimits {
  timeoutSeconds: number;
  memoryMb: number;
  /** Total size of the output files per instance. */
  outputMb: number;
}

export const DEFAULT_LIMITS: Readonly<HarnessLimits> = Object.freeze({ timeoutSeconds: 600, memoryMb: 4096, outputMb: 256 });

export interface MethodManifest {
  protocol: 1;
  id: string;
  version: string;
  name: string;
  tasks: string[];
  command: string[];
  description: string;
  authors: string[];
  url?: string;
  limits?: { timeoutSeconds?: number; memoryMb?: number };
  /** PROTOCOL 1.1 (docs/PROTOCOL-1.1.md): what the method needs besides CPU; absent = no GPU. */
  resources?: MethodResources;
}

export interface MethodResources {
  /** 0 or 1 NVIDIA GPU. */
  gpus: 0 | 1;
  /** Device memory the method needs; a GPU with less is refused before the method runs. */
  gpuMemoryMiB?: number;
}

/** How many GPUs a manifest asks for (a v1 manifest, without resources, asks for none). */
export function gpusRequested(manifest: Pick<MethodManifest, "resources">): 0 | 1 {
  return manifest.resources?.gpus ?? 0;
}

export class ManifestError extends Error {
  override name = "ManifestError";
  constructor(
    readonly folder: string,
    /** One line per problem, each `method.json: <field>: <what is wrong>; allowed: <what is allowed>`. */
    readonly problems: string[],
  ) {
    super(problems.join("\n"));
  }
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// semver.org's regular expression.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Longest accepted strings, so a manifest cannot flood the leaderboard, the database or a log line. */
export const MANIFEST_MAX = {
  name: 100,
  description: 2000,
  author: 100,
  authors: 50,
  commandArg: 1024,
  commandArgs: 64,
  url: 2048,
} as const;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what these refuse
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, but a description may have line breaks and tabs
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const TOP_KEYS = ["protocol", "id", "version", "name", "tasks", "command", "description", "authors", "url", "limits", "resources"] as const;
const LIMIT_KEYS = ["timeoutSeconds", "memoryMb"] as const;
const RESOURCE_KEYS = ["gpus", "gpuMemoryMiB"] as const;
/** The most GPU memory a manifest may ask for (MiB): more than any single GPU has today. */
export const MAX_GPU_MEMORY_MIB = 1024 * 1024;

/** A value as it should appear in a message. */
function show(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The zod error callback: "missing" for an absent field, else "is <value>" and an optional reason. */
const wrong =
  (reason?: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? "missing" : `is ${show(issue.input)}${reason ? ` (${reason})` : ""}`;

function allowedFor(field: string, limits: HarnessLimits, taskIds: readonly string[]): string {
  const tasks = taskIds.join(", ");
  switch (field) {
    case "":
      return `a JSON object with the keys ${TOP_KEYS.join(", ")} (see PROTOCOL.md)`;
    case "protocol":
      return "1 (the number)";
    case "id":
      return 'kebab-case, 3-64 characters: lowercase letters and digits in groups joined by single hyphens, e.g. "sklearn-fastica"';
    case "version":
      return 'a semantic version (semver.org), e.g. "1.0.0"';
    case "name":
      return `a non-empty string of at most ${MANIFEST_MAX.name} printable characters (no newlines or other control characters)`;
    case "description":
      return `a non-empty string of at most ${MANIFEST_MAX.description} characters (line breaks allowed, no other control characters)`;
    case "tasks":
      return `a non-empty array of task ids, each one of: ${tasks}`;
    case "tasks[]":
      return `a task id, one of: ${tasks}`;
    case "command":
      return `a non-empty array of at most ${MANIFEST_MAX.commandArgs} non-empty strings (argv, run without a shell), e.g. ["python3", "run.py"]`;
    case "command[]":
      return `a non-empty string of at most ${MANIFEST_MAX.commandArg} printable characters, e.g. "python3"`;
    case "authors":
      return `an array of at most ${MANIFEST_MAX.authors} strings, e.g. ["Jane Doe"]`;
    case "authors[]":
      return `a non-empty string of at most ${MANIFEST_MAX.author} printable characters, e.g. "Jane Doe"`;
    case "url":
      return `an absolute http(s) URL of at most ${MANIFEST_MAX.url} characters, e.g. "https://example.org/paper"`;
    case "limits":
      return `an object with optional ${LIMIT_KEYS.join(" and ")}`;
    case "limits.timeoutSeconds":
      return `a number > 0 and at most ${limits.timeoutSeconds} (seconds; limits may only lower the harness limit)`;
    case "limits.memoryMb":
      return `a number > 0 and at most ${limits.memoryMb} (MiB; limits may only lower the harness limit)`;
    case "resources":
      return `an object with ${RESOURCE_KEYS.join(" and optional ")} (PROTOCOL 1.1), e.g. {"gpus": 1, "gpuMemoryMiB": 8192}`;
    case "resources.gpus":
      return "0 or 1 (the number of NVIDIA GPUs the method needs)";
    case "resources.gpuMemoryMiB":
      return `a whole number of MiB > 0 and at most ${MAX_GPU_MEMORY_MIB}, only with "gpus": 1`;
    default:
      return "no such field";
  }
}

/** The schema of method.json against the given harness limits and known task ids. */
export function manifestSchema(limits: HarnessLimits, taskIds: readonly string[]) {
  const nonEmpty = z.string({ error: wrong("not a string") }).min(1, { error: wrong("empty") });
  const tooLong = (max: number) => (iss: { input?: unknown }) => `is ${String(iss.input).length} characters long, more than ${max}`;
  /** A one-line, printable string of at most `max` characters. */
  const printable = (max: number) =>
    nonEmpty
      .max(max, { error: tooLong(max) })
      .refine((v) => !CONTROL.test(v), { error: wrong("contains a control character such as a newline") });
  const limit = (max: number, unit: string) =>
    z
      .number({ error: wrong("not a number") })
      .refine((v) => Number.isFinite(v) && v > 0, { error: wrong("not a positive number") })
      .refine((v) => v <= max, { error: (iss) => `is ${show(iss.input)}, above the harness limit of ${max} ${unit}` });
  return z.strictObject(
    {
      protocol: z.literal(1, { error: wrong() }),
      id: z
        .string({ error: wrong("not a string") })
        .min(3, { error: wrong("shorter than 3 characters") })
        .max(64, { error: (iss) => `is ${show(iss.input)} (${String(iss.input).length} characters, more than 64)` })
        .regex(ID, { error: wrong("not kebab-case") }),
      version: z
        .string({ error: wrong("not a string") })
        .max(64, { error: tooLong(64) })
        .regex(SEMVER, { error: wrong("not a semantic version") }),
      name: printable(MANIFEST_MAX.name),
      tasks: z
        .array(
          z
            .string({ error: wrong("not a string") })
            .refine((t) => taskIds.includes(t), { error: (iss) => `${show(iss.input)} is not a known task` }),
          { error: wrong("not an array") },
        )
        .min(1, { error: wrong("empty") }),
      command: z
        .array(printable(MANIFEST_MAX.commandArg), { error: wrong("not an array") })
        .min(1, { error: wrong("empty") })
        .max(MANIFEST_MAX.commandArgs, {
          error: (iss) => `has ${(iss.input as unknown[]).length} entries, more than ${MANIFEST_MAX.commandArgs}`,
        }),
      description: nonEmpty
        .max(MANIFEST_MAX.description, { error: tooLong(MANIFEST_MAX.description) })
        .refine((v) => !CONTROL_BUT_LINES.test(v), { error: wrong("contains a control character") }),
      authors: z
        .array(printable(MANIFEST_MAX.author), { error: wrong("not an array") })
        .max(MANIFEST_MAX.authors, { error: (iss) => `has ${(iss.input as unknown[]).length} entries, more than ${MANIFEST_MAX.authors}` }),
      url: z
        .string({ error: wrong("not a string") })
        .max(MANIFEST_MAX.url, { error: tooLong(MANIFEST_MAX.url) })
        .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), { error: wrong("not an absolute http(s) URL") })
        .optional(),
      limits: z
        .strictObject(
          {
            timeoutSeconds: limit(limits.timeoutSeconds, "s").optional(),
            memoryMb: limit(limits.memoryMb, "MiB").optional(),
          },
          { error: wrong("not an object") },
        )
        .optional(),
      resources: z
        .strictObject(
          {
            gpus: z.union([z.literal(0), z.literal(1)], { error: wrong() }),
            gpuMemoryMiB: z
              .number({ error: wrong("not a number") })
              .refine((v) => Number.isInteger(v) && v > 0 && v <= MAX_GPU_MEMORY_MIB, { error: wrong("not a whole number in range") })
              .optional(),
          },
          { error: wrong("not an object") },
        )
        .refine((r) => r.gpus === 1 || r.gpuMemoryMiB === undefined, {
          error: () => "gpuMemoryMiB is given but gpus is 0",
          path: ["gpuMemoryMiB"],
        })
        .optional(),
    },
    { error: wrong("not a JSON object") },
  );
}

/** "tasks.1" → "tasks[1]" for messages; "tasks[]" as the key of the allowed-values table. */
function fieldNames(p: readonly PropertyKey[]): { shown: string; key: string } {
  let shown = "";
  let key = "";
  for (const part of p) {
    if (typeof part === "number") {
      shown += `[${part}]`;
      key += "[]";
    } else {
      shown += shown ? `.${String(part)}` : String(part);
      key += key ? `.${String(part)}` : String(part);
    }
  }
  return { shown, key };
}

/** Validate a parsed method.json; returns the manifest or every problem, one line each. */
export function validateManifest(
  raw: unknown,
  limits: HarnessLimits,
  taskIds: readonly string[],
): { ok: true; manifest: MethodManifest } | { ok: false; problems: string[] } {
  const result = manifestSchema(limits, taskIds).safeParse(raw);
  if (result.success) return { ok: true, manifest: result.data as MethodManifest };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      const known = issue.path.length === 0 ? TOP_KEYS : issue.path[0] === "resources" ? RESOURCE_KEYS : LIMIT_KEYS;
      for (const k of issue.keys) {
        const { shown } = fieldNames([...issue.path, k]);
        problems.push(`${MANIFEST_FILE}: ${shown}: unknown key; allowed: the keys ${known.join(", ")}`);
      }
      continue;
    }
    const { shown, key } = fieldNames(issue.path);
    if (seen.has(shown)) continue; // one line per field
    seen.add(shown);
    problems.push(`${MANIFEST_FILE}: ${shown || "(file)"}: ${issue.message}; allowed: ${allowedFor(key, limits, taskIds)}`);
  }
  return { ok: false, problems };
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Parse and validate the text of a method.json (from `where`: a folder or an archive); throws ManifestError listing every problem. */
export function parseManifest(text: string, where: string, limits: HarnessLimits, taskIds: readonly string[]): MethodManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /at position (\d+)/.exec(message);
    const offset = pos ? Number(pos[1]) : /Unexpected end of JSON input/.test(message) ? text.length : undefined;
    const at = offset === undefined ? "" : (({ line, column }) => ` at line ${line}, column ${column}`)(lineColumn(text, offset));
    const reason = message.replace(/\s*in JSON at position \d+.*$/, "");
    throw new ManifestError(where, [`${MANIFEST_FILE}: (file): invalid JSON${at}: ${reason}; allowed: a JSON object (see PROTOCOL.md)`]);
  }
  const result = validateManifest(raw, limits, taskIds);
  if (!result.ok) throw new ManifestError(where, result.problems);
  return result.manifest;
}

/** The limits a method runs under: the harness's, lowered by the manifest's. */
export function effectiveLimits(manifest: MethodManifest, limits: HarnessLimits = DEFAULT_LIMITS): HarnessLimits {
  return {
    timeoutSeconds: Math.min(limits.timeoutSeconds, manifest.limits?.timeoutSeconds ?? Number.POSITIVE_INFINITY),
    memoryMb: Math.min(limits.memoryMb, manifest.limits?.memoryMb ?? Number.POSITIVE_INFINITY),
    outputMb: limits.outputMb,
  };
}
