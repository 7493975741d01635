// What the service says about submissions and runs, shared by the HTTP API (app/api), the submission page and the
// CLI (`cajal export --run`, `cajal reproduce`). Database only: no registry, no queue, so the site can import it.
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { isTerminal, toStatus } from "../results.ts";
import type { RunStatus, Split } from "../types.ts";

export const RUN_EXPORT_FORMAT = "cajal-run/1";
/** What the public sees of a private-split instance's output: the method could print the secret data. */
export const PRIVATE_WITHHELD = "withheld: instances of the private split are secret (their messages and logs could reveal the data)";

/** A run as `GET /api/runs/:id` and `cajal export --run` give it: everything a reproduction needs. */
export const runExportSchema = z.object({
  format: z.literal(RUN_EXPORT_FORMAT),
  run: z.object({
    id: z.number().int(),
    split: z.enum(["dev", "official"]),
    status: z.string(),
    message: z.string().nullable(),
    score: z.number().nullable(),
    ciLow: z.number().nullable(),
    ciHigh: z.number().nullable(),
    instances: z.number().int(),
    seed: z.number().int(),
    harnessVersion: z.string(),
    gitSha: z.string(),
    backend: z.string().nullable(),
    notes: z.array(z.string()),
    finishedAt: z.string().nullable(),
  }),
  method: z.object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(["baseline", "reference", "floor", "external"]),
    version: z.string(),
    sourceHash: z.string(),
    /** The submitted folder (external methods): where to fetch it, its sha256, and (in exported files) its bytes. */
    archive: z
      .object({ url: z.string().nullable(), sha256: z.string(), bytes: z.number().int(), base64: z.string().optional() })
      .nullable(),
  }),
  task: z.object({ id: z.string(), version: z.number().int(), contractHash: z.string() }),
  dataset: z.object({ slug: z.string(), version: z.number().int(), contentHash: z.string() }),
  results: z.array(
    z.object({
      index: z.number().int(),
      instanceKey: z.string(),
      seed: z.number().int(),
      inputHash: z.string(),
      status: z.string(),
      score: z.number().nullable(),
    }),
  ),
});
export type RunExport = z.infer<typeof runExportSchema>;

export class NotFound extends Error {
  override name = "NotFound";
}
export class Refused extends Error {
  override name = "Refused";
}

export const parseId = (raw: string): number | null => (/^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null);

/** The archive of the submission that registered this method version (the first, if several uploaded it). */
export async function archiveOfMethodVersion(db: Db, methodVersionId: number) {
  return db.submission.findFirst({
    where: { methodVersionId },
    orderBy: { id: "asc" },
    select: { id: true, archive: true, archiveSha256: true, archiveBytes: true },
  });
}

/** The run's export; `baseUrl` makes the archive URL absolute, `embedArchive` puts the archive's bytes in the file. */
export async function runExport(db: Db, runId: number, options: { baseUrl?: string; embedArchive?: boolean } = {}): Promise<RunExport> {
  const run = await db.run.findUnique({
    where: { id: runId },
    include: {
      methodVersion: { include: { method: true } },
      taskVersion: true,
      datasetVersion: { include: { dataset: true } },
      results: { orderBy: { index: "asc" } },
    },
  });
  if (!run) throw new NotFound(`run ${runId} does not exist`);
  if (run.split === "private") {
    throw new Refused(
      `run ${runId} is on the private split, whose instances are secret: it can only be scored by the server. Reproduce the official-split run of the same method instead.`,
    );
  }
  const method = run.methodVersion.method;
  let archive: RunExport["method"]["archive"] = null;
  if (method.kind === "external") {
    const stored = await archiveOfMethodVersion(db, run.methodVersionId);
    if (stored) {
      archive = {
        url: options.baseUrl ? `${options.baseUrl}/api/runs/${run.id}/archive` : null,
        sha256: stored.archiveSha256,
        bytes: stored.archiveBytes,
        ...(options.embedArchive ? { base64: Buffer.from(stored.archive).toString("base64") } : {}),
      };
    }
  }
  return {
    format: RUN_EXPORT_FORMAT,
    run: {
      id: run.id,
      split: run.split as Exclude<Split, "private">,
      status: toStatus(run.status),
      message: run.message,
      score: run.status === "ok" ? run.score : null,
      ciLow: run.ciLow,
      ciHigh: run.ciHigh,
      instances: run.instances,
      seed: run.seed,
      harnessVersion: run.harnessVersion,
      gitSha: run.gitSha,
      backend: run.backend,
      notes: run.notes,
      finishedAt: run.finishedAt?.toISOString() ?? null,
    },
    method: {
      id: method.id,
      name: method.name,
      kind: method.kind,
      version: run.methodVersion.version,
      sourceHash: run.methodVersion.sourceHash,
      archive,
    },
    task: { id: run.taskVersion.taskId, version: run.taskVersion.version, contractHash: run.taskVersion.contractHash },
    dataset: { slug: run.datasetVersion.dataset.slug, version: run.datasetVersion.version, contentHash: run.datasetVersion.contentHash },
    results: run.results.map((r) => ({
      index: r.index,
      instanceKey: r.instanceKey,
      seed: r.seed,
      inputHash: r.inputHash,
      status: toStatus(r.status),
      score: r.score,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Submission status

export interface FailedInstance {
  index: number;
  instanceKey: string;
  status: RunStatus;
  message: string | null;
  log: string | null;
}

export interface SubmissionRunStatus {
  runId: number;
  /** The submitted method's own run, or a reference run (random, oracle) its normalized scores need. */
  role: "method" | "reference";
  method: string;
  task: string;
  dataset: string;
  split: Split;
  status: RunStatus;
  message: string | null;
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  instances: number;
  instancesDone: number;
  failed: FailedInstance[];
}

export interface SubmissionStatusView {
  id: number;
  status: "queued" | "running" | "finished" | "failed";
  message: string | null;
  method: { id: string; version: string; name: string | null };
  archive: { sha256: string; bytes: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** While queued: 1 = the next submission a worker plans; `ahead` submissions wait before it. */
  queue: { position: number; ahead: number } | null;
  /** Instances of the submission's runs (method and references) with a result, of all. */
  progress: { done: number; total: number };
  /** The method asks for a GPU (PROTOCOL 1.1 `resources.gpus`): its instances run only on GPU workers. */
  gpu: boolean;
  /** Running, and the method's own runs have not started: no GPU worker has taken one of its instances yet. */
  waitingForGpuWorker: boolean;
  runs: SubmissionRunStatus[];
}

const FAILED_SHOWN = 50;

export async function submissionStatus(db: Db, id: number): Promise<SubmissionStatusView | null> {
  const s = await db.submission.findUnique({
    where: { id },
    select: {
      id: true,
      status: true,
      message: true,
      methodId: true,
      version: true,
      manifest: true,
      archiveSha256: true,
      archiveBytes: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      methodVersionId: true,
      runs: {
        select: {
          run: {
            include: {
              methodVersion: true,
              taskVersion: true,
              datasetVersion: { include: { dataset: true } },
              results: {
                where: { status: { not: "ok" } },
                orderBy: { index: "asc" },
                take: FAILED_SHOWN,
                select: { index: true, instanceKey: true, status: true, message: true, log: true },
              },
            },
          },
        },
      },
    },
  });
  if (!s) return null;
  let queue: SubmissionStatusView["queue"] = null;
  if (s.status === "queued") {
    const ahead = await db.submission.count({ where: { status: "queued", id: { lt: s.id } } });
    queue = { position: ahead + 1, ahead };
  }
  const runs: SubmissionRunStatus[] = s.runs
    .map(({ run }) => {
      const secret = run.split === "private";
      const status = toStatus(run.status);
      return {
        runId: run.id,
        role: run.methodVersionId === s.methodVersionId ? ("method" as const) : ("reference" as const),
        method: run.methodVersion.methodId,
        task: run.taskVersion.taskId,
        dataset: run.datasetVersion.dataset.slug,
        split: run.split,
        status,
        message: secret && run.message ? `${run.message.split(";")[0]}; ${PRIVATE_WITHHELD}` : run.message,
        score: status === "ok" ? run.score : null,
        ciLow: run.ciLow,
        ciHigh: run.ciHigh,
        instances: run.instances,
        instancesDone: run.instancesDone,
        failed: run.results.map((r) => ({
          index: r.index,
          instanceKey: r.instanceKey,
          status: toStatus(r.status),
          message: secret ? PRIVATE_WITHHELD : r.message,
          log: secret ? null : r.log,
        })),
      };
    })
    .sort((a, b) => (a.role === b.role ? a.runId - b.runId : a.role === "method" ? -1 : 1));
  const manifest = s.manifest as { name?: unknown; resources?: { gpus?: unknown } } | null;
  const name = manifest?.name;
  const gpu = manifest?.resources?.gpus === 1;
  const own = runs.filter((r) => r.role === "method");
  return {
    id: s.id,
    status: s.status,
    message: s.message,
    method: { id: s.methodId, version: s.version, name: typeof name === "string" ? name : null },
    archive: { sha256: s.archiveSha256, bytes: s.archiveBytes },
    createdAt: s.createdAt.toISOString(),
    startedAt: s.startedAt?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    queue,
    progress: { done: runs.reduce((a, r) => a + r.instancesDone, 0), total: runs.reduce((a, r) => a + r.instances, 0) },
    gpu,
    waitingForGpuWorker: gpu && s.status === "running" && own.length > 0 && own.every((r) => r.status === "queued"),
    runs,
  };
}

/**
 * After a run ended: every submission whose runs have all ended is finished, or failed when none of its method's
 * runs produced a score (the message says why, from the first failed run).
 */
export async function settleSubmissions(db: Db, runId: number): Promise<void> {
  const links = await db.submissionRun.findMany({ where: { runId }, select: { submissionId: true } });
  for (const { submissionId } of links) {
    const s = await db.submission.findUnique({
      where: { id: submissionId },
      select: {
        status: true,
        methodVersionId: true,
        runs: { select: { run: { select: { id: true, status: true, message: true, methodVersionId: true } } } },
      },
    });
    if (s?.status !== "running") continue;
    const runs = s.runs.map((r) => r.run);
    if (!runs.every((r) => isTerminal(toStatus(r.status)))) continue;
    const own = runs.filter((r) => r.methodVersionId === s.methodVersionId);
    const ok = own.filter((r) => r.status === "ok").length;
    const failed = own.filter((r) => r.status !== "ok");
    const status = ok === 0 && own.length > 0 ? "failed" : "finished";
    const first = failed[0];
    const message =
      failed.length === 0
        ? null
        : `${failed.length} of ${own.length} runs failed; first: run ${first?.id}: ${first?.message ?? toStatus(first?.status ?? "error")}`.slice(
            0,
            4000,
          );
    // Conditional: when two workers finish the last two runs at once, one settles the submission.
    await db.submission.updateMany({ where: { id: submissionId, status: "running" }, data: { status, message, finishedAt: new Date() } });
  }
}
