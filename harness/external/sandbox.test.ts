// The sandbox, property by property, each proven with a hostile method: no network, no view of the repo, .cajal/,
// /root or ground truth, no writes outside the output directory, fork bombs and memory hogs stopped, the whole
// process tree killed at the wall-clock limit, output size enforced while written, exact environment, log tail.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../paths.ts";
import { generateInstance, getDataset, getTask } from "../registry.ts";
import { type MethodContext, MethodFailure } from "../types.ts";
import { hashMethodFolder, loadExternalMethod } from "./method.ts";
import { type RunSandboxedOptions, runSandboxed, SandboxUnavailableError, sandboxAvailable, sandboxUser } from "./sandbox.ts";

const bwrap = sandboxAvailable();
const canSandbox = bwrap.ok;
const isRoot = process.getuid?.() === 0;
const marker = () => `cajal-marker-${randomBytes(6).toString("hex")}`;

let root: string;
let seq = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "cajal-sandbox-test-"));
  await chmod(root, 0o755); // the sandbox user (nobody, when tests run as root) must reach the method folders
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A throwaway method folder with the given files, and fresh input/output/scratch directories. */
async function setup(files: Record<string, string>) {
  const base = path.join(root, String(++seq));
  const methodDir = path.join(base, "method");
  const inputDir = path.join(base, "input");
  const outputDir = path.join(base, "output");
  const scratchDir = path.join(base, "scratch");
  for (const d of [methodDir, inputDir, outputDir, scratchDir]) await mkdir(d, { recursive: true });
  await chmod(base, 0o755);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(methodDir, name), text);
  await writeFile(path.join(inputDir, "task.json"), '{"protocol": 1}\n');
  await chmod(path.join(inputDir, "task.json"), 0o444);
  await chmod(inputDir, 0o555);
  const user = sandboxUser();
  if (user) {
    const { chown } = await import("node:fs/promises");
    await chown(outputDir, user.uid, user.gid);
    await chown(scratchDir, user.uid, user.gid);
  }
  return { base, methodDir, inputDir, outputDir, scratchDir };
}

async function runPython(code: string, extra: Partial<RunSandboxedOptions> = {}, args: string[] = []) {
  const dirs = await setup({ "main.py": code });
  const result = await runSandboxed({
    argv: ["python3", "main.py", ...args],
    ...dirs,
    task: "feature-recovery",
    seed: 42,
    threads: 1,
    timeoutMs: 10_000,
    memoryMb: 256,
    maxOutputBytes: 1024 * 1024,
    ...extra,
  });
  return { ...dirs, result };
}

/** Processes whose command line contains `text` (zombies have none, so only live ones count). */
function livePids(text: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", text]).toString().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

const PROTOCOL_ENV = [
  "CAJAL_INPUT",
  "CAJAL_OUTPUT",
  "CAJAL_PROTOCOL",
  "CAJAL_SEED",
  "CAJAL_TASK",
  "CAJAL_THREADS",
  "HOME",
  "LANG",
  "PATH",
  "TMPDIR",
];
const ENV_DUMP = "import json, os\nprint(json.dumps(dict(os.environ)))\nprint('cwd=' + os.getcwd())\n";

describe.skipIf(!canSandbox)("runSandboxed (bubblewrap)", () => {
  it("gives the method exactly the protocol's environment, the method folder as cwd, and Debian's python3", async () => {
    const { result, methodDir } = await runPython(`${ENV_DUMP}import sys\nprint('exe=' + sys.executable)\n`);
    expect(result.exitCode).toBe(0);
    const env = JSON.parse(result.log.split("\n")[0] as string) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(PROTOCOL_ENV);
    expect(env).toMatchObject({
      CAJAL_PROTOCOL: "1",
      CAJAL_TASK: "feature-recovery",
      CAJAL_SEED: "42",
      CAJAL_THREADS: "1",
      LANG: "C.UTF-8",
    });
    expect(env.CAJAL_INPUT).toBe("/cajal/input");
    expect(env.CAJAL_OUTPUT).toBe("/cajal/output");
    expect(env.PATH?.startsWith("/usr/bin:")).toBe(true);
    expect(result.log).toContain(`cwd=${methodDir}`);
    expect(result.log).toMatch(/exe=\/usr\/bin\/python3/);
    expect(result.sandboxed).toBe(true);
    expect(result.cpuMs).toBeGreaterThan(0);
    expect(result.peakRssMb).toBeGreaterThan(0);
  });

  it("gives the same exact environment without the sandbox", async () => {
    const { result, inputDir, methodDir } = await runPython(ENV_DUMP, { sandbox: false });
    expect(result.exitCode).toBe(0);
    const env = JSON.parse(result.log.split("\n")[0] as string) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(PROTOCOL_ENV);
    expect(env.CAJAL_INPUT).toBe(inputDir);
    expect(result.log).toContain(`cwd=${methodDir}`);
    expect(result.notes).toContain("no-sandbox");
  });

  it("has no network: a server the test listens on is unreachable, and so is anything else", async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const code = `
import socket
for host, port in [("127.0.0.1", ${port}), ("1.1.1.1", 53), ("8.8.8.8", 443)]:
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect((host, port)); print("CONNECTED", host, port)
    except OSError as e:
        print("blocked", host, port, e)
try:
    socket.getaddrinfo("registry.npmjs.org", 443); print("RESOLVED")
except OSError as e:
    print("no dns", e)
`;
      const { result } = await runPython(code);
      expect(result.exitCode).toBe(0);
      expect(result.log).not.toContain("CONNECTED");
      expect(result.log).not.toContain("RESOLVED");
      expect(result.log.match(/^blocked /gm)).toHaveLength(3);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it("cannot read ground truth in .cajal/, files under /root, the repository or the host's /tmp", async () => {
    const tag = randomBytes(6).toString("hex");
    const truthDir = path.join(REPO_ROOT, ".cajal", `sandbox-test-${tag}`);
    await mkdir(truthDir, { recursive: true });
    const truth = path.join(truthDir, "features.npy");
    await writeFile(truth, "SECRET-TRUTH");
    await chmod(truthDir, 0o755);
    await chmod(truth, 0o644); // world-readable on purpose: only the sandbox may keep the method out
    const hostTmp = path.join(os.tmpdir(), `cajal-host-secret-${tag}`);
    await writeFile(hostTmp, "SECRET-TMP", { mode: 0o644 });
    const rootFile = isRoot ? path.join("/root", `cajal-secret-${tag}`) : null;
    if (rootFile) await writeFile(rootFile, "SECRET-ROOT", { mode: 0o644 });
    const targets = [
      truth,
      path.join(REPO_ROOT, "package.json"),
      path.join(REPO_ROOT, "harness", "runner.ts"),
      hostTmp,
      ...(rootFile ? [rootFile] : []),
    ];
    try {
      const code = `
import os, sys
for p in sys.argv[1:]:
    try:
        with open(p) as f: print("READ", p, f.read()[:20])
    except OSError as e:
        print("denied", p, type(e).__name__)
print("root:", sorted(os.listdir("/")))
print("repo visible:", os.path.exists(${JSON.stringify(REPO_ROOT)}))
`;
      const { result } = await runPython(code, {}, targets);
      expect(result.exitCode).toBe(0);
      expect(result.log).not.toContain("READ");
      expect(result.log).not.toContain("SECRET");
      expect(result.log.match(/^denied /gm)).toHaveLength(targets.length);
      expect(result.log).toContain("repo visible: False");
      expect(result.log).not.toMatch(/root:.*'(work|root|home-of-host)'/);
    } finally {
      await rm(truthDir, { recursive: true, force: true });
      await rm(hostTmp, { force: true });
      if (rootFile) await rm(rootFile, { force: true });
    }
  });

  it("cannot write outside its output directory (method folder, input, repository, host /tmp)", async () => {
    const tag = randomBytes(6).toString("hex");
    const repoFile = path.join(REPO_ROOT, `cajal-escape-${tag}`);
    const hostTmp = path.join(os.tmpdir(), `cajal-escape-${tag}`);
    const code = `
import os, sys
targets = sys.argv[1:] + [os.path.join(os.getcwd(), "planted.py"), os.path.join(os.environ["CAJAL_INPUT"], "task.json"), os.path.join(os.environ["CAJAL_INPUT"], "new.npy")]
for p in targets:
    try:
        with open(p, "w") as f: f.write("pwned")
        print("WROTE", p)
    except OSError as e:
        print("denied", p, type(e).__name__)
with open(os.path.join(os.environ["CAJAL_OUTPUT"], "ok.txt"), "w") as f: f.write("fine")
with open(os.path.join(os.environ["TMPDIR"], "scratch.txt"), "w") as f: f.write("fine")
`;
    const { result, methodDir, inputDir, outputDir } = await runPython(code, {}, [repoFile, hostTmp]);
    expect(result.exitCode).toBe(0);
    expect(existsSync(repoFile)).toBe(false);
    expect(existsSync(path.join(methodDir, "planted.py"))).toBe(false);
    expect(existsSync(path.join(inputDir, "new.npy"))).toBe(false);
    expect(await readFile(path.join(inputDir, "task.json"), "utf8")).toBe('{"protocol": 1}\n');
    // /tmp inside is a private tmpfs: the write "succeeds" there and vanishes with the sandbox.
    expect(existsSync(hostTmp)).toBe(false);
    expect(result.log).toMatch(new RegExp(`denied ${repoFile}`));
    expect(result.log).not.toMatch(/WROTE .*(\/work|planted|input)/);
    expect(await readFile(path.join(outputDir, "ok.txt"), "utf8")).toBe("fine");
  });

  it("stops a fork bomb (pids limit, then the whole tree at the timeout) and leaves no process behind", async () => {
    const tag = marker();
    const code = `
import os, sys
while True:
    try:
        os.fork()
    except OSError:
        pass
`;
    const t0 = performance.now();
    const { result } = await runPython(code, { timeoutMs: 1500, pidsMax: 32 }, [tag]);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(result.timedOut).toBe(true);
    expect(livePids(tag)).toEqual([]);
  });

  it("kills a method past its memory limit (10x a 64 MiB limit)", async () => {
    const code = "x = b'a' * (640 << 20)\nprint('ALLOCATED', len(x))\n";
    const { result } = await runPython(code, { memoryMb: 64 });
    expect(result.memoryExceeded).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.log).not.toContain("ALLOCATED");
    expect(result.peakRssMb).toBeLessThanOrEqual(64.5);
  });

  it("kills the whole process tree at the wall-clock limit", async () => {
    const tag = marker();
    const code = `
import subprocess, sys, time
subprocess.Popen(["sleep", "1000", sys.argv[1]])
subprocess.Popen(["sh", "-c", "sleep 1000; echo " + sys.argv[1]], start_new_session=True)
print("started", flush=True)
time.sleep(1000)
`;
    const t0 = performance.now();
    const { result } = await runPython(code, { timeoutMs: 2000 }, [tag]);
    const elapsed = performance.now() - t0;
    expect(result.timedOut).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(6000);
    expect(result.log).toContain("started");
    expect(livePids(tag)).toEqual([]);
  });

  it("stops a method whose output exceeds the limit while it writes (one big file, or many small ones)", async () => {
    const big = await runPython(
      "import os\nwith open(os.path.join(os.environ['CAJAL_OUTPUT'], 'x.npy'), 'wb') as f:\n    f.write(b'0' * (10 << 20))\n",
    );
    expect(big.result.outputExceeded).toBe(true);
    expect((await stat(path.join(big.outputDir, "x.npy"))).size).toBeLessThanOrEqual(1024 * 1024 + 1);
    const many = await runPython(
      "import os, time\nfor i in range(1000):\n    open(os.path.join(os.environ['CAJAL_OUTPUT'], f'{i}.bin'), 'wb').write(b'0' * (256 << 10))\n    time.sleep(0.005)\nprint('FINISHED')\n",
    );
    expect(many.result.outputExceeded).toBe(true);
    expect(many.result.log).not.toContain("FINISHED");
    expect(many.result.outputBytes).toBeLessThan(100 * 1024 * 1024);
  });

  it("keeps stdout and stderr interleaved in the order they arrive, capped at the last 64 KiB", async () => {
    // Two pipes: writes to both within the same instant may arrive in either order, so these are spaced out.
    const small = await runPython(
      "import sys, time\nprint('A', flush=True)\ntime.sleep(0.05)\nprint('B', file=sys.stderr, flush=True)\ntime.sleep(0.05)\nprint('C', flush=True)\n",
    );
    expect(small.result.log).toBe("A\nB\nC\n");
    expect(small.result.stderrTail).toBe("B\n");
    const code =
      "import sys, time\nfor i in range(20000):\n    print(f'line {i:06d}', file=sys.stderr if i % 2 else sys.stdout, flush=True)\ntime.sleep(0.05)\nprint('END', flush=True)\n";
    const { result } = await runPython(code);
    expect(Buffer.byteLength(result.log)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(result.log)).toBeGreaterThan(60 * 1024);
    expect(result.log.endsWith("END\n")).toBe(true);
    expect(result.log).toContain("line 019999\n");
    expect(result.log).toContain("line 019998\n");
    expect(result.log).not.toContain("line 000000");
    expect(result.stderrTail.endsWith("line 019999\n")).toBe(true);
  });

  it("falls back to prlimit and process-group kills without cgroups, and says so", async () => {
    const tag = marker();
    const hog = await runPython("x = b'a' * (2560 << 20)\nprint('ALLOCATED')\n", { memoryMb: 256, cgroups: false });
    expect(hog.result.notes.join(" ")).toMatch(/cgroups unavailable/);
    expect(hog.result.memoryExceeded).toBe(true);
    expect(hog.result.log).toContain("MemoryError");
    const sleeper = await runPython(
      "import subprocess, sys, time\nsubprocess.Popen(['sleep', '1000', sys.argv[1]])\ntime.sleep(1000)\n",
      { timeoutMs: 1500, cgroups: false },
      [tag],
    );
    expect(sleeper.result.timedOut).toBe(true);
    expect(livePids(tag)).toEqual([]);
    expect(sleeper.result.peakRssMb).toBeGreaterThan(0);
  });
});

describe("without bubblewrap", () => {
  it("refuses to run untrusted methods unless the sandbox is explicitly off", async () => {
    const err = await runPython("print('ran')", { bwrap: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxUnavailableError);
    expect((err as Error).message).toMatch(/bubblewrap \(bwrap\) is not installed.*apt-get install bubblewrap.*--no-sandbox/);
    const { result } = await runPython("print('ran')", { bwrap: null, sandbox: false });
    expect(result.exitCode).toBe(0);
    expect(result.log).toBe("ran\n");
    expect(result.notes).toContain("no-sandbox");
  });
});

// Outcomes through the MethodDefinition of an external folder, exactly as PROTOCOL.md names them.
describe.skipIf(!canSandbox)("loadExternalMethod outcomes", () => {
  const task = getTask("feature-recovery");
  const instance = generateInstance(getDataset("feature-recovery", "sparse-linear"), "dev", 0);
  // The dictionary's shape comes from the instance seed (issue 10), so the expected shape is read, not assumed.
  const [rows, cols] = task.outputShapes(instance).dictionary as [number, number];
  const save = `np.save(os.path.join(os.environ['CAJAL_OUTPUT'], 'dictionary.npy'), np.ones((${rows}, ${cols}), np.float32))`;
  const ctx = (report?: MethodContext["report"]): MethodContext => ({
    task: task.id,
    params: instance.params,
    inputs: instance.inputs,
    outputShapes: task.outputShapes(instance),
    seed: 7,
    taskDefinition: task,
    instance: { ...instance, truth: {} },
    ...(report ? { report } : {}),
  });

  async function folder(code: string, limits?: Record<string, number>) {
    const dir = path.join(root, `m${++seq}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "main.py"), code);
    const manifest = {
      protocol: 1,
      id: `hostile-${seq}`,
      version: "1.0.0",
      name: "hostile",
      tasks: ["feature-recovery"],
      command: ["python3", "main.py"],
      description: "test",
      authors: [],
      ...(limits ? { limits } : {}),
    };
    await writeFile(path.join(dir, "method.json"), JSON.stringify(manifest));
    return dir;
  }

  async function failureOf(code: string, opts: Parameters<typeof loadExternalMethod>[1] = {}, limits?: Record<string, number>) {
    const method = await loadExternalMethod(await folder(code, limits), opts);
    const reports: unknown[] = [];
    const err = await method.run(ctx((u) => reports.push(u))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MethodFailure);
    expect(reports).toHaveLength(1);
    return err as MethodFailure;
  }

  it("crash: error with the exit code and the tail of stderr", async () => {
    const f = await failureOf("import sys\nprint('working...')\nsys.stderr.write('Traceback: something broke\\n')\nsys.exit(3)\n");
    expect(f.outcome).toBe("error");
    expect(f.message).toBe("exit code 3: Traceback: something broke");
    expect(f.log).toContain("working...");
  });

  it("timeout: the message holds the limit", async () => {
    const f = await failureOf("import time\ntime.sleep(60)\n", {}, { timeoutSeconds: 1 });
    expect(f.outcome).toBe("timeout");
    expect(f.message).toBe("killed at the wall-clock limit of 1 s");
  });

  it("memory: error naming the memory limit", async () => {
    const f = await failureOf("x = b'a' * (640 << 20)\n", {}, { memoryMb: 64 });
    expect(f.outcome).toBe("error");
    expect(f.message).toMatch(/^killed at the memory limit of 64 MiB/);
  });

  it("output too large: invalid-output naming the limit", async () => {
    const f = await failureOf(
      "import os\nopen(os.path.join(os.environ['CAJAL_OUTPUT'], 'dictionary.npy'), 'wb').write(b'0' * (3 << 20))\n",
      { limits: { outputMb: 1 } },
    );
    expect(f.outcome).toBe("invalid-output");
    expect(f.message).toMatch(/^output larger than the limit of 1 MiB/);
  });

  it("missing or malformed outputs: invalid-output naming the output and what was expected", async () => {
    const missing = await failureOf("print('forgot to write')\n");
    expect(missing.outcome).toBe("invalid-output");
    expect(missing.message).toContain(
      `output "dictionary": missing file dictionary.npy; expected a float32 or float64 array of shape [${rows}, ${cols}]`,
    );
    const wrong = await failureOf(
      "import os, numpy as np\nnp.save(os.path.join(os.environ['CAJAL_OUTPUT'], 'dictionary.npy'), np.zeros((3, 3), np.float32))\n",
    );
    expect(wrong.message).toContain(`dictionary.npy has shape [3, 3]; expected [${rows}, ${cols}]`);
  });

  it("never writes ground truth where the method can read it", async () => {
    const dir = await folder(`import os, numpy as np\nprint(sorted(os.listdir(os.environ['CAJAL_INPUT'])))\n${save}\n`);
    const method = await loadExternalMethod(dir);
    let log = "";
    const outputs = await method.run({ ...ctx((u) => (log = u.log ?? "")), instance });
    expect(Object.keys(outputs)).toEqual(["dictionary"]);
    expect(log.trim()).toBe("['activations.npy', 'task.json']");
  });

  it.skipIf(!isRoot)("runs a method folder the sandbox user cannot read, from a private copy", async () => {
    const dir = await folder(`import os, numpy as np\n${save}\n`);
    const hidden = await mkdtemp(path.join(os.tmpdir(), "cajal-private-")); // 0700, owned by root
    const inside = path.join(hidden, "method");
    await import("node:fs/promises").then((fs) => fs.rename(dir, inside));
    try {
      const method = await loadExternalMethod(inside);
      const outputs = await method.run(ctx());
      expect(Object.keys(outputs)).toEqual(["dictionary"]);
    } finally {
      await rm(hidden, { recursive: true, force: true });
    }
  });

  it("records the opt-out, and refuses without bubblewrap before any run", async () => {
    const dir = await folder("print(1)\n");
    expect((await loadExternalMethod(dir, { sandbox: false })).notes).toContain("no-sandbox");
    await expect(loadExternalMethod(dir, { bwrap: null })).rejects.toThrow(/apt-get install bubblewrap.*--no-sandbox/);
  });
});

describe("hashMethodFolder", () => {
  it("covers every file (docs too) and its path, but not bytecode caches", async () => {
    const { methodDir } = await setup({ "run.py": "print(1)\n", "README.md": "# doc\n" });
    const h0 = hashMethodFolder(methodDir);
    expect(h0).toMatch(/^[0-9a-f]{64}$/);
    expect(hashMethodFolder(methodDir)).toBe(h0);
    await mkdir(path.join(methodDir, "__pycache__"));
    await writeFile(path.join(methodDir, "__pycache__", "run.cpython-311.pyc"), "bytecode");
    expect(hashMethodFolder(methodDir)).toBe(h0);
    await writeFile(path.join(methodDir, "README.md"), "# changed\n");
    const h1 = hashMethodFolder(methodDir);
    expect(h1).not.toBe(h0);
    await writeFile(path.join(methodDir, "lib.py"), "");
    expect(hashMethodFolder(methodDir)).not.toBe(h1);
  });
});
