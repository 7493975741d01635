// `cajal reproduce`: re-run a published official-split run on this machine from its export (fetched from a server or
// read from a file written by `cajal export --run`), with the recorded method version, task and dataset versions, and
// compare. Nothing is substituted: a version or hash that differs here is reported and nothing runs.
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadExternalMethod } from "../external/method.ts";
import { hashInputs } from "../ndarray.ts";
import { sha256Json } from "../provenance.ts";
import { datasetContentHash, methodSourceHash, taskContract } from "../register.ts";
import { generateInstance, getDataset, getMethod, getTask, UsageError } from "../registry.ts";
import { DEFAULT_TIMEOUT_MS, evaluateInstance } from "../runner.ts";
import { summarize } from "../scoring.ts";
import { initTf } from "../tf.ts";
import type { MethodDefinition } from "../types.ts";
import { extractArchive, sha256 } from "./archive.ts";
import type { RunExport } from "./runs.ts";

export interface ReproduceInstance {
  index: number;
  publishedScore: number | null;
  localScore: number | null;
  localStatus: string;
  sameInput: boolean;
  sameScore: boolean;
}

export interface ReproduceReport {
  runId: number;
  label: string;
  /** Differences in what would run (versions, hashes): when any, nothing ran. */
  mismatches: string[];
  published: { status: string; score: number | null; ciLow: number | null; ciHigh: number | null };
  local: { status: string; score: number | null; ciLow: number | null; ciHigh: number | null } | null;
  instances: ReproduceInstance[];
  /** identical: every instance score equal; within-ci: the local mean inside the published CI; else disagree. */
  verdict: "identical" | "within-ci" | "disagree" | "not-run";
  backend: string | null;
}

/** The method the export names, from its archive (external) or this checkout (built-in); null when it differs. */
async function resolveMethod(exported: RunExport, sandbox: boolean, work: string, mismatches: string[]): Promise<MethodDefinition | null> {
  const m = exported.method;
  if (m.kind === "external") {
    if (!m.archive?.base64) {
      mismatches.push(`method ${m.id}: the export carries no archive of the submitted folder, so it cannot be run here`);
      return null;
    }
    const bytes = Buffer.from(m.archive.base64, "base64");
    if (sha256(bytes) !== m.archive.sha256) {
      mismatches.push(`method ${m.id}: the archive's sha256 is ${sha256(bytes)}, the run recorded ${m.archive.sha256}`);
      return null;
    }
    const dir = path.join(work, "method");
    await extractArchive(bytes, dir);
    const method = await loadExternalMethod(dir, { sandbox });
    if (method.sourceHash !== m.sourceHash)
      mismatches.push(`method ${m.id}: the unpacked folder hashes to ${method.sourceHash}, the run recorded ${m.sourceHash}`);
    return method;
  }
  let method: MethodDefinition;
  try {
    method = getMethod(m.id);
  } catch {
    mismatches.push(`method ${m.id}: not a built-in method of this Cajal checkout`);
    return null;
  }
  const hash = methodSourceHash(method);
  if (method.version !== m.version) mismatches.push(`method ${m.id}: v${method.version} here, the run used v${m.version}`);
  else if (hash !== m.sourceHash) {
    mismatches.push(
      `method ${m.id} v${m.version}: its source here hashes to ${hash.slice(0, 12)}…, the run used ${m.sourceHash.slice(0, 12)}…`,
    );
  }
  return method;
}

export async function reproduceRun(
  exported: RunExport,
  options: { sandbox?: boolean; onInstance?: (done: number, total: number) => void } = {},
): Promise<ReproduceReport> {
  const { run, task: t, dataset: d, method: m } = exported;
  const label = `${m.id} v${m.version} on ${t.id}/${d.slug} (${run.split} split, run ${run.id})`;
  const published = { status: run.status, score: run.score, ciLow: run.ciLow, ciHigh: run.ciHigh };
  const report: ReproduceReport = {
    runId: run.id,
    label,
    mismatches: [],
    published,
    local: null,
    instances: [],
    verdict: "not-run",
    backend: null,
  };
  if (run.status !== "ok" || run.score === null) {
    report.mismatches.push(`run ${run.id} has no published score (status ${run.status}): there is nothing to compare with`);
    return report;
  }
  const mismatches = report.mismatches;
  let task: ReturnType<typeof getTask> | null = null;
  try {
    task = getTask(t.id);
  } catch {
    mismatches.push(`task ${t.id}: not in this Cajal checkout`);
  }
  if (task) {
    if (task.version !== t.version) mismatches.push(`task ${t.id}: v${task.version} here, the run used v${t.version}`);
    else if (sha256Json(taskContract(task)) !== t.contractHash)
      mismatches.push(`task ${t.id} v${t.version}: its contract here differs from the run's`);
  }
  let dataset: ReturnType<typeof getDataset> | null = null;
  try {
    dataset = getDataset(t.id, d.slug);
  } catch {
    mismatches.push(`dataset ${t.id}/${d.slug}: not in this Cajal checkout`);
  }
  if (dataset) {
    const reason = dataset.unavailable?.();
    if (reason) mismatches.push(`dataset ${d.slug}: not available here: ${reason}`);
    else if (dataset.version !== d.version) mismatches.push(`dataset ${d.slug}: v${dataset.version} here, the run used v${d.version}`);
    else if (datasetContentHash(dataset) !== d.contentHash)
      mismatches.push(`dataset ${d.slug} v${d.version}: it generates different instances here`);
    else if (dataset.sizes[run.split] !== run.instances) {
      mismatches.push(`dataset ${d.slug}: ${dataset.sizes[run.split]} ${run.split} instances here, the run had ${run.instances}`);
    }
  }
  const work = await mkdtemp(path.join(os.tmpdir(), "cajal-reproduce-"));
  try {
    const method = await resolveMethod(exported, options.sandbox !== false, work, mismatches);
    if (mismatches.length || !task || !dataset || !method) return report;
    report.backend = (await initTf()).backend;
    const byIndex = new Map(exported.results.map((r) => [r.index, r]));
    const scores: number[] = [];
    let failed = 0;
    for (let index = 0; index < run.instances; index++) {
      const instance = generateInstance(dataset, run.split, index);
      const outcome = await evaluateInstance(method, task, instance, DEFAULT_TIMEOUT_MS);
      const recorded = byIndex.get(index);
      if (outcome.status === "ok" && outcome.score !== null) scores.push(outcome.score);
      else failed++;
      report.instances.push({
        index,
        publishedScore: recorded?.score ?? null,
        localScore: outcome.score,
        localStatus: outcome.status,
        sameInput: recorded?.inputHash === hashInputs(instance),
        sameScore: recorded?.score !== undefined && recorded.score !== null && Object.is(recorded.score, outcome.score),
      });
      options.onInstance?.(index + 1, run.instances);
    }
    if (failed > 0) {
      report.local = { status: `${failed} of ${run.instances} instances failed`, score: null, ciLow: null, ciHigh: null };
      report.verdict = "disagree";
      return report;
    }
    const local = summarize(scores);
    report.local = { status: "ok", score: local.score, ciLow: local.ciLow, ciHigh: local.ciHigh };
    const ciLow = run.ciLow ?? run.score;
    const ciHigh = run.ciHigh ?? run.score;
    report.verdict = report.instances.every((i) => i.sameScore)
      ? "identical"
      : local.score >= ciLow && local.score <= ciHigh
        ? "within-ci"
        : "disagree";
    return report;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const fmt = (v: number | null) => (v === null ? "—" : v.toFixed(6));
const fmtCi = (lo: number | null, hi: number | null) => (lo === null || hi === null ? "" : `[${fmt(lo)}, ${fmt(hi)}]`);

/** The side-by-side table `cajal reproduce` prints. */
export function formatReproduce(report: ReproduceReport): string {
  const lines = [`reproducing ${report.label}`];
  if (report.mismatches.length) {
    lines.push("", "not run: what this machine has differs from what the run used:", ...report.mismatches.map((m) => `  - ${m}`));
    lines.push("", "Check out the Cajal version the run names (its harness version and git sha are in the export), then try again.");
    return lines.join("\n");
  }
  const p = report.published;
  const l = report.local;
  lines.push(
    "",
    `            score      95% CI`,
    `published   ${fmt(p.score)}  ${fmtCi(p.ciLow, p.ciHigh)}`,
    `local       ${fmt(l?.score ?? null)}  ${fmtCi(l?.ciLow ?? null, l?.ciHigh ?? null)}${l && l.status !== "ok" ? `  (${l.status})` : ""}`,
    "",
    `instances: ${report.instances.filter((i) => i.sameInput).length}/${report.instances.length} with identical inputs, ${report.instances.filter((i) => i.sameScore).length}/${report.instances.length} with identical scores (backend ${report.backend})`,
  );
  const verdict = {
    identical: "AGREE: identical scores (the method is deterministic here)",
    "within-ci": "AGREE: the local score is within the published 95% CI",
    disagree: "DISAGREE: the local score is outside the published 95% CI",
    "not-run": "not run",
  }[report.verdict];
  lines.push(verdict);
  return lines.join("\n");
}

export { UsageError };
