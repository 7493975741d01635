// Reading results back: the one query layer used by the CLI (`run --json`) and the site. Normalized
// scores are derived here from the random and oracle runs on the same task version, dataset
// version and split, so they can never disagree with the stored raw scores.
import type { Db } from "./db/client.ts";
import { normalizedScore } from "./scoring.ts";
import type { Domain, RunStatus, Split } from "./types.ts";

export interface ResultRow {
  runId: number;
  method: string;
  methodName: string;
  methodKind: "baseline" | "reference" | "external";
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
  normalized: number | null;
  metrics: Record<string, number> | null;
  instances: number;
  instancesDone: number;
  runtimeMs: number | null;
  backend: string | null;
  finishedAt: Date | null;
}

export const toStatus = (s: string): RunStatus => (s === "invalid_output" ? "invalid-output" : (s as RunStatus));
export const toDbStatus = <T extends string>(s: T) =>
  (s === "invalid-output" ? "invalid_output" : s) as Exclude<T, "invalid-output"> | "invalid_output";

export interface ResultFilter {
  task?: string;
  dataset?: string;
  split?: Split;
  runIds?: number[];
}

export async function loadResults(db: Db, filter: ResultFilter = {}): Promise<ResultRow[]> {
  const runs = await db.run.findMany({
    where: {
      ...(filter.split ? { split: filter.split } : {}),
      ...(filter.runIds ? { id: { in: filter.runIds } } : {}),
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
  // Reference scores per (task version, dataset version, split): the latest ok run of each.
  const refKeys = [...new Set(runs.map((r) => `${r.taskVersionId}:${r.datasetVersionId}:${r.split}`))];
  const refs = new Map<string, { random: number | null; oracle: number | null }>();
  if (refKeys.length > 0) {
    const refRuns = await db.run.findMany({
      where: {
        status: "ok",
        methodVersion: { methodId: { in: ["random", "oracle"] } },
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
      const entry = refs.get(key) ?? { random: null, oracle: null };
      entry[r.methodVersion.methodId as "random" | "oracle"] = r.score;
      refs.set(key, entry);
    }
  }
  return runs.map((r) => {
    const ref = refs.get(`${r.taskVersionId}:${r.datasetVersionId}:${r.split}`);
    const status = toStatus(r.status);
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
      normalized: status === "ok" ? normalizedScore(r.score, ref?.random ?? null, ref?.oracle ?? null) : null,
      metrics: (r.metrics as Record<string, number> | null) ?? null,
      instances: r.instances,
      instancesDone: r.instancesDone,
      runtimeMs: r.wallMs,
      backend: r.backend,
      finishedAt: r.finishedAt,
    };
  });
}
