// GPU detection, selection, sandbox binds and sampling, on nvidia-smi output saved as fixtures (tests/fixtures/
// nvidia-smi) and on machines without a GPU (no nvidia-smi, a driver that does not answer).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  detectGpus,
  type GpuDevice,
  GpuPool,
  GpuSampler,
  gpuBindArgs,
  gpuEnv,
  noGpuMessage,
  parseComputeApps,
  parseCudaVersion,
  parseDriverLibraries,
  parseGpuList,
  parseUtilization,
  QUERY_APPS,
  QUERY_GPUS,
  QUERY_UTILIZATION,
  type SmiRunner,
  selectGpus,
} from "./gpu.ts";
import { REPO_ROOT } from "./paths.ts";

const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, "tests", "fixtures", "nvidia-smi", name), "utf8");

/** An nvidia-smi that answers each query with a fixture (or fails like a machine without a driver). */
function fakeSmi(answers: Record<string, string | { fail: string }>): SmiRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const run = (async (args: string[]) => {
    calls.push(args);
    const answer = answers[args[0] ?? ""];
    if (answer === undefined) return { ok: false, reason: `unexpected query ${args.join(" ")}` };
    return typeof answer === "string" ? { ok: true, stdout: answer } : { ok: false, reason: answer.fail };
  }) as SmiRunner & { calls: string[][] };
  run.calls = calls;
  return run;
}

describe("nvidia-smi parsers", () => {
  it("lists the GPUs of --query-gpu with index, UUID, model, driver and memory", () => {
    expect(parseGpuList(fixture("query-gpu-h200.csv"))).toEqual([
      { index: 0, uuid: "GPU-3f9c2d1e-6b7a-4c58-9e21-0a4b5c6d7e8f", name: "NVIDIA H200", driverVersion: "570.124.06", memoryMiB: 143771 },
    ]);
    const two = parseGpuList(fixture("query-gpu-2xa100.csv"));
    expect(two.map((d) => [d.index, d.name, d.memoryMiB])).toEqual([
      [0, "NVIDIA A100-SXM4-80GB", 81920],
      [1, "NVIDIA A100-SXM4-80GB", 81920],
    ]);
  });

  it("refuses output that is not what it asked for, naming the line", () => {
    expect(() => parseGpuList("0, not-a-uuid, NVIDIA H200, 570.124.06, 143771\n")).toThrow(/line 1: "0, not-a-uuid/);
    expect(() => parseGpuList("index, uuid, name\n")).toThrow(/--query-gpu output/);
  });

  it("reads the CUDA version from the plain header of either layout, null when absent", () => {
    expect(parseCudaVersion(fixture("smi-header-h200.txt"))).toBe("12.8");
    expect(parseCudaVersion(fixture("smi-header-a100.txt"))).toBe("12.2");
    expect(parseCudaVersion("    CUDA Version                          : 13.0\n")).toBe("13.0");
    expect(parseCudaVersion(fixture("no-driver.txt"))).toBeNull();
  });

  it("parses compute apps (memory [N/A] as unknown) and an empty list", () => {
    expect(parseComputeApps(fixture("query-compute-apps-2xa100.csv"))).toEqual([
      { gpuUuid: "GPU-8d2f4a61-0c3e-7b19-52aa-e4f1c9d03b27", pid: 41873, usedMemoryMiB: 1536 },
      { gpuUuid: "GPU-1b7e9c40-5d2a-83f6-c0e4-29a8b6f715d3", pid: 41890, usedMemoryMiB: 3072 },
      { gpuUuid: "GPU-1b7e9c40-5d2a-83f6-c0e4-29a8b6f715d3", pid: 41902, usedMemoryMiB: null },
    ]);
    expect(parseComputeApps(fixture("query-compute-apps-none.csv"))).toEqual([]);
    expect(parseComputeApps("No running processes found\n")).toEqual([]);
  });

  it("parses utilization and memory.used, [N/A] as null", () => {
    expect(parseUtilization(fixture("query-utilization-2xa100.csv"))).toEqual([
      { uuid: "GPU-8d2f4a61-0c3e-7b19-52aa-e4f1c9d03b27", utilization: 87, memoryUsedMiB: 2051 },
      { uuid: "GPU-1b7e9c40-5d2a-83f6-c0e4-29a8b6f715d3", utilization: 0, memoryUsedMiB: 4 },
    ]);
    expect(parseUtilization(fixture("query-utilization-na.csv"))[0]).toMatchObject({ utilization: null, memoryUsedMiB: null });
    expect(() => parseUtilization("GPU-1, high, 4\n")).toThrow(/utilization output/);
  });

  it("finds the driver's libraries in ldconfig -p, not the toolkit's", () => {
    expect(parseDriverLibraries(fixture("ldconfig-p.txt"))).toEqual([
      "/opt/nvidia/driver/lib64/libcuda.so.1",
      "/usr/lib/x86_64-linux-gnu/libcuda.so",
      "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
      "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
      "/usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so.1",
      "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
    ]);
  });
});

describe("detection and --gpus", () => {
  it("detects the devices and the CUDA version", async () => {
    const smi = fakeSmi({ [QUERY_GPUS[0] as string]: fixture("query-gpu-2xa100.csv"), "": fixture("smi-header-a100.txt") });
    const run: SmiRunner = (args) => smi(args.length ? args : [""]);
    const host = await detectGpus(run);
    expect(host.devices.map((d) => d.uuid)).toEqual([
      "GPU-8d2f4a61-0c3e-7b19-52aa-e4f1c9d03b27",
      "GPU-1b7e9c40-5d2a-83f6-c0e4-29a8b6f715d3",
    ]);
    expect(host.cudaVersion).toBe("12.2");
    expect(host.reason).toBeNull();
  });

  it("a machine without nvidia-smi or without a driver has no GPU, and says why", async () => {
    const missing = await detectGpus(
      fakeSmi({ [QUERY_GPUS[0] as string]: { fail: "nvidia-smi not found (no NVIDIA driver on this machine)" } }),
    );
    expect(missing).toEqual({ devices: [], cudaVersion: null, reason: "nvidia-smi not found (no NVIDIA driver on this machine)" });
    // This machine: the real runner, whatever it finds, never throws.
    const here = await detectGpus();
    if (here.devices.length === 0) expect(here.reason).toMatch(/nvidia-smi/);
  });

  const host = { devices: parseGpuList(fixture("query-gpu-2xa100.csv")), cudaVersion: "12.2", reason: null };
  it("--gpus picks indexes, none, or every device by default; an unknown index lists what there is", () => {
    expect(selectGpus(undefined, host).map((d) => d.index)).toEqual([0, 1]);
    expect(selectGpus("1", host).map((d) => d.index)).toEqual([1]);
    expect(selectGpus("1,0,1", host).map((d) => d.index)).toEqual([1, 0]);
    expect(selectGpus("none", host)).toEqual([]);
    expect(() => selectGpus("2", host)).toThrow("--gpus: no GPU 2; this machine has 0 (NVIDIA A100-SXM4-80GB), 1 (NVIDIA A100-SXM4-80GB)");
    expect(() => selectGpus("0,x", host)).toThrow(/"x" is not a GPU index/);
    expect(() => selectGpus("0", { devices: [], cudaVersion: null, reason: "nvidia-smi not found" })).toThrow(
      "--gpus: no GPU 0; this machine has no NVIDIA GPU (nvidia-smi not found)",
    );
  });

  it("the refusal names the method, the request and the way out", () => {
    expect(noGpuMessage("gpu-sae", 1)).toBe(
      "method gpu-sae asks for 1 GPU; this worker has none: run a worker with --gpus on a machine with an NVIDIA GPU",
    );
  });
});

describe("sandbox binds", () => {
  const exists = (nodes: string[]) => (p: string) => nodes.includes(p);
  const libs = parseDriverLibraries(fixture("ldconfig-p.txt"));

  it("binds exactly the assigned device, the control nodes that exist, and driver folders outside /usr", () => {
    const args = gpuBindArgs(
      { index: 1 },
      {
        existing: exists(["/dev/nvidia0", "/dev/nvidia1", "/dev/nvidiactl", "/dev/nvidia-uvm"]),
        driverLibraries: libs,
      },
    );
    expect(args).toEqual([
      "--dev-bind",
      "/dev/nvidia1",
      "/dev/nvidia1",
      "--dev-bind",
      "/dev/nvidiactl",
      "/dev/nvidiactl",
      "--dev-bind",
      "/dev/nvidia-uvm",
      "/dev/nvidia-uvm",
      "--ro-bind",
      "/opt/nvidia/driver/lib64",
      "/opt/nvidia/driver/lib64",
    ]);
    expect(args).not.toContain("/dev/nvidia0");
    // Read-only: driver folders are never bound writable.
    expect(args.filter((a) => a === "--bind")).toEqual([]);
  });

  it("refuses a device that is not there rather than run without it", () => {
    expect(() => gpuBindArgs({ index: 3 }, { existing: exists(["/dev/nvidia0", "/dev/nvidiactl"]), driverLibraries: [] })).toThrow(
      "GPU 3: /dev/nvidia3 does not exist on this machine",
    );
    expect(() => gpuBindArgs({ index: 0 }, { existing: exists(["/dev/nvidia0"]), driverLibraries: [] })).toThrow(/nvidiactl/);
  });

  it("names the device by UUID in CUDA_VISIBLE_DEVICES", () => {
    expect(gpuEnv({ uuid: "GPU-1b7e9c40-5d2a-83f6-c0e4-29a8b6f715d3" })).toEqual({
      CUDA_VISIBLE_DEVICES: "GPU-1b7e9c40-5d2a-83f6-c0e4-29a8b6f715d3",
      CUDA_DEVICE_ORDER: "PCI_BUS_ID",
    });
  });
});

describe("GpuSampler", () => {
  const [a100] = parseGpuList(fixture("query-gpu-2xa100.csv")) as [GpuDevice];

  it("integrates utilization into busy time and takes the peak memory of the method's own processes", async () => {
    let t = 0;
    const util = [`${a100.uuid}, 0, 4\n`, `${a100.uuid}, 50, 1000\n`, `${a100.uuid}, 100, 2000\n`, `${a100.uuid}, 87, 2051\n`];
    const apps = [
      "",
      `${a100.uuid}, 41873, 900\nGPU-other, 41873, 9999\n`,
      `${a100.uuid}, 41873, 1536\n${a100.uuid}, 50000, 7000\n`,
      `${a100.uuid}, 41873, 1200\n${a100.uuid}, 41874, 500\n`,
    ];
    let i = 0;
    const run: SmiRunner = async (args) => {
      const k = Math.min(i, 3);
      return {
        ok: true,
        stdout: args[0] === QUERY_UTILIZATION[0] ? (util[k] as string) : args[0] === QUERY_APPS[0] ? (apps[k] as string) : "",
      };
    };
    const sampler = new GpuSampler(
      a100,
      "12.2",
      () => [41873, 41874],
      run,
      500,
      () => t,
    );
    for (const at of [0, 500, 1000, 1500]) {
      t = at;
      await sampler.sample();
      i++;
    }
    // 0.5 × 500 + 1.0 × 500 + 0.87 × 500 ms; pid 50000 (another process) and the other GPU do not count.
    expect(sampler.usage()).toEqual({
      gpuModel: "NVIDIA A100-SXM4-80GB",
      gpuDriver: "535.104.05",
      cudaVersion: "12.2",
      gpuBusyMs: 1185,
      gpuPeakMemMb: 1700,
    });
  });

  it("falls back to the device's memory above its starting level when the driver shows no processes", async () => {
    let t = 0;
    const used = [100, 900, 600];
    let i = 0;
    const run: SmiRunner = async (args) => ({
      ok: true,
      stdout: args[0] === QUERY_UTILIZATION[0] ? `${a100.uuid}, [N/A], ${used[i]}\n` : "",
    });
    const sampler = new GpuSampler(
      a100,
      null,
      () => [1],
      run,
      500,
      () => t,
    );
    for (const at of [0, 500, 1000]) {
      t = at;
      await sampler.sample();
      i++;
    }
    expect(sampler.usage()).toMatchObject({ gpuBusyMs: 0, gpuPeakMemMb: 800, cudaVersion: null });
  });
});

describe("GpuPool", () => {
  const devices = parseGpuList(fixture("query-gpu-2xa100.csv"));

  it("runs at most one job per device and hands every device out", async () => {
    const pool = new GpuPool(devices, "12.2");
    const busy = new Set<number>();
    let most = 0;
    const used: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, () =>
        pool.with(async (device) => {
          expect(busy.has(device.index)).toBe(false);
          busy.add(device.index);
          most = Math.max(most, busy.size);
          used.push(device.index);
          await new Promise((r) => setTimeout(r, 5));
          busy.delete(device.index);
        }),
      ),
    );
    expect(most).toBe(2);
    expect(new Set(used)).toEqual(new Set([0, 1]));
    expect(used).toHaveLength(7);
  });

  it("an empty pool has nothing to give", async () => {
    const pool = new GpuPool([], null, "nvidia-smi not found");
    expect(pool.size).toBe(0);
    await expect(pool.acquire()).rejects.toThrow("no GPU in this pool");
  });
});
