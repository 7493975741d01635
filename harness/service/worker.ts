// `cajal worker`: claims jobs from the queue (queue.ts) and runs them, on any number of machines that reach the
// database. A plan job (worker/plan.ts) turns a submission into runs (its method and the random/oracle references,
// official and private splits) and one instance job per instance without a result. An instance job
// (worker/instance.ts) runs one method on one instance (external methods in the sandbox) and records the result; the
// job that records a run's last instance finalizes the run. Every step is idempotent, so a job retried after its
// worker died repeats nothing that finished. This module starts a worker: checks, registration, connections, and
// the claim loops (worker/claim.ts).
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { buildArtifacts } from "../artifacts.ts";
import { createDb, type Db } from "../db/client.ts";
import { sandboxAvailable, unavailableMessage } from "../external/sandbox.ts";
import { detectGpus, type GpuHost, selectGpus } from "../gpu.ts";
import { InstanceCache } from "../instance-cache.ts";
import { hardware } from "../provenance.ts";
import { type Registered, registerAll } from "../register.ts";
import { listDatasets, UsageError } from "../registry.ts";
import { initTf } from "../tf.ts";
import type { DatasetDefinition } from "../types.ts";
import { openQueue, queueEnv } from "./queue.ts";
import { claimSlots, startClaimLoops } from "./worker/claim.ts";
import type { WorkerContext } from "./worker/context.ts";

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
  /** `--gpus`: GPU indexes to run GPU jobs on ("0,1"), "none", or undefined for every GPU detected. */
  gpus?: string;
  /** The machine's GPUs (default: detected with nvidia-smi); tests pass a fake list. */
  gpuHost?: GpuHost;
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
  const gpuHost = options.gpuHost ?? (await detectGpus());
  let gpus: ReturnType<typeof selectGpus>;
  try {
    gpus = selectGpus(options.gpus, gpuHost);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const db = createDb(options.url);
  // Networks behind artificial datasets are trained once per machine (sha256-pinned), as `cajal start` does.
  await buildArtifacts(
    listDatasets()
      .filter(inScope)
      .flatMap((d) => d.artifacts ?? []),
  );
  const registered = await registerUnderLock(options.url, db);
  const { backend, adapter } = await initTf();
  const boss = await openQueue(options.url, { supervise: true, poolSize: Math.max(2, (options.jobs ?? 1) + 1) });
  const work = await mkdtemp(path.join(os.tmpdir(), "cajal-worker-"));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  process.once("exit", cleanup);

  const ctx: WorkerContext = {
    name,
    db,
    boss,
    env,
    registered,
    machine: { backend, hardware: hardware(adapter) },
    sandbox,
    inScope,
    work,
    say,
    methods: new Map(),
    resolvedRuns: new Map(),
    instances: new InstanceCache({ keep: "recent", size: 16 }),
  };
  const slots = Math.max(1, options.jobs ?? 1);
  const pollMs = options.pollMs ?? env.CAJAL_WORKER_POLL_MS;
  const gpuNote = gpus.length
    ? `, ${gpus.length} GPU slot(s): ${gpus.map((d) => `${d.index} ${d.name}`).join(", ")} (CUDA ${gpuHost.cudaVersion ?? "unknown"})`
    : `, no GPU${gpuHost.devices.length ? "" : ` (${gpuHost.reason ?? "none found"})`}: methods that ask for one wait for a GPU worker`;
  say(
    `ready: ${slots} slot(s), backend ${backend}, sandbox ${sandbox ? "on" : "OFF"}${scope ? `, datasets ${[...scope].join(", ")}` : ""}${gpuNote}`,
  );
  const loops = startClaimLoops(ctx, claimSlots(slots, gpus, gpuHost.cudaVersion), pollMs);
  const done = loops.done.then(async (processed) => {
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
      loops.stop();
      await done;
    },
  };
}
