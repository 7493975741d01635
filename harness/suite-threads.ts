// The default suite on several cores. In-process methods are single-threaded JavaScript/wasm, so a
// suite on one thread leaves the other cores idle; here each worker thread takes the next (task, dataset)
// from a shared queue and runs it with `runSuite` against the same database (run rows are keyed by
// method × task × dataset × split, so threads never touch each other's rows). One progress bar in the
// main thread counts every thread's instances. Scores are the same as a sequential run: each instance
// is deterministic and evaluated by exactly one thread.
import os from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { createDb } from "./db/client.ts";
import { ProgressBar } from "./progress.ts";
import type { Registered } from "./register.ts";
import { loadResults } from "./results.ts";
import { pendingRuns, planRuns, reportUnavailable, runSuite, type SuiteReport, type SuiteResult } from "./runner.ts";
import type { Split } from "./types.ts";

interface Unit {
  task: string;
  dataset: string;
}

type ToWorker = { type: "unit"; unit: Unit } | { type: "stop" };
type FromWorker =
  | { type: "ready" }
  | { type: "update"; detail: string }
  | { type: "tick"; detail: string }
  | { type: "done"; runs: { runId: number; skipped: boolean }[]; backend: string }
  | { type: "failed"; message: string };

interface ThreadData {
  databaseUrl: string;
  split: Split;
  registered: Registered;
}

export interface ThreadedSuiteOptions {
  split: Split;
  tasks?: string[];
  /** Worker threads (default: the number of cores, at most the number of units). */
  threads?: number;
  progress?: boolean;
}

/** Run the suite's (task, dataset) units on worker threads; same results as `runSuite`, in plan order. */
export async function runSuiteThreaded(databaseUrl: string, registered: Registered, options: ThreadedSuiteOptions): Promise<SuiteReport> {
  const started = performance.now();
  const plan = planRuns({ split: options.split, tasks: options.tasks });
  if (options.progress !== false) reportUnavailable(options.tasks);
  const db = createDb(databaseUrl);
  try {
    const { totalInstances } = await pendingRuns(db, plan, registered, options.split);
    const units: Unit[] = [];
    for (const p of plan) {
      if (!units.some((u) => u.task === p.task.id && u.dataset === p.dataset.slug))
        units.push({ task: p.task.id, dataset: p.dataset.slug });
    }
    const threads = Math.max(1, Math.min(options.threads ?? os.cpus().length, units.length));
    const bar = new ProgressBar(`suite (${options.split}, ${threads} threads)`, totalInstances, process.stderr, options.progress !== false);
    const queue = [...units];
    const runIds: number[] = [];
    const skipped = new Set<number>();
    let backend = "unknown";
    const workers: Worker[] = [];
    const running = Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise<void>((resolve, reject) => {
            const data: ThreadData = { databaseUrl, split: options.split, registered };
            const worker = new Worker(new URL("./suite-thread.mjs", import.meta.url), { workerData: data });
            workers.push(worker);
            const next = () => {
              const unit = queue.shift();
              worker.postMessage((unit ? { type: "unit", unit } : { type: "stop" }) satisfies ToWorker);
            };
            worker.on("message", (message: FromWorker) => {
              if (message.type === "ready") next();
              else if (message.type === "update") bar.update(message.detail);
              else if (message.type === "tick") bar.tick(message.detail);
              else if (message.type === "done") {
                for (const r of message.runs) {
                  runIds.push(r.runId);
                  if (r.skipped) skipped.add(r.runId);
                }
                backend = message.backend;
                next();
              } else if (message.type === "failed") {
                queue.length = 0; // stop handing out work; the other threads finish their unit
                reject(new Error(message.message));
              }
            });
            worker.on("error", reject);
            worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`suite worker thread exited with code ${code}`))));
          }),
      ),
    );
    try {
      await running;
    } catch (error) {
      // One unit failed: stop the other threads too (their unfinished runs resume on the next start).
      await Promise.all(workers.map((w) => w.terminate()));
      bar.finish();
      throw error;
    }
    bar.finish();
    const order = new Map(plan.map((p, i) => [`${p.method.id}|${p.task.id}|${p.dataset.slug}`, i]));
    const rows = await loadResults(db, { runIds });
    const results: SuiteResult[] = rows
      .map((r) => ({ ...r, skipped: skipped.has(r.runId) }))
      .sort((a, b) => (order.get(`${a.method}|${a.task}|${a.dataset}`) ?? 0) - (order.get(`${b.method}|${b.task}|${b.dataset}`) ?? 0));
    return { results, backend, wallMs: performance.now() - started };
  } finally {
    await db.$disconnect();
  }
}

/** A worker thread: run each unit it is given, report progress, say when done. */
async function serve(port: NonNullable<typeof parentPort>, data: ThreadData): Promise<void> {
  const db = createDb(data.databaseUrl);
  const send = (message: FromWorker) => port.postMessage(message);
  const progressSink = {
    update: (detail: string) => send({ type: "update", detail }),
    tick: (detail: string) => send({ type: "tick", detail }),
    finish: () => undefined,
  };
  port.on("message", async (message: ToWorker) => {
    if (message.type === "stop") {
      await db.$disconnect();
      port.close();
      return;
    }
    try {
      const report = await runSuite(
        db,
        { split: data.split, tasks: [message.unit.task], datasets: [message.unit.dataset], progress: false, progressSink },
        data.registered,
      );
      send({ type: "done", runs: report.results.map((r) => ({ runId: r.runId, skipped: r.skipped })), backend: report.backend });
    } catch (error) {
      send({ type: "failed", message: `${message.unit.task}/${message.unit.dataset}: ${(error as Error).stack ?? String(error)}` });
    }
  });
  send({ type: "ready" });
}

if (!isMainThread && parentPort && (workerData as ThreadData | undefined)?.databaseUrl) {
  await serve(parentPort, workerData as ThreadData);
}
