// NVIDIA GPUs: which ones this machine has (nvidia-smi), which a worker uses (--gpus), what the sandbox must bind
// for a method to reach exactly one of them, and what a method's processes did on it (busy time, peak memory).
//
// Everything goes through `nvidia-smi` (it ships with the driver, so there is nothing to install) and its CSV
// query mode, parsed with zod. Busy time is an estimate: nvidia-smi's utilization.gpu is the fraction of the last
// sample period in which a kernel ran on the device; it is integrated over the run (utilization × interval). A
// worker runs at most one GPU job per device, so the device's utilization is the job's. Peak memory is the largest
// sum of `used_memory` over the method's own processes (host pids) in --query-compute-apps; where the driver does
// not show processes (a container without the host's pid namespace) the device's memory.used above its level at the
// start stands in (again fine with one job per device). Both are recorded as what they are (README, "Methods that
// need a GPU").
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export interface GpuDevice {
  /** nvidia-smi's index; the device node is /dev/nvidia<index> (the driver's minor number, equal to it on Linux). */
  index: number;
  uuid: string;
  /** e.g. "NVIDIA H200". */
  name: string;
  driverVersion: string;
  memoryMiB: number;
}

/** The one GPU an instance runs on. */
export interface GpuAssignment {
  device: GpuDevice;
  /** The driver's CUDA version (nvidia-smi's header), recorded with the run. */
  cudaVersion: string | null;
}

export interface GpuHost {
  devices: GpuDevice[];
  /** The highest CUDA version the driver supports (nvidia-smi's header), null when unknown. */
  cudaVersion: string | null;
  /** Why there are no devices, when there are none (e.g. "nvidia-smi not found"). */
  reason: string | null;
}

/** What a GPU did for one method process tree (one instance). */
export interface GpuUsage {
  gpuModel: string;
  gpuDriver: string;
  cudaVersion: string | null;
  /** Estimated: Σ utilization × sample interval. */
  gpuBusyMs: number;
  /** Peak device memory of the method's processes, MiB. */
  gpuPeakMemMb: number;
}

/** Runs nvidia-smi with the given arguments; injectable so parsers and the sampler are tested on saved output. */
export type SmiRunner = (args: string[]) => Promise<{ ok: true; stdout: string } | { ok: false; reason: string }>;

export const QUERY_GPUS = ["--query-gpu=index,uuid,name,driver_version,memory.total", "--format=csv,noheader,nounits"];
export const QUERY_APPS = ["--query-compute-apps=gpu_uuid,pid,used_memory", "--format=csv,noheader,nounits"];
export const QUERY_UTILIZATION = ["--query-gpu=uuid,utilization.gpu,memory.used", "--format=csv,noheader,nounits"];

/** nvidia-smi on PATH (or its usual place); reports "not found" and driver failures as reasons, never throws. */
export const runNvidiaSmi: SmiRunner = (args) =>
  new Promise((resolve) => {
    const binary = existsSync("/usr/bin/nvidia-smi") ? "/usr/bin/nvidia-smi" : "nvidia-smi";
    execFile(binary, args, { timeout: 10_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return resolve({ ok: false, reason: "nvidia-smi not found (no NVIDIA driver on this machine)" });
      const said = `${stdout}${stderr}`.trim().split("\n")[0] ?? "";
      resolve({ ok: false, reason: `nvidia-smi failed: ${said || error.message}` });
    });
  });

// ---------------------------------------------------------------------------------------------- parsers

/** nvidia-smi's CSV: comma + space between fields, one record per line; "[N/A]" and "[Not Supported]" for no value. */
function csvRows(text: string): string[][] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^No (running )?(processes|devices) (were )?found/i.test(l))
    .map((l) => l.split(",").map((f) => f.trim()));
}

const notAvailable = (v: string) => /^\[(N\/A|Not Supported|Insufficient Permissions|Unknown Error)\]$/i.test(v) || v === "N/A";
const numberField = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number);
const optionalNumber = z.string().transform((v, ctx) => {
  if (notAvailable(v)) return null;
  const n = Number(v);
  if (v === "" || !Number.isFinite(n)) {
    ctx.addIssue({ code: "custom", message: `not a number: "${v}"` });
    return z.NEVER;
  }
  return n;
});

const gpuRow = z.tuple([
  z.string().regex(/^\d+$/).transform(Number),
  z.string().regex(/^(GPU|MIG)-[0-9a-fA-F-]+$/),
  z.string().min(1),
  z.string().min(1),
  numberField,
]);

function parseRows<T>(text: string, row: z.ZodType<T>, what: string): T[] {
  return csvRows(text).map((fields, i) => {
    const parsed = row.safeParse(fields);
    if (!parsed.success) throw new Error(`unexpected nvidia-smi ${what} output, line ${i + 1}: "${fields.join(", ")}"`);
    return parsed.data;
  });
}

/** `nvidia-smi --query-gpu=index,uuid,name,driver_version,memory.total --format=csv,noheader,nounits`. */
export function parseGpuList(text: string): GpuDevice[] {
  return parseRows(text, gpuRow, "--query-gpu").map(([index, uuid, name, driverVersion, memoryMiB]) => ({
    index,
    uuid,
    name,
    driverVersion,
    memoryMiB,
  }));
}

/** The "CUDA Version: 12.8" of nvidia-smi's plain header (or "CUDA Version : 12.8" of `nvidia-smi -q`). */
export function parseCudaVersion(text: string): string | null {
  return /CUDA Version\s*:\s*(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? null;
}

export interface ComputeApp {
  gpuUuid: string;
  pid: number;
  /** MiB; null where the driver does not say. */
  usedMemoryMiB: number | null;
}

/** `nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits` (empty when none run). */
export function parseComputeApps(text: string): ComputeApp[] {
  const row = z.tuple([z.string().min(1), z.string().regex(/^\d+$/).transform(Number), optionalNumber]);
  return parseRows(text, row, "--query-compute-apps").map(([gpuUuid, pid, usedMemoryMiB]) => ({ gpuUuid, pid, usedMemoryMiB }));
}

export interface UtilizationSample {
  uuid: string;
  /** Percent of the last sample period a kernel ran; null where not supported. */
  utilization: number | null;
  memoryUsedMiB: number | null;
}

/** `nvidia-smi --query-gpu=uuid,utilization.gpu,memory.used --format=csv,noheader,nounits`. */
export function parseUtilization(text: string): UtilizationSample[] {
  const row = z.tuple([z.string().min(1), optionalNumber, optionalNumber]);
  return parseRows(text, row, "utilization").map(([uuid, utilization, memoryUsedMiB]) => ({ uuid, utilization, memoryUsedMiB }));
}

// ---------------------------------------------------------------------------------------------- detection

/** The NVIDIA GPUs nvidia-smi sees, with the driver's CUDA version; no devices (and the reason) where there is none. */
export async function detectGpus(run: SmiRunner = runNvidiaSmi): Promise<GpuHost> {
  const list = await run(QUERY_GPUS);
  if (!list.ok) return { devices: [], cudaVersion: null, reason: list.reason };
  const devices = parseGpuList(list.stdout);
  if (devices.length === 0) return { devices, cudaVersion: null, reason: "nvidia-smi lists no GPU" };
  const header = await run([]);
  return { devices, cudaVersion: header.ok ? parseCudaVersion(header.stdout) : null, reason: null };
}

/** Why a worker without a GPU cannot run a method that asks for one (PROTOCOL-1.1.md). */
export function noGpuMessage(methodId: string, gpus: number, reason?: string | null): string {
  return `method ${methodId} asks for ${gpus} GPU${gpus === 1 ? "" : "s"}; this worker has none${reason ? ` (${reason})` : ""}: run a worker with --gpus on a machine with an NVIDIA GPU`;
}

/**
 * The devices a worker uses: `--gpus 0,2` picks those indexes, `--gpus none` none, no flag every device detected.
 * An index the machine does not have is an error that lists what it has.
 */
export function selectGpus(requested: string | undefined, host: GpuHost): GpuDevice[] {
  if (requested === undefined) return host.devices;
  const spec = requested.trim();
  if (spec === "none" || spec === "") return [];
  const indexes = spec.split(",").map((s) => s.trim());
  const chosen: GpuDevice[] = [];
  for (const text of indexes) {
    if (!/^\d+$/.test(text))
      throw new Error(`--gpus: "${text}" is not a GPU index; allowed: indexes as nvidia-smi lists them, e.g. 0,1, or none`);
    const device = host.devices.find((d) => d.index === Number(text));
    if (!device) {
      const have = host.devices.length
        ? `this machine has ${host.devices.map((d) => `${d.index} (${d.name})`).join(", ")}`
        : `this machine has no NVIDIA GPU (${host.reason ?? "none listed"})`;
      throw new Error(`--gpus: no GPU ${text}; ${have}`);
    }
    if (!chosen.includes(device)) chosen.push(device);
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------- the sandbox

/** The assigned GPU cannot be given to the method here (a device node is missing): the instance fails, nothing runs. */
export class GpuDeviceError extends Error {
  override name = "GpuDeviceError";
}

/** Device nodes a CUDA process needs besides its own GPU's (those that exist here; nvidia-uvm appears once loaded). */
export const SHARED_DEVICE_NODES = ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"] as const;

/** Directories the sandbox binds read-only anyway (sandbox.ts, bindSystem): driver libraries there need nothing more. */
export const SYSTEM_LIBRARY_ROOTS = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc"] as const;

/** The libcuda / libnvidia-* paths of `ldconfig -p` (the driver's user-space libraries). */
export function parseDriverLibraries(ldconfigOutput: string): string[] {
  const found = new Set<string>();
  for (const line of ldconfigOutput.split("\n")) {
    const m = /^\s*(libcuda\.so[^\s]*|libnvidia-[^\s]+)\s+\(.*\)\s+=>\s+(\S+)$/.exec(line);
    if (m?.[2]) found.add(m[2]);
  }
  return [...found].sort();
}

/**
 * bubblewrap arguments that let a sandboxed method reach exactly `device`: its node and the shared control nodes
 * (`--dev-bind`, only those that exist), and read-only binds of the folders of driver libraries that live outside
 * what the sandbox binds anyway. Pure: the caller says which nodes exist and where the libraries are.
 */
export function gpuBindArgs(
  device: Pick<GpuDevice, "index">,
  host: { existing: (p: string) => boolean; driverLibraries: string[] },
): string[] {
  const own = `/dev/nvidia${device.index}`;
  if (!host.existing(own)) throw new GpuDeviceError(`GPU ${device.index}: ${own} does not exist on this machine`);
  if (!host.existing("/dev/nvidiactl")) throw new GpuDeviceError("/dev/nvidiactl does not exist: is the NVIDIA driver loaded?");
  const args: string[] = ["--dev-bind", own, own];
  for (const node of SHARED_DEVICE_NODES) if (host.existing(node)) args.push("--dev-bind", node, node);
  const covered = (p: string) => SYSTEM_LIBRARY_ROOTS.some((root) => p === root || p.startsWith(`${root}/`));
  const dirs = [...new Set(host.driverLibraries.filter((p) => !covered(p)).map((p) => path.dirname(p)))].sort();
  for (const dir of dirs) args.push("--ro-bind", dir, dir);
  return args;
}

/** The environment a method on `device` gets on top of PROTOCOL.md's (PROTOCOL-1.1.md): its one GPU, by UUID. */
export function gpuEnv(device: Pick<GpuDevice, "uuid">): Record<string, string> {
  // By UUID: nvidia-smi's index and CUDA's default (fastest first) enumeration may differ; the UUID names one device.
  return { CUDA_VISIBLE_DEVICES: device.uuid, CUDA_DEVICE_ORDER: "PCI_BUS_ID" };
}

// ---------------------------------------------------------------------------------------------- sampling

export const GPU_SAMPLE_MS = 500;

/**
 * Samples one device while a method runs: utilization (integrated to busy time) and the memory of the method's
 * processes. `pids` gives the host pids of the method's process tree at each sample.
 */
export class GpuSampler {
  private busyMs = 0;
  private peakMiB = 0;
  private peakDeviceMiB = 0;
  private baselineMiB: number | null = null;
  private sawOwnProcess = false;
  private last: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly device: GpuDevice,
    private readonly cudaVersion: string | null,
    private readonly pids: () => Iterable<number>,
    private readonly run: SmiRunner = runNvidiaSmi,
    private readonly intervalMs = GPU_SAMPLE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One sample (the timer calls this; tests call it directly). */
  async sample(): Promise<void> {
    const [util, apps] = await Promise.all([this.run(QUERY_UTILIZATION), this.run(QUERY_APPS)]);
    const t = this.now();
    if (util.ok) {
      const mine = parseUtilization(util.stdout).find((s) => s.uuid === this.device.uuid);
      if (mine?.memoryUsedMiB != null) {
        this.baselineMiB ??= mine.memoryUsedMiB;
        this.peakDeviceMiB = Math.max(this.peakDeviceMiB, mine.memoryUsedMiB - this.baselineMiB);
      }
      // Each sample's utilization covers the time since the previous one.
      if (this.last !== null && mine?.utilization != null) this.busyMs += (mine.utilization / 100) * (t - this.last);
    }
    if (apps.ok) {
      const own = new Set(this.pids());
      const used = parseComputeApps(apps.stdout).filter((a) => a.gpuUuid === this.device.uuid && own.has(a.pid));
      if (used.length) this.sawOwnProcess = true;
      this.peakMiB = Math.max(
        this.peakMiB,
        used.reduce((s, a) => s + (a.usedMemoryMiB ?? 0), 0),
      );
    }
    this.last = t;
  }

  start(): void {
    this.last = null;
    const tick = () => {
      this.inFlight ??= this.sample()
        .catch(() => undefined)
        .finally(() => {
          this.inFlight = null;
        });
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
  }

  /** Stop sampling (after one last sample) and say what the device did. */
  async stop(): Promise<GpuUsage> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    await this.sample().catch(() => undefined);
    return this.usage();
  }

  usage(): GpuUsage {
    return {
      gpuModel: this.device.name,
      gpuDriver: this.device.driverVersion,
      cudaVersion: this.cudaVersion,
      gpuBusyMs: Math.round(this.busyMs),
      gpuPeakMemMb: this.sawOwnProcess ? this.peakMiB : this.peakDeviceMiB,
    };
  }
}

// ---------------------------------------------------------------------------------------------- scheduling

/**
 * At most one GPU job per device: `acquire` waits for a free device and hands it out until `release`. The CLI's
 * `cajal run` shares one pool among the instances it runs side by side; a queue worker gives each device its own
 * claim loop instead (service/worker/claim.ts), which amounts to the same.
 */
export class GpuPool {
  private readonly free: GpuDevice[];
  private readonly waiting: ((device: GpuDevice) => void)[] = [];

  constructor(
    readonly devices: readonly GpuDevice[],
    readonly cudaVersion: string | null = null,
    /** Why there is no device, for the refusal message. */
    readonly reason: string | null = null,
  ) {
    this.free = [...devices];
  }

  get size(): number {
    return this.devices.length;
  }

  /** A free device (waits while all are in use); throws when the pool has none at all. */
  acquire(): Promise<GpuDevice> {
    if (this.devices.length === 0) return Promise.reject(new Error("no GPU in this pool"));
    const device = this.free.shift();
    if (device) return Promise.resolve(device);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(device: GpuDevice): void {
    const next = this.waiting.shift();
    if (next) next(device);
    else this.free.push(device);
  }

  /** Run `fn` on a device of its own. */
  async with<T>(fn: (device: GpuDevice) => Promise<T>): Promise<T> {
    const device = await this.acquire();
    try {
      return await fn(device);
    } finally {
      this.release(device);
    }
  }
}

let hostPool: Promise<GpuPool> | undefined;

/** This machine's GPUs as a pool, detected once per process. */
export function hostGpuPool(): Promise<GpuPool> {
  hostPool ??= detectGpus().then((host) => new GpuPool(host.devices, host.cudaVersion, host.reason));
  return hostPool;
}
