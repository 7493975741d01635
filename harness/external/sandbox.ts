// Runs one external-method process under the limits and isolation of PROTOCOL.md ("What the harness guarantees
// and enforces").
//
// Isolation (bubblewrap, `bwrap`): new user, pid, network, ipc, uts and cgroup namespaces; no network at all
// (only a loopback device, which is not the host's); a new root that holds only a read-only view of the system
// (/usr, /bin, /lib*, /sbin, /etc, and the node installation when it lives outside /usr), a fresh /proc and
// /dev, the method folder read-only at its own path (the working directory), the input directory read-only at
// /cajal/input, the output directory writable at /cajal/output, and size-limited tmpfs mounts for /tmp (TMPDIR)
// and /home/cajal (HOME). Nothing else of the host exists inside: not the repository, `.cajal/`, the database,
// /root, or ground truth (which is never written where a method could read it in the first place). When the
// harness runs as root it first drops to uid/gid 65534 (nobody) with setpriv, so the method is never root
// outside its namespace either. The environment is exactly the protocol's.
//
// Limits and accounting (cgroup v1, when writable): one memory, pids, cpuacct (and freezer) cgroup per process
// tree, created under the harness's own cgroups so a deployment's limits still bound its methods. A tiny `sh`
// wrapper joins the cgroups before it execs anything, so no process escapes them. memory.limit_in_bytes (and
// memsw) cap memory, tmpfs included; pids.max stops fork bombs; memory.max_usage_in_bytes and cpuacct.usage give
// peak memory and CPU time of the whole tree; an OOM kill in the cgroup (memory.oom_control) ends the whole tree
// as "memory exceeded". The wall-clock limit kills every process in the cgroup (frozen first, so nothing forks
// while it dies). Output size is capped per file with RLIMIT_FSIZE (prlimit) and in total by a watcher that
// polls the output directory while the method runs. Where cgroups are not writable the fallback is prlimit
// (RLIMIT_AS for memory, RLIMIT_NPROC for processes), a process-group kill, and /proc sampling for CPU and peak
// memory; the result's `notes` say so.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  accessSync,
  existsSync,
  constants as fsConstants,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type GpuAssignment, GpuSampler, type GpuUsage, gpuBindArgs, gpuEnv, parseDriverLibraries } from "../gpu.ts";

/** PROTOCOL.md: the last 64 KiB of stdout and stderr are kept. */
export const LOG_BYTES = 64 * 1024;
/** Processes (threads included) one method may have at a time. */
export const DEFAULT_PIDS_MAX = 256;
/** The fixed PATH of a method: the system's interpreters first (Debian's python3 with numpy, not a pyenv shim). */
export const METHOD_PATH = "/usr/bin:/bin:/usr/local/bin";
export const SANDBOX_INPUT = "/cajal/input";
export const SANDBOX_OUTPUT = "/cajal/output";
export const SANDBOX_HOME = "/home/cajal";
export const SANDBOX_TMP = "/tmp";
/** The unprivileged user a root harness runs methods as. */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;
const POLL_MS = 50;

export interface RunSandboxedOptions {
  /** argv of the method (no shell). A bare name is looked up on PATH inside the sandbox. */
  argv: string[];
  /** The method folder: working directory, read-only. */
  methodDir: string;
  /** Holds task.json and the inputs; read-only for the method. */
  inputDir: string;
  /** Empty directory the method writes its outputs into. */
  outputDir: string;
  /** Host directory for TMPDIR and HOME when the sandbox is off (inside the sandbox they are fresh tmpfs mounts). */
  scratchDir: string;
  task: string;
  seed: number;
  threads: number;
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
  pidsMax?: number;
  /** false = the explicit opt-out (--no-sandbox): no namespaces, same limits. Default true. */
  sandbox?: boolean;
  /** false forces the prlimit fallback even where cgroups are writable (tests). Default: use them when possible. */
  cgroups?: boolean;
  /** PATH of the method; default METHOD_PATH plus the node installation's bin. */
  path?: string;
  /** The bubblewrap binary; default: `bwrap` on PATH. null = behave as if it were not installed (tests). */
  bwrap?: string | null;
  /** The one GPU the method may use (PROTOCOL 1.1): bound into the sandbox, named in CUDA_VISIBLE_DEVICES, sampled. */
  gpu?: GpuAssignment;
}

export interface SandboxResult {
  exitCode: number | null;
  /** The signal that ended the process, e.g. "SIGKILL". */
  signal: string | null;
  timedOut: boolean;
  memoryExceeded: boolean;
  outputExceeded: boolean;
  wallMs: number;
  /** CPU time (user + system) of the whole process tree. */
  cpuMs: number;
  /** Peak memory of the whole process tree, MiB. */
  peakRssMb: number;
  /**
   * Last 64 KiB of stdout and stderr, interleaved in the order the harness received them (two pipes: writes to
   * both within the same instant may appear in either order).
   */
  log: string;
  /** Last 4 KiB of stderr alone, for error messages. */
  stderrTail: string;
  /** Total bytes in the output directory after the run. */
  outputBytes: number;
  sandboxed: boolean;
  /** How the limits were enforced when not the default way (no sandbox, no cgroups, …). */
  notes: string[];
  /** The environment the method received (keys exactly those of PROTOCOL.md, plus PROTOCOL 1.1's GPU keys with a GPU). */
  env: Record<string, string>;
  /** What the assigned GPU did while the method ran; absent without a GPU. */
  gpu?: GpuUsage;
}

export class SandboxUnavailableError extends Error {
  override name = "SandboxUnavailableError";
}

// ---------------------------------------------------------------------------------------------- host probing

const executables = new Map<string, string | null>();

function findExecutable(name: string): string | null {
  if (!executables.has(name)) executables.set(name, searchPath(name));
  return executables.get(name) ?? null;
}

function searchPath(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/bin", "/bin", "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const full = path.join(dir, name);
    try {
      accessSync(full, fsConstants.X_OK);
      if (statSync(full).isFile()) return full;
    } catch {
      // next
    }
  }
  return null;
}

const isRoot = () => process.getuid?.() === 0;

type Probe = { ok: true; bwrap: string } | { ok: false; reason: string };
const bwrapProbes = new Map<string, Probe>();

/** Whether bubblewrap is installed and can create the namespaces (probed once per binary). */
export function sandboxAvailable(bwrapPath?: string | null): Probe {
  const bwrap = bwrapPath === undefined ? findExecutable("bwrap") : bwrapPath;
  if (!bwrap) return { ok: false, reason: "bubblewrap (bwrap) is not installed" };
  const cached = bwrapProbes.get(bwrap);
  if (cached) return cached;
  const drop = dropPrivilegesArgs();
  const argv = [
    ...drop,
    bwrap,
    "--ro-bind",
    "/",
    "/",
    "--unshare-user",
    "--unshare-net",
    "--unshare-pid",
    "--die-with-parent",
    "/bin/sh",
    "-c",
    "exit 0",
  ];
  const probe = spawnSync(argv[0] as string, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000, cwd: "/" });
  const result: Probe =
    probe.status === 0
      ? { ok: true, bwrap }
      : {
          ok: false,
          reason: `bubblewrap (${bwrap}) cannot create namespaces here: ${(probe.stderr?.toString() || probe.error?.message || "unknown error").trim()}`,
        };
  bwrapProbes.set(bwrap, result);
  return result;
}

/** Why a sandboxed run is refused, and the two ways out. */
export function unavailableMessage(reason: string, what: string): string {
  return `${reason}. External methods run sandboxed: install bubblewrap (apt-get install bubblewrap) or pass --no-sandbox to run ${what} without isolation (trusted code only; recorded on the run)`;
}

/** `setpriv … --` when the harness is root and must drop to the sandbox user; empty otherwise. */
function dropPrivilegesArgs(): string[] {
  if (!isRoot()) return [];
  const setpriv = findExecutable("setpriv");
  if (!setpriv) return [];
  return [setpriv, `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_GID}`, "--clear-groups", "--no-new-privs", "--"];
}

/** The uid/gid the method runs as when it is not the harness's own (root harness, sandboxed), else null. */
export function sandboxUser(sandbox = true): { uid: number; gid: number } | null {
  return sandbox && isRoot() && findExecutable("setpriv") ? { uid: SANDBOX_UID, gid: SANDBOX_GID } : null;
}

/**
 * Whether the sandbox user can reach `dir` (search permission on every ancestor, read + search on the folder):
 * bubblewrap resolves bind sources as that user. Always true when the method runs as the harness's own user.
 */
export function sandboxCanRead(dir: string, sandbox = true): boolean {
  const user = sandboxUser(sandbox);
  if (!user) return true;
  const can = (p: string, bits: number) => {
    const st = statSync(p);
    const mode = st.mode & 0o777;
    if (st.uid === user.uid) return ((mode >> 6) & bits) === bits;
    if (st.gid === user.gid) return ((mode >> 3) & bits) === bits;
    return (mode & bits) === bits;
  };
  try {
    const real = realpathSync(dir);
    let current = path.dirname(real);
    while (true) {
      if (!can(current, 1)) return false;
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
    return can(real, 5);
  } catch {
    return false;
  }
}

/** The node installation (prefix of the node binary), when it lives outside /usr: bound read-only for node methods. */
function nodePrefix(): string | null {
  try {
    const prefix = path.dirname(path.dirname(realpathSync(process.execPath)));
    return prefix === "/usr" || prefix.startsWith("/usr/") || prefix === "/" ? null : prefix;
  } catch {
    return null;
  }
}

export function methodPath(): string {
  const prefix = nodePrefix();
  return prefix ? `${METHOD_PATH}:${prefix}/bin` : METHOD_PATH;
}

let driverLibraries: string[] | undefined;

/** The NVIDIA driver's user-space libraries (`ldconfig -p`), looked up once; empty where ldconfig is missing. */
function hostDriverLibraries(): string[] {
  if (driverLibraries === undefined) {
    const ldconfig = findExecutable("ldconfig") ?? (existsSync("/sbin/ldconfig") ? "/sbin/ldconfig" : null);
    const out = ldconfig ? spawnSync(ldconfig, ["-p"], { encoding: "utf8", timeout: 10_000 }) : null;
    driverLibraries = out?.status === 0 ? parseDriverLibraries(out.stdout) : [];
  }
  return driverLibraries;
}

/** bubblewrap arguments for the assigned GPU on this machine (throws, before anything runs, when its nodes are missing). */
export function hostGpuArgs(gpu: GpuAssignment): string[] {
  return gpuBindArgs(gpu.device, { existing: existsSync, driverLibraries: hostDriverLibraries() });
}

// ---------------------------------------------------------------------------------------------- cgroups (v1)

type Controller = "memory" | "pids" | "cpuacct" | "freezer";

interface CgroupSet {
  dirs: Partial<Record<Controller, string>>;
}

let cgroupBases: Partial<Record<Controller, string[]>> | null | undefined;
let cgroupSeq = 0;

/** Candidate parent directories per controller: the harness's own cgroup first, then the hierarchy's root. */
function discoverCgroupBases(): Partial<Record<Controller, string[]>> | null {
  if (cgroupBases !== undefined) return cgroupBases;
  cgroupBases = null;
  try {
    const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n");
    const own = readFileSync("/proc/self/cgroup", "utf8").split("\n");
    const bases: Partial<Record<Controller, string[]>> = {};
    for (const controller of ["memory", "pids", "cpuacct", "freezer"] as Controller[]) {
      for (const line of mounts) {
        const [pre, post] = line.split(" - ");
        if (!pre || !post) continue;
        const [fstype, , superOpts] = post.split(" ");
        if (fstype !== "cgroup" || !superOpts?.split(",").includes(controller)) continue;
        const fields = pre.split(" ");
        const root = fields[3] as string;
        const mountPoint = (fields[4] as string).replace(/\\040/g, " ");
        const mine = own.map((l) => l.split(":")).find((p) => p[1]?.split(",").includes(controller))?.[2];
        const list: string[] = [];
        if (mine?.startsWith(root)) list.push(path.join(mountPoint, mine.slice(root.length)));
        if (!list.includes(mountPoint)) list.push(mountPoint);
        bases[controller] = list;
        break;
      }
    }
    if (!bases.memory || !bases.pids || !bases.cpuacct) return null;
    cleanStaleCgroups(bases);
    cgroupBases = bases;
  } catch {
    cgroupBases = null;
  }
  return cgroupBases;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Cgroups left by a harness that died (its pid is in the name): kill what is left in them and remove them. */
function cleanStaleCgroups(bases: Partial<Record<Controller, string[]>>): void {
  for (const list of Object.values(bases)) {
    for (const base of list ?? []) {
      let names: string[] = [];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names) {
        const pid = /^cajal-(\d+)-\d+-[0-9a-f]+$/.exec(name)?.[1];
        if (!pid || isAlive(Number(pid))) continue;
        const dir = path.join(base, name);
        try {
          for (const p of readPids(dir)) killPid(p);
          rmdirSync(dir);
        } catch {
          // busy or gone: a later start tries again
        }
      }
    }
  }
}

function readPids(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function readNumber(file: string): number | null {
  try {
    const v = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

let cgroupProbe: boolean | undefined;

/** Whether per-process cgroups (memory, pids, cpuacct; v1) can be created here (probed once). */
export function cgroupsAvailable(): boolean {
  if (cgroupProbe === undefined) {
    const set = createCgroups(64 * 1024 * 1024, 8);
    cgroupProbe = set !== null;
    if (set) removeCgroupsNow(set);
  }
  return cgroupProbe;
}

function createCgroups(memoryBytes: number, pidsMax: number): CgroupSet | null {
  const bases = discoverCgroupBases();
  if (!bases) return null;
  const name = `cajal-${process.pid}-${++cgroupSeq}-${randomBytes(3).toString("hex")}`;
  const set: CgroupSet = { dirs: {} };
  try {
    for (const controller of ["memory", "pids", "cpuacct", "freezer"] as Controller[]) {
      const candidates = bases[controller];
      if (!candidates) continue;
      let made: string | undefined;
      for (const base of candidates) {
        const dir = path.join(base, name);
        try {
          mkdirSync(dir);
          made = dir;
          break;
        } catch {
          // next candidate
        }
      }
      if (!made) {
        if (controller === "freezer") continue;
        throw new Error(`cannot create a ${controller} cgroup`);
      }
      set.dirs[controller] = made;
    }
    const mem = set.dirs.memory as string;
    writeFileSync(path.join(mem, "memory.limit_in_bytes"), String(memoryBytes));
    if (existsSync(path.join(mem, "memory.memsw.limit_in_bytes")))
      writeFileSync(path.join(mem, "memory.memsw.limit_in_bytes"), String(memoryBytes));
    writeFileSync(path.join(set.dirs.pids as string, "pids.max"), String(pidsMax));
    return set;
  } catch {
    removeCgroupsNow(set);
    return null;
  }
}

/** Remove empty cgroups right away (creation failed or the probe: nothing ever ran in them). */
function removeCgroupsNow(set: CgroupSet): void {
  for (const dir of Object.values(set.dirs)) {
    try {
      if (dir) rmdirSync(dir);
    } catch {
      // left for the stale-cgroup cleanup of a later start
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Remove a run's cgroups; a dying process can keep one busy for a moment, so retry (killing stragglers). */
async function removeCgroups(set: CgroupSet): Promise<void> {
  for (const dir of Object.values(set.dirs)) {
    if (!dir) continue;
    for (let attempt = 0; attempt < 500; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") break;
        for (const p of readPids(dir)) killPid(p);
        await sleep(2);
      }
    }
  }
}

function cgroupPids(set: CgroupSet): Set<number> {
  return new Set([...(set.dirs.pids ? readPids(set.dirs.pids) : []), ...(set.dirs.memory ? readPids(set.dirs.memory) : [])]);
}

function setFreezer(set: CgroupSet, state: "FROZEN" | "THAWED"): void {
  if (!set.dirs.freezer) return;
  try {
    writeFileSync(path.join(set.dirs.freezer, "freezer.state"), state);
  } catch {
    // kill anyway
  }
}

/** Kill every process in the cgroups: freeze (nothing forks while we kill), SIGKILL all, thaw, until empty. */
async function killCgroups(set: CgroupSet, extraPid?: number): Promise<void> {
  if (extraPid) killPid(extraPid);
  for (let attempt = 0; attempt < 500; attempt++) {
    if (cgroupPids(set).size === 0) return;
    setFreezer(set, "FROZEN");
    for (const p of cgroupPids(set)) killPid(p);
    setFreezer(set, "THAWED"); // a frozen process dies of SIGKILL only once thawed
    await sleep(2);
  }
}

/** OOM kills in the memory cgroup so far; null where the kernel does not report them (before 4.13). */
function oomKills(set: CgroupSet): number | null {
  try {
    const text = readFileSync(path.join(set.dirs.memory as string, "memory.oom_control"), "utf8");
    const m = /oom_kill (\d+)/.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------- /proc sampling (fallback)

const PAGE_BYTES = 4096;
const CLOCK_TICK_MS = 10;

/** RSS (bytes) and CPU (ms) summed over the process tree rooted at `root`, from /proc. */
function sampleTree(root: number): { rss: number; cpuMs: number; pids: number[] } {
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return { rss: 0, cpuMs: 0, pids: [] };
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const text = readFileSync(`/proc/${e}/stat`, "utf8");
      const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
      const pid = Number(e);
      const ppid = Number(rest[1]);
      stats.set(pid, rest);
      const list = children.get(ppid) ?? [];
      list.push(pid);
      children.set(ppid, list);
    } catch {
      // exited
    }
  }
  let rss = 0;
  let ticks = 0;
  const pids: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    const s = stats.get(pid);
    if (s) {
      pids.push(pid);
      // Fields after the command (index 0 = state): utime 11, stime 12, cutime 13, cstime 14, rss 21.
      ticks += Number(s[11]) + Number(s[12]) + Number(s[13]) + Number(s[14]);
      rss += Number(s[21]) * PAGE_BYTES;
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return { rss, cpuMs: ticks * CLOCK_TICK_MS, pids };
}

// ---------------------------------------------------------------------------------------------- output watcher

/** Total size of the regular files under `dir` (symlinks are not followed). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    try {
      const st = await lstat(full);
      if (st.isDirectory()) total += await dirBytes(full);
      else total += st.size;
    } catch {
      // removed meanwhile
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------- log capture

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1) {
      this.size -= (this.chunks.shift() as Buffer).length;
    }
  }
  text(): string {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > this.limit) buf = buf.subarray(buf.length - this.limit);
    // Drop a partial UTF-8 sequence at the cut.
    let start = 0;
    while (start < Math.min(4, buf.length) && ((buf[start] as number) & 0xc0) === 0x80) start++;
    return buf.subarray(start).toString("utf8");
  }
}

// ---------------------------------------------------------------------------------------------- the run

// The wrapper every method starts through: join the cgroups (paths as arguments), forget PWD (sh exports it;
// the protocol's environment has no PWD), then exec the rest of the argv. Nothing runs before the cgroups hold it.
const WRAPPER = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; unset PWD; exec "$@"';
// Inside the sandbox: bwrap sets PWD after --chdir; drop it so the environment is exactly the protocol's.
const INNER = 'unset PWD; exec "$@"';

function bindSystem(args: string[]): void {
  args.push("--ro-bind", "/usr", "/usr");
  for (const p of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) {
      try {
        args.push("--symlink", readlinkSync(p), p);
      } catch {
        // unreadable link: skip
      }
    } else if (st.isDirectory()) args.push("--ro-bind", p, p);
  }
  args.push("--ro-bind", "/etc", "/etc");
  const prefix = nodePrefix();
  if (prefix) args.push("--ro-bind", prefix, prefix);
}

const SIGNALS = Object.fromEntries(Object.entries(os.constants.signals).map(([name, num]) => [num, name])) as Record<number, string>;

/** Run one method process; never throws for what the method does (that is in the result), only for harness problems. */
export async function runSandboxed(opts: RunSandboxedOptions): Promise<SandboxResult> {
  const sandboxed = opts.sandbox !== false;
  const notes: string[] = [];
  let bwrap = "";
  if (sandboxed) {
    const avail = sandboxAvailable(opts.bwrap);
    if (!avail.ok) throw new SandboxUnavailableError(unavailableMessage(avail.reason, "the method"));
    bwrap = avail.bwrap;
  } else notes.push("no-sandbox");
  if (opts.argv.length === 0) throw new Error("runSandboxed: empty argv");

  const methodDir = realpathSync(opts.methodDir);
  const memoryBytes = Math.floor(opts.memoryMb * 1024 * 1024);
  const pidsMax = opts.pidsMax ?? DEFAULT_PIDS_MAX;
  const PATH = opts.path ?? methodPath();
  const env: Record<string, string> = {
    CAJAL_PROTOCOL: "1",
    CAJAL_TASK: opts.task,
    CAJAL_INPUT: sandboxed ? SANDBOX_INPUT : opts.inputDir,
    CAJAL_OUTPUT: sandboxed ? SANDBOX_OUTPUT : opts.outputDir,
    CAJAL_SEED: String(opts.seed),
    CAJAL_THREADS: String(opts.threads),
    PATH,
    HOME: sandboxed ? SANDBOX_HOME : path.join(opts.scratchDir, "home"),
    LANG: "C.UTF-8",
    TMPDIR: sandboxed ? SANDBOX_TMP : path.join(opts.scratchDir, "tmp"),
    ...(opts.gpu ? gpuEnv(opts.gpu.device) : {}),
  };
  // Computed before anything is created: a GPU whose device nodes are missing fails here, never runs on the CPU.
  const gpuArgs = sandboxed && opts.gpu ? hostGpuArgs(opts.gpu) : [];
  if (!sandboxed) {
    mkdirSync(env.HOME as string, { recursive: true, mode: 0o700 });
    mkdirSync(env.TMPDIR as string, { recursive: true, mode: 0o700 });
  }

  const cgroups = opts.cgroups === false ? null : createCgroups(memoryBytes, pidsMax);
  if (!cgroups) {
    notes.push(
      `cgroups unavailable: memory limited by ${opts.gpu ? "sampled RSS (CUDA needs more address space than RLIMIT_AS allows)" : "RLIMIT_AS"}, processes by RLIMIT_NPROC, killed by process group; CPU time and peak memory sampled from /proc (approximate)`,
    );
  }

  // prlimit: file size (output limit, checked in total by the watcher too), no core dumps, and the fallback limits.
  const prlimit = findExecutable("prlimit");
  const limitArgs: string[] = [];
  if (prlimit) {
    limitArgs.push(prlimit, `--fsize=${opts.maxOutputBytes + 1}`, "--core=0");
    // CUDA reserves far more address space than it uses, so a GPU method cannot run under RLIMIT_AS: without
    // cgroups its memory limit is enforced by the /proc sampling below instead (noted on the run).
    if (!cgroups) limitArgs.push(...(opts.gpu ? [] : [`--as=${memoryBytes}`]), `--nproc=${pidsMax}`);
    limitArgs.push("--");
  } else notes.push("prlimit unavailable: output size enforced by polling only");

  const rest: string[] = [...limitArgs];
  if (sandboxed) {
    const drop = dropPrivilegesArgs();
    if (isRoot() && drop.length === 0)
      notes.push("setpriv unavailable: the method runs as root without capabilities inside its user namespace");
    rest.push(...drop, bwrap);
    const b: string[] = [];
    bindSystem(b);
    b.push("--proc", "/proc", "--dev", "/dev", ...gpuArgs);
    b.push("--size", String(memoryBytes), "--tmpfs", SANDBOX_TMP);
    b.push("--size", String(memoryBytes), "--tmpfs", SANDBOX_HOME);
    b.push("--dir", "/cajal", "--ro-bind", opts.inputDir, SANDBOX_INPUT, "--bind", opts.outputDir, SANDBOX_OUTPUT);
    b.push("--ro-bind", methodDir, methodDir, "--chdir", methodDir);
    b.push(
      "--unshare-user",
      "--disable-userns",
      "--unshare-net",
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--unshare-cgroup-try",
    );
    b.push("--hostname", "cajal", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv");
    for (const [k, v] of Object.entries(env)) b.push("--setenv", k, v);
    rest.push(...b, "--", "/bin/sh", "-c", INNER, "cajal-method", ...opts.argv);
  } else {
    rest.push(...opts.argv);
  }
  const procsFiles = cgroups ? Object.values(cgroups.dirs).map((d) => path.join(d as string, "cgroup.procs")) : [];

  const log = new TailBuffer(LOG_BYTES);
  const stderrTail = new TailBuffer(4096);
  let timedOut = false;
  let memoryExceeded = false;
  let outputExceeded = false;
  let peakSampled = 0;
  let cpuSampled = 0;

  const t0 = performance.now();
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", WRAPPER, "cajal-sandbox", String(procsFiles.length), ...procsFiles, ...rest], {
      cwd: sandboxed ? "/" : methodDir,
      // Sandboxed: bwrap --clearenv/--setenv gives the method its environment; the wrapper itself needs none.
      env: (sandboxed ? {} : env) as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
  } catch (e) {
    if (cgroups) await removeCgroups(cgroups);
    throw e;
  }
  // The method's host pids: nvidia-smi lists GPU processes by them.
  const treePids = () => (cgroups ? cgroupPids(cgroups) : child.pid ? sampleTree(child.pid).pids : []);
  const gpuSampler = opts.gpu ? new GpuSampler(opts.gpu.device, opts.gpu.cudaVersion, treePids) : null;
  gpuSampler?.start();
  child.stdout?.on("data", (c: Buffer) => log.push(c));
  child.stderr?.on("data", (c: Buffer) => {
    log.push(c);
    stderrTail.push(c);
  });

  let killing: Promise<void> | null = null;
  const killTree = (): Promise<void> => {
    killing ??= (async () => {
      if (cgroups) await killCgroups(cgroups, child.pid);
      else if (child.pid) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // group gone
        }
        killPid(child.pid);
      }
    })();
    return killing;
  };

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));

  const timer = setTimeout(() => {
    timedOut = true;
    void killTree();
  }, opts.timeoutMs);
  let polling = false;
  const poll = setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      if (cgroups && !memoryExceeded && (oomKills(cgroups) ?? 0) > 0) {
        memoryExceeded = true;
        void killTree();
      }
      if (!cgroups && child.pid) {
        const s = sampleTree(child.pid);
        peakSampled = Math.max(peakSampled, s.rss);
        cpuSampled = Math.max(cpuSampled, s.cpuMs);
        if (opts.gpu && !memoryExceeded && s.rss > memoryBytes) {
          memoryExceeded = true;
          void killTree();
        }
      }
      if (!outputExceeded && (await dirBytes(opts.outputDir)) > opts.maxOutputBytes) {
        outputExceeded = true;
        void killTree();
      }
    } finally {
      polling = false;
    }
  }, POLL_MS);

  const { code, signal } = await exited;
  const wallMs = performance.now() - t0;
  clearTimeout(timer);
  clearInterval(poll);
  const gpu = gpuSampler ? await gpuSampler.stop() : undefined;
  // Whatever outlived the main process (background children) dies with it.
  await killTree();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
  child.stdout?.destroy();
  child.stderr?.destroy();

  let cpuMs = cpuSampled;
  let peakRssMb = Math.round((peakSampled / 2 ** 20) * 10) / 10;
  if (cgroups) {
    const ooms = oomKills(cgroups);
    if (ooms !== null && ooms > 0) memoryExceeded = true;
    // Old kernels: the limit was hit and the process died of SIGKILL that was not ours.
    const failcnt = readNumber(path.join(cgroups.dirs.memory as string, "memory.failcnt")) ?? 0;
    if (ooms === null && failcnt > 0 && (signal === "SIGKILL" || code === 137) && !timedOut && !outputExceeded) memoryExceeded = true;
    const usage = readNumber(path.join(cgroups.dirs.cpuacct as string, "cpuacct.usage"));
    if (usage !== null) cpuMs = usage / 1e6;
    const peak = readNumber(path.join(cgroups.dirs.memory as string, "memory.max_usage_in_bytes"));
    if (peak !== null) peakRssMb = Math.round((peak / 2 ** 20) * 10) / 10;
    await removeCgroups(cgroups);
  }

  // bwrap reports a child killed by signal N as exit status 128 + N.
  let signalName: string | null = signal;
  if (!signalName && sandboxed && code !== null && code > 128 && code < 128 + 65) signalName = SIGNALS[code - 128] ?? null;
  if (signalName === "SIGXFSZ") outputExceeded = true;
  const logText = log.text();
  const stderrText = stderrTail.text();
  if (!cgroups && !timedOut && code !== 0 && /MemoryError|Cannot allocate memory|std::bad_alloc|out of memory/i.test(stderrText)) {
    memoryExceeded = true;
  }
  const outputBytes = await dirBytes(opts.outputDir);
  if (outputBytes > opts.maxOutputBytes) outputExceeded = true;

  return {
    exitCode: code,
    signal: signalName,
    timedOut,
    memoryExceeded,
    outputExceeded,
    wallMs,
    cpuMs,
    peakRssMb,
    log: logText,
    stderrTail: stderrText,
    outputBytes,
    sandboxed,
    notes,
    env,
    ...(gpu ? { gpu } : {}),
  };
}
