// The default suite on several cores. In-process methods are single-threaded JavaScript/wasm, so a
// suite on one thread leaves the other cores idle; here each worker thread takes the next (task, dataset)
// from a shared queue and runs it with `runSuite` against the same database (run rows are keyed by
// method × task × dataset × split, so threads never touch each other's rows). One progress bar in the
// main thread counts every thread's instances. Scores are the same as a sequential run: each instance
// is deterministic and evaluated by exactly one thread.
import os from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { type BuildResult, buildArtifact, loadArtifact, pendingArtifacts } from "./artifacts.ts";
import { createDb, type Db } from "./db/client.ts";
import { InstanceCache } from "./instance-cache.ts";
import { ProgressBar } from "./progress.ts";
import { type Registered, registerDataset } from "./register.ts";
import { getDataset, listDatasets } from "./registry.ts";
import { loadResults } from "./results.ts";
import { type PlannedRun, pendingRuns, planRuns, reportUnavailable, runSuite, type SuiteReport, type SuiteResult } from "./runner.ts";
import type { ArtifactRecipe, Split } from "./types.ts";

interface Unit {
  task: string;
  dataset: string;
  /** Not registered yet: the thread hashes its instances (and keeps them for the runs) first. */
  register: boolean;
  /** Trained networks ("id@version") that must be built before the unit can start. */
  needs: string[];
}

type ToWorker = { type: "unit"; unit: Unit } | { type: "train"; recipe: string } | { type: "stop" };
type FromWorker =
  | { type: "ready" }
  | { type: "update"; detail: string }
  | { type: "tick"; detail: string }
  | { type: "recount"; unit: string; instances: number }
  | { type: "trained"; recipe: string; seconds: number }
  | { type: "done"; runs: { runId: number; skipped: boolean }[]; backend: string }
  | { type: "failed"; message: string };

interface ThreadData {
  suiteThread: true;
  /** Absent when the threads only train networks. */
  databaseUrl?: string;
  split: Split;
  registered: Registered;
}

export interface ThreadedSuiteOptions {
  split: Split;
  tasks?: string[];
  datasets?: string[];
  /** Worker threads (default: the number of cores, at most the number of jobs). */
  threads?: number;
  progress?: boolean;
  /**
   * Networks to train first, on the same threads (longest first); the units that need them wait while the other
   * threads run units that do not, so a first start keeps both cores busy.
   */
  train?: readonly ArtifactRecipe[];
}

const recipeKey = (r: Pick<ArtifactRecipe, "id" | "version">) => `${r.id}@${r.version}`;
const unitKey = (u: Pick<Unit, "task" | "dataset">) => `${u.task}/${u.dataset}`;

interface PoolOptions {
  databaseUrl?: string;
  split: Split;
  registered: Registered;
  units: Unit[];
  train: readonly ArtifactRecipe[];
  threads: number;
  progress: PoolProgress;
  /** A unit whose instance count changed once it was registered (skipped runs, resumed instances). */
  onRecount?: (unit: string, instances: number) => void;
}

interface PoolProgress {
  update(detail: string): void;
  tick(detail: string): void;
  /** A network was trained (a line of its own in the suite's log; a step of a training-only bar). */
  trained(line: string): void;
  finish(): void;
}

interface PoolReport {
  runs: { runId: number; skipped: boolean }[];
  backend: string;
  trained: { recipe: string; seconds: number }[];
}

/**
 * Hand jobs to worker threads: every training first (longest first), then the units whose networks are built.
 * A thread with nothing ready waits for the next training to finish instead of exiting.
 */
async function runPool(options: PoolOptions): Promise<PoolReport> {
  const bar = options.progress;
  const trainQueue = [...options.train].sort((a, b) => b.estimatedSeconds - a.estimatedSeconds).map(recipeKey);
  const pendingTraining = new Set(trainQueue);
  const units = [...options.units];
  const report: PoolReport = { runs: [], backend: "unknown", trained: [] };
  const parked: (() => void)[] = [];
  const workers: Worker[] = [];
  let failed = false;
  const nextJob = (): ToWorker | "wait" => {
    const recipe = trainQueue.shift();
    if (recipe) return { type: "train", recipe };
    const ready = units.findIndex((u) => u.needs.every((n) => !pendingTraining.has(n)));
    if (ready >= 0) return { type: "unit", unit: units.splice(ready, 1)[0] as Unit };
    return units.length > 0 && pendingTraining.size > 0 && !failed ? "wait" : { type: "stop" };
  };
  const running = Promise.all(
    Array.from(
      { length: options.threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const data: ThreadData = {
            suiteThread: true,
            databaseUrl: options.databaseUrl,
            split: options.split,
            registered: options.registered,
          };
          const worker = new Worker(new URL("./suite-thread.mjs", import.meta.url), { workerData: data });
          workers.push(worker);
          const next = () => {
            const job = nextJob();
            if (job === "wait") parked.push(next);
            else worker.postMessage(job satisfies ToWorker);
          };
          worker.on("message", (message: FromWorker) => {
            if (message.type === "ready") next();
            else if (message.type === "update") bar.update(message.detail);
            else if (message.type === "tick") bar.tick(message.detail);
            else if (message.type === "recount") options.onRecount?.(message.unit, message.instances);
            else if (message.type === "trained") {
              pendingTraining.delete(message.recipe);
              report.trained.push({ recipe: message.recipe, seconds: message.seconds });
              bar.trained(`trained ${message.recipe} in ${message.seconds.toFixed(1)} s (sha256 verified)`);
              next();
              for (const wake of parked.splice(0)) wake();
            } else if (message.type === "done") {
              report.runs.push(...message.runs);
              report.backend = message.backend;
              next();
            } else if (message.type === "failed") {
              failed = true;
              trainQueue.length = 0; // stop handing out work; the other threads finish their job
              units.length = 0;
              for (const wake of parked.splice(0)) wake();
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
    // One job failed: stop the other threads too (their unfinished runs resume on the next start).
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  } finally {
    bar.finish();
  }
  return report;
}

/**
 * buildArtifacts on worker threads: the missing networks (all with force) train side by side, one per core, longest
 * first; the files are the same as training them in turn (each recipe is deterministic and checked against its pin).
 * Only registered recipes (those a dataset in the registry reads), since each thread finds its recipe there.
 */
export async function buildArtifactsThreaded(
  recipes: readonly ArtifactRecipe[],
  options: { force?: boolean; threads?: number; progress?: boolean } = {},
): Promise<BuildResult[]> {
  const { present, todo } = pendingArtifacts(recipes, options.force);
  if (todo.length === 0) return present;
  const trained = await trainThreaded(todo, options);
  return [
    ...present,
    ...todo.map((r): BuildResult => {
      const seconds = trained.find((t) => t.recipe === recipeKey(r))?.seconds ?? 0;
      return { id: r.id, version: r.version, status: "built", sha256: r.sha256, seconds, metadata: loadArtifact(r).metadata };
    }),
  ];
}

/** Train the given networks on worker threads (one per core, longest first); same files as training them in turn. */
async function trainThreaded(
  recipes: readonly ArtifactRecipe[],
  options: { threads?: number; progress?: boolean } = {},
): Promise<{ recipe: string; seconds: number }[]> {
  const threads = Math.max(1, Math.min(options.threads ?? os.cpus().length, recipes.length));
  const bar = new ProgressBar(`training (${threads} threads)`, recipes.length, process.stderr, options.progress !== false);
  const empty: Registered = { taskVersionId: new Map(), datasetVersionId: new Map(), methodVersionId: new Map() };
  const report = await runPool({
    split: "official",
    registered: empty,
    units: [],
    train: recipes,
    threads,
    progress: { update: (d) => bar.update(d), tick: (d) => bar.tick(d), trained: (line) => bar.tick(line), finish: () => bar.finish() },
  });
  return report.trained;
}

/**
 * Run the suite's (task, dataset) units on worker threads; same results as `runSuite`, in plan order. Datasets not in
 * `registered` are registered by the thread that runs them (hashing instances it then reuses for the runs).
 */
export async function runSuiteThreaded(databaseUrl: string, registered: Registered, options: ThreadedSuiteOptions): Promise<SuiteReport> {
  const started = performance.now();
  const plan = planRuns({ split: options.split, tasks: options.tasks, datasets: options.datasets });
  if (options.progress !== false && !options.datasets?.length) reportUnavailable(options.tasks);
  const training = new Set((options.train ?? []).map(recipeKey));
  const db = createDb(databaseUrl);
  try {
    const isRegistered = (p: PlannedRun) => registered.datasetVersionId.has(unitKey({ task: p.task.id, dataset: p.dataset.slug }));
    // Registered datasets: what is left of their runs. The others count in full until their thread recounts them.
    const { totalInstances } = await pendingRuns(db, plan.filter(isRegistered), registered, options.split);
    const assumed = new Map<string, number>();
    const units: Unit[] = [];
    for (const p of plan) {
      const key = unitKey({ task: p.task.id, dataset: p.dataset.slug });
      if (!isRegistered(p)) assumed.set(key, (assumed.get(key) ?? 0) + p.dataset.sizes[options.split]);
      if (units.some((u) => unitKey(u) === key)) continue;
      const needs = (p.dataset.artifacts ?? []).map(recipeKey).filter((k) => training.has(k));
      units.push({ task: p.task.id, dataset: p.dataset.slug, register: !isRegistered(p), needs });
    }
    let total = totalInstances + [...assumed.values()].reduce((s, n) => s + n, 0);
    const threads = Math.max(1, Math.min(options.threads ?? os.cpus().length, units.length + training.size));
    const bar = new ProgressBar(`suite (${options.split}, ${threads} threads)`, total, process.stderr, options.progress !== false);
    const report = await runPool({
      databaseUrl,
      split: options.split,
      registered,
      units,
      train: options.train ?? [],
      threads,
      progress: { update: (d) => bar.update(d), tick: (d) => bar.tick(d), trained: (line) => bar.note(line), finish: () => bar.finish() },
      onRecount: (unit, instances) => {
        total += instances - (assumed.get(unit) ?? 0);
        bar.setTotal(total);
      },
    });
    const skipped = new Set(report.runs.filter((r) => r.skipped).map((r) => r.runId));
    const order = new Map(plan.map((p, i) => [`${p.method.id}|${p.task.id}|${p.dataset.slug}`, i]));
    const rows = await loadResults(db, { runIds: report.runs.map((r) => r.runId) });
    const results: SuiteResult[] = rows
      .map((r) => ({ ...r, skipped: skipped.has(r.runId) }))
      .sort((a, b) => (order.get(`${a.method}|${a.task}|${a.dataset}`) ?? 0) - (order.get(`${b.method}|${b.task}|${b.dataset}`) ?? 0));
    return { results, backend: report.backend, wallMs: performance.now() - started };
  } finally {
    await db.$disconnect();
  }
}

/** A worker thread: run each job it is given, report progress, say when done. */
async function serve(port: NonNullable<typeof parentPort>, data: ThreadData): Promise<void> {
  let db: Db | undefined;
  const database = (): Db => {
    if (!data.databaseUrl) throw new Error("this pool only trains networks: no database was given");
    db ??= createDb(data.databaseUrl);
    return db;
  };
  const send = (message: FromWorker) => port.postMessage(message);
  const progressSink = {
    update: (detail: string) => send({ type: "update", detail }),
    tick: (detail: string) => send({ type: "tick", detail }),
    finish: () => undefined,
  };
  const recipes = new Map(
    listDatasets()
      .flatMap((d) => d.artifacts ?? [])
      .map((r) => [recipeKey(r), r]),
  );
  const runUnit = async (unit: Unit) => {
    const dataset = getDataset(unit.task, unit.dataset);
    // One dataset per unit: the instances hashed for its registration are the ones its runs evaluate.
    const instances = new InstanceCache({ keep: "split" });
    if (unit.register) {
      send({ type: "update", detail: `hashing ${unitKey(unit)}` });
      const id = await registerDataset(database(), dataset, { instance: (i) => instances.get(dataset, "official", i) });
      data.registered.datasetVersionId.set(unitKey(unit), id);
      const plan = planRuns({ split: data.split, tasks: [unit.task], datasets: [unit.dataset] });
      const { totalInstances } = await pendingRuns(database(), plan, data.registered, data.split);
      send({ type: "recount", unit: unitKey(unit), instances: totalInstances });
    }
    const report = await runSuite(
      database(),
      { split: data.split, tasks: [unit.task], datasets: [unit.dataset], progress: false, progressSink, instances },
      data.registered,
    );
    send({ type: "done", runs: report.results.map((r) => ({ runId: r.runId, skipped: r.skipped })), backend: report.backend });
  };
  const train = async (key: string) => {
    const recipe = recipes.get(key);
    if (!recipe) throw new Error(`no dataset in the registry uses the network ${key}`);
    send({ type: "update", detail: `training ${recipe.id} (≈${recipe.estimatedSeconds} s)` });
    const built = await buildArtifact(recipe, () => undefined);
    send({ type: "trained", recipe: key, seconds: built.seconds });
  };
  port.on("message", async (message: ToWorker) => {
    if (message.type === "stop") {
      await db?.$disconnect();
      port.close();
      return;
    }
    try {
      if (message.type === "train") await train(message.recipe);
      else await runUnit(message.unit);
    } catch (error) {
      const what = message.type === "train" ? `training ${message.recipe}` : unitKey(message.unit);
      send({ type: "failed", message: `${what}: ${(error as Error).stack ?? String(error)}` });
    }
  });
  send({ type: "ready" });
}

if (!isMainThread && parentPort && (workerData as ThreadData | undefined)?.suiteThread) {
  await serve(parentPort, workerData as ThreadData);
}
