// What the jobs of one worker share (its connections, what it registered, its per-process caches) and the two
// ways a job ends for good without a result: its submission or its run fails, with the reason stored for the
// submission page.
import type { Db } from "../../db/client.ts";
import { GpuPool } from "../../gpu.ts";
import type { InstanceCache } from "../../instance-cache.ts";
import type { Registered } from "../../register.ts";
import type { RunMachine } from "../../run-records.ts";
import type { DatasetDefinition, MethodDefinition, TaskDefinition } from "../../types.ts";
import type { PgBoss, QueueEnv } from "../queue.ts";
import { settleSubmissions } from "../runs.ts";

/** The definitions a run was planned with, as this worker has them. */
export interface ResolvedRun {
  task: TaskDefinition;
  dataset: DatasetDefinition;
  method: MethodDefinition;
}

export interface WorkerContext {
  /** host:pid, recorded on every result this worker writes. */
  name: string;
  db: Db;
  boss: PgBoss;
  env: QueueEnv;
  registered: Registered;
  /** Recorded on the runs this worker creates. */
  machine: RunMachine;
  /** false: submitted methods run without bubblewrap (recorded on their runs). */
  sandbox: boolean;
  /** Datasets this worker scores for submissions. */
  inScope(dataset: DatasetDefinition): boolean;
  /** Scratch folder for unpacked submissions, removed when the worker stops. */
  work: string;
  say(line: string): void;
  /** Submitted method versions by id, unpacked and loaded once per process. */
  methods: Map<number, Promise<MethodDefinition>>;
  /** Runs by id, resolved once per process: hashing a built-in's source on every instance would cost more than many methods. */
  resolvedRuns: Map<number, Promise<ResolvedRun>>;
  /** Methods of one dataset see the same instances. */
  instances: InstanceCache;
}

/**
 * How a worker loads submitted methods: a GPU comes only from the GPU slot that claimed the instance
 * (MethodContext.gpu), never from the machine's pool, so a GPU is never shared by two jobs.
 */
export function externalMethodOptions(ctx: Pick<WorkerContext, "sandbox">) {
  return { sandbox: ctx.sandbox, gpuPool: new GpuPool([], null, "only a worker's GPU slots run GPU instances") };
}

/** A run this worker cannot score as planned (another version here, no archive): the run fails, no retry. */
export class RunProblem extends Error {
  override name = "RunProblem";
}

export async function failSubmission(ctx: WorkerContext, id: number, message: string): Promise<void> {
  await ctx.db.submission.update({ where: { id }, data: { status: "failed", message: message.slice(0, 4000), finishedAt: new Date() } });
  ctx.say(`submission ${id} failed: ${message.split("\n")[0]}`);
}

export async function failRun(ctx: WorkerContext, runId: number, message: string): Promise<void> {
  await ctx.db.run.update({ where: { id: runId }, data: { status: "error", message: message.slice(0, 4000), finishedAt: new Date() } });
  await settleSubmissions(ctx.db, runId);
  ctx.say(`run ${runId} failed: ${message}`);
}
