// Runs (method × task × dataset × split) combinations, scoring every instance and writing results
// to the database as they finish. A combination already finished is skipped; one that was
// interrupted resumes at the first instance without a stored result.
import os from "node:os";
import type { Db } from "./db/client.ts";
import type { GpuAssignment } from "./gpu.ts";
import { InstanceCache } from "./instance-cache.ts";
import { ProgressBar } from "./progress.ts";
import { opaqueInstanceId } from "./protocol.ts";
import { hardware } from "./provenance.ts";
import { datasetKey, type Registered, registerAll, registerMethod } from "./register.ts";
import {
  generateInstance,
  getDataset,
  getMethod,
  getTask,
  listDatasets,
  listMethods,
  listTasks,
  methodSeed,
  UsageError,
} from "./registry.ts";
import { isTerminal, loadResults, type ResultRow, toStatus } from "./results.ts";
import { seedFrom } from "./rng.ts";
import { finalizeRun, type InstanceOutcome, instanceResultFields, type RunTarget, runKey, runProvenance } from "./run-records.ts";
import { initTf } from "./tf.ts";
import {
  type DatasetDefinition,
  type Instance,
  type MethodContext,
  type MethodDefinition,
  MethodFailure,
  type MethodUsage,
  type Split,
  type SplitTruth,
  type TaskDefinition,
} from "./types.ts";
import { validateOutputs } from "./validate.ts";

export interface SuiteOptions {
  tasks?: string[];
  datasets?: string[];
  methods?: string[];
  split: Split;
  /** Re-run combinations whose previous run ended in a failure (never those that ended ok). */
  retryFailed?: boolean;
  progress?: boolean;
  /** Wall-clock limit per instance for in-process methods. */
  timeoutMs?: number;
  /** Instances of a `concurrent` (external) method run in parallel up to this many (default: cores). */
  jobs?: number;
  /** Methods outside the built-in registry (external method folders, test doubles), selectable by id. */
  extraMethods?: MethodDefinition[];
  /** Report progress here instead of drawing a bar (a suite split over worker threads shares one bar). */
  progressSink?: ProgressSink;
  /** Generated instances to reuse (a suite thread that just hashed its dataset passes them on); default: a fresh cache. */
  instances?: InstanceCache;
}

export interface ProgressSink {
  update(detail: string): void;
  tick(detail: string): void;
  finish(): void;
}

export type PlannedRun = RunTarget;

export interface SuiteResult extends ResultRow {
  skipped: boolean;
}

export const DEFAULT_TIMEOUT_MS = 600_000;
const PROGRESS_WRITE_MS = 2000;

/** Reference methods run first: the references (random, oracle), then the floors; the normalized score needs them all. */
const KIND_ORDER: Record<MethodDefinition["kind"], number> = { reference: 0, floor: 1, baseline: 2, external: 2 };

/**
 * The combinations selected by the options, references (random, oracle) and floor references (floor-constant,
 * floor-shape, floor-shortcut) first: the normalized score puts its 0 at the best of random and the floors and its
 * 1 at the oracle, on the same instances.
 */
export function planRuns(options: Pick<SuiteOptions, "tasks" | "datasets" | "methods" | "split" | "extraMethods">): PlannedRun[] {
  const tasks = options.tasks?.length ? options.tasks.map(getTask) : [...listTasks()];
  const extra = options.extraMethods ?? [];
  const resolve = (id: string) => extra.find((m) => m.id === id) ?? getMethod(id);
  const explicitMethods = options.methods?.length ? options.methods.map(resolve) : undefined;
  if (options.split === "private" && !process.env.CAJAL_PRIVATE_SECRET) {
    throw new UsageError("the private split is scored only by a Cajal server (it needs CAJAL_PRIVATE_SECRET); use --split dev or official");
  }
  const plan: PlannedRun[] = [];
  for (const task of tasks) {
    const datasets = options.datasets?.length
      ? options.datasets.map((slug) => {
          const dataset = getDataset(task.id, slug);
          const reason = dataset.unavailable?.();
          if (reason) throw new UsageError(`dataset ${task.id}/${slug} is not available here: ${reason}`);
          return dataset;
        })
      : listDatasets(task.id).filter((d) => !d.unavailable?.());
    const taskMethods = listMethods(task.id);
    const wanted = explicitMethods
      ? explicitMethods.filter((m) => {
          if (!m.tasks.includes(task.id)) {
            throw new UsageError(`method ${m.id} does not support task ${task.id}; it supports: ${m.tasks.join(", ")}`);
          }
          return true;
        })
      : taskMethods;
    // Normalized scores need the references and the floors on the same instances, so they always run.
    const references = taskMethods.filter((m) => (m.kind === "reference" || m.kind === "floor") && !wanted.includes(m));
    const ordered = [...references, ...wanted].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
    for (const dataset of datasets) for (const method of ordered) plan.push({ task, dataset, method });
  }
  return plan;
}

class TimeoutError extends Error {}

/**
 * What a method sees of an instance: never the ground truth or generator meta, unless it is the oracle; never the
 * instance's key, index or seed either (they name dataset, split and position, from which the public generator
 * gives the truth away): its `instance.key` is the opaque id that task.json carries, `index` is -1 and `seed` is
 * the method's own seed. Floor references (`readsSplitTruths`) also get the truths of every instance of the split.
 */
export function methodContext(
  method: MethodDefinition,
  task: TaskDefinition,
  instance: Instance,
  options: { seed?: number; splitTruths?: readonly SplitTruth[] } = {},
): MethodContext {
  const seed = options.seed ?? methodSeed(instance, method.id);
  // meta describes the generator's regime, which can give the answer away (e.g. a manifold's dimension).
  const visible: Instance = method.readsTruth
    ? instance
    : { ...instance, key: opaqueInstanceId(instance), index: -1, seed, truth: {}, meta: {} };
  const splitTruths = method.readsSplitTruths ? (options.splitTruths ?? splitTruthsOf(task, instance)) : undefined;
  return {
    task: task.id,
    params: instance.params,
    inputs: instance.inputs,
    ...(instance.jsonInputs ? { jsonInputs: instance.jsonInputs } : {}),
    outputShapes: task.outputShapes(instance),
    seed,
    taskDefinition: task,
    instance: visible,
    ...(method.readsTruth ? { truth: instance.truth } : {}),
    ...(splitTruths ? { splitTruths } : {}),
  };
}

/** The dataset and split an instance key ("slug/split/index") belongs to. */
function datasetOfKey(task: TaskDefinition, key: string): { dataset: DatasetDefinition; split: Split } {
  const match = /^([^/]+)\/(dev|official|private)\/\d+$/.exec(key);
  if (!match) throw new Error(`instance key "${key}" does not name a dataset, split and index`);
  return { dataset: getDataset(task.id, match[1] as string), split: match[2] as Split };
}

const splitTruthCache = new Map<string, readonly SplitTruth[]>();
const SPLIT_TRUTH_CACHE_SIZE = 4;

/** One instance as the floor references see it: its key, opaque id, input shapes, params and truth. */
export function splitTruthOf(instance: Instance): SplitTruth {
  return {
    key: instance.key,
    id: opaqueInstanceId(instance),
    shapes: Object.fromEntries(Object.entries(instance.inputs).map(([name, a]) => [name, [...a.shape]])),
    params: instance.params,
    truth: instance.truth,
  };
}

/**
 * Truths, input shapes and params of every instance of a dataset's split, for the floor references: computed once
 * per (task, dataset version, split) and process, from `generate` (the runner passes its own instance cache, so
 * nothing is generated twice).
 */
export function splitTruths(
  dataset: DatasetDefinition,
  split: Split,
  generate: (index: number) => Instance = (index) => generateInstance(dataset, split, index),
): readonly SplitTruth[] {
  const cacheKey = `${datasetKey(dataset)}@${dataset.version}/${split}`;
  let truths = splitTruthCache.get(cacheKey);
  if (!truths) {
    truths = Array.from({ length: dataset.sizes[split] }, (_, i) => splitTruthOf(generate(i)));
    splitTruthCache.set(cacheKey, truths);
    if (splitTruthCache.size > SPLIT_TRUTH_CACHE_SIZE) splitTruthCache.delete(splitTruthCache.keys().next().value as string);
  }
  return truths;
}

/** The split truths of the dataset and split an instance belongs to (from its key). */
export function splitTruthsOf(task: TaskDefinition, instance: Instance): readonly SplitTruth[] {
  const { dataset, split } = datasetOfKey(task, instance.key);
  return splitTruths(dataset, split);
}

/**
 * External methods enforce their own wall-clock limit and kill their process tree at it; for them the runner's
 * deadline is only a backstop, later than theirs, so it never gives up on a process that is still running.
 */
const EXTERNAL_GRACE_MS = 30_000;

async function runMethod(
  method: MethodDefinition,
  task: TaskDefinition,
  instance: Instance,
  timeoutMs: number,
  report: (usage: MethodUsage) => void,
  seed?: number,
  gpu?: GpuAssignment,
) {
  const context: MethodContext = {
    ...methodContext(method, task, instance, seed === undefined ? {} : { seed }),
    report,
    ...(gpu ? { gpu } : {}),
  };
  const limit = method.kind === "external" ? timeoutMs + EXTERNAL_GRACE_MS : timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), limit);
  });
  try {
    return await Promise.race([method.run(context), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Seed of draw `draw` of a method that declares `draws` (random): draw 0 is the method's usual seed, so a single
 * draw is exactly what a port of the method computes from task.json's seed.
 */
export function drawSeed(instance: Instance, methodId: string, draw: number): number {
  return draw === 0 ? methodSeed(instance, methodId) : seedFrom("method", methodId, instance.key, instance.seed, "draw", draw);
}

/**
 * Run one method on one instance; never throws for method failures (they become outcomes). A method that declares
 * `draws` (random) runs that many times with different seeds; the instance's score and metrics are their means
 * (the first failed draw, if any, is the outcome).
 */
export async function evaluateInstance(
  method: MethodDefinition,
  task: TaskDefinition,
  instance: Instance,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  options: { gpu?: GpuAssignment } = {},
): Promise<InstanceOutcome> {
  const draws = Math.max(1, Math.floor(method.draws ?? 1));
  if (draws === 1) return evaluateOnce(method, task, instance, timeoutMs, undefined, options.gpu);
  const outcomes: InstanceOutcome[] = [];
  for (let d = 0; d < draws; d++) {
    const o = await evaluateOnce(method, task, instance, timeoutMs, drawSeed(instance, method.id, d));
    if (o.status !== "ok") return { ...o, message: `draw ${d + 1} of ${draws}: ${o.message}` };
    outcomes.push(o);
  }
  const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const metrics: Record<string, number> = {};
  for (const id of Object.keys(outcomes[0]?.metrics ?? {})) {
    const vs = outcomes.map((o) => o.metrics?.[id]).filter((v): v is number => typeof v === "number");
    if (vs.length === outcomes.length) metrics[id] = avg(vs);
  }
  return {
    status: "ok",
    score: avg(outcomes.map((o) => o.score as number)),
    metrics,
    message: null,
    log: null,
    wallMs: outcomes.reduce((s, o) => s + o.wallMs, 0),
    cpuMs: outcomes.reduce((s, o) => s + o.cpuMs, 0),
  };
}

async function evaluateOnce(
  method: MethodDefinition,
  task: TaskDefinition,
  instance: Instance,
  timeoutMs: number,
  seed?: number,
  gpu?: GpuAssignment,
): Promise<InstanceOutcome> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // What an out-of-process method measured about its own process tree replaces the in-process measurement.
  let usage: MethodUsage | undefined;
  const finish = (o: Omit<InstanceOutcome, "wallMs" | "cpuMs">): InstanceOutcome => {
    const cpu = process.cpuUsage(cpu0);
    const outcome: InstanceOutcome = { ...o, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
    if (usage?.cpuMs !== undefined) outcome.cpuMs = usage.cpuMs;
    if (usage?.peakRssMb !== undefined) outcome.peakRssMb = usage.peakRssMb;
    if (outcome.log === null && usage?.log !== undefined) outcome.log = usage.log;
    if (usage?.gpu) outcome.gpu = usage.gpu;
    return outcome;
  };
  let outputs: unknown;
  try {
    outputs = await runMethod(
      method,
      task,
      instance,
      timeoutMs,
      (u) => {
        usage = u;
      },
      seed,
      gpu,
    );
  } catch (error) {
    if (error instanceof MethodFailure) {
      return finish({ status: error.outcome, score: null, metrics: null, message: error.message.slice(0, 4000), log: error.log ?? null });
    }
    if (error instanceof TimeoutError) {
      return finish({
        status: "timeout",
        score: null,
        metrics: null,
        message: `timed out after the limit of ${timeoutMs / 1000} s`,
        log: null,
      });
    }
    const e = error instanceof Error ? error : new Error(String(error));
    return finish({
      status: "error",
      score: null,
      metrics: null,
      message: `${e.name}: ${e.message}`.slice(0, 2000),
      log: (e.stack ?? "").slice(-65536),
    });
  }
  // Synchronous compute cannot be interrupted in-process; a run that overran still counts as a timeout.
  // (External methods are killed at their own limit by the sandbox: a result means they finished within it.)
  if (method.kind !== "external" && performance.now() - t0 > timeoutMs) {
    return finish({ status: "timeout", score: null, metrics: null, message: `ran past the limit of ${timeoutMs / 1000} s`, log: null });
  }
  const validation = validateOutputs(task, instance, outputs);
  if (!validation.ok) return finish({ status: "invalid-output", score: null, metrics: null, message: validation.message, log: null });
  try {
    const scored = task.score(instance, outputs as Parameters<TaskDefinition["score"]>[1]);
    return finish({ status: "ok", score: scored.main, metrics: scored.metrics, message: null, log: null });
  } catch (error) {
    return finish({
      status: "error",
      score: null,
      metrics: null,
      message: `scoring failed: ${(error as Error).message}`,
      log: (error as Error).stack ?? null,
    });
  }
}

export interface SuiteReport {
  results: SuiteResult[];
  backend: string;
  wallMs: number;
}

/** Say which datasets of the selected tasks the suite skips because they cannot be generated here. */
export function reportUnavailable(tasks?: string[]): void {
  for (const d of listDatasets().filter((x) => !tasks?.length || tasks.includes(x.task))) {
    const reason = d.unavailable?.();
    if (reason) process.stderr.write(`skipping ${d.task}/${d.slug}: ${reason}\n`);
  }
}

export interface PendingRun {
  planned: PlannedRun;
  runId: number | null;
  /** Instances that already have a result to keep (resume). */
  done: Set<number>;
}

/**
 * What a plan still has to do: finished runs are skipped (unless failed and `retryFailed`), interrupted
 * ones resume after their finished instances.
 */
export async function pendingRuns(db: Db, plan: PlannedRun[], reg: Registered, split: Split, retryFailed = false) {
  const pending: PendingRun[] = [];
  const skippedRunIds: number[] = [];
  for (const planned of plan) {
    const existing = await db.run.findUnique({
      where: { methodVersionId_taskVersionId_datasetVersionId_split: runKey(planned, reg, split) },
      include: { results: { select: { index: true, status: true } } },
    });
    if (existing && isTerminal(toStatus(existing.status)) && !(retryFailed && existing.status !== "ok")) {
      skippedRunIds.push(existing.id);
      continue;
    }
    // Resume: keep finished ok instances; failed ones are retried with the run.
    const done = new Set((existing?.results ?? []).filter((r) => r.status === "ok" || !retryFailed).map((r) => r.index));
    pending.push({ planned, runId: existing?.id ?? null, done });
  }
  const totalInstances = pending.reduce((s, p) => s + p.planned.dataset.sizes[split] - p.done.size, 0);
  return { pending, skippedRunIds, totalInstances };
}

export async function runSuite(db: Db, options: SuiteOptions, registered?: Registered): Promise<SuiteReport> {
  const started = performance.now();
  const plan = planRuns(options);
  if (options.progress !== false && !options.datasets?.length) reportUnavailable(options.tasks);
  const reg = registered ?? (await registerAll(db));
  for (const method of options.extraMethods ?? []) reg.methodVersionId.set(method.id, await registerMethod(db, method));
  const { backend, adapter } = await initTf();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const jobs = options.jobs ?? os.cpus().length;
  const split = options.split;

  // Work out what is left before starting, so the progress bar knows its total.
  const { pending, skippedRunIds, totalInstances } = await pendingRuns(db, plan, reg, split, options.retryFailed);
  const bar = options.progressSink ?? new ProgressBar(`suite (${split})`, totalInstances, process.stderr, options.progress !== false);
  const machine = { backend, hardware: hardware(adapter) };
  const ranIds: number[] = [];
  // Every method of a dataset sees the same instances: generate each once (the plan is grouped by
  // dataset, so holding one dataset's split at a time bounds the memory).
  const instances = options.instances ?? new InstanceCache({ keep: "split" });

  for (const { planned, runId, done } of pending) {
    const { task, dataset, method } = planned;
    const size = dataset.sizes[split];
    const key = runKey(planned, reg, split);
    const runFields = {
      status: "running" as const,
      message: null,
      ...runProvenance(planned, split, machine),
      startedAt: new Date(),
      finishedAt: null,
    };
    const run = runId
      ? await db.run.update({ where: { id: runId }, data: runFields })
      : await db.run.upsert({
          where: { methodVersionId_taskVersionId_datasetVersionId_split: key },
          create: { ...key, ...runFields },
          update: runFields,
        });
    ranIds.push(run.id);

    // The floor references read the whole split's truths: take them from the instances generated here.
    if (method.readsSplitTruths) splitTruths(dataset, split, (index) => instances.get(dataset, split, index));
    const runInstance = async (index: number) => {
      bar.update(`${method.id} · ${dataset.slug} #${index + 1}/${size}`);
      const instance = instances.get(dataset, split, index);
      const outcome = await evaluateInstance(method, task, instance, timeoutMs);
      const data = instanceResultFields(instance, outcome);
      await db.instanceResult.upsert({
        where: { runId_index: { runId: run.id, index } },
        create: { runId: run.id, index, ...data },
        update: data,
      });
      // The run's progress for the site, at most every 2 s (finalizeRun writes the final count): one write per instance
      // would double the suite's database round trips, and cheap instances take well under a millisecond.
      instancesDone++;
      if (performance.now() - progressWrittenAt >= PROGRESS_WRITE_MS) {
        progressWrittenAt = performance.now();
        await db.run.update({ where: { id: run.id }, data: { instancesDone } });
      }
      bar.tick(`${method.id} · ${dataset.slug} #${index + 1}/${size}`);
    };
    let instancesDone = done.size;
    let progressWrittenAt = performance.now();
    const todo = Array.from({ length: size }, (_, i) => i).filter((i) => !done.has(i));
    // External processes run side by side; in-process methods share this thread, so one at a time.
    const workers = method.concurrent ? Math.max(1, Math.min(jobs, todo.length)) : 1;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let next = todo.shift(); next !== undefined; next = todo.shift()) await runInstance(next);
      }),
    );
    await finalizeRun(db, run.id, task);
  }
  bar.finish();
  const rows = await loadResults(db, { runIds: [...skippedRunIds, ...ranIds] });
  const skipped = new Set(skippedRunIds);
  const order = new Map(plan.map((p, i) => [`${p.method.id}|${p.task.id}|${p.dataset.slug}`, i]));
  const results = rows
    .map((r) => ({ ...r, skipped: skipped.has(r.runId) }))
    .sort((a, b) => (order.get(`${a.method}|${a.task}|${a.dataset}`) ?? 0) - (order.get(`${b.method}|${b.task}|${b.dataset}`) ?? 0));
  return { results, backend, wallMs: performance.now() - started };
}
