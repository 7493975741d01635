// `npm run bench:reference`: every baseline that has a standard Python implementation against that reference, on
// identical instances. Ours runs in-process (tinybench: warm-up ≥ 1 run and ≥ 100 ms, then ≥ 300 ms and ≥ 2 runs;
// per-instance mean); the reference (bench/reference/*.py: scikit-learn, numpy, Debian's ripser) runs on the same
// instance directory written by writeInstanceDir and times its own computation (untimed warm-up runs, then `repeat`
// runs; per-instance median; interpreter start-up, imports and file I/O excluded). Both outputs are scored with the
// task's `score` (the reference's read back with readMethodOutputs). Ours and the reference alternate instance by
// instance, so both see the same machine load; CPU time is recorded beside wall-clock time on both sides (the "cpu
// ratio" column), because on a shared machine it is the steadier of the two.
//
// Target (the issue): no baseline more than 2× slower than its reference at equal or better score, i.e.
// ratio = ours ms / reference ms ≤ 2 and ours score ≥ reference score − SCORE_TOLERANCE (mean main score over the
// instances; every main score here is on a 0–1 scale).
//
// Environment: CAJAL_REFERENCE_PYTHON (default: the first of python3, /usr/bin/python3 that imports numpy and
// sklearn), CAJAL_REFERENCE_THREADS (BLAS threads of the references, default 1: the baselines are single-threaded).
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Bench } from "tinybench";
import { readMethodOutputs, writeInstanceDir } from "../harness/protocol.ts";
import { generateInstance, getDataset, getTask, listMethods, methodSeed } from "../harness/registry.ts";
import { methodContext } from "../harness/runner.ts";
import { initTf } from "../harness/tf.ts";
import type { Instance, MethodOutputs } from "../harness/types.ts";
import { FASTICA_DEFAULTS } from "../methods/fastica/method.ts";
import { KNN_FOLDS, KNN_KS } from "../methods/knn/method.ts";
import { K1, K2 } from "../methods/mle/method.ts";
import { RIDGE_ALPHAS, RIDGE_FOLDS } from "../methods/ridge/method.ts";
import { DISCARD_FRACTION } from "../methods/twonn/method.ts";

const exec = promisify(execFile);

/** Equal score: ours may be at most this much below the reference (mean main score, 0–1 scale). */
const SCORE_TOLERANCE = 0.02;
const TIME_TARGET = 2;
const THREADS = process.env.CAJAL_REFERENCE_THREADS ?? "1";
const HERE = path.dirname(new URL(import.meta.url).pathname);

interface Pair {
  /** Our method id (may be unregistered: then the reference runs alone). */
  baseline: string;
  reference: string;
  script: string;
  task: string;
  datasets: { slug: string; indices: number[] }[];
  /** Timed repetitions of the reference per instance, after `warmup` (default 1) untimed ones. */
  repeat: number;
  warmup?: number;
  params?: Record<string, unknown>;
  /** Seeded references get the seed our method gets on the instance. */
  seeded?: boolean;
  /** An extra row for context, not the like-for-like reference the target is judged against. */
  variant?: boolean;
}

// Official instances covering each dataset's regimes (the comments name them).
const T1 = [
  // k/d = 1, 2, 4 at p = 0.01 and 0.05 alternately: regimes 0 (1, 0.01), 3 (2, 0.05), 4 (4, 0.01)
  { slug: "sparse-linear", indices: [0, 3, 4] },
  { slug: "mixed-selectivity", indices: [1, 2, 5] }, // (1, 0.05), (2, 0.01), (4, 0.05)
];
// head direction (circular), place cells (linear x, y), mixed XOR (categorical), mixed product (linear)
const T2 = [{ slug: "tuning-curves", indices: [0, 1, 2, 3] }];
const T3 = [
  { slug: "benchmark-manifolds", indices: [0, 5, 8, 11] }, // four manifolds, two clean and two noisy
  { slug: "neural-embedding", indices: [0, 3, 9, 12] }, // d* = 1, 4, 2, 5 at both count levels
];
// circle (peak 10), two circles (peak 3), sphere (peak 3), torus (peak 10)
const T4 = [{ slug: "neural-manifolds", indices: [2, 3, 5, 6] }];
// all six regimes: mild, noisy, nonlinear, anisotropic, distractors, uneven
const T5 = [{ slug: "transformed-layers", indices: [0, 1, 2, 3, 4, 5] }];

/**
 * methods/dictionary-learning's hyper-parameters, when that baseline exists and exports them (it is loaded by a
 * computed specifier so that this file type-checks without it); else the reference's own defaults.
 */
async function dictionaryLearningParams(): Promise<Record<string, unknown>> {
  try {
    const specifier: string = "../methods/dictionary-learning/method.ts";
    const mod = (await import(/* @vite-ignore */ specifier)) as { DL_DEFAULTS?: { lambda?: number; batchSize?: number; epochs?: number } };
    const o = mod.DL_DEFAULTS;
    if (!o) return {};
    return { alpha: o.lambda, batchSize: o.batchSize, maxIter: o.epochs };
  } catch {
    return {};
  }
}
const dlParams = await dictionaryLearningParams();

const PAIRS: Pair[] = [
  { baseline: "pca", reference: "sklearn PCA", script: "pca.py", task: "feature-recovery", datasets: T1, repeat: 5 },
  {
    baseline: "fastica",
    reference: "sklearn FastICA",
    script: "fastica.py",
    task: "feature-recovery",
    datasets: T1,
    repeat: 3,
    seeded: true,
    params: { alpha: FASTICA_DEFAULTS.alpha, maxIter: FASTICA_DEFAULTS.maxIter, tol: FASTICA_DEFAULTS.tol, fun: FASTICA_DEFAULTS.fun },
  },
  // Seconds per fit: one timed run, no warm-up (a multi-second fit has no first-call effects worth a rerun).
  {
    baseline: "dictionary-learning",
    reference: "sklearn MiniBatchDictionaryLearning (all epochs)",
    script: "dictionary_learning.py",
    task: "feature-recovery",
    datasets: T1,
    repeat: 1,
    warmup: 0,
    seeded: true,
    params: { ...dlParams, earlyStopping: false },
  },
  {
    baseline: "dictionary-learning",
    reference: "sklearn MiniBatchDictionaryLearning (default early stop)",
    script: "dictionary_learning.py",
    task: "feature-recovery",
    datasets: T1,
    repeat: 1,
    warmup: 0,
    seeded: true,
    params: { ...dlParams, earlyStopping: true },
    variant: true,
  },
  {
    baseline: "ridge",
    reference: "sklearn RidgeCV (blocked 5-fold)",
    script: "ridge.py",
    task: "latent-decoding",
    datasets: T2,
    repeat: 5,
    params: { alphas: RIDGE_ALPHAS, folds: RIDGE_FOLDS, cv: "blocked" },
  },
  {
    baseline: "ridge",
    reference: "sklearn RidgeCV (default LOO)",
    script: "ridge.py",
    task: "latent-decoding",
    datasets: T2,
    repeat: 5,
    params: { alphas: RIDGE_ALPHAS, folds: RIDGE_FOLDS, cv: "loo" },
    variant: true,
  },
  {
    baseline: "knn",
    reference: "sklearn KNeighbors + GridSearchCV",
    script: "knn.py",
    task: "latent-decoding",
    datasets: T2,
    repeat: 3,
    params: { ks: KNN_KS, folds: KNN_FOLDS },
  },
  {
    baseline: "twonn",
    reference: "numpy TwoNN",
    script: "twonn.py",
    task: "intrinsic-dimension",
    datasets: T3,
    repeat: 5,
    params: { discard: DISCARD_FRACTION },
  },
  {
    baseline: "mle",
    reference: "numpy MLE",
    script: "mle.py",
    task: "intrinsic-dimension",
    datasets: T3,
    repeat: 5,
    params: { k1: K1, k2: K2 },
  },
  {
    baseline: "persistent-homology",
    reference: "Debian ripser (examples/ripser-topology)",
    script: "ripser_topology.py",
    task: "topology",
    datasets: T4,
    repeat: 3,
  },
  { baseline: "linear-cka", reference: "numpy linear CKA", script: "linear_cka.py", task: "layer-correspondence", datasets: T5, repeat: 5 },
];

async function findPython(): Promise<{ python: string; versions: Record<string, string> }> {
  const candidates = process.env.CAJAL_REFERENCE_PYTHON ? [process.env.CAJAL_REFERENCE_PYTHON] : ["python3", "/usr/bin/python3"];
  const probe =
    "import json, sys, numpy, sklearn; print(json.dumps({'python': sys.version.split()[0], 'numpy': numpy.__version__, 'sklearn': sklearn.__version__}))";
  for (const python of candidates) {
    try {
      const { stdout } = await exec(python, ["-c", probe]);
      return { python, versions: JSON.parse(stdout) as Record<string, string> };
    } catch {
      // next candidate
    }
  }
  throw new Error(
    `no Python with numpy and scikit-learn among ${candidates.join(", ")} (Debian: apt-get install python3-sklearn; or set CAJAL_REFERENCE_PYTHON)`,
  );
}

interface InstanceRow {
  baseline: string;
  reference: string;
  variant: boolean;
  task: string;
  dataset: string;
  instance: string;
  oursMs: number | null;
  oursCpuMs: number | null;
  oursSamples: number;
  oursScore: number | null;
  refMs: number | null;
  refCpuMs: number | null;
  refSamplesMs: number[];
  refScore: number | null;
  refInfo: Record<string, unknown>;
  error?: string;
}

const { backend } = await initTf();
const { python, versions } = await findPython();
const load0 = os.loadavg();
const started = performance.now();
const root = await mkdtemp(path.join(os.tmpdir(), "cajal-bench-reference-"));

// One instance directory per instance, shared by every pair that uses it.
const instanceDirs = new Map<string, { instance: Instance; dir: string }>();
async function instanceDir(taskId: string, slug: string, index: number) {
  const key = `${taskId}/${slug}/${index}`;
  let entry = instanceDirs.get(key);
  if (!entry) {
    const task = getTask(taskId);
    const instance = generateInstance(getDataset(taskId, slug), "official", index);
    const dir = path.join(root, "in", taskId, slug, String(index));
    await writeInstanceDir(dir, task, instance, { withTruth: false });
    entry = { instance, dir };
    instanceDirs.set(key, entry);
  }
  return entry;
}

async function runReference(pair: Pair, instance: Instance, inDir: string, outDir: string) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const args = [
    path.join(HERE, "reference", pair.script),
    "--input",
    inDir,
    "--output",
    outDir,
    "--repeat",
    String(pair.repeat),
    "--warmup",
    String(pair.warmup ?? 1),
  ];
  if (pair.seeded) args.push("--seed", String(methodSeed(instance, pair.baseline)));
  if (pair.params) args.push("--params", JSON.stringify(pair.params));
  const { stdout } = await exec(python, args, {
    env: { ...process.env, CAJAL_THREADS: THREADS, PYTHONDONTWRITEBYTECODE: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const lastLine = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(lastLine) as {
    reference: string;
    ms: number[];
    medianMs: number;
    medianCpuMs: number | null;
    info: Record<string, unknown>;
  };
}

const instanceRows: InstanceRow[] = [];
for (const pair of PAIRS) {
  const task = getTask(pair.task);
  const method = listMethods(task.id).find((m) => m.id === pair.baseline);
  for (const { slug, indices } of pair.datasets) {
    for (const index of indices) {
      const { instance, dir } = await instanceDir(task.id, slug, index);
      const row: InstanceRow = {
        baseline: pair.baseline,
        reference: pair.reference,
        variant: pair.variant ?? false,
        task: task.id,
        dataset: slug,
        instance: instance.key,
        oursMs: null,
        oursCpuMs: null,
        oursSamples: 0,
        oursScore: null,
        refMs: null,
        refCpuMs: null,
        refSamplesMs: [],
        refScore: null,
        refInfo: {},
      };
      try {
        if (method) {
          let outputs: MethodOutputs | undefined;
          // CPU time of every call (warm-up included); the last `runs` of them are the measured ones.
          const cpu: number[] = [];
          const bench = new Bench({ time: 300, iterations: 2, warmup: true, warmupIterations: 1, warmupTime: 100, throws: true });
          bench.add(`${pair.baseline} · ${instance.key}`, async () => {
            const c0 = process.cpuUsage();
            outputs = await method.run(methodContext(method, task, instance));
            const c = process.cpuUsage(c0);
            cpu.push((c.user + c.system) / 1000);
          });
          await bench.run();
          const benchTask = bench.tasks[0];
          const result = benchTask?.result as { latency?: { mean: number }; mean?: number } | undefined;
          row.oursMs = result?.latency?.mean ?? result?.mean ?? null;
          row.oursSamples = benchTask?.runs ?? 0;
          const measured = cpu.slice(-Math.max(1, row.oursSamples));
          row.oursCpuMs = measured.reduce((a, b) => a + b, 0) / measured.length;
          if (outputs) row.oursScore = task.score(instance, outputs).main;
        }
        const outDir = path.join(root, "out", pair.script, String(pair.variant ?? false), slug, String(index));
        const ref = await runReference(pair, instance, dir, outDir);
        row.refMs = ref.medianMs;
        row.refCpuMs = ref.medianCpuMs;
        row.refSamplesMs = ref.ms;
        row.refInfo = ref.info;
        const read = await readMethodOutputs(outDir, task, instance);
        if (read.ok) row.refScore = task.score(instance, read.outputs).main;
        else row.error = `reference output invalid: ${read.message}`;
      } catch (e) {
        row.error = (e instanceof Error ? e.message : String(e)).slice(0, 2000);
      }
      instanceRows.push(row);
      const f = (v: number | null, d = 1) => (v === null ? "—" : v.toFixed(d));
      console.error(
        `${pair.baseline} vs ${pair.reference} · ${instance.key}: ours ${f(row.oursMs)} ms, cpu ${f(row.oursCpuMs)} ms (${f(row.oursScore, 3)}), reference ${f(row.refMs)} ms, cpu ${f(row.refCpuMs)} ms (${f(row.refScore, 3)})${row.error ? ` · ${row.error}` : ""}`,
      );
    }
  }
}
await rm(root, { recursive: true, force: true });

// ------------------------------------------------------------------------------------------- summary

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

interface Summary {
  baseline: string;
  reference: string;
  variant: boolean;
  scope: string;
  instances: number;
  oursMs: number;
  refMs: number;
  ratio: number;
  /** The same ratio in CPU time (single-threaded on both sides): far less disturbed by other work on the machine. */
  cpuRatio: number;
  oursScore: number;
  refScore: number;
  difference: number;
  target: "met" | "missed" | "n/a";
  why: string;
}

/** Mean times (so the ratio is total time ours / total time reference) and mean scores over the rows. */
function summarize(rows: InstanceRow[], scope: string): Summary {
  const first = rows[0] as InstanceRow;
  const ok = rows.filter((r) => !r.error && r.refMs !== null);
  const ours = ok.filter((r) => r.oursMs !== null);
  const oursMs = mean(ours.map((r) => r.oursMs as number));
  const refMs = mean(ok.map((r) => r.refMs as number));
  const oursScore = mean(ours.map((r) => r.oursScore ?? Number.NaN));
  const refScore = mean(ok.map((r) => r.refScore ?? Number.NaN));
  const comparable = ours.length === rows.length && ok.length === rows.length;
  const ratio = comparable ? oursMs / refMs : Number.NaN;
  const cpuRatio = comparable
    ? mean(ours.map((r) => r.oursCpuMs ?? Number.NaN)) / mean(ok.map((r) => r.refCpuMs ?? Number.NaN))
    : Number.NaN;
  const difference = comparable ? oursScore - refScore : Number.NaN;
  let target: Summary["target"] = "n/a";
  let why = "";
  if (!comparable) why = rows.some((r) => r.error) ? "a run failed" : "baseline not registered: reference only";
  else {
    const fast = ratio <= TIME_TARGET;
    const good = difference >= -SCORE_TOLERANCE;
    target = fast && good ? "met" : "missed";
    why = [fast ? "" : `${ratio.toFixed(1)}× slower`, good ? "" : `score ${difference.toFixed(3)}`].filter(Boolean).join(", ");
  }
  return {
    baseline: first.baseline,
    reference: first.reference,
    variant: first.variant,
    scope,
    instances: rows.length,
    oursMs,
    refMs,
    ratio,
    cpuRatio,
    oursScore,
    refScore,
    difference,
    target,
    why,
  };
}

const groups = <K>(rows: InstanceRow[], key: (r: InstanceRow) => K) => {
  const m = new Map<K, InstanceRow[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return [...m.values()];
};
const perDataset = groups(instanceRows, (r) => `${r.baseline}|${r.reference}|${r.dataset}`).map((rows) =>
  summarize(rows, `${rows[0]?.task}/${rows[0]?.dataset}`),
);
const perBaseline = groups(instanceRows, (r) => `${r.baseline}|${r.reference}`).map((rows) => summarize(rows, "all"));

const load1 = os.loadavg();
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "—");
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(3)}` : "—");
const table = (rows: Summary[]) => {
  const header = [
    "baseline",
    "reference",
    "task/dataset",
    "n",
    "ours ms",
    "ref ms",
    "ratio",
    "cpu ratio",
    "ours score",
    "ref score",
    "diff",
    "target",
  ];
  const body = rows.map((r) => [
    r.baseline,
    r.reference + (r.variant ? " *" : ""),
    r.scope,
    String(r.instances),
    fmt(r.oursMs),
    fmt(r.refMs),
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "—",
    Number.isFinite(r.cpuRatio) ? `${r.cpuRatio.toFixed(2)}×` : "—",
    fmt(r.oursScore, 3),
    fmt(r.refScore, 3),
    signed(r.difference),
    r.target + (r.why ? ` (${r.why})` : ""),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of body) console.log(line(row));
};

console.log(
  `baselines vs reference implementations, official instances; ours in-process (tfjs backend ${backend}), references: ${python} (Python ${versions.python}, numpy ${versions.numpy}, scikit-learn ${versions.sklearn}), ${THREADS} BLAS thread(s)`,
);
console.log(
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}); load average ${fmt(load0[0] ?? Number.NaN, 2)} at start, ${fmt(load1[0] ?? Number.NaN, 2)} at end; total ${fmt((performance.now() - started) / 1000)} s`,
);
console.log(
  `ours ms: tinybench mean per instance (warm-up ≥ 1 run and ≥ 100 ms, then ≥ 300 ms and ≥ 2 runs); ref ms: median of the reference's own compute timer (1 warm-up + 3–5 runs; dictionary learning: 1 run), averaged over instances; ratio = ours / ref (wall clock; cpu ratio: the same in CPU time); diff = ours score − ref score`,
);
console.log(
  `target: ratio ≤ ${TIME_TARGET}× (wall clock) and diff ≥ −${SCORE_TOLERANCE} (mean main score); * = extra reference for context\n`,
);
console.log("per baseline × dataset");
table(perDataset);
console.log("\nper baseline (all instances)");
table(perBaseline);
const missed = perBaseline.filter((s) => !s.variant && s.target === "missed");
console.log(
  `\n${missed.length === 0 ? "every compared baseline meets the target" : `missed by: ${missed.map((s) => `${s.baseline} (${s.why})`).join("; ")}`}`,
);
for (const s of perBaseline.filter((r) => r.target === "n/a")) console.log(`not judged: ${s.baseline} vs ${s.reference}: ${s.why}`);

mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/reference.json",
  JSON.stringify(
    {
      date: new Date().toISOString(),
      backend,
      python,
      versions,
      blasThreads: Number(THREADS),
      cores: os.cpus().length,
      loadAverage: { start: load0, end: load1 },
      scoreTolerance: SCORE_TOLERANCE,
      timeTarget: TIME_TARGET,
      perBaseline,
      perDataset,
      instances: instanceRows,
    },
    null,
    2,
  ),
);
