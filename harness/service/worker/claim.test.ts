// Scheduling with a fake device list: a worker's GPU slots take only GPU jobs, one per device at a time, each with
// its own device; CPU slots take CPU jobs and never a GPU job; a worker without GPUs leaves GPU jobs queued. The
// queue is an in-memory stand-in for pg-boss's fetch/complete/fail; the handler records what ran where.
import { describe, expect, it } from "vitest";
import type { GpuAssignment, GpuDevice } from "../../gpu.ts";
import { GPU_INSTANCE_QUEUE, INSTANCE_QUEUE, NOOP_QUEUE, PLAN_QUEUE } from "../queue.ts";
import { CPU_QUEUES, claimSlots, type JobHandler, startClaimLoops } from "./claim.ts";
import type { WorkerContext } from "./context.ts";
import { instanceQueueFor } from "./plan.ts";

const device = (index: number): GpuDevice => ({
  index,
  uuid: `GPU-00000000-0000-4000-8000-00000000000${index}`,
  name: "Fake GPU (tests)",
  driverVersion: "0.0",
  memoryMiB: 1024,
});

/** pg-boss's fetch/complete/fail over in-memory queues. */
function fakeBoss(jobs: Record<string, number>) {
  const queues = new Map<string, { id: string; data: unknown; retryCount: number; retryLimit: number }[]>();
  for (const [name, count] of Object.entries(jobs)) {
    queues.set(
      name,
      Array.from({ length: count }, (_, i) => ({ id: `${name}-${i}`, data: { runId: 1, index: i }, retryCount: 0, retryLimit: 0 })),
    );
  }
  const completed: string[] = [];
  const fetched: string[] = [];
  return {
    completed,
    fetched,
    left: (name: string) => queues.get(name)?.length ?? 0,
    async fetch(name: string) {
      fetched.push(name);
      const job = queues.get(name)?.shift();
      return job ? [job] : [];
    },
    async complete(_name: string, id: string) {
      completed.push(id);
    },
    async fail() {
      throw new Error("no job should fail here");
    },
  };
}

async function runWorker(
  slots: ReturnType<typeof claimSlots>,
  jobs: Record<string, number>,
  until: (boss: ReturnType<typeof fakeBoss>) => boolean,
) {
  const boss = fakeBoss(jobs);
  const ctx = { boss, say: () => undefined } as unknown as WorkerContext;
  const ran: { queue: string; slot: string; gpu?: GpuAssignment }[] = [];
  const busy = new Map<string, number>();
  let mostOnOneDevice = 0;
  const handler: JobHandler = async (_ctx, queue, _job, gpu) => {
    const key = gpu?.device.uuid ?? "cpu";
    busy.set(key, (busy.get(key) ?? 0) + 1);
    if (gpu) mostOnOneDevice = Math.max(mostOnOneDevice, busy.get(key) as number);
    ran.push({ queue, slot: key, ...(gpu ? { gpu } : {}) });
    await new Promise((r) => setTimeout(r, 3));
    busy.set(key, (busy.get(key) ?? 1) - 1);
  };
  const loops = startClaimLoops(ctx, slots, 2, handler);
  const deadline = Date.now() + 10_000;
  while (!until(boss) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  loops.stop();
  await loops.done;
  return { boss, ran, mostOnOneDevice };
}

describe("claimSlots", () => {
  it("CPU slots poll plan, CPU instance and noop queues; one GPU slot per device polls only the GPU queue", () => {
    const slots = claimSlots(2, [device(0), device(1)], "12.8");
    expect(slots.map((s) => [s.slot, s.queues, s.gpu?.device.index])).toEqual([
      [1, [PLAN_QUEUE, INSTANCE_QUEUE, NOOP_QUEUE], undefined],
      [2, [PLAN_QUEUE, INSTANCE_QUEUE, NOOP_QUEUE], undefined],
      [3, [GPU_INSTANCE_QUEUE], 0],
      [4, [GPU_INSTANCE_QUEUE], 1],
    ]);
    expect(slots[2]?.gpu?.cudaVersion).toBe("12.8");
    expect(CPU_QUEUES).not.toContain(GPU_INSTANCE_QUEUE);
    expect(claimSlots(1, [], null)).toHaveLength(1);
  });
});

describe("claim loops with a fake device list", () => {
  it("runs every GPU job on a GPU slot, at most one per device at a time, and CPU jobs on CPU slots", async () => {
    const { boss, ran, mostOnOneDevice } = await runWorker(
      claimSlots(2, [device(0), device(1)], "12.8"),
      { [GPU_INSTANCE_QUEUE]: 12, [INSTANCE_QUEUE]: 6 },
      (b) => b.completed.length === 18,
    );
    expect(boss.completed).toHaveLength(18);
    const gpuJobs = ran.filter((r) => r.queue === GPU_INSTANCE_QUEUE);
    expect(gpuJobs).toHaveLength(12);
    for (const r of gpuJobs) expect(r.gpu?.device.name).toBe("Fake GPU (tests)");
    // Both devices were used, never two jobs on one device at once.
    expect(new Set(gpuJobs.map((r) => r.gpu?.device.index))).toEqual(new Set([0, 1]));
    expect(mostOnOneDevice).toBe(1);
    for (const r of ran.filter((x) => x.queue === INSTANCE_QUEUE)) expect(r.slot).toBe("cpu");
  });

  it("a worker without GPUs never claims a GPU job: it stays queued for a GPU worker", async () => {
    const { boss, ran } = await runWorker(
      claimSlots(2, [], null),
      { [GPU_INSTANCE_QUEUE]: 3, [INSTANCE_QUEUE]: 4 },
      (b) => b.completed.length === 4 && b.fetched.length > 40,
    );
    expect(ran.map((r) => r.queue)).toEqual(Array(4).fill(INSTANCE_QUEUE));
    expect(boss.fetched).not.toContain(GPU_INSTANCE_QUEUE);
    expect(boss.left(GPU_INSTANCE_QUEUE)).toBe(3);
  });
});

describe("instanceQueueFor", () => {
  it("sends the instances of a method that asks for a GPU to the GPU queue, every other method's to the CPU queue", () => {
    const external = (resources?: { gpus: 0 | 1 }) =>
      ({ id: "m", kind: "external", manifest: { ...(resources ? { resources } : {}) } }) as unknown as Parameters<
        typeof instanceQueueFor
      >[0];
    expect(instanceQueueFor(external({ gpus: 1 }))).toBe(GPU_INSTANCE_QUEUE);
    expect(instanceQueueFor(external({ gpus: 0 }))).toBe(INSTANCE_QUEUE);
    expect(instanceQueueFor(external())).toBe(INSTANCE_QUEUE);
    expect(instanceQueueFor({ id: "pca", kind: "baseline" } as unknown as Parameters<typeof instanceQueueFor>[0])).toBe(INSTANCE_QUEUE);
  });
});

describe("startWorker --gpus", () => {
  it("refuses a GPU index the machine does not have, before connecting to anything", async () => {
    const { startWorker } = await import("../worker.ts");
    const saved = process.env.CAJAL_PRIVATE_SECRET;
    process.env.CAJAL_PRIVATE_SECRET = "0".repeat(64);
    try {
      await expect(
        startWorker({
          url: "postgresql://nobody@127.0.0.1:1/none",
          sandbox: false,
          gpus: "0",
          gpuHost: { devices: [], cudaVersion: null, reason: "nvidia-smi not found (no NVIDIA driver on this machine)" },
          log: () => undefined,
        }),
      ).rejects.toThrow("--gpus: no GPU 0; this machine has no NVIDIA GPU (nvidia-smi not found (no NVIDIA driver on this machine))");
    } finally {
      if (saved === undefined) delete process.env.CAJAL_PRIVATE_SECRET;
      else process.env.CAJAL_PRIVATE_SECRET = saved;
    }
  });
});
