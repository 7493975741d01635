// `npx tsx bench/external-overhead.ts [runs]`: what the external method protocol costs per instance, beyond the
// method's own work. A no-op method (writes zeros of the right shape) runs through evaluateInstance, i.e. the full
// path: fresh directories, task.json + inputs written, process spawned (in the sandbox or not), outputs read,
// validated and scored. Two no-ops: pure shell (grep + cp of a prepared .npy: no interpreter start-up) and Python
// without site packages (`python3 -S`: the start-up every Python method pays). Target: median < 50 ms.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadExternalMethod } from "../harness/external/method.ts";
import { cgroupsAvailable, sandboxAvailable } from "../harness/external/sandbox.ts";
import { f32 } from "../harness/ndarray.ts";
import { writeNpy } from "../harness/npy.ts";
import { generateInstance, getDataset, getMethod, getTask } from "../harness/registry.ts";
import { evaluateInstance } from "../harness/runner.ts";
import type { Instance, MethodDefinition, MethodUsage } from "../harness/types.ts";

const RUNS = Number(process.argv[2] ?? 50);
const WARMUP = 3;
const task = getTask("feature-recovery");
const instances: Instance[] = [];
for (const slug of ["sparse-linear", "mixed-selectivity"]) {
  const dataset = getDataset(task.id, slug);
  for (let i = 0; i < 6; i++) instances.push(generateInstance(dataset, "official", i));
}

const root = await mkdtemp(path.join(os.tmpdir(), "cajal-bench-"));
await chmod(root, 0o755);

async function methodFolder(id: string, command: string[], files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(root, id);
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const manifest = {
    protocol: 1,
    id,
    version: "1.0.0",
    name: id,
    tasks: [task.id],
    command,
    description: "no-op benchmark method",
    authors: [],
  };
  await writeFile(path.join(dir, "method.json"), JSON.stringify(manifest));
  return dir;
}

// Shell: the output shape is [nFeatures, d] with d = 32 on both datasets; one prepared zeros file per k.
const zeros: Record<string, Uint8Array> = {};
for (const k of [32, 64, 128]) zeros[`zeros_${k}.npy`] = writeNpy(f32([k, 32]));
const shDir = await methodFolder(
  "noop-sh",
  [
    "sh",
    "-c",
    'k=$(grep -o \'"nFeatures": [0-9]*\' "$CAJAL_INPUT/task.json" | grep -o "[0-9]*$"); cp "zeros_$k.npy" "$CAJAL_OUTPUT/dictionary.npy"',
  ],
  zeros,
);
const pyDir = await methodFolder("noop-python", ["python3", "-S", "noop.py"], {
  "noop.py": `import json, os, struct
inp, out = os.environ["CAJAL_INPUT"], os.environ["CAJAL_OUTPUT"]
task = json.load(open(os.path.join(inp, "task.json")))
for spec in task["outputs"].values():
    shape = spec["shape"]
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % tuple(shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\\n"
    with open(os.path.join(out, spec["file"]), "wb") as f:
        f.write(b"\\x93NUMPY\\x01\\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(4 * shape[0] * shape[1]))
`,
});

interface Row {
  method: string;
  sandbox: string;
  medianMs: number;
  p90Ms: number;
  processMedianMs: number;
  harnessMedianMs: number;
  status: string;
}
const rows: Row[] = [];
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};

/** What the method reported (read through a call: TypeScript cannot see the callback assign it). */
const reported = (last: { usage?: MethodUsage }) => last.usage;

async function measure(label: string, sandbox: string, method: MethodDefinition) {
  const last: { usage?: MethodUsage } = {};
  const wrapped: MethodDefinition = {
    ...method,
    run: (ctx) =>
      method.run({
        ...ctx,
        report: (u) => {
          last.usage = u;
          ctx.report?.(u);
        },
      }),
  };
  const totals: number[] = [];
  const processes: number[] = [];
  const statuses = new Set<string>();
  for (let i = 0; i < WARMUP + RUNS; i++) {
    delete last.usage;
    const instance = instances[i % instances.length] as Instance;
    const t0 = performance.now();
    const outcome = await evaluateInstance(wrapped, task, instance);
    const total = performance.now() - t0;
    if (i < WARMUP) continue;
    statuses.add(outcome.status === "ok" ? "ok" : `${outcome.status}: ${outcome.message}`);
    totals.push(total);
    processes.push(reported(last)?.wallMs ?? 0);
  }
  const harness = totals.map((t, i) => t - (processes[i] as number));
  rows.push({
    method: label,
    sandbox,
    medianMs: quantile(totals, 0.5),
    p90Ms: quantile(totals, 0.9),
    processMedianMs: quantile(processes, 0.5),
    harnessMedianMs: quantile(harness, 0.5),
    status: [...statuses].join("; "),
  });
}

// Calibration: what one fork + exec costs on this machine right now (about 1 ms on an idle machine; several
// times that when other work keeps the cores busy). A sandboxed run does about eight of them.
const forks: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  spawnSync("/bin/true");
  forks.push(performance.now() - t0);
}
const bwrap = sandboxAvailable();
await measure("random (in-process, for reference)", "-", getMethod("random"));
for (const [label, dir] of [
  ["noop-sh", shDir],
  ["noop-python", pyDir],
] as const) {
  if (bwrap.ok) await measure(label, "bwrap", await loadExternalMethod(dir));
  await measure(label, "off", await loadExternalMethod(dir, { sandbox: false }));
}
await rm(root, { recursive: true, force: true });

const fmt = (v: number) => (v === 0 ? "—" : v.toFixed(1));
console.log(`external method overhead per instance: ${RUNS} runs over ${instances.length} T1 instances (n = 4096, d = 32)`);
console.log(
  `sandbox: ${bwrap.ok ? bwrap.bwrap : `unavailable (${bwrap.reason})`}; cgroups: ${cgroupsAvailable() ? "v1, per instance" : "unavailable (prlimit fallback)"}; ${os.cpus().length} cores`,
);
console.log(
  `calibration: fork + exec of /bin/true from node ${quantile(forks, 0.5).toFixed(2)} ms (median); load average ${os.loadavg()[0]?.toFixed(1)}`,
);
console.log("");
const header = ["method", "sandbox", "median ms", "p90 ms", "process ms (median)", "harness ms (median)", "outcome"];
const table = rows.map((r) => [
  r.method,
  r.sandbox,
  fmt(r.medianMs),
  fmt(r.p90Ms),
  fmt(r.processMedianMs),
  fmt(r.harnessMedianMs),
  r.status,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of table) console.log(line(row));
console.log(
  "\nprocess = spawn to exit (cgroups, namespaces, the method itself); harness = the rest (directories, inputs, outputs, validation, scoring).",
);
// The harness's overhead is the shell no-op's time (it starts no interpreter); noop-python adds Python's start-up,
// which every Python method pays whatever the harness does.
const worst = rows.filter((r) => r.method === "noop-sh").reduce((m, r) => Math.max(m, r.medianMs), 0);
console.log(
  `target: harness overhead (noop-sh) median < 50 ms per instance: ${worst < 50 ? "met" : "NOT met"} (worst median ${worst.toFixed(1)} ms)`,
);
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/external-overhead.json",
  JSON.stringify(
    { date: new Date().toISOString(), runs: RUNS, forkExecMs: quantile(forks, 0.5), loadAverage: os.loadavg()[0], rows },
    null,
    2,
  ),
);
