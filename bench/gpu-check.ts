// `npx tsx bench/gpu-check.ts [instances]` (bench/gpu-check.sh runs it): the GPU path on a real NVIDIA GPU, which CI
// cannot exercise. Three parts, each printed as it finishes and saved as JSON under $OUT (or .cajal/gpu-check):
//  1. nvidia-smi: the devices and CUDA version Cajal detects, and the raw output of every query it parses (to
//     replace the hand-written fixtures in tests/fixtures/nvidia-smi).
//  2. examples/gpu-pca through evaluateInstance (sandboxed where bubblewrap works) on the first `instances` dev
//     instances: outcome, GPU model, busy time, peak GPU memory, and its score against python-pca (same PCA on the
//     CPU: the scores must agree to ~1e-6).
//  3. The SAE (sae-l1) and MLP (mlp) baselines with CAJAL_TF_BACKEND=webgpu and =wasm, each in its own process
//     (the backend is chosen once per process): wall time per instance, speed-up, and whether the webgpu mean score
//     lies within the wasm run's bootstrap CI.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadExternalMethod } from "../harness/external/method.ts";
import { sandboxAvailable } from "../harness/external/sandbox.ts";
import { detectGpus, hostGpuPool, QUERY_APPS, QUERY_GPUS, QUERY_UTILIZATION, runNvidiaSmi } from "../harness/gpu.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { generateInstance, getDataset, getMethod, getTask, listDatasets } from "../harness/registry.ts";
import { evaluateInstance } from "../harness/runner.ts";
import { summarize } from "../harness/scoring.ts";

const INSTANCES = Number(process.argv[2] ?? process.env.GPU_CHECK_INSTANCES ?? 3);
const OUT = process.env.OUT || path.join(REPO_ROOT, ".cajal", "gpu-check");
mkdirSync(path.join(OUT, "nvidia-smi"), { recursive: true });
const save = (name: string, value: unknown) => writeFileSync(path.join(OUT, name), `${JSON.stringify(value, null, 2)}\n`);
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Part 3 runs in child processes: `--baselines` evaluates them under this process's backend and prints JSON. */
async function baselines(): Promise<void> {
  const { initTf } = await import("../harness/tf.ts");
  const { backend, adapter } = await initTf();
  const latent = listDatasets("latent-decoding").find((d) => !d.unavailable?.() && d.domain === "synthetic");
  const targets = [
    { method: getMethod("sae-l1"), dataset: getDataset("feature-recovery", "sparse-linear") },
    ...(latent ? [{ method: getMethod("mlp"), dataset: latent }] : []),
  ];
  const rows = [];
  for (const { method, dataset } of targets) {
    const task = getTask(dataset.task);
    for (let i = 0; i < INSTANCES; i++) {
      const outcome = await evaluateInstance(method, task, generateInstance(dataset, "dev", i));
      rows.push({
        method: method.id,
        dataset: dataset.slug,
        index: i,
        status: outcome.status,
        score: outcome.score,
        wallMs: outcome.wallMs,
      });
    }
  }
  process.stdout.write(`${JSON.stringify({ backend, adapter: adapter ?? null, rows })}\n`);
}

async function main(): Promise<void> {
  // 1. nvidia-smi
  const host = await detectGpus();
  save("gpus.json", host);
  say(
    `nvidia-smi: ${host.devices.length ? host.devices.map((d) => `${d.index} ${d.name} ${d.memoryMiB} MiB driver ${d.driverVersion}`).join("; ") : host.reason}; CUDA ${host.cudaVersion}`,
  );
  for (const [file, args] of [
    ["query-gpu.csv", QUERY_GPUS],
    ["query-compute-apps.csv", QUERY_APPS],
    ["query-utilization.csv", QUERY_UTILIZATION],
    ["smi-header.txt", []],
  ] as const) {
    const r = await runNvidiaSmi([...args]);
    writeFileSync(path.join(OUT, "nvidia-smi", file), r.ok ? r.stdout : `FAILED: ${r.reason}\n`);
  }
  const ld = spawnSync("ldconfig", ["-p"], { encoding: "utf8" });
  writeFileSync(path.join(OUT, "nvidia-smi", "ldconfig-p.txt"), ld.stdout ?? "");

  // 2. examples/gpu-pca against python-pca
  const sandbox = sandboxAvailable().ok;
  const task = getTask("feature-recovery");
  const dataset = getDataset(task.id, "sparse-linear");
  const gpuPca = await loadExternalMethod(path.join(REPO_ROOT, "examples", "gpu-pca"), { sandbox, gpuPool: hostGpuPool });
  const cpuPca = await loadExternalMethod(path.join(REPO_ROOT, "examples", "python-pca"), { sandbox });
  const example = [];
  for (let i = 0; i < INSTANCES; i++) {
    const instance = generateInstance(dataset, "dev", i);
    const gpu = await evaluateInstance(gpuPca, task, instance);
    const cpu = await evaluateInstance(cpuPca, task, instance);
    const row = {
      index: i,
      status: gpu.status,
      message: gpu.message,
      score: gpu.score,
      cpuScore: cpu.score,
      diff: gpu.score !== null && cpu.score !== null ? Math.abs(gpu.score - cpu.score) : null,
      wallMs: Math.round(gpu.wallMs),
      ...gpu.gpu,
    };
    example.push(row);
    say(`gpu-pca #${i} (${sandbox ? "sandboxed" : "NO sandbox"}): ${JSON.stringify(row)}`);
    if (gpu.status !== "ok" && gpu.log) say(`  log: ${gpu.log.slice(-1500)}`);
  }
  save("gpu-pca.json", example);

  // 3. baselines on webgpu vs wasm
  const runs: Record<
    string,
    | { backend: string; adapter: string | null; rows: { method: string; score: number | null; wallMs: number; status: string }[] }
    | { error: string }
  > = {};
  for (const backend of ["wasm", "webgpu"]) {
    const child = spawnSync(process.execPath, ["--import", "./harness/tsx.mjs", "bench/gpu-check.ts", String(INSTANCES), "--baselines"], {
      cwd: REPO_ROOT,
      env: { ...process.env, CAJAL_TF_BACKEND: backend },
      encoding: "utf8",
      timeout: 240_000,
    });
    const line = child.stdout?.trim().split("\n").at(-1) ?? "";
    try {
      runs[backend] = JSON.parse(line);
    } catch {
      runs[backend] = { error: `${child.status ?? child.signal}: ${(child.stderr ?? "").trim().split("\n").slice(-5).join(" | ")}` };
    }
  }
  save("baselines.json", runs);
  const wasm = runs.wasm;
  const webgpu = runs.webgpu;
  if (!wasm || "error" in wasm) return say(`baselines: wasm failed: ${wasm && "error" in wasm ? wasm.error : "no result"}`);
  if (!webgpu || "error" in webgpu)
    return say(`baselines: webgpu unavailable: ${webgpu && "error" in webgpu ? webgpu.error : "no result"}`);
  say(`baselines: webgpu adapter ${webgpu.adapter}`);
  for (const method of [...new Set(wasm.rows.map((r) => r.method))]) {
    const a = wasm.rows.filter((r) => r.method === method);
    const b = webgpu.rows.filter((r) => r.method === method);
    const ok = (rows: typeof a) => rows.filter((r) => r.status === "ok").map((r) => r.score as number);
    const ci = ok(a).length >= 2 ? summarize(ok(a)) : null;
    const gpuMean = ok(b).length ? ok(b).reduce((s, v) => s + v, 0) / ok(b).length : null;
    const time = (rows: typeof a) => rows.reduce((s, r) => s + r.wallMs, 0);
    say(
      `${method}: wasm ${(time(a) / 1000).toFixed(1)} s, webgpu ${(time(b) / 1000).toFixed(1)} s, speed-up ${(time(a) / Math.max(1, time(b))).toFixed(2)}x; ` +
        `mean score wasm ${ci?.score.toFixed(4)} [${ci?.ciLow.toFixed(4)}, ${ci?.ciHigh.toFixed(4)}], webgpu ${gpuMean?.toFixed(4)}: ` +
        `${ci && gpuMean !== null && gpuMean >= ci.ciLow && gpuMean <= ci.ciHigh ? "within the CI" : "OUTSIDE the CI (or failed)"}`,
    );
  }
}

if (process.argv.includes("--baselines")) await baselines();
else await main();
