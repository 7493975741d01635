// An instance job: runs one method on one instance (submitted methods in the sandbox) and records the result; the
// job that records a run's last instance finalizes the run and settles its submissions. A stored result is never
// run or recorded again (InstanceResult is unique per run and index), so a retried or duplicated job only finalizes.
import path from "node:path";
import { loadExternalMethod } from "../../external/method.ts";
import type { GpuAssignment } from "../../gpu.ts";
import { methodSourceHash } from "../../register.ts";
import { getDataset, getMethod, getTask, UsageError } from "../../registry.ts";
import { isTerminal, toStatus } from "../../results.ts";
import { finalizeRun, instanceResultFields } from "../../run-records.ts";
import { DEFAULT_TIMEOUT_MS, evaluateInstance } from "../../runner.ts";
import type { MethodDefinition, Split } from "../../types.ts";
import { extractArchive } from "../archive.ts";
import type { InstanceJob } from "../queue.ts";
import { archiveOfMethodVersion, settleSubmissions } from "../runs.ts";
import { externalMethodOptions, failRun, type ResolvedRun, RunProblem, type WorkerContext } from "./context.ts";

/** Runs resolved at once at most; older ones are resolved again if a job of theirs comes back. */
const RESOLVED_RUNS_KEPT = 256;

const loadRun = (ctx: WorkerContext, runId: number) =>
  ctx.db.run.findUnique({
    where: { id: runId },
    include: { methodVersion: { include: { method: true } }, taskVersion: true, datasetVersion: { include: { dataset: true } } },
  });
type RunRow = NonNullable<Awaited<ReturnType<typeof loadRun>>>;

/** A submitted method version, unpacked from its archive in the database and loaded (sandboxed). */
function submittedMethod(ctx: WorkerContext, methodVersionId: number): Promise<MethodDefinition> {
  let loading = ctx.methods.get(methodVersionId);
  if (!loading) {
    loading = (async () => {
      const stored = await archiveOfMethodVersion(ctx.db, methodVersionId);
      if (!stored) throw new RunProblem(`method version ${methodVersionId} has no submitted archive on this server`);
      const dir = path.join(ctx.work, `method-version-${methodVersionId}`);
      await extractArchive(stored.archive, dir);
      return loadExternalMethod(dir, externalMethodOptions(ctx));
    })();
    loading.catch(() => ctx.methods.delete(methodVersionId));
    ctx.methods.set(methodVersionId, loading);
  }
  return loading;
}

/** The definitions a run was planned with; a worker whose checkout differs says so instead of substituting. */
async function resolveRun(ctx: WorkerContext, run: RunRow): Promise<ResolvedRun> {
  const task = getTask(run.taskVersion.taskId);
  if (task.version !== run.taskVersion.version) {
    throw new RunProblem(
      `this worker has task ${task.id} v${task.version}, the run needs v${run.taskVersion.version}: run a matching Cajal version`,
    );
  }
  const dataset = getDataset(task.id, run.datasetVersion.dataset.slug);
  if (dataset.version !== run.datasetVersion.version) {
    throw new RunProblem(
      `this worker has dataset ${dataset.slug} v${dataset.version}, the run needs v${run.datasetVersion.version}: run a matching Cajal version`,
    );
  }
  const mv = run.methodVersion;
  const method = mv.method.kind === "external" ? await submittedMethod(ctx, mv.id) : getMethod(mv.methodId);
  const hash = methodSourceHash(method);
  if (method.version !== mv.version || hash !== mv.sourceHash) {
    throw new RunProblem(
      `this worker's ${mv.methodId} is v${method.version} (source ${hash.slice(0, 12)}), the run needs v${mv.version} (source ${mv.sourceHash.slice(0, 12)}): run a matching Cajal version`,
    );
  }
  return { task, dataset, method };
}

function resolveRunOnce(ctx: WorkerContext, run: RunRow): Promise<ResolvedRun> {
  let resolving = ctx.resolvedRuns.get(run.id);
  if (!resolving) {
    resolving = resolveRun(ctx, run);
    ctx.resolvedRuns.set(run.id, resolving);
    resolving.catch(() => ctx.resolvedRuns.delete(run.id));
    if (ctx.resolvedRuns.size > RESOLVED_RUNS_KEPT) ctx.resolvedRuns.delete(ctx.resolvedRuns.keys().next().value as number);
  }
  return resolving;
}

/** `gpu`: the device of the GPU slot that claimed the job (GPU queue only); methods that ask for none ignore it. */
export async function runInstanceJob(ctx: WorkerContext, { runId, index }: InstanceJob, gpu?: GpuAssignment): Promise<void> {
  const { db } = ctx;
  const run = await loadRun(ctx, runId);
  if (!run || isTerminal(toStatus(run.status))) return; // finished already (this job was a retry or a duplicate)
  let resolved: ResolvedRun;
  try {
    resolved = await resolveRunOnce(ctx, run);
  } catch (error) {
    if (error instanceof RunProblem || error instanceof UsageError) return failRun(ctx, runId, error.message);
    throw error;
  }
  const { task, dataset, method } = resolved;
  const existing = await db.instanceResult.findUnique({ where: { runId_index: { runId, index } }, select: { id: true } });
  if (!existing) {
    if (run.status === "queued") {
      await db.run.updateMany({ where: { id: runId, status: "queued" }, data: { status: "running", startedAt: new Date() } });
    }
    const instance = ctx.instances.get(dataset, run.split as Split, index);
    const outcome = await evaluateInstance(method, task, instance, DEFAULT_TIMEOUT_MS, gpu ? { gpu } : {});
    // ON CONFLICT DO NOTHING: if a retried copy of this job got here first, its result stands.
    await db.instanceResult.createMany({
      data: [{ runId, index, ...instanceResultFields(instance, outcome), worker: ctx.name }],
      skipDuplicates: true,
    });
  }
  const [{ done }] = (await db.$queryRaw<{ done: number }[]>`
    UPDATE "Run" SET "instancesDone" = GREATEST("instancesDone", (SELECT count(*)::int FROM "InstanceResult" WHERE "runId" = ${runId}))
    WHERE id = ${runId} RETURNING "instancesDone" AS done`) as [{ done: number }];
  if (done >= run.instances) {
    await finalizeRun(db, runId, task);
    await settleSubmissions(db, runId);
  }
}
