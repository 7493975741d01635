// The data behind the downloads and the read-only API (app/api/tasks, app/api/methods, app/api/runs/:id/instances),
// built from the pages' own functions (getTask, getRun, getMethodPage), so a download shows the numbers the pages
// show. Server only.
import { z } from "zod";
import { toCsv } from "@/lib/csv.ts";
import { database, getRun, getTask, LEADERBOARD_SPLIT, type LeaderboardEntry } from "@/lib/data.ts";
import { median } from "@/lib/methods.ts";

if (typeof window !== "undefined") throw new Error("lib/export.ts is server-only");

export const LEADERBOARD_EXPORT_FORMAT = "cajal-leaderboard/1";
export const INSTANCES_EXPORT_FORMAT = "cajal-run-instances/1";

/** `?format=` of the downloads: JSON unless CSV is asked for. */
export const formatQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });
export type ExportFormat = z.infer<typeof formatQuery>["format"];

/** The query's format, or the error to answer with (400). */
export function parseFormat(url: string): { ok: true; format: ExportFormat } | { ok: false; error: string } {
  const raw = new URL(url).searchParams.get("format");
  const parsed = formatQuery.safeParse({ format: raw ?? undefined });
  return parsed.success
    ? { ok: true, format: parsed.data.format }
    : { ok: false, error: `unknown format "${raw}": use ?format=json (the default) or ?format=csv` };
}

// ---------------------------------------------------------------------------------------------
// Leaderboards

/** One (dataset, method) row of a task's leaderboards: what its table row shows, plus versions and provenance. */
export interface LeaderboardExportRow {
  task: string;
  taskVersion: number;
  dataset: string;
  datasetVersion: number;
  domain: string;
  method: string;
  methodName: string;
  methodVersion: string;
  methodKind: string;
  /** ranked, chance (random), floor (a row to beat), pending (queued/running) or failed (no score). */
  role: LeaderboardEntry["role"];
  status: string;
  /** What the leaderboard ranks by: an ok run's score, or a finished failed run's with failures at the lowest score. */
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  normalized: number | null;
  rank: number | null;
  /** Rank group of the paired comparisons (rows not separated from their group's leader share it). */
  rankGroup: number | null;
  instances: number;
  failedInstances: number;
  medianRuntimeMsPerInstance: number | null;
  /** The run's peak memory (the largest of its instances'). */
  peakMemoryMb: number | null;
  backend: string | null;
  /** The machine that scored the run, as "key=value; …". */
  hardware: string;
  runId: number;
}

export const LEADERBOARD_COLUMNS = [
  "task",
  "taskVersion",
  "dataset",
  "datasetVersion",
  "domain",
  "method",
  "methodName",
  "methodVersion",
  "methodKind",
  "role",
  "status",
  "score",
  "ciLow",
  "ciHigh",
  "normalized",
  "rank",
  "rankGroup",
  "instances",
  "failedInstances",
  "medianRuntimeMsPerInstance",
  "peakMemoryMb",
  "backend",
  "hardware",
  "runId",
] as const satisfies readonly (keyof LeaderboardExportRow)[];

export interface LeaderboardExport {
  format: typeof LEADERBOARD_EXPORT_FORMAT;
  generatedAt: string;
  task: {
    id: string;
    title: string;
    version: number;
    contractHash: string;
    mainScore: { id: string; label: string; min: number; max: number };
  };
  split: string;
  /** Current dataset versions (only their runs are exported) and each one's normalization references. */
  datasets: {
    slug: string;
    title: string;
    domain: string;
    version: number;
    contentHash: string;
    oracle: { runId: number; score: number | null } | null;
    /** The normalized score's 0: the best of random and the floor references. */
    floor: { method: string; score: number } | null;
  }[];
  rows: LeaderboardExportRow[];
}

function describeHardware(value: unknown): string {
  if (!value || typeof value !== "object" || Array.isArray(value)) return "";
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("; ");
}

/** Every leaderboard of a task (official split, current versions) as rows; null for an unknown task. */
export async function leaderboardExport(taskId: string): Promise<LeaderboardExport | null> {
  const task = await getTask(taskId);
  if (!task) return null;
  const runIds = task.leaderboards.flatMap((b) => b.entries.map((e) => e.runId));
  const db = database();
  const [runs, instances] = await Promise.all([
    db.run.findMany({ where: { id: { in: runIds } }, select: { id: true, hardware: true, peakRssMb: true } }),
    db.instanceResult.findMany({ where: { runId: { in: runIds } }, select: { runId: true, wallMs: true } }),
  ]);
  const runOf = new Map(runs.map((r) => [r.id, r]));
  const wallByRun = new Map<number, number[]>();
  for (const i of instances) {
    const walls = wallByRun.get(i.runId) ?? [];
    walls.push(i.wallMs);
    wallByRun.set(i.runId, walls);
  }
  const rows = task.leaderboards.flatMap((board) =>
    board.entries.map(
      (e): LeaderboardExportRow => ({
        task: task.id,
        taskVersion: task.version,
        dataset: board.slug,
        datasetVersion: board.version,
        domain: board.domain,
        method: e.method,
        methodName: e.methodName,
        methodVersion: e.methodVersion,
        methodKind: e.methodKind,
        role: e.role,
        status: e.status,
        score: e.score,
        ciLow: e.ciLow,
        ciHigh: e.ciHigh,
        normalized: e.normalized,
        rank: e.rank,
        rankGroup: e.significance?.group ?? null,
        instances: e.instances,
        failedInstances: e.failedInstances,
        medianRuntimeMsPerInstance: median(wallByRun.get(e.runId) ?? []),
        peakMemoryMb: runOf.get(e.runId)?.peakRssMb ?? null,
        backend: e.backend,
        hardware: describeHardware(runOf.get(e.runId)?.hardware),
        runId: e.runId,
      }),
    ),
  );
  return {
    format: LEADERBOARD_EXPORT_FORMAT,
    generatedAt: new Date().toISOString(),
    task: { id: task.id, title: task.title, version: task.version, contractHash: task.contractHash, mainScore: task.mainScore },
    split: LEADERBOARD_SPLIT,
    datasets: task.leaderboards.map((b) => ({
      slug: b.slug,
      title: b.title,
      domain: b.domain,
      version: b.version,
      contentHash: b.contentHash,
      oracle: b.references.oracle ? { runId: b.references.oracle.runId, score: b.references.oracle.score } : null,
      floor: b.references.floor,
    })),
    rows,
  };
}

export const leaderboardCsv = (data: LeaderboardExport): string => toCsv(LEADERBOARD_COLUMNS, data.rows);

// ---------------------------------------------------------------------------------------------
// A run's instances

export interface InstanceExportRow {
  index: number;
  instanceKey: string;
  status: string;
  score: number | null;
  wallMs: number;
  cpuMs: number;
  peakMemoryMb: number | null;
  /** Why an instance failed; on the private split withheld (the method's words could reveal the data). */
  message: string | null;
}

export const INSTANCE_COLUMNS = [
  "index",
  "instanceKey",
  "status",
  "score",
  "wallMs",
  "cpuMs",
  "peakMemoryMb",
  "message",
] as const satisfies readonly (keyof InstanceExportRow)[];

export interface InstancesExport {
  format: typeof INSTANCES_EXPORT_FORMAT;
  generatedAt: string;
  run: { id: number; split: string; status: string; score: number | null; instances: number };
  method: { id: string; name: string; version: string };
  task: { id: string; version: number; mainScore: string };
  dataset: { slug: string; version: number };
  instances: InstanceExportRow[];
}

/** A run's per-instance results as its run page lists them; null for an unknown run. */
export async function instancesExport(runId: string): Promise<InstancesExport | null> {
  const run = await getRun(runId);
  if (!run) return null;
  return {
    format: INSTANCES_EXPORT_FORMAT,
    generatedAt: new Date().toISOString(),
    run: { id: run.id, split: run.split, status: run.status, score: run.score, instances: run.instances },
    method: { id: run.method.id, name: run.method.name, version: run.method.version },
    task: { id: run.task.id, version: run.task.version, mainScore: run.task.mainScore.id },
    dataset: { slug: run.dataset.slug, version: run.dataset.version },
    instances: run.instanceResults.map((r) => ({
      index: r.index,
      instanceKey: r.instanceKey,
      status: r.status,
      score: r.score,
      wallMs: r.wallMs,
      cpuMs: r.cpuMs,
      peakMemoryMb: r.peakRssMb,
      message: r.message,
    })),
  };
}

export const instancesCsv = (data: InstancesExport): string => toCsv(INSTANCE_COLUMNS, data.instances);

/** The download's file name: ids only (task ids and run ids are [a-z0-9-]). */
export const leaderboardFilename = (taskId: string) => `cajal-${taskId}-leaderboard.csv`;
export const instancesFilename = (runId: number) => `cajal-run-${runId}-instances.csv`;
