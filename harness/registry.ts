// Lookups over the task, dataset and method registries, and deterministic instance generation.
import { DATASETS, RECORDINGS, SOURCES } from "../datasets/registry.ts";
import { METHODS } from "../methods/registry.ts";
import { TASKS } from "../tasks/registry.ts";
import type { RecordingCard } from "./data.ts";
import { seedFrom } from "./rng.ts";
import { type DatasetSource, sourceFolder } from "./source.ts";
import type { DatasetDefinition, Instance, MethodDefinition, Split, TaskDefinition } from "./types.ts";
import { UsageError } from "./usage-error.ts";

// Thrown by the lookups below; re-exported so their callers catch the one class wherever it is imported from.
export { UsageError };

export function listTasks(): readonly TaskDefinition[] {
  return TASKS;
}

export function listDatasets(taskId?: string): DatasetDefinition[] {
  return DATASETS.filter((d) => !taskId || d.task === taskId);
}

export function listMethods(taskId?: string): MethodDefinition[] {
  return METHODS.filter((m) => !taskId || m.tasks.includes(taskId));
}

export function getTask(id: string): TaskDefinition {
  const task = TASKS.find((t) => t.id === id);
  if (!task) throw new UsageError(`unknown task "${id}"; available tasks: ${TASKS.map((t) => t.id).join(", ")}`);
  return task;
}

export function getDataset(taskId: string, slug: string): DatasetDefinition {
  const dataset = DATASETS.find((d) => d.task === taskId && d.slug === slug);
  if (!dataset) {
    const known = listDatasets(taskId).map((d) => d.slug);
    throw new UsageError(`unknown dataset "${slug}" for task ${taskId}; available datasets: ${known.join(", ") || "none"}`);
  }
  return dataset;
}

export function listSources(): readonly DatasetSource[] {
  return SOURCES;
}

/** The source that lists this dataset (by task and slug, so a copy of a definition finds it too). */
export function sourceOf(dataset: Pick<DatasetDefinition, "task" | "slug">): DatasetSource {
  const source = SOURCES.find((s) => s.datasets.some((d) => d.task === dataset.task && d.slug === dataset.slug));
  if (!source) throw new UsageError(`dataset ${dataset.task}/${dataset.slug} is in no source of datasets/registry.ts`);
  return source;
}

/** The folder that holds a dataset's definition and README, relative to the repository root (its source's). */
export function datasetFolder(dataset: Pick<DatasetDefinition, "task" | "slug">): string {
  return sourceFolder(sourceOf(dataset));
}

/** Every real recording's card (`npx cajal datasets fetch`), catalogued ones included. */
export function listRecordings(): readonly RecordingCard[] {
  return RECORDINGS;
}

export function getRecording(id: string): RecordingCard {
  const card = RECORDINGS.find((c) => c.id === id);
  if (!card) throw new UsageError(`unknown recording "${id}"; available recordings: ${RECORDINGS.map((c) => c.id).join(", ")}`);
  return card;
}

export function getMethod(id: string): MethodDefinition {
  const method = METHODS.find((m) => m.id === id);
  if (!method) throw new UsageError(`unknown method "${id}"; available methods: ${METHODS.map((m) => m.id).join(", ")}`);
  return method;
}

/**
 * Seed of instance `index` of a split. dev and official seeds are public; private seeds mix in a
 * server secret (CAJAL_PRIVATE_SECRET) so they cannot be derived from the public code.
 */
export function instanceSeed(dataset: DatasetDefinition, split: Split, index: number): number {
  if (split === "private") {
    const secret = process.env.CAJAL_PRIVATE_SECRET;
    if (!secret) throw new UsageError("the private split needs CAJAL_PRIVATE_SECRET, which only a Cajal server has");
    return seedFrom("private", secret, dataset.task, dataset.slug, dataset.version, index);
  }
  return seedFrom(dataset.task, dataset.slug, dataset.version, split, index);
}

/** Instance `index` of a split: deterministic in (dataset, version, split, index). */
export function generateInstance(dataset: DatasetDefinition, split: Split, index: number): Instance {
  const size = dataset.sizes[split];
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new UsageError(`instance index ${index} is out of range for ${dataset.slug}/${split} (0…${size - 1})`);
  }
  const seed = instanceSeed(dataset, split, index);
  const generated = dataset.generate(split, index, seed);
  return { key: `${dataset.slug}/${split}/${index}`, index, seed, ...generated };
}

/** Seed a method receives for one instance; differs from the instance seed so methods cannot regenerate the data. */
export function methodSeed(instance: Instance, methodId: string): number {
  return seedFrom("method", methodId, instance.key, instance.seed);
}
