// Minimal rows behind queue jobs: a task, dataset and method version with one run, and a submission owning it.
import type { Db } from "../../harness/db/client.ts";
import { createToken } from "../../harness/service/tokens.ts";

export async function queueFixture(db: Db, suffix: string): Promise<{ submissionId: number; runId: number }> {
  const { id: tokenId } = await createToken(db, `queue-${suffix}`);
  const method = `queued-method-${suffix}`;
  const taskVersion = await db.taskVersion.create({
    data: {
      version: 1,
      contractHash: "0".repeat(64),
      contract: {},
      task: { create: { id: `queue-task-${suffix}`, title: "Queue task", question: "?", description: "", mainScore: "score" } },
    },
  });
  const datasetVersion = await db.datasetVersion.create({
    data: {
      version: 1,
      contentHash: "0".repeat(64),
      config: {},
      dataset: {
        create: { taskId: taskVersion.taskId, slug: `queue-data-${suffix}`, title: "Queue data", domain: "synthetic", description: "" },
      },
    },
  });
  const methodVersion = await db.methodVersion.create({
    data: {
      version: "1.2.3",
      sourceHash: "0".repeat(64),
      method: { create: { id: method, name: "Queued method", kind: "external", description: "" } },
    },
  });
  const submission = await db.submission.create({
    data: {
      tokenId,
      methodId: method,
      version: "1.2.3",
      manifest: { id: method },
      archive: Buffer.from("not a real archive"),
      archiveSha256: "0".repeat(64),
      archiveBytes: 18,
      status: "running",
      methodVersionId: methodVersion.id,
    },
  });
  const run = await db.run.create({
    data: {
      methodVersionId: methodVersion.id,
      taskVersionId: taskVersion.id,
      datasetVersionId: datasetVersion.id,
      split: "official",
      status: "running",
      instances: 4,
      seed: 1,
      harnessVersion: "test",
      gitSha: "0".repeat(40),
      hardware: {},
      submissions: { create: { submissionId: submission.id } },
    },
  });
  return { submissionId: submission.id, runId: run.id };
}
