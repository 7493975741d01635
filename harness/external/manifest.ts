// `method.json`, the manifest of an external method folder (PROTOCOL.md, "The method folder"). Anything invalid is
// rejected before any run, with one line per problem: `method.json: <field>: <what is wrong>; allowed: <what is allowed>`.
// The schema lives in manifest-schema.ts (no registry import, so the site's upload API can use it); this module
// supplies the known task ids from the task registry.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { listTasks } from "../registry.ts";
import {
  DEFAULT_LIMITS,
  type HarnessLimits,
  MANIFEST_FILE,
  ManifestError,
  type MethodManifest,
  parseManifest,
  manifestSchema as schemaFor,
  validateManifest as validateAgainst,
} from "./manifest-schema.ts";

export {
  DEFAULT_LIMITS,
  effectiveLimits,
  gpusRequested,
  type HarnessLimits,
  MANIFEST_FILE,
  ManifestError,
  type MethodManifest,
  type MethodResources,
  parseManifest,
} from "./manifest-schema.ts";

const knownTaskIds = () => listTasks().map((t) => t.id);

/** The schema of method.json against the given harness limits and known task ids (default: the registry's). */
export function manifestSchema(limits: HarnessLimits = DEFAULT_LIMITS, taskIds: readonly string[] = knownTaskIds()) {
  return schemaFor(limits, taskIds);
}

/** Validate a parsed method.json; returns the manifest or every problem, one line each. */
export function validateManifest(raw: unknown, limits: HarnessLimits = DEFAULT_LIMITS, taskIds: readonly string[] = knownTaskIds()) {
  return validateAgainst(raw, limits, taskIds);
}

/** Read and validate `<folder>/method.json`; throws ManifestError listing every problem. */
export async function loadManifest(folder: string, limits: HarnessLimits = DEFAULT_LIMITS): Promise<MethodManifest> {
  const file = path.join(folder, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what =
      code === "ENOENT" ? `not found in ${folder}` : code === "EISDIR" ? "is a directory" : `cannot be read (${(e as Error).message})`;
    throw new ManifestError(folder, [
      `${MANIFEST_FILE}: (file): ${what}; allowed: a method folder with a method.json at its root (see PROTOCOL.md)`,
    ]);
  }
  return parseManifest(text, folder, limits, knownTaskIds());
}
