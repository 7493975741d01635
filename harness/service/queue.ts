// The evaluation queue: pg-boss (PostgreSQL, SKIP LOCKED) in its own schema `pgboss` of the results database, so
// anything that reaches the database can enqueue or work. Two queues: `cajal-plan` (one job per submission: a
// worker validates the method and enqueues its instances) and `cajal-instance` (one job per run instance), plus
// `cajal-instance-gpu` for the instances of methods that ask for a GPU (PROTOCOL 1.1): only a worker's GPU slots
// (`cajal worker --gpus`, one per device) poll it, so CPU-only workers never claim them.
// A job held by a worker that died is failed by pg-boss's maintenance once its expiry passes and retried by
// another worker; results are keyed (run, index), so a retried job never records a second result.
import PgBoss from "pg-boss";
import { z } from "zod";

export const PLAN_QUEUE = "cajal-plan";
export const INSTANCE_QUEUE = "cajal-instance";
/** Instances of methods that ask for a GPU; claimed only by GPU slots. */
export const GPU_INSTANCE_QUEUE = "cajal-instance-gpu";
/** Jobs that do nothing but travel through the queue (bench/queue.ts measures the queue's own cost with them). */
export const NOOP_QUEUE = "cajal-noop";
const QUEUES = [PLAN_QUEUE, INSTANCE_QUEUE, GPU_INSTANCE_QUEUE, NOOP_QUEUE] as const;

export const planJobSchema = z.object({ submissionId: z.number().int().positive() });
export const instanceJobSchema = z.object({ runId: z.number().int().positive(), index: z.number().int().nonnegative() });
export const noopJobSchema = z.object({ n: z.number().int().nonnegative() });
export type PlanJob = z.infer<typeof planJobSchema>;
export type InstanceJob = z.infer<typeof instanceJobSchema>;

/** How often workers' pg-boss instances look for expired jobs (CAJAL_QUEUE_MAINTENANCE_SECONDS, default 30). */
export interface QueueOptions {
  /** false: send and fetch only (the site); true: also expire and retry jobs of dead workers (workers). */
  supervise?: boolean;
  maintenanceSeconds?: number;
  /** Connections in pg-boss's pool. */
  poolSize?: number;
}

export function queueEnv(env: Record<string, string | undefined> = process.env) {
  return z
    .object({
      CAJAL_QUEUE_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
      /** Seconds a job may run past its method's wall-clock limit before it counts as abandoned. */
      CAJAL_JOB_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
      CAJAL_JOB_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
      /** How long an idle worker waits before asking the queue again. */
      CAJAL_WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    })
    .parse(env);
}
export type QueueEnv = ReturnType<typeof queueEnv>;

export async function openQueue(url: string, options: QueueOptions = {}): Promise<PgBoss> {
  const env = queueEnv();
  const boss = new PgBoss({
    connectionString: url,
    max: options.poolSize ?? 4,
    supervise: options.supervise ?? false,
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? env.CAJAL_QUEUE_MAINTENANCE_SECONDS,
    // Finished jobs stay visible a week (queue history), then pg-boss deletes them.
    deleteAfterDays: 7,
  });
  // pg-boss reports background errors (maintenance, a lost connection) as events; unhandled they would crash the process.
  boss.on("error", (error: Error) => process.stderr.write(`cajal queue: ${error.message}\n`));
  await boss.start();
  for (const name of QUEUES) await boss.createQueue(name, { name, retryLimit: env.CAJAL_JOB_RETRIES, retryDelay: 5 });
  return boss;
}

/** A pg-boss `db` that runs its statements on a pg client inside the caller's transaction. */
export function onClient(client: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: (await client.query(text, values)).rows }) };
}

export type { PgBoss };
