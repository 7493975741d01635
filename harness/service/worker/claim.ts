// The claim loop: each slot takes one job at a time, plan jobs first (a new submission shows its runs quickly),
// then instances, and completes or fails it in the queue. A job that fails for the last time fails its submission
// or run, so it never vanishes silently.
import { INSTANCE_QUEUE, instanceJobSchema, NOOP_QUEUE, noopJobSchema, type PgBoss, PLAN_QUEUE, planJobSchema } from "../queue.ts";
import { failRun, failSubmission, type WorkerContext } from "./context.ts";
import { runInstanceJob } from "./instance.ts";
import { planSubmission } from "./plan.ts";

const QUEUES = [PLAN_QUEUE, INSTANCE_QUEUE, NOOP_QUEUE] as const;
type Job = PgBoss.JobWithMetadata<unknown>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function claim(ctx: WorkerContext): Promise<{ queue: string; job: Job } | null> {
  for (const queue of QUEUES) {
    const [job] = await ctx.boss.fetch<unknown>(queue, { batchSize: 1, includeMetadata: true });
    if (job) return { queue, job };
  }
  return null;
}

async function handle(ctx: WorkerContext, queue: string, job: Job): Promise<void> {
  if (queue === PLAN_QUEUE) return planSubmission(ctx, planJobSchema.parse(job.data).submissionId);
  if (queue === INSTANCE_QUEUE) return runInstanceJob(ctx, instanceJobSchema.parse(job.data));
  noopJobSchema.parse(job.data);
}

async function lastFailure(ctx: WorkerContext, queue: string, job: Job, error: Error): Promise<void> {
  const why = `${error.name}: ${error.message}`.split("\n")[0] as string;
  if (queue === PLAN_QUEUE) {
    const { submissionId } = planJobSchema.parse(job.data);
    await failSubmission(ctx, submissionId, `could not be planned after ${job.retryCount + 1} attempts: ${why}`);
  } else if (queue === INSTANCE_QUEUE) {
    const { runId, index } = instanceJobSchema.parse(job.data);
    await failRun(ctx, runId, `instance ${index} could not be run after ${job.retryCount + 1} attempts: ${why}`);
  }
}

export interface ClaimLoops {
  /** Stop claiming; the jobs in hand finish. */
  stop(): void;
  /** Resolves with how many jobs were processed once every slot has stopped. */
  done: Promise<number>;
}

/** Start `slots` claim loops; each polls the queues every `pollMs` while they are empty. */
export function startClaimLoops(ctx: WorkerContext, slots: number, pollMs: number): ClaimLoops {
  const { say } = ctx;
  let stopping = false;
  let processed = 0;

  async function loop(slot: number) {
    while (!stopping) {
      let claimed: Awaited<ReturnType<typeof claim>>;
      try {
        claimed = await claim(ctx);
      } catch (error) {
        say(`cannot claim jobs: ${(error as Error).message}`);
        await sleep(pollMs);
        continue;
      }
      if (!claimed) {
        await sleep(pollMs);
        continue;
      }
      const { queue, job } = claimed;
      const what = `${queue} ${JSON.stringify(job.data)} job=${job.id} attempt=${job.retryCount + 1}`;
      if (queue !== NOOP_QUEUE) say(`slot ${slot} start ${what}`);
      const t0 = performance.now();
      try {
        await handle(ctx, queue, job);
        await ctx.boss.complete(queue, job.id);
        if (queue !== NOOP_QUEUE) say(`slot ${slot} done ${what} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        say(`slot ${slot} error ${what}: ${e.message}`);
        try {
          if (job.retryCount >= job.retryLimit) await lastFailure(ctx, queue, job, e);
          await ctx.boss.fail(queue, job.id, { message: e.message });
        } catch (inner) {
          say(`cannot record the failure: ${(inner as Error).message}`);
        }
      }
      processed++;
    }
  }

  const done = Promise.all(Array.from({ length: slots }, (_, i) => loop(i + 1))).then(() => processed);
  return {
    done,
    stop() {
      stopping = true;
    },
  };
}
