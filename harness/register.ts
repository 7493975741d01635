// Registers tasks, datasets and methods (with their versions) in the database, refusing silent
// changes: a task contract or dataset content that changed without a version bump is an error.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { artifactPath } from "./artifacts.ts";
import { type Db, Prisma } from "./db/client.ts";
import { hashArrays, hashInputs } from "./ndarray.ts";
import { REPO_ROOT } from "./paths.ts";
import { datasetPreview } from "./preview.ts";
import { hashFiles, importClosure, listFiles, sha256Json } from "./provenance.ts";
import { datasetFolder, generateInstance, listDatasets, listMethods, listTasks } from "./registry.ts";
import type { DatasetDefinition, Instance, MethodDefinition, TaskDefinition } from "./types.ts";

export class VersionConflictError extends Error {
  override name = "VersionConflictError";
}

export function taskContract(task: TaskDefinition) {
  return {
    id: task.id,
    version: task.version,
    mainScore: task.mainScore,
    metrics: task.metrics,
    inputs: task.inputs,
    outputs: task.outputs,
    truth: task.truth,
  };
}

const CACHE_DIR = path.join(REPO_ROOT, ".cajal", "cache", "dataset-hashes");

/** The cache key of a dataset's content hash: version, config and the hash of its source's import closure. */
function contentCacheFile(dataset: DatasetDefinition): string {
  const sources = hashFiles(importClosure(listFiles(datasetFolder(dataset)).filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f))));
  const cacheKey = `${dataset.task}/${dataset.slug}@${dataset.version}:${sha256Json(dataset.config)}:${sources}`;
  // One file per key: suite threads hash datasets side by side, and no writer can lose another's entry.
  return path.join(CACHE_DIR, `${createHash("sha256").update(cacheKey).digest("hex")}.txt`);
}

function readCachedHash(file: string): string | null {
  try {
    const text = readFileSync(file, "utf8").trim();
    return /^[0-9a-f]{64}$/.test(text) ? text : null;
  } catch {
    return null; // no entry yet, or unreadable: recompute
  }
}

/** True when the dataset's content hash is cached, so registering it costs no instance generation. */
export function contentHashCached(dataset: DatasetDefinition): boolean {
  return readCachedHash(contentCacheFile(dataset)) !== null;
}

export interface ContentHashOptions {
  /** false: recompute without reading or writing the cache (bench/analysis/dataset-hashes.ts). */
  cache?: boolean;
  /** Where official instances come from (default: generated here); a suite thread passes its instance cache. */
  instance?: (index: number) => Instance;
}

/**
 * sha256 over the generator config and every official-split instance (inputs and truth). Generating
 * every instance costs seconds per dataset, so the hash is cached under .cajal/, keyed by the hash of
 * the import closure of its source's folder (its own files and the core they import, never the registries:
 * tests/sources.test.ts checks that), so the same code and config always generate the same instances.
 */
export function datasetContentHash(dataset: DatasetDefinition, options: ContentHashOptions = {}): string {
  const useCache = options.cache ?? true;
  const file = contentCacheFile(dataset);
  const cached = useCache ? readCachedHash(file) : null;
  if (cached) return cached;
  const instance = options.instance ?? ((index: number) => generateInstance(dataset, "official", index));
  const parts: string[] = [sha256Json(dataset.config)];
  for (let i = 0; i < dataset.sizes.official; i++) {
    const generated = instance(i);
    parts.push(hashInputs(generated), hashArrays(generated.truth));
  }
  const hash = sha256Json(parts);
  if (!useCache) return hash;
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.${threadId}`;
    writeFileSync(partial, hash);
    renameSync(partial, file); // atomic: a reader never sees a torn entry
  } catch {
    // a read-only checkout still works, just slower
  }
  return hash;
}

function readDatasetReadme(dataset: DatasetDefinition): string {
  try {
    return readFileSync(path.join(REPO_ROOT, datasetFolder(dataset), "README.md"), "utf8");
  } catch {
    return "";
  }
}

export function methodSourceHash(method: MethodDefinition): string {
  if (method.sourceHash) return method.sourceHash;
  const folder = path.join("methods", method.id);
  const own = listFiles(folder).filter((f) => !/\.test\.ts$|\.md$/.test(f));
  const entries = own.filter((f) => /\.(ts|tsx|mjs|js)$/.test(f));
  return hashFiles([...new Set([...own, ...importClosure(entries)])].sort());
}

/** Register one method and its version; returns the MethodVersion id. */
export async function registerMethod(db: Db, method: MethodDefinition): Promise<number> {
  const fields = { name: method.name, kind: method.kind, description: method.description, url: method.url ?? null };
  await db.method.upsert({ where: { id: method.id }, create: { id: method.id, ...fields }, update: fields });
  const sourceHash = methodSourceHash(method);
  const version = await db.methodVersion.upsert({
    where: { methodId_version_sourceHash: { methodId: method.id, version: method.version, sourceHash } },
    create: { methodId: method.id, version: method.version, sourceHash },
    update: {},
  });
  return version.id;
}

export interface Registered {
  taskVersionId: Map<string, number>;
  datasetVersionId: Map<string, number>;
  methodVersionId: Map<string, number>;
}

export const datasetKey = (d: { task: string; slug: string }) => `${d.task}/${d.slug}`;

/** True when every trained network the dataset needs is built (else it registers once they are). */
export function networkBuilt(dataset: DatasetDefinition): boolean {
  return (dataset.artifacts ?? []).every((a) => existsSync(artifactPath(a)));
}

/**
 * Register one dataset and its version (content hash checked against the registered one); returns the DatasetVersion
 * id. `instance` supplies official instances for hashing (a suite thread passes the cache its runs then reuse).
 */
export async function registerDataset(
  db: Db,
  dataset: DatasetDefinition,
  options: Pick<ContentHashOptions, "instance"> = {},
): Promise<number> {
  const fields = {
    title: dataset.title,
    domain: dataset.domain,
    description: dataset.description,
    readme: readDatasetReadme(dataset),
    card: dataset.card ? (dataset.card as unknown as Prisma.InputJsonObject) : Prisma.DbNull,
  };
  const row = await db.dataset.upsert({
    where: { taskId_slug: { taskId: dataset.task, slug: dataset.slug } },
    create: { taskId: dataset.task, slug: dataset.slug, ...fields },
    update: fields,
  });
  const contentHash = datasetContentHash(dataset, options);
  const version = await db.datasetVersion.upsert({
    where: { datasetId_version: { datasetId: row.id, version: dataset.version } },
    create: { datasetId: row.id, version: dataset.version, contentHash, config: dataset.config },
    update: {},
  });
  // The preview plot depends only on the dataset version's data: computed once, when first missing.
  if (version.preview === null) {
    const preview = datasetPreview(dataset);
    if (preview)
      await db.datasetVersion.update({ where: { id: version.id }, data: { preview: preview as unknown as Prisma.InputJsonObject } });
  }
  if (version.contentHash !== contentHash) {
    throw new VersionConflictError(
      `dataset ${datasetKey(dataset)} version ${dataset.version} generates different instances than when it was registered: bump its version in ${datasetFolder(dataset)}/`,
    );
  }
  return version.id;
}

/**
 * Register every task and built-in method and the given datasets (default: every dataset that can be generated here:
 * a recording not in the data cache, or a dataset whose trained network is not built yet, registers once it is).
 */
export async function registerAll(db: Db, options: { datasets?: readonly DatasetDefinition[] } = {}): Promise<Registered> {
  const registered: Registered = { taskVersionId: new Map(), datasetVersionId: new Map(), methodVersionId: new Map() };

  for (const task of listTasks()) {
    const fields = {
      title: task.title,
      question: task.question,
      description: task.description,
      mainScore: task.mainScore.label,
    };
    await db.task.upsert({ where: { id: task.id }, create: { id: task.id, ...fields }, update: fields });
    // A plain JSON document; the cast only tells Prisma that (its JSON type has no index signature for our interfaces).
    const contract = taskContract(task) as unknown as Prisma.InputJsonObject;
    const contractHash = sha256Json(contract);
    // Presentation only: stored with the contract for the site, but outside the hash (scores don't depend on it).
    const stored = { ...contract, noGroundTruth: task.noGroundTruth ?? {} } as Prisma.InputJsonObject;
    const version = await db.taskVersion.upsert({
      where: { taskId_version: { taskId: task.id, version: task.version } },
      create: { taskId: task.id, version: task.version, contractHash, contract: stored },
      update: { contract: stored },
    });
    if (version.contractHash !== contractHash) {
      throw new VersionConflictError(
        `task ${task.id} version ${task.version} changed its contract since it was registered: bump its version in tasks/${task.id}/task.ts`,
      );
    }
    registered.taskVersionId.set(task.id, version.id);
  }

  for (const dataset of options.datasets ?? listDatasets().filter(networkBuilt)) {
    // A recording whose files are not in the data cache cannot be hashed; it registers once they are.
    if (dataset.unavailable?.()) continue;
    registered.datasetVersionId.set(datasetKey(dataset), await registerDataset(db, dataset));
  }

  for (const method of listMethods()) registered.methodVersionId.set(method.id, await registerMethod(db, method));
  return registered;
}
