// Methods that ask for a GPU (PROTOCOL 1.1) through runSuite against a real PostgreSQL, on a machine without one:
// refused before they run and recorded as failed runs with the reason, never run on the CPU; given a (fake) device
// they see exactly it in CUDA_VISIBLE_DEVICES and the run records its model; a device the machine lacks is refused.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadExternalMethod } from "../harness/external/method.ts";
import { sandboxAvailable } from "../harness/external/sandbox.ts";
import { type GpuDevice, GpuPool } from "../harness/gpu.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { registerAll } from "../harness/register.ts";
import { generateInstance, getDataset, getTask } from "../harness/registry.ts";
import { loadResults } from "../harness/results.ts";
import { evaluateInstance, runSuite } from "../harness/runner.ts";
import { externalMethodOptions } from "../harness/service/worker/context.ts";
import { getRun, toEntry } from "../lib/data.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

const canSandbox = sandboxAvailable().ok;
const selection = { tasks: ["feature-recovery"], datasets: ["sparse-linear"], split: "dev" as const, progress: false };
/** A device this machine does not have: enough to test scheduling and records, never to compute on. */
const fakeDevice: GpuDevice = {
  index: 7,
  uuid: "GPU-00000000-fake-4000-8000-000000000007",
  name: "Fake GPU (tests)",
  driverVersion: "0.0",
  memoryMiB: 2048,
};

let t: TestDatabase;
let scratch: string;
beforeAll(async () => {
  t = await createTestDatabase("gpu_runtime", { registered: true });
  process.env.DATABASE_URL = t.url; // the site's data layer (lib/data.ts) reads this database
  scratch = await mkdtemp(path.join(os.tmpdir(), "cajal-gpu-test-"));
  await chmod(scratch, 0o755);
  await registerAll(t.db);
});
afterAll(async () => {
  await t.drop();
  await rm(scratch, { recursive: true, force: true });
});

/** A method folder asking for one GPU that prints what it was given and exits 1 (no outputs needed). */
async function envProbe(id: string): Promise<string> {
  const dir = path.join(scratch, id);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, "method.json"),
    JSON.stringify({
      protocol: 1,
      id,
      version: "1.0.0",
      name: id,
      tasks: ["feature-recovery"],
      command: ["python3", "run.py"],
      description: "Prints its GPU environment.",
      authors: [],
      resources: { gpus: 1 },
    }),
  );
  await writeFile(
    path.join(dir, "run.py"),
    "import os, sys\nsys.exit('visible=' + os.environ.get('CUDA_VISIBLE_DEVICES', 'unset') + ' order=' + os.environ.get('CUDA_DEVICE_ORDER', 'unset'))\n",
  );
  await chmod(dir, 0o755);
  return dir;
}

async function runOf(methodId: string, extra: Awaited<ReturnType<typeof loadExternalMethod>>) {
  // retryFailed: the refusal tests score the same method version again under another pool.
  const report = await runSuite(t.db, { ...selection, methods: [methodId], extraMethods: [extra], retryFailed: true });
  const row = report.results.find((r) => r.method === methodId);
  return t.db.run.findUniqueOrThrow({ where: { id: row?.runId }, include: { results: { orderBy: { index: "asc" } } } });
}

describe("methods that need a GPU", () => {
  it("examples/gpu-pca on a machine without a GPU: every instance refused before it runs, the run failed with the reason", async () => {
    const method = await loadExternalMethod(path.join(REPO_ROOT, "examples", "gpu-pca"), {
      sandbox: canSandbox,
      gpuPool: new GpuPool([], null, "nvidia-smi not found (no NVIDIA driver on this machine)"),
    });
    expect(method.manifest.resources).toEqual({ gpus: 1, gpuMemoryMiB: 1024 });
    const run = await runOf("gpu-pca", method);
    expect(run.status).toBe("error");
    expect(run.score).toBeNull();
    expect(run.message).toContain(
      "method gpu-pca asks for 1 GPU; this worker has none (nvidia-smi not found (no NVIDIA driver on this machine)): run a worker with --gpus on a machine with an NVIDIA GPU",
    );
    expect(run.results.length).toBeGreaterThan(0);
    for (const r of run.results) {
      expect(r.status).toBe("error");
      // Nothing ran: no log of the method, no GPU recorded.
      expect(r.log).toBeNull();
      expect(r.gpuModel).toBeNull();
    }
    expect(run.gpuModel).toBeNull();
  });

  it("refuses a GPU with less memory than the manifest asks for", async () => {
    const small = { ...fakeDevice, memoryMiB: 512 };
    const method = await loadExternalMethod(path.join(REPO_ROOT, "examples", "gpu-pca"), {
      sandbox: canSandbox,
      gpuPool: new GpuPool([small], "12.8"),
    });
    const run = await runOf("gpu-pca", method);
    expect(run.status).toBe("error");
    expect(run.message).toContain("method gpu-pca asks for a GPU with 1024 MiB; GPU 7 (Fake GPU (tests)) has 512 MiB");
  });

  it.runIf(canSandbox)("sandboxed, a device whose node this machine lacks is refused (the method never starts)", async () => {
    const method = await loadExternalMethod(await envProbe("gpu-missing-node"), { gpuPool: new GpuPool([fakeDevice], "12.8") });
    const run = await runOf("gpu-missing-node", method);
    expect(run.status).toBe("error");
    expect(run.message).toContain("GPU 7: /dev/nvidia7 does not exist on this machine");
    for (const r of run.results) expect(r.log).toBeNull();
  });

  it("given a device, the method sees exactly it (by UUID) and the run records the GPU model", async () => {
    // Without the sandbox no device node is needed, so the fake device reaches the process.
    const method = await loadExternalMethod(await envProbe("gpu-env-probe"), {
      sandbox: false,
      gpuPool: new GpuPool([fakeDevice], "12.8"),
    });
    const run = await runOf("gpu-env-probe", method);
    expect(run.status).toBe("error");
    expect(run.message).toContain(`visible=${fakeDevice.uuid} order=PCI_BUS_ID`);
    for (const r of run.results) {
      expect(r.gpuModel).toBe("Fake GPU (tests)");
      expect(r.gpuDriver).toBe("0.0");
      expect(r.cudaVersion).toBe("12.8");
      // No nvidia-smi here: nothing sampled, so zero rather than a guess.
      expect(r.gpuBusyMs).toBe(0);
      expect(r.gpuPeakMemMb).toBe(0);
    }
    expect(run).toMatchObject({ gpuModel: "Fake GPU (tests)", gpuDriver: "0.0", cudaVersion: "12.8", gpuBusyMs: 0, gpuPeakMemMb: 0 });
    // The run page and the leaderboard entries name the hardware class.
    const page = await getRun(run.id);
    expect(page?.provenance.hardwareClass).toBe("Fake GPU (tests)");
    expect(page?.provenance.gpu).toEqual({ model: "Fake GPU (tests)", driver: "0.0", cudaVersion: "12.8", busyMs: 0, peakMemMb: 0 });
    expect(page?.instanceResults[0]).toMatchObject({ gpuBusyMs: 0, gpuPeakMemMb: 0 });
  });

  it("a CPU method records no GPU (hardware class CPU-only)", async () => {
    const method = await loadExternalMethod(path.join(REPO_ROOT, "examples", "python-random"), {
      sandbox: canSandbox,
      gpuPool: new GpuPool([fakeDevice], "12.8"),
    });
    const run = await runOf("python-random", method);
    expect(run.status).toBe("ok");
    expect(run.gpuModel).toBeNull();
    for (const r of run.results) expect(r.gpuModel).toBeNull();
    const page = await getRun(run.id);
    expect(page?.provenance).toMatchObject({ hardwareClass: "CPU-only", gpu: null });
    const entries = (await loadResults(t.db, { split: "dev" })).map(toEntry);
    const byMethod = new Map(entries.map((e) => [e.method, e.hardwareClass]));
    expect(byMethod.get("python-random")).toBe("CPU-only");
    expect(byMethod.get("gpu-env-probe")).toBe("Fake GPU (tests)");
  });

  it("on a queue worker a GPU comes only from the GPU slot that claimed the instance, never from the machine's pool", async () => {
    const method = await loadExternalMethod(await envProbe("gpu-worker-probe"), externalMethodOptions({ sandbox: false }));
    const task = getTask("feature-recovery");
    const instance = generateInstance(getDataset("feature-recovery", "sparse-linear"), "dev", 0);
    const unassigned = await evaluateInstance(method, task, instance);
    expect(unassigned.status).toBe("error");
    expect(unassigned.message).toContain("asks for 1 GPU; this worker has none (only a worker's GPU slots run GPU instances)");
    const assigned = await evaluateInstance(method, task, instance, undefined, { gpu: { device: fakeDevice, cudaVersion: "12.8" } });
    expect(assigned.message).toContain(`visible=${fakeDevice.uuid}`);
    expect(assigned.gpu?.gpuModel).toBe("Fake GPU (tests)");
  });
});
