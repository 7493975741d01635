// Registers tasks, datasets and methods (with their versions) in the database, refusing silent
// changes: a task contract or dataset content that changed without a version bump is an error.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { artifactPath } from "./artifacts.ts";
import { type Db, Prisma } from "./db/client.ts";
import { hashArrays, hashInputs } from "./ndarray.ts";
import { REPO_ROOT } from "./paths.ts";
import { datasetPreview } from "./preview.ts";
import { hashFiles, importClosure, listFiles, sha256Json } from "./provenance.ts";
import { datasetFolder, generateInstance, listDatasets, listMethods, listTasks } from "./registry.ts";
import type { DatasetDefinition, MethodDefinition, TaskDefinition } from "./types.ts";

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

const CACHE_FILE = path.join(REPO_ROOT, ".cajal", "cache", "dataset-hashes.json");

/**
 * sha256 over the generator config and every official-split instance (inputs and truth). Generating
 * every instance costs seconds per dataset, so the hash is cached under .cajal/, keyed by the hash of
 * the import closure of its source's folder (its own files and the core they import, never the registries:
 * tests/sources.test.ts checks that), so the same code and config always generate the same instances.
 * `cache: false` recomputes without reading or writing the cache (bench/analysis/dataset-hashes.ts).
 */
export function datasetContentHash(dataset: DatasetDefinition, options: { cache?: boolean } = {}): string {
  const sources = hashFiles(importClosure(listFiles(datasetFolder(dataset)).filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f))));
  const cacheKey = `${dataset.task}/${dataset.slug}@${dataset.version}:${sha256Json(dataset.config)}:${sources}`;
  const useCache = options.cache ?? true;
  let cache: Record<string, string> = {};
  try {
    if (useCache) cache = JSON.parse(readFileSync(CACHE_FILE, "utf8"));
  } catch {
    // no cache yet, or unreadable: recompute
  }
  const cached = cache[cacheKey];
  if (cached) return cached;
  const parts: string[] = [sha256Json(dataset.config)];
  for (let i = 0; i < dataset.sizes.official; i++) {
    const instance = generateInstance(dataset, "official", i);
    parts.push(hashInputs(instance), hashArrays(instance.truth));
  }
  const hash = sha256Json(parts);
  if (!useCache) return hash;
  try {
    mkdirSync(path.dirname(CACHE_FILE), { recursive: true });
    const fresh = { ...cache, [cacheKey]: hash };
    writeFileSync(`${CACHE_FILE}.${process.pid}`, JSON.stringify(fresh, null, 1));
    renameSync(`${CACHE_FILE}.${process.pid}`, CACHE_FILE); // atomic: concurrent writers never leave a torn file
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

  const networkBuilt = (d: DatasetDefinition) => (d.artifacts ?? []).every((a) => existsSync(artifactPath(a)));
  for (const dataset of options.datasets ?? listDatasets().filter(networkBuilt)) {
    // A recording whose files are not in the data cache cannot be hashed; it registers once they are.
    if (dataset.unavailable?.()) continue;
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
    const contentHash = datasetContentHash(dataset);
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
    registered.datasetVersionId.set(datasetKey(dataset), version.id);
  }

  for (const method of listMethods()) registered.methodVersionId.set(method.id, await registerMethod(db, method));
  return registered;
}
