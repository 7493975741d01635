// Reading results back: the one query layer used by the CLI (`run --json`) and the site. Normalized
// scores are derived here from the reference runs on the same task version, dataset version and split
// (oracle = 1; 0 = the best of random and the floor references), so they can never disagree with the
// stored raw scores.
import { type Db, Prisma } from "./db/client.ts";
import { normalizedScore } from "./scoring.ts";
import type { Domain, RunStatus, Split } from "./types.ts";

export interface ResultRow {
  runId: number;
  method: string;
  methodName: string;
  methodKind: "baseline" | "reference" | "floor" | "external";
  methodVersion: string;
  task: string;
  taskVersion: number;
  dataset: string;
  datasetVersion: number;
  domain: Domain;
  split: Split;
  status: RunStatus;
  message: string | null;
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** (score − floor) / (oracle − floor): 0 at the best of random and the floor references, 1 at the oracle. */
  normalized: number | null;
  /** The 0 of the normalized score: the best score of `random` and the floor references on the same instances. */
  floor: number | null;
  /** Which reference that floor is (e.g. "floor-constant"). */
  floorMethod: string | null;
  /** Instances whose outcome was not ok. */
  failedInstances: number;
  /**
   * A failed run whose instances all have results: the mean score with each failed instance counted at the task's
   * lowest score (so failing never scores better than answering), and its normalized value. What leaderboards rank a
   * failed run by, marked "k of n failed"; null for ok runs (their score is it) and unfinished ones.
   */
  countedScore: number | null;
  countedNormalized: number | null;
  metrics: Record<string, number> | null;
  instances: number;
  instancesDone: number;
  runtimeMs: number | null;
  backend: string | null;
  /** The GPU the run used (PROTOCOL 1.1), null for CPU-only runs. */
  gpuModel: string | null;
  /** "CPU-only" or the GPU model: runs measured on different hardware classes are not compared for cost. */
  hardwareClass: string;
  finishedAt: Date | null;
}

/** The hardware class of a run: "CPU-only", or the model of the GPU it ran on. */
export function hardwareClass(gpuModel: string | null | undefined): string {
  return gpuModel || "CPU-only";
}

// The database's enums cannot spell "invalid-output" (Prisma maps it to `invalid_output`): these two are the only
// places that translate, in either direction.
export const toStatus = (s: string): RunStatus => (s === "invalid_output" ? "invalid-output" : (s as RunStatus));
export const toDbStatus = <T extends string>(s: T) =>
  (s === "invalid-output" ? "invalid_output" : s) as Exclude<T, "invalid-output"> | "invalid_output";

const TERMINAL: readonly RunStatus[] = ["ok", "invalid-output", "error", "timeout"];
/** A run that has ended: nothing runs it any more until it is retried. */
export const isTerminal = (s: RunStatus) => TERMINAL.includes(s);

export interface ResultFilter {
  task?: string;
  dataset?: string;
  split?: Split;
  runIds?: number[];
  /**
   * Only the runs leaderboards show: the current (highest) task and dataset versions, and there the latest run of each
   * method (by run id, whatever its method version). Selected in SQL, so a page never loads superseded runs.
   */
  current?: boolean;
  /** Only runs of methods of these kinds (e.g. the reference and floor runs a run page shows beside its score). */
  methodKinds?: ResultRow["methodKind"][];
}

const ORACLE_METHOD = "oracle";
const FAILED = new Set(["invalid_output", "error", "timeout"]);

/** The references of one (task version, dataset version, split): the oracle, and random and the floors by id. */
interface References {
  oracle: number | null;
  lower: Map<string, number>;
}

/** The 0 of the normalized score: the best of random and the floor references present. */
export function floorOf(ref: References | undefined): { floor: number | null; floorMethod: string | null } {
  let floor: number | null = null;
  let floorMethod: string | null = null;
  for (const [id, score] of [...(ref?.lower ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b))) {
    if (floor === null || score > floor) {
      floor = score;
      floorMethod = id;
    }
  }
  return { floor, floorMethod };
}

/** A task version's lowest possible main score (its contract's mainScore.min). */
function lowestScore(contract: unknown): number {
  const min = (contract as { mainScore?: { min?: unknown } } | null)?.mainScore?.min;
  return typeof min === "number" ? min : 0;
}

/**
 * The mean over all instances of a run, each failed instance counted at `lowest` (the task's lowest score): failing on
 * an instance can never score better than answering it, so erroring out where a method would do badly cannot help.
 */
export function countFailuresAtMinimum(instances: readonly { status: string; score: number | null }[], lowest: number): number | null {
  if (instances.length === 0) return null;
  let sum = 0;
  for (const i of instances) sum += i.status === "ok" && i.score !== null ? i.score : lowest;
  return sum / instances.length;
}

/** The SQL conditions of a filter's task and dataset, on `"TaskVersion" tv` and `"Dataset" d`. */
function versionConditions(filter: Pick<ResultFilter, "task" | "dataset">): Prisma.Sql {
  const conditions = [Prisma.sql`TRUE`];
  if (filter.task) conditions.push(Prisma.sql`tv."taskId" = ${filter.task}`);
  if (filter.dataset) conditions.push(Prisma.sql`d.slug = ${filter.dataset}`);
  return Prisma.join(conditions, " AND ");
}

/**
 * Ids of the runs `current` selects: on the highest task version and dataset version, the run with the largest id of
 * each method per dataset and split (what lib/data.ts's currentRows keeps of a full list, so the two always agree).
 */
async function currentRunIds(db: Db, filter: ResultFilter): Promise<number[]> {
  // Current versions first, then each method version's run there (an index-only scan), then the latest per method.
  const rows = await db.$queryRaw<{ id: number }[]>`
    WITH current_versions AS (
      SELECT tv.id AS tv, dv.id AS dv
      FROM "TaskVersion" tv
      JOIN "Dataset" d ON d."taskId" = tv."taskId"
      JOIN "DatasetVersion" dv ON dv."datasetId" = d.id
      WHERE ${versionConditions(filter)}
        AND tv.version = (SELECT max(x.version) FROM "TaskVersion" x WHERE x."taskId" = tv."taskId")
        AND dv.version = (SELECT max(x.version) FROM "DatasetVersion" x WHERE x."datasetId" = dv."datasetId")
    ), runs AS (
      SELECT r.id, r."methodVersionId", r."datasetVersionId", r.split
      FROM current_versions c
      JOIN "Run" r ON r."taskVersionId" = c.tv AND r."datasetVersionId" = c.dv
      ${filter.split ? Prisma.sql`WHERE r.split = ${filter.split}::"Split"` : Prisma.empty}
    )
    SELECT DISTINCT ON (mv."methodId", runs."datasetVersionId", runs.split) runs.id
    FROM runs JOIN "MethodVersion" mv ON mv.id = runs."methodVersionId"
    ORDER BY mv."methodId", runs."datasetVersionId", runs.split, runs.id DESC`;
  return rows.map((r) => r.id);
}

/** How many runs each dataset of a task has on a split, over every task, dataset and method version; by dataset slug. */
export async function countRuns(db: Db, filter: { task: string; split: Split }): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ slug: string; runs: number }[]>`
    SELECT d.slug, count(*)::int AS runs
    FROM "Run" r
    JOIN "TaskVersion" tv ON tv.id = r."taskVersionId"
    JOIN "DatasetVersion" dv ON dv.id = r."datasetVersionId"
    JOIN "Dataset" d ON d.id = dv."datasetId"
    WHERE ${versionConditions(filter)} AND r.split = ${filter.split}::"Split"
    GROUP BY d.slug`;
  return new Map(rows.map((r) => [r.slug, r.runs]));
}

export async function loadResults(db: Db, filter: ResultFilter = {}): Promise<ResultRow[]> {
  let ids = filter.runIds;
  if (filter.current) {
    const current = await currentRunIds(db, filter);
    const wanted = filter.runIds ? new Set(filter.runIds) : null;
    ids = wanted ? current.filter((id) => wanted.has(id)) : current;
  }
  const runs = await db.run.findMany({
    where: {
      ...(filter.split ? { split: filter.split } : {}),
      ...(ids ? { id: { in: ids } } : {}),
      ...(filter.methodKinds ? { methodVersion: { method: { kind: { in: filter.methodKinds } } } } : {}),
      taskVersion: filter.task ? { taskId: filter.task } : {},
      datasetVersion: filter.dataset ? { dataset: { slug: filter.dataset } } : {},
    },
    include: {
      methodVersion: { include: { method: true } },
      taskVersion: true,
      datasetVersion: { include: { dataset: true } },
    },
    orderBy: [{ id: "asc" }],
  });
  // Reference scores per (task version, dataset version, split): the latest ok run of each reference and floor.
  const refKeys = [...new Set(runs.map((r) => `${r.taskVersionId}:${r.datasetVersionId}:${r.split}`))];
  const refs = new Map<string, References>();
  if (refKeys.length > 0) {
    const refRuns = await db.run.findMany({
      where: {
        status: "ok",
        methodVersion: { method: { kind: { in: ["reference", "floor"] } } },
        OR: refKeys.map((k) => {
          const [t, d, s] = k.split(":");
          return { taskVersionId: Number(t), datasetVersionId: Number(d), split: s as Split };
        }),
      },
      include: { methodVersion: true },
      orderBy: { id: "asc" },
    });
    for (const r of refRuns) {
      const key = `${r.taskVersionId}:${r.datasetVersionId}:${r.split}`;
      const entry = refs.get(key) ?? { oracle: null, lower: new Map() };
      if (r.methodVersion.methodId === ORACLE_METHOD) entry.oracle = r.score;
      else if (r.score !== null) entry.lower.set(r.methodVersion.methodId, r.score);
      refs.set(key, entry);
    }
  }
  // Failed runs with every instance recorded are ranked with their failed instances at the task's lowest score.
  const failedIds = runs.filter((r) => FAILED.has(r.status) && r.instancesDone >= r.instances).map((r) => r.id);
  const perRun = new Map<number, { status: string; score: number | null }[]>();
  if (failedIds.length > 0) {
    const instanceRows = await db.instanceResult.findMany({
      where: { runId: { in: failedIds } },
      select: { runId: true, status: true, score: true },
    });
    for (const row of instanceRows) perRun.set(row.runId, [...(perRun.get(row.runId) ?? []), row]);
  }
  const failedCounts = new Map<number, number>();
  if (runs.length > 0) {
    const grouped = await db.instanceResult.groupBy({
      by: ["runId"],
      where: { runId: { in: runs.map((r) => r.id) }, status: { not: "ok" } },
      _count: { _all: true },
    });
    for (const g of grouped) failedCounts.set(g.runId, g._count._all);
  }
  return runs.map((r) => {
    const ref = refs.get(`${r.taskVersionId}:${r.datasetVersionId}:${r.split}`);
    const status = toStatus(r.status);
    const { floor, floorMethod } = floorOf(ref);
    const oracle = ref?.oracle ?? null;
    const instanceRows = perRun.get(r.id);
    const countedScore =
      instanceRows && instanceRows.length >= r.instances ? countFailuresAtMinimum(instanceRows, lowestScore(r.taskVersion.contract)) : null;
    return {
      runId: r.id,
      method: r.methodVersion.methodId,
      methodName: r.methodVersion.method.name,
      methodKind: r.methodVersion.method.kind,
      methodVersion: r.methodVersion.version,
      task: r.taskVersion.taskId,
      taskVersion: r.taskVersion.version,
      dataset: r.datasetVersion.dataset.slug,
      datasetVersion: r.datasetVersion.version,
      domain: r.datasetVersion.dataset.domain,
      split: r.split,
      status,
      message: r.message,
      score: r.score,
      ciLow: r.ciLow,
      ciHigh: r.ciHigh,
      normalized: status === "ok" ? normalizedScore(r.score, floor, oracle) : null,
      floor,
      floorMethod,
      failedInstances: failedCounts.get(r.id) ?? 0,
      countedScore,
      countedNormalized: normalizedScore(countedScore, floor, oracle),
      metrics: (r.metrics as Record<string, number> | null) ?? null,
      instances: r.instances,
      instancesDone: r.instancesDone,
      runtimeMs: r.wallMs,
      backend: r.backend,
      gpuModel: r.gpuModel,
      hardwareClass: hardwareClass(r.gpuModel),
      finishedAt: r.finishedAt,
    };
  });
}
