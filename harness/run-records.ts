// The rows a run writes, shared by the in-process runner (runner.ts) and the queue workers (service/worker/): the
// Run row's key and provenance, the InstanceResult columns of one evaluated instance, and the run's final status,
// score and CI. Both write the same columns from the same code, so a run reads the same whoever scored it.
import type { Db } from "./db/client.ts";
import type { GpuUsage } from "./gpu.ts";
import { hashInputs } from "./ndarray.ts";
import { gitSha, HARNESS_VERSION, type hardware, peakRssMb } from "./provenance.ts";
import { datasetKey, type Registered } from "./register.ts";
import { toDbStatus, toStatus } from "./results.ts";
import { seedFrom } from "./rng.ts";
import { summarize } from "./scoring.ts";
import type { DatasetDefinition, Instance, MethodDefinition, Outcome, Split, TaskDefinition } from "./types.ts";

/** One (task, dataset, method) combination, as a plan lists it. */
export interface RunTarget {
  task: TaskDefinition;
  dataset: DatasetDefinition;
  method: MethodDefinition;
}

/** What one method did on one instance (runner.ts's `evaluateInstance`). */
export interface InstanceOutcome {
  status: Outcome;
  score: number | null;
  metrics: Record<string, number> | null;
  message: string | null;
  log: string | null;
  wallMs: number;
  cpuMs: number;
  /** Peak memory of the method's own process tree, when it reported one (external methods). */
  peakRssMb?: number;
  /** What its GPU did, when the method had one (PROTOCOL 1.1). */
  gpu?: GpuUsage;
}

/** The machine a run is scored on, recorded on its Run row. */
export interface RunMachine {
  /** The TensorFlow.js backend in use (initTf). */
  backend: string;
  hardware: ReturnType<typeof hardware>;
}

/**
 * The unique key of a run's row. `methodVersionId` defaults to the registered version of the method's id; a worker
 * passes a submission's own version (two versions of one submitted method id can be planned at once).
 */
export function runKey(
  { task, dataset, method }: RunTarget,
  registered: Registered,
  split: Split,
  methodVersionId = registered.methodVersionId.get(method.id) as number,
) {
  return {
    methodVersionId,
    taskVersionId: registered.taskVersionId.get(task.id) as number,
    datasetVersionId: registered.datasetVersionId.get(datasetKey(dataset)) as number,
    split,
  };
}

/** The Run columns that say how a run was produced: size, seed, harness version and commit, machine, deviations. */
export function runProvenance({ dataset, method }: RunTarget, split: Split, machine: RunMachine) {
  return {
    instances: dataset.sizes[split],
    seed: seedFrom(dataset.task, dataset.slug, dataset.version, split),
    harnessVersion: HARNESS_VERSION,
    gitSha: gitSha(),
    backend: machine.backend,
    hardware: machine.hardware,
    notes: method.notes ?? [],
  };
}

/** The InstanceResult columns of one evaluated instance. */
export function instanceResultFields(instance: Instance, outcome: InstanceOutcome) {
  return {
    instanceKey: instance.key,
    seed: instance.seed,
    inputHash: hashInputs(instance),
    status: toDbStatus(outcome.status),
    score: outcome.score,
    metrics: outcome.metrics ?? undefined,
    message: outcome.message,
    log: outcome.log,
    wallMs: outcome.wallMs,
    cpuMs: outcome.cpuMs,
    // In-process methods report no peak of their own: the harness process's peak stands in.
    peakRssMb: outcome.peakRssMb ?? peakRssMb(),
    // Null for CPU-only instances: the hardware class of a result is "CPU-only" exactly when gpuModel is null.
    gpuModel: outcome.gpu?.gpuModel ?? null,
    gpuDriver: outcome.gpu?.gpuDriver ?? null,
    cudaVersion: outcome.gpu?.cudaVersion ?? null,
    gpuBusyMs: outcome.gpu?.gpuBusyMs ?? null,
    gpuPeakMemMb: outcome.gpu?.gpuPeakMemMb ?? null,
  };
}

/** A run's GPU columns from its instances: the model (and driver, CUDA) of the first that had one, busy time summed, peak the largest. */
export function runGpuFields(
  results: readonly {
    gpuModel: string | null;
    gpuDriver: string | null;
    cudaVersion: string | null;
    gpuBusyMs: number | null;
    gpuPeakMemMb: number | null;
  }[],
) {
  const withGpu = results.filter((r) => r.gpuModel !== null);
  const first = withGpu[0];
  if (!first) return { gpuModel: null, gpuDriver: null, cudaVersion: null, gpuBusyMs: null, gpuPeakMemMb: null };
  return {
    gpuModel: first.gpuModel,
    gpuDriver: first.gpuDriver,
    cudaVersion: first.cudaVersion,
    gpuBusyMs: withGpu.reduce((s, r) => s + (r.gpuBusyMs ?? 0), 0),
    gpuPeakMemMb: Math.max(0, ...withGpu.map((r) => r.gpuPeakMemMb ?? 0)),
  };
}

/** The failed outcome that names a failed run, most serious first. */
const OUTCOME_PRIORITY: Outcome[] = ["error", "timeout", "invalid-output"];

/** Aggregate a run's instances into its status, score and CI. */
export async function finalizeRun(db: Db, runId: number, task: TaskDefinition): Promise<void> {
  const results = await db.instanceResult.findMany({ where: { runId }, orderBy: { index: "asc" } });
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  const wallMs = results.reduce((s, r) => s + r.wallMs, 0);
  const cpuMs = results.reduce((s, r) => s + r.cpuMs, 0);
  const peak = Math.max(0, ...results.map((r) => r.peakRssMb ?? 0));
  const failed = results.filter((r) => r.status !== "ok");
  const base = { wallMs, cpuMs, peakRssMb: peak, ...runGpuFields(results), finishedAt: new Date(), instancesDone: results.length };
  if (results.length < run.instances) {
    await db.run.update({
      where: { id: runId },
      data: { ...base, status: "error", message: `only ${results.length} of ${run.instances} instances have results` },
    });
    return;
  }
  if (failed.length > 0) {
    const statuses = failed.map((r) => toStatus(r.status) as Outcome);
    const status = OUTCOME_PRIORITY.find((s) => statuses.includes(s)) ?? "error";
    const counts = OUTCOME_PRIORITY.map((s) => [s, statuses.filter((x) => x === s).length] as const).filter(([, c]) => c > 0);
    const first = failed[0];
    const message = `${failed.length} of ${results.length} instances failed (${counts.map(([s, c]) => `${c} ${s}`).join(", ")}); first: ${first?.instanceKey}: ${first?.message}`;
    // No score for a failed run: failure is never encoded as a number.
    await db.run.update({
      where: { id: runId },
      data: {
        ...base,
        status: toDbStatus(status),
        message: message.slice(0, 4000),
        score: null,
        ciLow: null,
        ciHigh: null,
        metrics: undefined,
      },
    });
    return;
  }
  const values = results.map((r) => r.score as number);
  const summary = summarize(values);
  const metrics: Record<string, number> = {};
  for (const m of task.metrics) {
    const vs = results.map((r) => (r.metrics as Record<string, number> | null)?.[m.id]).filter((v): v is number => typeof v === "number");
    if (vs.length) metrics[m.id] = vs.reduce((a, b) => a + b, 0) / vs.length;
  }
  await db.run.update({ where: { id: runId }, data: { ...base, status: "ok", message: null, ...summary, metrics } });
}
