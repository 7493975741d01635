// The compare view's data (server only): two or three methods on every dataset of one task, instance by instance.
// The runs are the leaderboard's (official split, current task and dataset versions, latest run per method whatever
// its method version: lib/data.ts's currentRows), failed instances count at the task's lowest score as in the
// ranking (lib/significance.ts), and the statistics are harness/statistics.ts's, so a pair shows the same difference
// and CI here as in a leaderboard's "vs row above" column.
import { z } from "zod";
import type { Db } from "@/harness/db/client.ts";
import { loadResults } from "@/harness/results.ts";
import { ALPHA, comparePair, holm } from "@/harness/statistics.ts";
import type { Domain, RunStatus } from "@/harness/types.ts";
import { currentRows, database, LEADERBOARD_SPLIT, loadTaskInfos, type ScoreSpec, toEntry } from "./data.ts";
import { listMethods, type MethodKind } from "./methods.ts";
import { type InstanceScore, instanceScores, scoresOfRun } from "./significance.ts";

if (typeof window !== "undefined") throw new Error("lib/compare.ts is server-only");

export const MAX_COMPARED = 3;

export type SearchParams = Record<string, string | string[] | undefined>;

/** What the query may name: every method in the database and every task with its datasets. */
export interface CompareChoices {
  methods: { id: string; name: string; kind: MethodKind }[];
  tasks: { id: string; title: string; datasets: { slug: string; title: string }[] }[];
}

export interface CompareQuery {
  task: string;
  /** 2–3 distinct method ids, in the order given: the first is "A" of each pair it is in. */
  methods: string[];
  /** Only this dataset of the task; null: all of them. */
  dataset: string | null;
}

export interface QueryIssue {
  field: "methods" | "task" | "dataset";
  message: string;
  /** Nothing (or too little) chosen yet: the form asks, no error is shown. */
  missing: boolean;
}

const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const rawParam = z.union([z.string(), z.array(z.string())]).optional();
// `methods=a,b` and the form's repeated `methods=a&methods=b` (an empty third choice is dropped) read the same.
const listParam = rawParam.transform((v) =>
  asList(v)
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== ""),
);
const singleParam = rawParam.transform((v, ctx) => {
  const values = asList(v)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (values.length > 1) ctx.addIssue({ code: "custom", message: "Give it once." });
  return values[0] ?? null;
});
// Ids echoed back in a message are cut short: the query is anyone's text.
const quoted = (id: string) => JSON.stringify(id.length > 60 ? `${id.slice(0, 60)}…` : id);

/** The query's schema, checked against the ids that exist. */
export function compareQuerySchema(choices: CompareChoices) {
  const methodIds = new Set(choices.methods.map((m) => m.id));
  const tasks = new Map(choices.tasks.map((t) => [t.id, t]));
  return z
    .object({
      methods: listParam.pipe(
        z
          .array(z.string())
          .min(2, "Choose two or three methods.")
          .max(MAX_COMPARED, `Compare at most ${MAX_COMPARED} methods at a time.`)
          .superRefine((ids, ctx) => {
            const unknown = ids.filter((id) => !methodIds.has(id));
            if (unknown.length > 0) ctx.addIssue({ code: "custom", message: `Unknown method ${unknown.map(quoted).join(", ")}.` });
            else if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: "Choose distinct methods." });
          }),
      ),
      task: singleParam.pipe(
        z.string({ error: "Choose a task." }).superRefine((id, ctx) => {
          if (!tasks.has(id)) ctx.addIssue({ code: "custom", message: `Unknown task ${quoted(id)}.` });
        }),
      ),
      dataset: singleParam,
    })
    .superRefine((q, ctx) => {
      if (q.dataset !== null && !tasks.get(q.task)?.datasets.some((d) => d.slug === q.dataset)) {
        ctx.addIssue({ code: "custom", path: ["dataset"], message: `Task ${q.task} has no dataset ${quoted(q.dataset)}.` });
      }
    });
}

export type ParsedQuery =
  | { ok: true; query: CompareQuery }
  | { ok: false; issues: QueryIssue[]; selection: { task: string | null; methods: string[]; dataset: string | null } };

/** The search parameters as a query, or what is missing or wrong (with the raw choices, to refill the form). */
export function parseCompareQuery(params: SearchParams, choices: CompareChoices): ParsedQuery {
  const parsed = compareQuerySchema(choices).safeParse({ methods: params.methods, task: params.task, dataset: params.dataset });
  if (parsed.success) return { ok: true, query: parsed.data };
  const first = (v: string | string[] | undefined) => asList(v)[0]?.trim() || null;
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      field: (issue.path[0] as QueryIssue["field"] | undefined) ?? "methods",
      message: issue.message,
      missing: issue.code === "too_small" || issue.code === "invalid_type",
    })),
    selection: { task: first(params.task), methods: listParam.parse(params.methods), dataset: first(params.dataset) },
  };
}

// ---------------------------------------------------------------------------------------------
// The comparison

/** A compared method's run on one dataset: the leaderboard's row. */
export interface CompareRun {
  runId: number;
  methodVersion: string;
  status: RunStatus;
  /** What the leaderboard ranks it by (a failed run's with its failed instances at the task's lowest score). */
  score: number | null;
  instances: number;
  failedInstances: number;
}

/** One instance both methods have: a point of the scatter. */
export interface ScatterPoint {
  index: number;
  key: string;
  a: number;
  b: number;
  /** Failed instances (counted at the task's lowest score). */
  aFailed: boolean;
  bFailed: boolean;
  /** Who scores higher on it ("tie" when equal): the wins count and the scatter's colour. */
  winner: "a" | "b" | "tie";
}

export interface PairResult {
  /** Shared instances. */
  n: number;
  /** Mean of a − b over them, with its 95% paired-bootstrap CI. */
  mean: number;
  low: number;
  high: number;
  /** Wilcoxon signed-rank p, and Holm-adjusted over every pair on every dataset of the comparison. */
  p: number;
  pAdjusted: number;
  /** Instances where a scores higher, the same, lower than b. */
  wins: number;
  ties: number;
  losses: number;
  /** Shared instances on which a (b) failed. */
  failedA: number;
  failedB: number;
  /** Who is better at the Holm-adjusted level ALPHA; "none" when the difference is not significant. */
  verdict: "a" | "b" | "none";
  points: ScatterPoint[];
}

export interface PairComparison {
  /** Method ids: the pair is a − b. */
  a: string;
  b: string;
  result: PairResult | null;
  /** Why there is no result ("no run of …", "… has no score", "no shared instances"); null with one. */
  reason: string | null;
}

export interface DatasetComparison {
  slug: string;
  title: string;
  domain: Domain;
  version: number;
  /** Per compared method (same order): its run, or null for "no run". */
  runs: (CompareRun | null)[];
  pairs: PairComparison[];
}

export interface PairSummary {
  a: string;
  b: string;
  /** Datasets where a (b) is significantly better, where neither is, and where the pair has no result. */
  aBetter: number;
  bBetter: number;
  neither: number;
  noResult: number;
}

export interface Comparison {
  task: { id: string; title: string; version: number; mainScore: ScoreSpec };
  methods: { id: string; name: string; kind: MethodKind }[];
  datasets: DatasetComparison[];
  summary: PairSummary[];
  /** Tests in the Holm family (pairs with a result, over all shown datasets). */
  tests: number;
  alpha: number;
}

/** Every pair (i < j) of the compared methods, in query order. */
function pairsOf<T>(items: readonly T[]): [T, T][] {
  return items.flatMap((a, i) => items.slice(i + 1).map((b) => [a, b] as [T, T]));
}

function winsOf(points: readonly ScatterPoint[]) {
  const count = (w: ScatterPoint["winner"]) => points.filter((p) => p.winner === w).length;
  return { wins: count("a"), ties: count("tie"), losses: count("b") };
}

/** The comparison of `query.methods` on each dataset of `query.task`; null when the task is unknown. */
export async function compareMethods(db: Db, query: CompareQuery): Promise<Comparison | null> {
  const [task] = await loadTaskInfos(db, query.task);
  if (!task) return null;
  const [rows, methodRows] = await Promise.all([
    loadResults(db, { task: task.id, split: LEADERBOARD_SPLIT }),
    db.method.findMany({ where: { id: { in: query.methods } }, select: { id: true, name: true, kind: true } }),
  ]);
  const methods = query.methods.map((id) => methodRows.find((m) => m.id === id) ?? { id, name: id, kind: "baseline" as const });
  const { byDataset } = currentRows(task, rows);
  const datasets = task.datasets.filter((d) => query.dataset === null || d.slug === query.dataset);

  // Each dataset's leaderboard row per method; only runs the leaderboard ranks by a score have per-instance statistics.
  const runRows = datasets.map((d) => methods.map((m) => (byDataset.get(d.slug) ?? []).find((r) => r.method === m.id) ?? null));
  const scored = runRows.flat().filter((r) => r !== null && toEntry(r).score !== null);
  const scores = await instanceScores(
    db,
    scored.map((r) => (r as { runId: number }).runId),
    task.mainScore.min,
  );

  const comparisons: DatasetComparison[] = datasets.map((dataset, d) => {
    const runs = (runRows[d] as (typeof runRows)[number]).map((r) => {
      if (!r) return null;
      const entry = toEntry(r);
      return {
        runId: r.runId,
        methodVersion: r.methodVersion,
        status: r.status,
        score: entry.score,
        instances: r.instances,
        failedInstances: r.failedInstances,
      };
    });
    const pairs = pairsOf(methods.map((m, i) => ({ method: m, run: runs[i] ?? null }))).map(([x, y]) => {
      const pair = { a: x.method.id, b: y.method.id };
      const missing = [x, y].find((s) => !s.run || s.run.score === null);
      if (missing) {
        const reason = missing.run ? `${missing.method.name} has no score (${missing.run.status})` : `no run of ${missing.method.name}`;
        return { ...pair, result: null, reason };
      }
      const xs = scores.get((x.run as CompareRun).runId) as Map<number, InstanceScore>;
      const ys = scores.get((y.run as CompareRun).runId) as Map<number, InstanceScore>;
      // Instances pair by their index within the dataset version and split (their key, dataset/split/index).
      const points: ScatterPoint[] = [...xs.keys()]
        .filter((i) => ys.has(i))
        .sort((i, j) => i - j)
        .map((index) => {
          const u = xs.get(index) as InstanceScore;
          const v = ys.get(index) as InstanceScore;
          const winner = u.score > v.score ? "a" : u.score < v.score ? "b" : "tie";
          return { index, key: u.key, a: u.score, b: v.score, aFailed: u.failed, bFailed: v.failed, winner };
        });
      if (points.length === 0) return { ...pair, result: null, reason: "no shared instances" };
      const { difference, p } = comparePair(scoresOfRun((x.run as CompareRun).runId, xs), scoresOfRun((y.run as CompareRun).runId, ys));
      const result: PairResult = {
        n: difference.n,
        mean: difference.mean,
        low: difference.low,
        high: difference.high,
        p,
        pAdjusted: p,
        ...winsOf(points),
        failedA: points.filter((q) => q.aFailed).length,
        failedB: points.filter((q) => q.bFailed).length,
        verdict: "none",
        points,
      };
      return { ...pair, result, reason: null };
    });
    return { slug: dataset.slug, title: dataset.title, domain: dataset.domain, version: dataset.version, runs, pairs };
  });

  // One Holm family for the page: a reader scans every dataset for "where each wins", so every test counts.
  const results = comparisons.flatMap((c) => c.pairs.flatMap((p) => (p.result ? [p.result] : [])));
  const adjusted = holm(results.map((r) => r.p));
  results.forEach((r, k) => {
    r.pAdjusted = adjusted[k] as number;
    r.verdict = r.pAdjusted < ALPHA && r.mean !== 0 ? (r.mean > 0 ? "a" : "b") : "none";
  });

  const summary = pairsOf(methods).map(([a, b]) => {
    const outcomes = comparisons.map((c) => c.pairs.find((p) => p.a === a.id && p.b === b.id)?.result?.verdict ?? null);
    return {
      a: a.id,
      b: b.id,
      aBetter: outcomes.filter((v) => v === "a").length,
      bBetter: outcomes.filter((v) => v === "b").length,
      neither: outcomes.filter((v) => v === "none").length,
      noResult: outcomes.filter((v) => v === null).length,
    };
  });

  return {
    task: { id: task.id, title: task.title, version: task.version, mainScore: task.mainScore },
    methods,
    datasets: comparisons,
    summary,
    tests: results.length,
    alpha: ALPHA,
  };
}

// ---------------------------------------------------------------------------------------------
// The page

export interface ComparePage {
  choices: CompareChoices;
  /** What the form shows as chosen. */
  selection: { task: string | null; methods: string[]; dataset: string | null };
  issues: QueryIssue[];
  comparison: Comparison | null;
}

/** The compare page for a request's search parameters: the choices for the form, and the comparison or the issues. */
export async function getComparePage(params: SearchParams): Promise<ComparePage> {
  const db = database();
  const [methods, tasks] = await Promise.all([listMethods(), loadTaskInfos(db)]);
  const choices: CompareChoices = {
    methods: methods.map((m) => ({ id: m.id, name: m.name, kind: m.kind })),
    tasks: tasks.map((t) => ({ id: t.id, title: t.title, datasets: t.datasets.map((d) => ({ slug: d.slug, title: d.title })) })),
  };
  const parsed = parseCompareQuery(params, choices);
  if (!parsed.ok) return { choices, selection: parsed.selection, issues: parsed.issues, comparison: null };
  return { choices, selection: parsed.query, issues: [], comparison: await compareMethods(db, parsed.query) };
}

/** The compare view's address (links from method pages and leaderboards). */
export function compareHref(task: string, methods: readonly string[], dataset?: string): string {
  const q = new URLSearchParams({ methods: methods.join(","), task });
  if (dataset) q.set("dataset", dataset);
  return `/compare?${q.toString().replaceAll("%2C", ",")}`;
}
