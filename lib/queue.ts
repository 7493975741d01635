// The /queue page's data (server only): the submission service's jobs (harness/service/queue.ts, pg-boss in the
// schema `pgboss` of the results database) that wait or run, across all submissions. A job held past its limit is
// "stuck": its worker died or hangs, and pg-boss's maintenance (run by live workers) has not failed it yet; it is
// never shown as running. Ages are measured on the database's clock, the one pg-boss's expiry uses.
import type { Db } from "@/harness/db/client.ts";
import { toStatus } from "@/harness/results.ts";
import { GPU_INSTANCE_QUEUE, INSTANCE_QUEUE, instanceJobSchema, PLAN_QUEUE, planJobSchema } from "@/harness/service/queue.ts";

if (typeof window !== "undefined") throw new Error("lib/queue.ts is server-only");

/** Jobs listed at most; the counts cover every job. */
export const QUEUE_JOBS_SHOWN = 500;

export type QueueJobState = "waiting" | "running" | "stuck";

export interface QueueJob {
  id: string;
  /** plan: validate a submission and queue its runs; instance: score one instance of a run. */
  kind: "plan" | "instance";
  /** An instance of a method that asks for a GPU: only a worker's GPU slots (`cajal worker --gpus`) take it. */
  gpu: boolean;
  state: QueueJobState;
  /** Waiting again after a failed attempt (pg-boss's retry state). */
  retry: boolean;
  /** Waiting: since the job was queued; running or stuck: since its current attempt started. */
  ageMs: number;
  /** How long an attempt may hold the job: the method's wall-clock limit plus the grace (CAJAL_JOB_GRACE_SECONDS). */
  limitMs: number;
  /** Stuck jobs: how far past the limit. */
  overMs: number | null;
  /** Attempts started so far (the current one included), of at most `maxAttempts`. */
  attempts: number;
  maxAttempts: number;
  createdAt: string;
  startedAt: string | null;
  /** The submissions the job works for (a reference run can serve several). */
  submissionIds: number[];
  method: { id: string; version: string } | null;
  task: string | null;
  dataset: string | null;
  split: string | null;
  runId: number | null;
  instanceIndex: number | null;
  /** The run's status as the results database has it (instance jobs). */
  runStatus: string | null;
}

export interface QueueView {
  /** False when no queue exists yet (no submission service has started on this database). */
  available: boolean;
  generatedAt: string;
  counts: Record<QueueJobState, number>;
  /** Stuck first, then running (longest first), then waiting (oldest first); at most QUEUE_JOBS_SHOWN. */
  jobs: QueueJob[];
}

interface JobRow {
  id: string;
  name: string;
  data: unknown;
  state: string;
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  started_on: Date | null;
  age_ms: number;
  limit_ms: number;
  over_ms: number | null;
}

// pg-boss's job states: created and retry wait for a worker, active is held by one (harness/service/queue.ts).
const JOB_COLUMNS = `
  id::text, name, data, state::text, retry_count, retry_limit, created_on, started_on,
  (EXTRACT(epoch FROM now() - CASE WHEN state = 'active' THEN started_on ELSE created_on END) * 1000)::float8 AS age_ms,
  (EXTRACT(epoch FROM expire_in) * 1000)::float8 AS limit_ms,
  CASE WHEN state = 'active' AND started_on + expire_in < now()
       THEN (EXTRACT(epoch FROM now() - (started_on + expire_in)) * 1000)::float8 END AS over_ms`;

export async function loadQueue(db: Db): Promise<QueueView> {
  const generatedAt = new Date().toISOString();
  const [exists] = await db.$queryRawUnsafe<{ job: string | null }[]>(`SELECT to_regclass('pgboss.job')::text AS job`);
  if (!exists?.job) return { available: false, generatedAt, counts: { waiting: 0, running: 0, stuck: 0 }, jobs: [] };
  const queues = [PLAN_QUEUE, INSTANCE_QUEUE, GPU_INSTANCE_QUEUE];
  const [counted, rows] = await Promise.all([
    db.$queryRawUnsafe<{ state: QueueJobState; n: number }[]>(
      `SELECT CASE WHEN state IN ('created', 'retry') THEN 'waiting'
                   WHEN started_on + expire_in < now() THEN 'stuck' ELSE 'running' END AS state, count(*)::int AS n
       FROM pgboss.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active') GROUP BY 1`,
      queues,
    ),
    db.$queryRawUnsafe<JobRow[]>(
      `SELECT ${JOB_COLUMNS} FROM pgboss.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active')
       ORDER BY (state = 'active' AND started_on + expire_in < now()) DESC, (state = 'active') DESC,
                CASE WHEN state = 'active' THEN started_on ELSE created_on END, id
       LIMIT ${QUEUE_JOBS_SHOWN}`,
      queues,
    ),
  ]);
  const counts: Record<QueueJobState, number> = { waiting: 0, running: 0, stuck: 0 };
  for (const c of counted) counts[c.state] = c.n;
  return { available: true, generatedAt, counts, jobs: await describeJobs(db, rows) };
}

/** What each job works on: its submission (plan jobs), or its run's method, task, dataset and submissions. */
async function describeJobs(db: Db, rows: JobRow[]): Promise<QueueJob[]> {
  const plans = new Map<string, number>();
  const instances = new Map<string, { runId: number; index: number }>();
  for (const row of rows) {
    if (row.name === PLAN_QUEUE) {
      const parsed = planJobSchema.safeParse(row.data);
      if (parsed.success) plans.set(row.id, parsed.data.submissionId);
    } else {
      const parsed = instanceJobSchema.safeParse(row.data);
      if (parsed.success) instances.set(row.id, parsed.data);
    }
  }
  const runIds = [...new Set([...instances.values()].map((i) => i.runId))];
  const [submissions, runs] = await Promise.all([
    db.submission.findMany({ where: { id: { in: [...plans.values()] } }, select: { id: true, methodId: true, version: true } }),
    db.run.findMany({
      where: { id: { in: runIds } },
      select: {
        id: true,
        split: true,
        status: true,
        methodVersion: { select: { methodId: true, version: true } },
        taskVersion: { select: { taskId: true } },
        datasetVersion: { select: { dataset: { select: { slug: true } } } },
        submissions: { select: { submissionId: true }, orderBy: { submissionId: "asc" } },
      },
    }),
  ]);
  const submissionOf = new Map(submissions.map((s) => [s.id, s]));
  const runOf = new Map(runs.map((r) => [r.id, r]));
  return rows.map((row) => {
    const state: QueueJobState = row.state !== "active" ? "waiting" : row.over_ms !== null ? "stuck" : "running";
    const base = {
      id: row.id,
      kind: row.name === PLAN_QUEUE ? ("plan" as const) : ("instance" as const),
      gpu: row.name === GPU_INSTANCE_QUEUE,
      state,
      retry: row.state === "retry",
      ageMs: Math.max(0, row.age_ms),
      limitMs: row.limit_ms,
      overMs: row.over_ms,
      attempts: row.started_on === null ? 0 : row.retry_count + 1,
      maxAttempts: row.retry_limit + 1,
      createdAt: row.created_on.toISOString(),
      startedAt: row.started_on?.toISOString() ?? null,
    };
    const submissionId = plans.get(row.id);
    if (submissionId !== undefined) {
      const s = submissionOf.get(submissionId);
      return {
        ...base,
        submissionIds: [submissionId],
        method: s ? { id: s.methodId, version: s.version } : null,
        task: null,
        dataset: null,
        split: null,
        runId: null,
        instanceIndex: null,
        runStatus: null,
      };
    }
    const instance = instances.get(row.id);
    const run = instance ? runOf.get(instance.runId) : undefined;
    return {
      ...base,
      submissionIds: run?.submissions.map((s) => s.submissionId) ?? [],
      method: run ? { id: run.methodVersion.methodId, version: run.methodVersion.version } : null,
      task: run?.taskVersion.taskId ?? null,
      dataset: run?.datasetVersion.dataset.slug ?? null,
      split: run?.split ?? null,
      runId: instance?.runId ?? null,
      instanceIndex: instance?.index ?? null,
      runStatus: run ? toStatus(run.status) : null,
    };
  });
}
