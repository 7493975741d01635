// An external method folder (PROTOCOL.md) as a MethodDefinition: one sandboxed process per instance, with fresh
// input/output directories, outcomes mapped exactly as the protocol names them.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { chmod, chown, cp, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type GpuAssignment, GpuDeviceError, type GpuPool, hostGpuPool, noGpuMessage } from "../gpu.ts";
import { readMethodOutputs, writeInstanceDir } from "../protocol.ts";
import { type MethodDefinition, MethodFailure, type MethodOutputs } from "../types.ts";
import { DEFAULT_LIMITS, effectiveLimits, gpusRequested, type HarnessLimits, loadManifest, type MethodManifest } from "./manifest.ts";
import {
  cgroupsAvailable,
  runSandboxed,
  type SandboxResult,
  SandboxUnavailableError,
  sandboxAvailable,
  sandboxCanRead,
  sandboxUser,
  unavailableMessage,
} from "./sandbox.ts";

export interface ExternalMethodOptions {
  /** false = the explicit opt-out (--no-sandbox), recorded in the method's notes. Default true. */
  sandbox?: boolean;
  /** The deployment's limits per instance (default PROTOCOL.md's); the manifest may only lower them. */
  limits?: Partial<HarnessLimits>;
  /** CAJAL_THREADS (default 1). */
  threads?: number;
  /** Process cap per instance (pids cgroup). */
  pidsMax?: number;
  /** false forces the prlimit fallback (tests). */
  cgroups?: boolean;
  /** Where per-instance directories are created (default os.tmpdir()). */
  workRoot?: string;
  /** The bubblewrap binary (default: `bwrap` on PATH); null = as if not installed (tests). */
  bwrap?: string | null;
  /**
   * Where a method that asks for a GPU gets one when its instance comes without (`cajal run`): default this
   * machine's GPUs (nvidia-smi). A queue worker assigns a device per instance instead (MethodContext.gpu).
   */
  gpuPool?: GpuPool | (() => Promise<GpuPool>);
}

export interface ExternalMethodDefinition extends MethodDefinition {
  kind: "external";
  notes: string[];
  folder: string;
  manifest: MethodManifest;
  limits: HarnessLimits;
}

/** Derived files a run may leave in a method folder (bytecode caches) and VCS metadata: not part of the source. */
const HASH_SKIP = /^(__pycache__|\.git|\.mypy_cache|\.pytest_cache)$|\.py[co]$/;

/** sha256 over every file of the folder (sorted relative paths and contents; symlinks by their target). */
export function hashMethodFolder(dir: string): string {
  const h = createHash("sha256");
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      if (HASH_SKIP.test(name)) continue;
      const full = path.join(current, name);
      const rel = path.relative(dir, full);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isSymbolicLink()) h.update(`${rel}\u0000link\u0000${readlinkSync(full)}\u0000`);
      else if (st.isFile()) {
        h.update(`${rel}\u0000file\u0000`);
        h.update(readFileSync(full));
        h.update("\u0000");
      }
    }
  };
  walk(dir);
  return h.digest("hex");
}

/** The folder as the sandbox user can read it: itself, or a private read-only copy (removed at exit) when it cannot. */
async function readableFolder(folder: string, sandbox: boolean, workRoot: string): Promise<string> {
  if (sandboxCanRead(folder, sandbox)) return folder;
  const copy = await mkdtemp(path.join(workRoot, "cajal-method-"));
  await cp(folder, copy, { recursive: true, dereference: false, verbatimSymlinks: true });
  await makeReadOnly(copy);
  process.once("exit", () => rmSync(copy, { recursive: true, force: true }));
  return copy;
}

/** Directories r-x, files r-- for everyone (the sandbox user reads them; nobody writes them). */
async function makeReadOnly(p: string): Promise<void> {
  const st = lstatSync(p);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) for (const name of await readdir(p)) await makeReadOnly(path.join(p, name));
  await chmod(p, st.isDirectory() || st.mode & 0o111 ? 0o555 : 0o444);
}

/** A folder where the sandbox user can reach per-instance directories. */
function workRootFor(sandbox: boolean, requested?: string): string {
  const candidates = [requested ?? os.tmpdir(), "/tmp"];
  for (const c of candidates) if (sandboxCanRead(c, sandbox)) return realpathSync(c);
  throw new Error(
    `no folder for per-instance directories that the sandbox user can reach (tried ${candidates.join(", ")}); set TMPDIR to one`,
  );
}

function tail(text: string, chars: number): string {
  const t = text.trim();
  return t.length > chars ? `…${t.slice(-chars)}` : t;
}

/** PROTOCOL.md's outcome of a finished process (null = it exited 0 within its limits: read the outputs). */
export function failureOf(r: SandboxResult, limits: HarnessLimits): MethodFailure | null {
  if (r.timedOut) return new MethodFailure("timeout", `killed at the wall-clock limit of ${limits.timeoutSeconds} s`, r.log);
  if (r.memoryExceeded) {
    const stderr = tail(r.stderrTail, 1000);
    return new MethodFailure("error", `killed at the memory limit of ${limits.memoryMb} MiB${stderr ? `: ${stderr}` : ""}`, r.log);
  }
  if (r.outputExceeded) {
    return new MethodFailure(
      "invalid-output",
      `output larger than the limit of ${limits.outputMb} MiB (${limits.outputMb * 1024 * 1024} bytes; ${r.outputBytes} bytes written): the process was stopped`,
      r.log,
    );
  }
  if (r.exitCode !== 0 || r.signal) {
    const how = r.signal ? `killed by ${r.signal}${r.exitCode !== null ? ` (exit code ${r.exitCode})` : ""}` : `exit code ${r.exitCode}`;
    const stderr = tail(r.stderrTail, 2000);
    return new MethodFailure("error", `${how}: ${stderr || "(no output on stderr)"}`, r.log);
  }
  return null;
}

/**
 * Run `fn` with the GPU the method asks for (PROTOCOL 1.1): none for a method that asks for none; the instance's
 * assigned device (a queue worker's GPU slot); else one from the pool (`cajal run`: this machine's GPUs). With no
 * GPU the instance is refused before any process starts: a method that asks for a GPU never runs on the CPU.
 */
async function withGpu<T>(
  manifest: MethodManifest,
  assigned: GpuAssignment | undefined,
  poolOption: ExternalMethodOptions["gpuPool"],
  fn: (gpu: GpuAssignment | undefined) => Promise<T>,
): Promise<T> {
  if (gpusRequested(manifest) === 0) return fn(undefined);
  const checked = (gpu: GpuAssignment): GpuAssignment => {
    const wanted = manifest.resources?.gpuMemoryMiB;
    if (wanted !== undefined && gpu.device.memoryMiB < wanted) {
      throw new MethodFailure(
        "error",
        `method ${manifest.id} asks for a GPU with ${wanted} MiB; GPU ${gpu.device.index} (${gpu.device.name}) has ${gpu.device.memoryMiB} MiB`,
      );
    }
    return gpu;
  };
  if (assigned) return fn(checked(assigned));
  const pool = typeof poolOption === "function" ? await poolOption() : (poolOption ?? (await hostGpuPool()));
  if (pool.size === 0) throw new MethodFailure("error", noGpuMessage(manifest.id, 1, pool.reason));
  return pool.with((device) => fn(checked({ device, cudaVersion: pool.cudaVersion })));
}

/**
 * Load an external method folder: validate method.json (ManifestError lists every problem) and check that the
 * sandbox can run (SandboxUnavailableError says how to fix it) before any instance runs.
 */
export async function loadExternalMethod(folder: string, options: ExternalMethodOptions = {}): Promise<ExternalMethodDefinition> {
  const sandbox = options.sandbox !== false;
  const harnessLimits: HarnessLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const absolute = realpathSync(path.resolve(folder));
  const manifest = await loadManifest(absolute, harnessLimits);
  const limits = effectiveLimits(manifest, harnessLimits);
  if (sandbox) {
    const avail = sandboxAvailable(options.bwrap);
    if (!avail.ok) throw new SandboxUnavailableError(unavailableMessage(avail.reason, manifest.id));
  }
  const threads = options.threads ?? 1;
  const workRoot = workRootFor(sandbox, options.workRoot);
  const notes: string[] = [];
  if (!sandbox) notes.push("no-sandbox");
  if (options.cgroups === false || !cgroupsAvailable()) notes.push("no-cgroups");
  // Hashed and (where the sandbox user cannot read it) copied now, so what runs is what was hashed.
  const sourceHash = hashMethodFolder(absolute);
  const methodDir = await readableFolder(absolute, sandbox, workRoot);

  return {
    id: manifest.id,
    version: manifest.version,
    name: manifest.name,
    kind: "external",
    description: manifest.description,
    ...(manifest.url ? { url: manifest.url } : {}),
    tasks: [...manifest.tasks],
    sourceHash,
    concurrent: true,
    notes,
    folder: absolute,
    manifest,
    limits,
    async run(ctx): Promise<MethodOutputs> {
      const task = ctx.taskDefinition;
      const instance = ctx.instance;
      if (!task || !instance) throw new Error(`external method ${manifest.id} needs the task definition and instance in its context`);
      const user = sandboxUser(sandbox);
      const root = await mkdtemp(path.join(workRoot, "cajal-run-"));
      try {
        await chmod(root, 0o700);
        if (user) await chown(root, user.uid, user.gid);
        const inputDir = path.join(root, "input");
        const outputDir = path.join(root, "output");
        const scratchDir = path.join(root, "scratch");
        // Inputs only: ground truth is never written where a method process could read it.
        await writeInstanceDir(inputDir, task, instance, { withTruth: false });
        await makeReadOnly(inputDir);
        await mkdir(outputDir, { mode: 0o700 });
        await mkdir(scratchDir, { mode: 0o700 });
        if (user) {
          await chown(outputDir, user.uid, user.gid);
          await chown(scratchDir, user.uid, user.gid);
        }
        const result = await withGpu(manifest, ctx.gpu, options.gpuPool, (gpu) =>
          runSandboxed({
            argv: manifest.command,
            methodDir,
            inputDir,
            outputDir,
            scratchDir,
            task: task.id,
            seed: ctx.seed,
            threads,
            timeoutMs: limits.timeoutSeconds * 1000,
            memoryMb: limits.memoryMb,
            maxOutputBytes: limits.outputMb * 1024 * 1024,
            sandbox,
            ...(options.pidsMax !== undefined ? { pidsMax: options.pidsMax } : {}),
            ...(options.cgroups !== undefined ? { cgroups: options.cgroups } : {}),
            ...(options.bwrap !== undefined ? { bwrap: options.bwrap } : {}),
            ...(gpu ? { gpu } : {}),
          }),
        ).catch((error: unknown) => {
          // A device the sandbox cannot give the method (its node is missing): the instance fails, nothing ran.
          throw error instanceof GpuDeviceError ? new MethodFailure("error", error.message) : error;
        });
        ctx.report?.({
          cpuMs: result.cpuMs,
          peakRssMb: result.peakRssMb,
          log: result.log,
          wallMs: result.wallMs,
          ...(result.gpu ? { gpu: result.gpu } : {}),
        });
        const failure = failureOf(result, limits);
        if (failure) throw failure;
        const read = await readMethodOutputs(outputDir, task, instance, { maxBytes: limits.outputMb * 1024 * 1024 });
        if (!read.ok) throw new MethodFailure("invalid-output", read.message, result.log);
        return read.outputs;
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}
