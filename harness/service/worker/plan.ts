// A plan job: turns a submission into runs (its method and the references its normalized scores need, on the
// official and private splits of every dataset of its tasks this worker scores) and one instance job per instance
// without a result. Repeating it (a retry after its worker died) finds the runs and results it made and adds nothing.
import path from "node:path";
import { gpusRequested, ManifestError } from "../../external/manifest.ts";
import { loadExternalMethod } from "../../external/method.ts";
import { registerMethod } from "../../register.ts";
import { listDatasets } from "../../registry.ts";
import { isTerminal, toStatus } from "../../results.ts";
import { runKey, runProvenance } from "../../run-records.ts";
import { DEFAULT_TIMEOUT_MS, type PlannedRun, planRuns } from "../../runner.ts";
import type { MethodDefinition, Split } from "../../types.ts";
import { extractArchive } from "../archive.ts";
import { GPU_INSTANCE_QUEUE, INSTANCE_QUEUE, type InstanceJob } from "../queue.ts";
import { settleSubmissions } from "../runs.ts";
import { externalMethodOptions, failSubmission, type WorkerContext } from "./context.ts";

/** The private split is scored by workers only; its seeds come from a secret that never leaves the servers. */
export const SPLITS_SCORED: readonly Split[] = ["official", "private"];

/** How long an instance job may be held before it counts as abandoned: the method's own limit plus a grace. */
function expireSeconds(ctx: WorkerContext, method: MethodDefinition): number {
  const limit = "limits" in method ? (method as { limits: { timeoutSeconds: number } }).limits.timeoutSeconds : DEFAULT_TIMEOUT_MS / 1000;
  return Math.ceil(limit + ctx.env.CAJAL_JOB_GRACE_SECONDS);
}

/** The queue of a method's instance jobs: the GPU queue (only GPU slots poll it) for a method that asks for a GPU. */
export function instanceQueueFor(method: MethodDefinition): typeof INSTANCE_QUEUE | typeof GPU_INSTANCE_QUEUE {
  const manifest = "manifest" in method ? (method as { manifest: Parameters<typeof gpusRequested>[0] }).manifest : null;
  return manifest && gpusRequested(manifest) > 0 ? GPU_INSTANCE_QUEUE : INSTANCE_QUEUE;
}

async function findOrCreateRun(ctx: WorkerContext, planned: PlannedRun, split: Split, methodVersionId: number | undefined) {
  const key = runKey(planned, ctx.registered, split, methodVersionId);
  const where = { methodVersionId_taskVersionId_datasetVersionId_split: key };
  const found = await ctx.db.run.findUnique({ where });
  if (found) return found;
  try {
    return await ctx.db.run.create({ data: { ...key, status: "queued", ...runProvenance(planned, split, ctx.machine) } });
  } catch (error) {
    // Another worker planned the same run (a reference shared by two submissions) a moment earlier.
    if ((error as { code?: string }).code === "P2002") return ctx.db.run.findUniqueOrThrow({ where });
    throw error;
  }
}

export async function planSubmission(ctx: WorkerContext, submissionId: number): Promise<void> {
  const { db } = ctx;
  const s = await db.submission.findUnique({ where: { id: submissionId }, select: { status: true, archive: true, methodId: true } });
  if (!s || s.status === "finished" || s.status === "failed") return;
  const dir = path.join(ctx.work, `submission-${submissionId}`);
  let method: MethodDefinition;
  try {
    await extractArchive(s.archive, dir);
    method = await loadExternalMethod(dir, externalMethodOptions(ctx));
  } catch (error) {
    if (error instanceof ManifestError) return failSubmission(ctx, submissionId, `method.json: ${error.problems.join("; ")}`);
    // Anything else (a missing sandbox included) is this machine's problem: another worker may take the job.
    throw error;
  }
  const planned: { run: PlannedRun; split: Split }[] = [];
  for (const split of SPLITS_SCORED) {
    for (const run of planRuns({ tasks: method.tasks, methods: [method.id], split, extraMethods: [method] })) {
      if (ctx.inScope(run.dataset)) planned.push({ run, split });
    }
  }
  if (!planned.some((p) => p.run.method === method)) {
    const scored = listDatasets()
      .filter((d) => method.tasks.includes(d.task) && ctx.inScope(d) && !d.unavailable?.())
      .map((d) => d.slug);
    return failSubmission(
      ctx,
      submissionId,
      `none of the method's tasks (${method.tasks.join(", ")}) has a dataset this server scores${scored.length ? "" : " (none available)"}`,
    );
  }
  const methodVersionId = await registerMethod(db, method);
  ctx.methods.set(methodVersionId, Promise.resolve(method));
  const runs = [];
  for (const { run, split } of planned) {
    // References are registered once per database; the submission's method has its own version.
    runs.push({ planned: run, row: await findOrCreateRun(ctx, run, split, run.method === method ? methodVersionId : undefined) });
  }
  await db.submissionRun.createMany({ data: runs.map((r) => ({ submissionId, runId: r.row.id })), skipDuplicates: true });
  // Running before its jobs exist: the worker that ends the last run settles the submission.
  await db.submission.update({
    where: { id: submissionId },
    data: { status: "running", methodVersionId, startedAt: new Date(), message: null },
  });
  let enqueued = 0;
  for (const { planned: p, row } of runs) {
    if (isTerminal(toStatus(row.status))) continue;
    const done = new Set((await db.instanceResult.findMany({ where: { runId: row.id }, select: { index: true } })).map((r) => r.index));
    const jobs = Array.from({ length: row.instances }, (_, index) => index)
      .filter((index) => !done.has(index))
      .map((index) => ({
        name: instanceQueueFor(p.method),
        data: { runId: row.id, index } satisfies InstanceJob,
        expireInSeconds: expireSeconds(ctx, p.method),
        retryLimit: ctx.env.CAJAL_JOB_RETRIES,
        retryDelay: 5,
      }));
    if (jobs.length) await ctx.boss.insert(jobs);
    enqueued += jobs.length;
  }
  ctx.say(`submission ${submissionId} (${method.id} v${method.version}): ${runs.length} runs, ${enqueued} instance jobs queued`);
  for (const { row } of runs) await settleSubmissions(db, row.id);
}
