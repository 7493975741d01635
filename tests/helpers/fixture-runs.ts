// Runs written straight into the database with chosen per-instance scores: the statistics tests need exact vectors
// (a run that the suite produced would give whatever its method scores). null = a failed instance (status "error"),
// which makes the whole run failed, with no score, as the runner records it.
import type { Db } from "../../harness/db/client.ts";

export interface FixtureRunKeys {
  methodVersionId: number;
  taskVersionId: number;
  datasetVersionId: number;
}

export function insertScoredRun(db: Db, keys: FixtureRunKeys, slug: string, scores: readonly (number | null)[]) {
  const failed = scores.some((s) => s === null);
  const ok = scores.filter((s): s is number => s !== null);
  return db.run.create({
    data: {
      ...keys,
      split: "official",
      status: failed ? "error" : "ok",
      score: failed ? null : ok.reduce((a, b) => a + b, 0) / ok.length,
      instances: scores.length,
      instancesDone: scores.length,
      seed: 1,
      harnessVersion: "test",
      gitSha: "test",
      hardware: {},
      results: {
        create: scores.map((score, index) => ({
          index,
          instanceKey: `${slug}/official/${index}`,
          seed: index,
          inputHash: "0".repeat(64),
          status: score === null ? ("error" as const) : ("ok" as const),
          score,
          wallMs: 1,
          cpuMs: 1,
        })),
      },
    },
  });
}
