// `cajal worker`: claims jobs from the queue (queue.ts) and runs them, on any number of machines that reach the
// database. A plan job turns a submission into runs (its method and the random/oracle references, official and
// private splits) and one instance job per instance without a result. An instance job runs one method on one
// instance (external methods in the sandbox) and records the result; the job that records a run's last instance
// finalizes the run. Every step is idempotent, so a job retried after its worker died repeats nothing that finished:
// a stored result is never run or recorded again (InstanceResult is unique per run and index).
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { buildArtifacts } from "../artifacts.ts";
import { createDb, type Db } from "../db/client.ts";
import { ManifestError } from "../external/manifest.ts";
import { loadExternalMethod } from "../external/method.ts";
import { SandboxUnavailableError, sandboxAvailable, unavailableMessage } from "../external/sandbox.ts";
import { gitSha, HARNESS_VERSION, hardware } from "../provenance.ts";
import { datasetKey, methodSourceHash, type Registered, registerAll, registerMethod } from "../register.ts";
import { generateInstance, getDataset, getMethod, getTask, listDatasets, UsageError } from "../registry.ts";
import { toStatus } from "../results.ts";
import { seedFrom } from "../rng.ts";
import { DEFAULT_TIMEOUT_MS, evaluateInstance, finalizeRun, instanceResultFields, type PlannedRun, planRuns } from "../runner.ts";
import { initTf } from "../tf.ts";
import type { DatasetDefinition, Instance, MethodDefinition, Split, TaskDefinition } from "../types.ts";
import { extractArchive } from "./archive.ts";
import {
  INSTANCE_QUEUE,
  type InstanceJob,
  instanceJobSchema,
  NOOP_QUEUE,
  noopJobSchema,
  openQueue,
  type PgBoss,
  PLAN_QUEUE,
  planJobSchema,
  queueEnv,
} from "./queue.ts";
import { archiveOfMethodVersion, isTerminal, settleSubmissions } from "./runs.ts";

export interface WorkerOptions {
  url: string;
  /** Jobs this process runs at once (external methods run side by side; in-process ones share one thread). */
  jobs?: number;
  /** Only these dataset slugs are scored for submissions (default: every dataset available here). */
  datasets?: string[];
  /** false = run submitted methods without bubblewrap (recorded on their runs). */
  sandbox?: boolean;
  /** Idle wait between polls of an empty queue. */
  pollMs?: number;
  name?: string;
  log?: (line: string) => void;
}

export interface WorkerHandle {
  name: string;
  /** Finish the jobs in hand, then stop claiming and close the connections. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<{ processed: number }>;
}

/** The private split is scored by workers only; its seeds come from this secret, which never leaves the servers. */
export const SPLITS_SCORED: readonly Split[] = ["official", "private"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Register tasks, datasets and built-in methods once per database, however many workers start together. */
async function registerUnderLock(url: string, db: Db): Promise<Registered> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('cajal-register'))");
    return await registerAll(db);
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('cajal-register'))").catch(() => undefined);
    await client.end();
  }
}

class RunProblem extends Error {
  override name = "RunProblem";
}

export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const say = (line: string) => log(`[worker ${name}] ${line}`);
  const sandbox = options.sandbox !== false;
  const env = queueEnv();
  if (!process.env.CAJAL_PRIVATE_SECRET) {
    throw new UsageError(
      "a worker scores the private split too: set CAJAL_PRIVATE_SECRET to the server's secret (the same on every worker; never publish it)",
    );
  }
  if (sandbox) {
    const probe = sandboxAvailable();
    if (!probe.ok) throw new UsageError(unavailableMessage(probe.reason, "submitted methods"));
  }
  const scope = options.datasets?.length ? new Set(options.datasets) : null;
  if (scope) {
    const known = new Set(listDatasets().map((d) => d.slug));
    for (const slug of scope) {
      if (!known.has(slug)) throw new UsageError(`unknown dataset "${slug}"; available datasets: ${[...known].join(", ")}`);
    }
  }
  const inScope = (d: DatasetDefinition) => !scope || scope.has(d.slug);

  const db = createDb(options.url);
  // Networks behind artificial datasets are trained once per machine (sha256-pinned), as `cajal start` does.
  await buildArtifacts(
    listDatasets()
      .filter(inScope)
      .flatMap((d) => d.artifacts ?? []),
  );
  const registered = await registerUnderLock(options.url, db);
  const { backend } = await initTf();
  const boss = await openQueue(options.url, { supervise: true, poolSize: Math.max(2, (options.jobs ?? 1) + 1) });
  const hw = hardware();
  const work = await mkdtemp(path.join(os.tmpdir(), "cajal-worker-"));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  process.once("exit", cleanup);

  // ------------------------------------------------------------------------------------------
  // Methods, tasks, datasets and instances, resolved once per process

  const methods = new Map<number, Promise<MethodDefinition>>();
  /** A submitted method version, unpacked from its archive in the database and loaded (sandboxed). */
  const submittedMethod = (methodVersionId: number): Promise<MethodDefinition> => {
    let loading = methods.get(methodVersionId);
    if (!loading) {
      loading = (async () => {
        const stored = await archiveOfMethodVersion(db, methodVersionId);
        if (!stored) throw new RunProblem(`method version ${methodVersionId} has no submitted archive on this server`);
        const dir = path.join(work, `method-version-${methodVersionId}`);
        await extractArchive(stored.archive, dir);
        return loadExternalMethod(dir, { sandbox });
      })();
      loading.catch(() => methods.delete(methodVersionId));
      methods.set(methodVersionId, loading);
    }
    return loading;
  };

  type RunRow = NonNullable<Awaited<ReturnType<typeof loadRun>>>;
  const loadRun = (runId: number) =>
    db.run.findUnique({
      where: { id: runId },
      include: { methodVersion: { include: { method: true } }, taskVersion: true, datasetVersion: { include: { dataset: true } } },
    });

  /** The definitions a run was planned with; a worker whose checkout differs says so instead of substituting. */
  async function resolveRun(run: RunRow): Promise<{ task: TaskDefinition; dataset: DatasetDefinition; method: MethodDefinition }> {
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
    const method = mv.method.kind === "external" ? await submittedMethod(mv.id) : getMethod(mv.methodId);
    const hash = methodSourceHash(method);
    if (method.version !== mv.version || hash !== mv.sourceHash) {
      throw new RunProblem(
        `this worker's ${mv.methodId} is v${method.version} (source ${hash.slice(0, 12)}), the run needs v${mv.version} (source ${mv.sourceHash.slice(0, 12)}): run a matching Cajal version`,
      );
    }
    return { task, dataset, method };
  }

  const resolvedRuns = new Map<number, ReturnType<typeof resolveRun>>();
  // Methods of one dataset see the same instances: keep the last few generated.
  const instances = new Map<string, Instance>();
  const instanceOf = (dataset: DatasetDefinition, split: Split, index: number): Instance => {
    const key = `${datasetKey(dataset)}/${split}/${index}`;
    let instance = instances.get(key);
    if (!instance) {
      instance = generateInstance(dataset, split, index);
      instances.set(key, instance);
      if (instances.size > 16) instances.delete(instances.keys().next().value as string);
    }
    return instance;
  };

  const expireSeconds = (method: MethodDefinition) => {
    const limit = "limits" in method ? (method as { limits: { timeoutSeconds: number } }).limits.timeoutSeconds : DEFAULT_TIMEOUT_MS / 1000;
    return Math.ceil(limit + env.CAJAL_JOB_GRACE_SECONDS);
  };

  // ------------------------------------------------------------------------------------------
  // Jobs

  async function failSubmission(id: number, message: string) {
    await db.submission.update({ where: { id }, data: { status: "failed", message: message.slice(0, 4000), finishedAt: new Date() } });
    say(`submission ${id} failed: ${message.split("\n")[0]}`);
  }

  async function findOrCreateRun(planned: PlannedRun, split: Split, methodVersionId: number) {
    const { task, dataset, method } = planned;
    const key = {
      methodVersionId,
      taskVersionId: registered.taskVersionId.get(task.id) as number,
      datasetVersionId: registered.datasetVersionId.get(datasetKey(dataset)) as number,
      split,
    };
    const where = { methodVersionId_taskVersionId_datasetVersionId_split: key };
    const found = await db.run.findUnique({ where });
    if (found) return found;
    try {
      return await db.run.create({
        data: {
          ...key,
          status: "queued",
          instances: dataset.sizes[split],
          seed: seedFrom(dataset.task, dataset.slug, dataset.version, split),
          harnessVersion: HARNESS_VERSION,
          gitSha: gitSha(),
          backend,
          hardware: hw,
          notes: method.notes ?? [],
        },
      });
    } catch (error) {
      // Another worker planned the same run (a reference shared by two submissions) a moment earlier.
      if ((error as { code?: string }).code === "P2002") return db.run.findUniqueOrThrow({ where });
      throw error;
    }
  }

  async function plan(submissionId: number) {
    const s = await db.submission.findUnique({ where: { id: submissionId }, select: { status: true, archive: true, methodId: true } });
    if (!s || s.status === "finished" || s.status === "failed") return;
    const dir = path.join(work, `submission-${submissionId}`);
    let method: MethodDefinition;
    try {
      await extractArchive(s.archive, dir);
      method = await loadExternalMethod(dir, { sandbox });
    } catch (error) {
      if (error instanceof ManifestError) return failSubmission(submissionId, `method.json: ${error.problems.join("; ")}`);
      if (error instanceof SandboxUnavailableError) throw error; // this machine's problem: another worker may take it
      throw error;
    }
    const planned: { run: PlannedRun; split: Split }[] = [];
    for (const split of SPLITS_SCORED) {
      for (const run of planRuns({ tasks: method.tasks, methods: [method.id], split, extraMethods: [method] })) {
        if (inScope(run.dataset)) planned.push({ run, split });
      }
    }
    if (!planned.some((p) => p.run.method === method)) {
      const scored = listDatasets()
        .filter((d) => method.tasks.includes(d.task) && inScope(d) && !d.unavailable?.())
        .map((d) => d.slug);
      return failSubmission(
        submissionId,
        `none of the method's tasks (${method.tasks.join(", ")}) has a dataset this server scores${scored.length ? "" : " (none available)"}`,
      );
    }
    const methodVersionId = await registerMethod(db, method);
    methods.set(methodVersionId, Promise.resolve(method));
    const runs = [];
    for (const { run, split } of planned) {
      const mvId = run.method === method ? methodVersionId : (registered.methodVersionId.get(run.method.id) as number);
      runs.push({ planned: run, row: await findOrCreateRun(run, split, mvId) });
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
          name: INSTANCE_QUEUE,
          data: { runId: row.id, index } satisfies InstanceJob,
          expireInSeconds: expireSeconds(p.method),
          retryLimit: env.CAJAL_JOB_RETRIES,
          retryDelay: 5,
        }));
      if (jobs.length) await boss.insert(jobs);
      enqueued += jobs.length;
    }
    say(`submission ${submissionId} (${method.id} v${method.version}): ${runs.length} runs, ${enqueued} instance jobs queued`);
    for (const { row } of runs) await settleSubmissions(db, row.id);
  }

  async function failRun(runId: number, message: string) {
    await db.run.update({ where: { id: runId }, data: { status: "error", message: message.slice(0, 4000), finishedAt: new Date() } });
    await settleSubmissions(db, runId);
    say(`run ${runId} failed: ${message}`);
  }

  async function instance({ runId, index }: InstanceJob) {
    const run = await loadRun(runId);
    if (!run || isTerminal(toStatus(run.status))) return; // finished already (this job was a retry or a duplicate)
    let resolved: Awaited<ReturnType<typeof resolveRun>>;
    try {
      // Resolved once per run and process: hashing a built-in's source on every instance would cost more than many methods.
      let resolving = resolvedRuns.get(runId);
      if (!resolving) {
        resolving = resolveRun(run);
        resolvedRuns.set(runId, resolving);
        resolving.catch(() => resolvedRuns.delete(runId));
        if (resolvedRuns.size > 256) resolvedRuns.delete(resolvedRuns.keys().next().value as number);
      }
      resolved = await resolving;
    } catch (error) {
      if (error instanceof RunProblem || error instanceof UsageError) return failRun(runId, (error as Error).message);
      throw error;
    }
    const { task, dataset, method } = resolved;
    const existing = await db.instanceResult.findUnique({ where: { runId_index: { runId, index } }, select: { id: true } });
    if (!existing) {
      if (run.status === "queued") {
        await db.run.updateMany({ where: { id: runId, status: "queued" }, data: { status: "running", startedAt: new Date() } });
      }
      const split = run.split as Split;
      const inst = instanceOf(dataset, split, index);
      const outcome = await evaluateInstance(method, task, inst, DEFAULT_TIMEOUT_MS);
      // ON CONFLICT DO NOTHING: if a retried copy of this job got here first, its result stands.
      await db.instanceResult.createMany({
        data: [
          {
            runId,
            index,
            ...instanceResultFields(inst, outcome),
            worker: name,
          },
        ],
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

  // ------------------------------------------------------------------------------------------
  // The claim loop: plan jobs first (a new submission shows its runs quickly), then instances

  let stopping = false;
  let processed = 0;
  const QUEUES = [PLAN_QUEUE, INSTANCE_QUEUE, NOOP_QUEUE] as const;

  async function claim(): Promise<{ queue: string; job: PgBoss.JobWithMetadata<unknown> } | null> {
    for (const queue of QUEUES) {
      const [job] = await boss.fetch<unknown>(queue, { batchSize: 1, includeMetadata: true });
      if (job) return { queue, job };
    }
    return null;
  }

  async function handle(queue: string, job: PgBoss.JobWithMetadata<unknown>) {
    if (queue === PLAN_QUEUE) return plan(planJobSchema.parse(job.data).submissionId);
    if (queue === INSTANCE_QUEUE) return instance(instanceJobSchema.parse(job.data));
    noopJobSchema.parse(job.data);
  }

  /** A job that failed for the last time must not vanish silently: its submission or run says why. */
  async function lastFailure(queue: string, job: PgBoss.JobWithMetadata<unknown>, error: Error) {
    const why = `${error.name}: ${error.message}`.split("\n")[0] as string;
    if (queue === PLAN_QUEUE) {
      const { submissionId } = planJobSchema.parse(job.data);
      await failSubmission(submissionId, `could not be planned after ${job.retryCount + 1} attempts: ${why}`);
    } else if (queue === INSTANCE_QUEUE) {
      const { runId, index } = instanceJobSchema.parse(job.data);
      await failRun(runId, `instance ${index} could not be run after ${job.retryCount + 1} attempts: ${why}`);
    }
  }

  async function loop(slot: number) {
    while (!stopping) {
      let claimed: Awaited<ReturnType<typeof claim>>;
      try {
        claimed = await claim();
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
        await handle(queue, job);
        await boss.complete(queue, job.id);
        if (queue !== NOOP_QUEUE) say(`slot ${slot} done ${what} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        say(`slot ${slot} error ${what}: ${e.message}`);
        try {
          if (job.retryCount >= job.retryLimit) await lastFailure(queue, job, e);
          await boss.fail(queue, job.id, { message: e.message });
        } catch (inner) {
          say(`cannot record the failure: ${(inner as Error).message}`);
        }
      }
      processed++;
    }
  }

  const slots = Math.max(1, options.jobs ?? 1);
  const pollMs = options.pollMs ?? env.CAJAL_WORKER_POLL_MS;
  say(
    `ready: ${slots} slot(s), backend ${backend}, sandbox ${sandbox ? "on" : "OFF"}${scope ? `, datasets ${[...scope].join(", ")}` : ""}`,
  );
  const running = Promise.all(Array.from({ length: slots }, (_, i) => loop(i + 1)));
  const done = running.then(async () => {
    await boss.stop({ graceful: false, wait: true });
    await db.$disconnect();
    cleanup();
    say(`stopped after ${processed} jobs`);
    return { processed };
  });
  return {
    name,
    done,
    async stop() {
      stopping = true;
      await done;
    },
  };
}
