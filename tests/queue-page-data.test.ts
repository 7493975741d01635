// lib/queue.ts against a real pg-boss queue: waiting, running and stuck jobs (held past their limit) with their ages,
// attempts, submissions, methods and datasets; finished jobs are not listed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GPU_INSTANCE_QUEUE, INSTANCE_QUEUE, openQueue, type PgBoss, PLAN_QUEUE } from "../harness/service/queue.ts";
import { submissionStatus } from "../harness/service/runs.ts";
import { loadQueue } from "../lib/queue.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { queueFixture } from "./helpers/queue-fixtures.ts";

let t: TestDatabase;
let boss: PgBoss | undefined;

beforeAll(async () => {
  t = await createTestDatabase("queue_page");
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t.drop();
});

describe("lib/queue.ts", () => {
  it("says there is no queue before the service first starts", async () => {
    const view = await loadQueue(t.db);
    expect(view.available).toBe(false);
    expect(view.jobs).toEqual([]);
  });

  it("lists waiting, running and stuck jobs, stuck first; a job past its limit is never running", async () => {
    const { submissionId, runId } = await queueFixture(t.db, "a");
    boss = await openQueue(t.url, { supervise: false, poolSize: 2 });
    // Finished: not in the queue any more.
    await boss.send(INSTANCE_QUEUE, { runId, index: 3 }, { expireInSeconds: 600 });
    const [done] = await boss.fetch(INSTANCE_QUEUE);
    await boss.complete(INSTANCE_QUEUE, done?.id as string);
    // Running within its limit (10 minutes), then one held past its 1-second limit.
    const runningId = await boss.send(INSTANCE_QUEUE, { runId, index: 0 }, { expireInSeconds: 600, retryLimit: 2 });
    expect((await boss.fetch(INSTANCE_QUEUE))[0]?.id).toBe(runningId);
    const stuckId = await boss.send(INSTANCE_QUEUE, { runId, index: 1 }, { expireInSeconds: 1, retryLimit: 3 });
    expect((await boss.fetch(INSTANCE_QUEUE))[0]?.id).toBe(stuckId);
    // Waiting: the submission's plan job.
    const waitingId = await boss.send(PLAN_QUEUE, { submissionId }, { retryLimit: 3 });
    await new Promise((r) => setTimeout(r, 1500));

    const view = await loadQueue(t.db);
    expect(view.available).toBe(true);
    expect(view.counts).toEqual({ waiting: 1, running: 1, stuck: 1 });
    expect(view.jobs.map((j) => [j.id, j.state])).toEqual([
      [stuckId, "stuck"],
      [runningId, "running"],
      [waitingId, "waiting"],
    ]);
    const [stuck, running, waiting] = view.jobs as [NonNullable<(typeof view.jobs)[0]>, (typeof view.jobs)[0], (typeof view.jobs)[0]];
    expect(stuck.limitMs).toBe(1000);
    expect(stuck.ageMs).toBeGreaterThanOrEqual(1500);
    expect(stuck.overMs).toBeGreaterThan(400);
    expect(stuck.overMs).toBeLessThan(30_000);
    expect(Math.abs((stuck.overMs as number) - (stuck.ageMs - stuck.limitMs))).toBeLessThan(50);
    expect(stuck).toMatchObject({
      kind: "instance",
      attempts: 1,
      maxAttempts: 4,
      submissionIds: [submissionId],
      method: { id: "queued-method-a", version: "1.2.3" },
      task: "queue-task-a",
      dataset: "queue-data-a",
      split: "official",
      runId,
      instanceIndex: 1,
      runStatus: "running",
    });
    expect(running).toMatchObject({
      kind: "instance",
      state: "running",
      limitMs: 600_000,
      overMs: null,
      attempts: 1,
      maxAttempts: 3,
      instanceIndex: 0,
    });
    expect(running?.ageMs).toBeGreaterThanOrEqual(1400);
    expect(running?.ageMs).toBeLessThan(600_000);
    expect(waiting).toMatchObject({
      kind: "plan",
      state: "waiting",
      retry: false,
      attempts: 0,
      maxAttempts: 4,
      overMs: null,
      startedAt: null,
      submissionIds: [submissionId],
      method: { id: "queued-method-a", version: "1.2.3" },
      task: null,
      runId: null,
    });
    expect(waiting?.ageMs).toBeGreaterThanOrEqual(1400);
  });

  it("lists a waiting GPU instance job as one (only GPU workers take it)", async () => {
    const { runId } = await queueFixture(t.db, "gpu");
    const gpuJobId = await boss?.send(GPU_INSTANCE_QUEUE, { runId, index: 2 }, { expireInSeconds: 600 });
    const view = await loadQueue(t.db);
    const job = view.jobs.find((j) => j.id === gpuJobId);
    expect(job).toMatchObject({
      kind: "instance",
      gpu: true,
      state: "waiting",
      runId,
      instanceIndex: 2,
      method: { id: "queued-method-gpu" },
    });
    expect(view.jobs.filter((j) => j.id !== gpuJobId).every((j) => !j.gpu)).toBe(true);
  });

  it("a submission whose method asks for a GPU says it waits for a GPU worker until one starts its runs", async () => {
    const { submissionId, runId } = await queueFixture(t.db, "gpu-wait");
    await t.db.submission.update({
      where: { id: submissionId },
      data: { manifest: { id: "queued-method-gpu-wait", resources: { gpus: 1 } } },
    });
    await t.db.run.update({ where: { id: runId }, data: { status: "queued" } });
    expect(await submissionStatus(t.db, submissionId)).toMatchObject({ status: "running", gpu: true, waitingForGpuWorker: true });
    await t.db.run.update({ where: { id: runId }, data: { status: "running" } });
    expect(await submissionStatus(t.db, submissionId)).toMatchObject({ gpu: true, waitingForGpuWorker: false });
    // A CPU method's queued runs wait for any worker, not a GPU one.
    await t.db.submission.update({ where: { id: submissionId }, data: { manifest: { id: "queued-method-gpu-wait" } } });
    await t.db.run.update({ where: { id: runId }, data: { status: "queued" } });
    expect(await submissionStatus(t.db, submissionId)).toMatchObject({ gpu: false, waitingForGpuWorker: false });
  });
});
