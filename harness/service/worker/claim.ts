// The claim loop: each slot takes one job at a time and completes or fails it in the queue. CPU slots take plan jobs
// first (a new submission shows its runs quickly), then CPU instances; each GPU slot owns one device and takes only
// GPU instances, so a device never runs two jobs at once and CPU slots never take a GPU job. A job that fails for
// the last time fails its submission or run, so it never vanishes silently.
import type { GpuAssignment, GpuDevice } from "../../gpu.ts";
import {
  GPU_INSTANCE_QUEUE,
  INSTANCE_QUEUE,
  instanceJobSchema,
  NOOP_QUEUE,
  noopJobSchema,
  type PgBoss,
  PLAN_QUEUE,
  planJobSchema,
} from "../queue.ts";
import { failRun, failSubmission, type WorkerContext } from "./context.ts";
import { runInstanceJob } from "./instance.ts";
import { planSubmission } from "./plan.ts";

export const CPU_QUEUES = [PLAN_QUEUE, INSTANCE_QUEUE, NOOP_QUEUE] as const;
type Job = PgBoss.JobWithMetadata<unknown>;

/** One claim loop: the queues it polls, in order, and the GPU it owns (GPU slots only). */
export interface ClaimSlot {
  slot: number;
  queues: readonly string[];
  gpu?: GpuAssignment;
}

/** `cpuSlots` loops on the CPU queues, then one loop per GPU on the GPU queue, each owning its device. */
export function claimSlots(cpuSlots: number, gpus: readonly GpuDevice[], cudaVersion: string | null): ClaimSlot[] {
  const cpu = Array.from({ length: cpuSlots }, (_, i) => ({ slot: i + 1, queues: CPU_QUEUES }));
  const gpu = gpus.map((device, i) => ({ slot: cpuSlots + i + 1, queues: [GPU_INSTANCE_QUEUE], gpu: { device, cudaVersion } }));
  return [...cpu, ...gpu];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function claim(ctx: WorkerContext, queues: readonly string[]): Promise<{ queue: string; job: Job } | null> {
  for (const queue of queues) {
    const [job] = await ctx.boss.fetch<unknown>(queue, { batchSize: 1, includeMetadata: true });
    if (job) return { queue, job };
  }
  return null;
}

/** Runs one claimed job; `gpu` is the slot's device (GPU slots only). */
export type JobHandler = (ctx: WorkerContext, queue: string, job: Job, gpu?: GpuAssignment) => Promise<void>;

const handle: JobHandler = async (ctx, queue, job, gpu) => {
  if (queue === PLAN_QUEUE) return planSubmission(ctx, planJobSchema.parse(job.data).submissionId);
  if (queue === INSTANCE_QUEUE || queue === GPU_INSTANCE_QUEUE) return runInstanceJob(ctx, instanceJobSchema.parse(job.data), gpu);
  noopJobSchema.parse(job.data);
};

async function lastFailure(ctx: WorkerContext, queue: string, job: Job, error: Error): Promise<void> {
  const why = `${error.name}: ${error.message}`.split("\n")[0] as string;
  if (queue === PLAN_QUEUE) {
    const { submissionId } = planJobSchema.parse(job.data);
    await failSubmission(ctx, submissionId, `could not be planned after ${job.retryCount + 1} attempts: ${why}`);
  } else if (queue === INSTANCE_QUEUE || queue === GPU_INSTANCE_QUEUE) {
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

/** Start the slots' claim loops; each polls its queues every `pollMs` while they are empty. */
export function startClaimLoops(ctx: WorkerContext, slots: readonly ClaimSlot[], pollMs: number, handler: JobHandler = handle): ClaimLoops {
  const { say } = ctx;
  let stopping = false;
  let processed = 0;

  async function loop({ slot, queues, gpu }: ClaimSlot) {
    while (!stopping) {
      let claimed: Awaited<ReturnType<typeof claim>>;
      try {
        claimed = await claim(ctx, queues);
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
        await handler(ctx, queue, job, gpu);
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

  const done = Promise.all(slots.map(loop)).then(() => processed);
  return {
    done,
    stop() {
      stopping = true;
    },
  };
}
