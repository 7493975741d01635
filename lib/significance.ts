// Paired significance of a leaderboard: per-instance scores of the ranked runs (InstanceResult, keyed by
// instance index) through harness/statistics.ts. Failed instances count at the task's lowest score, as the
// leaderboard's ranking does; a pair is compared only over the instances both runs have.
import type { Db } from "@/harness/db/client.ts";
import { loadResults, type ResultRow } from "@/harness/results.ts";
import { analyze, type MethodScores } from "@/harness/statistics.ts";
import type { Split } from "@/harness/types.ts";
import { processCache } from "./process-cache.ts";

/** What one ranked leaderboard row shows in its Rank column. Plain and serializable. */
export interface RowSignificance {
  runId: number;
  method: string;
  /** Rank group: rows not separated from their group's leader share its rank (see harness/statistics.ts). */
  group: number;
  /** 95% bootstrap interval of the rank. */
  rankLow: number;
  rankHigh: number;
  /** This row minus the ranked row above it; null for the first. */
  vsAbove: {
    method: string;
    runId: number;
    /** Mean paired difference and its 95% bootstrap CI over `n` shared instances. */
    mean: number;
    low: number;
    high: number;
    n: number;
    /** Wilcoxon signed-rank p, and Holm-adjusted over every pair of ranked rows in the table. */
    p: number;
    pAdjusted: number;
  } | null;
}

/** One instance's score as the statistics use it. */
export interface InstanceScore {
  /** The instance's key (`dataset/split/index`), unique within a run. */
  key: string;
  /** Its score; a failed instance at the task's lowest score. */
  score: number;
  failed: boolean;
}

/** Per-instance scores of runs, by run id and instance index; failed instances count at `lowest` and are flagged. */
export async function instanceScores(db: Db, runIds: readonly number[], lowest: number): Promise<Map<number, Map<number, InstanceScore>>> {
  const byRun = new Map<number, Map<number, InstanceScore>>(runIds.map((id) => [id, new Map()]));
  if (runIds.length === 0) return byRun;
  const rows = await db.instanceResult.findMany({
    where: { runId: { in: [...runIds] } },
    select: { runId: true, index: true, instanceKey: true, status: true, score: true },
  });
  for (const row of rows) {
    const failed = row.status !== "ok" || row.score === null;
    byRun.get(row.runId)?.set(row.index, { key: row.instanceKey, score: failed ? lowest : (row.score as number), failed });
  }
  return byRun;
}

/** A run's scores as harness/statistics.ts takes them: the run id names it (and seeds its pairs' bootstraps). */
export function scoresOfRun(runId: number, scores: ReadonlyMap<number, InstanceScore> | undefined): MethodScores {
  return { id: String(runId), scores: new Map([...(scores ?? [])].map(([index, s]) => [index, s.score])) };
}

/** A ranked run as significance needs it; `finishedAt` (ISO string or Date) keys the cache. */
export interface RankedRun {
  runId: number;
  method: string;
  finishedAt?: string | Date | null;
}

// Finished runs' instance results never change: a result is keyed by the task's lowest score and the ranked runs in
// order with their finishedAt. A run that is retried loses its place (queued or running runs are not ranked) and comes
// back with a new finishedAt; a new run, a new version or a change of order is a new key; a deleted run takes its
// instance rows with it (cascade) and leaves the ranking. So an entry is never stale, only unused: it ages out of the LRU.
const cache = processCache<RowSignificance[]>("significance", 512);

/** The cache key of a ranking, or null when a run has not finished (its instance rows may still change). */
function cacheKey(runs: readonly RankedRun[], lowest: number): string | null {
  const parts: string[] = [String(lowest)];
  for (const r of runs) {
    if (!r.finishedAt) return null;
    parts.push(`${r.runId}:${r.method}:${r.finishedAt instanceof Date ? r.finishedAt.toISOString() : r.finishedAt}`);
  }
  return parts.join("|");
}

/**
 * Significance of ranked runs given best first (the leaderboard's order: rank groups and "vs above" follow it).
 * `lowest` is the task's lowest main score, at which failed instances count. Returns one entry per run, same order.
 * Results are cached per process (see above); callers must not mutate them.
 */
export async function significanceOfRuns(db: Db, runs: readonly RankedRun[], lowest: number): Promise<RowSignificance[]> {
  if (runs.length === 0) return [];
  const key = cacheKey(runs, lowest);
  const hit = key === null ? undefined : cache.get(key);
  if (hit) return hit;
  const result = await computeSignificance(db, runs, lowest);
  if (key !== null) cache.set(key, result);
  return result;
}

async function computeSignificance(db: Db, runs: readonly RankedRun[], lowest: number): Promise<RowSignificance[]> {
  const byRun = await instanceScores(
    db,
    runs.map((r) => r.runId),
    lowest,
  );
  const methods: MethodScores[] = runs.map((r) => scoresOfRun(r.runId, byRun.get(r.runId)));
  const runOf = new Map<string, RankedRun>(runs.map((r) => [String(r.runId), r]));
  return analyze(methods, { presorted: true }).map((s) => {
    const run = runOf.get(s.id) as RankedRun;
    const above = s.vsAbove ? (runOf.get(s.vsAbove.above) as RankedRun) : null;
    return {
      runId: run.runId,
      method: run.method,
      group: s.group,
      rankLow: s.rankLow,
      rankHigh: s.rankHigh,
      vsAbove:
        s.vsAbove && above
          ? {
              method: above.method,
              runId: above.runId,
              mean: s.vsAbove.difference.mean,
              low: s.vsAbove.difference.low,
              high: s.vsAbove.difference.high,
              n: s.vsAbove.difference.n,
              p: s.vsAbove.p,
              pAdjusted: s.vsAbove.pAdjusted,
            }
          : null,
    };
  });
}

export interface SignificanceKey {
  task: string;
  taskVersion: number;
  dataset: string;
  datasetVersion: number;
  split: Split;
}

/** The score a leaderboard ranks a run by (ok: its score; finished failed run: failures at the lowest score), or null. */
function rankedScore(r: ResultRow): number | null {
  if (r.status === "ok" && r.score !== null) return r.score;
  return r.countedScore;
}

/**
 * One task version × dataset version × split: the latest run of each ranked method (not the random, oracle or floor
 * references; ok runs, or failed runs whose instances all have results), ordered as the leaderboard orders them
 * (score, then method id), with their rank groups, rank intervals and differences to the row above.
 */
export async function loadSignificance(db: Db, key: SignificanceKey): Promise<RowSignificance[]> {
  const version = await db.taskVersion.findUnique({ where: { taskId_version: { taskId: key.task, version: key.taskVersion } } });
  if (!version) return [];
  const min = (version.contract as { mainScore?: { min?: unknown } } | null)?.mainScore?.min;
  const rows = await loadResults(db, { task: key.task, dataset: key.dataset, split: key.split });
  const latest = new Map<string, ResultRow>();
  for (const r of rows) {
    if (r.taskVersion !== key.taskVersion || r.datasetVersion !== key.datasetVersion) continue;
    if (r.method === "random" || r.method === "oracle" || r.methodKind === "floor") continue;
    const previous = latest.get(r.method);
    if (!previous || r.runId > previous.runId) latest.set(r.method, r);
  }
  const ranked = [...latest.values()]
    .filter((r) => rankedScore(r) !== null)
    .sort((a, b) => (rankedScore(b) as number) - (rankedScore(a) as number) || a.method.localeCompare(b.method));
  return significanceOfRuns(db, ranked, typeof min === "number" ? min : 0);
}
