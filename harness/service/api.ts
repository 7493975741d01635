// The service's HTTP API as plain Request → Response functions; app/api/**/route.ts are one-line adapters around
// them, and tests call them directly. Every error is JSON: `{ "error": "<what is wrong and how to fix it>", ... }`.
import pg from "pg";
import type { Db } from "../db/client.ts";
import { createDb, publicServerError } from "../db/client.ts";
import { ArchiveError, type ArchiveLimits, archiveLimits, inspectArchive, ManifestError } from "./archive.ts";
import { onClient, openQueue, type PgBoss, PLAN_QUEUE, queueEnv } from "./queue.ts";
import { archiveOfMethodVersion, NotFound, parseId, Refused, runExport, submissionStatus } from "./runs.ts";
import { authenticate, submissionsPerDay } from "./tokens.ts";

export interface ServiceContext {
  db: Db;
  /** Transactions that span our tables and pg-boss's (a submission and its job commit together). */
  pool: pg.Pool;
  boss: PgBoss;
  limits: ArchiveLimits;
  perDay: number;
  /** The site's public address for URLs in answers (CAJAL_PUBLIC_URL), else the request's own origin. */
  publicUrl: string | null;
  close(): Promise<void>;
}

export async function createServiceContext(url: string, env: Record<string, string | undefined> = process.env): Promise<ServiceContext> {
  const db = createDb(url);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const boss = await openQueue(url, { supervise: false, poolSize: 2 });
  return {
    db,
    pool,
    boss,
    limits: archiveLimits(env),
    perDay: submissionsPerDay(env),
    publicUrl: env.CAJAL_PUBLIC_URL ? env.CAJAL_PUBLIC_URL.replace(/\/+$/, "") : null,
    async close() {
      await boss.stop({ graceful: false, wait: true });
      await pool.end();
      await db.$disconnect();
    },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

const origin = (ctx: ServiceContext, request: Request) => ctx.publicUrl ?? new URL(request.url).origin;

/** The body, or null once it exceeds `max` bytes (stops reading there). */
async function readBody(request: Request, max: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function rateLimited(name: string, used: number, limit: number, oldest: Date): Response {
  const next = new Date(oldest.getTime() + 24 * 3600 * 1000);
  const retryAfter = Math.max(1, Math.ceil((next.getTime() - Date.now()) / 1000));
  return json(
    429,
    {
      error: `rate limit: token "${name}" has made ${used} submissions in the last 24 hours, the limit is ${limit} a day; the next one is accepted after ${next.toISOString()}`,
      limit,
      used,
      retryAfterSeconds: retryAfter,
    },
    { "retry-after": String(retryAfter) },
  );
}

/** POST /api/submissions — body: the method folder as .tar.gz; header: Authorization: Bearer <token>. */
export async function postSubmission(ctx: ServiceContext, request: Request): Promise<Response> {
  const auth = await authenticate(ctx.db, request.headers.get("authorization"));
  if (!auth.ok) return json(401, { error: auth.error }, { "www-authenticate": 'Bearer realm="cajal"' });
  const token = auth.token;

  // Cheap check first, so a rate-limited client does not upload for nothing; the binding check is in the transaction.
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  const recent = await ctx.db.submission.aggregate({
    where: { tokenId: token.id, createdAt: { gt: since } },
    _count: true,
    _min: { createdAt: true },
  });
  if (recent._count >= ctx.perDay) return rateLimited(token.name, recent._count, ctx.perDay, recent._min.createdAt ?? new Date());

  let body: Uint8Array | null;
  try {
    body = await readBody(request, ctx.limits.maxArchiveBytes);
  } catch {
    return json(400, { error: "the upload was interrupted before its end: send the whole .tar.gz again" });
  }
  if (body === null) {
    return json(413, {
      error: `the archive is larger than the limit of ${ctx.limits.maxArchiveBytes} bytes: remove data files from the method folder (methods get their inputs from Cajal)`,
      limit: ctx.limits.maxArchiveBytes,
    });
  }
  if (body.byteLength === 0) {
    return json(400, { error: "empty body: POST the method folder as a .tar.gz (`npx cajal submit <folder> --server <url>` does this)" });
  }
  const taskIds = (await ctx.db.task.findMany({ select: { id: true } })).map((t) => t.id);
  if (taskIds.length === 0) {
    return json(503, { error: "this server has no tasks registered yet: its operator must start a worker (`npx cajal worker`) first" });
  }
  let inspected: Awaited<ReturnType<typeof inspectArchive>>;
  try {
    inspected = await inspectArchive(body, ctx.limits, taskIds);
  } catch (error) {
    if (error instanceof ArchiveError)
      return json(400, { error: `invalid archive: ${error.problems.join("; ")}`, problems: error.problems });
    if (error instanceof ManifestError)
      return json(400, { error: `invalid method.json: ${error.problems.join("; ")}`, problems: error.problems });
    throw error;
  }
  const { manifest } = inspected;

  // A method id names one method on the leaderboards: never a built-in, never another submitter's.
  const existing = await ctx.db.method.findUnique({ where: { id: manifest.id }, select: { kind: true } });
  if (existing && existing.kind !== "external") {
    return json(409, { error: `method id "${manifest.id}" is a built-in ${existing.kind} of Cajal: choose another id in method.json` });
  }
  const owner = await ctx.db.submission.findFirst({ where: { methodId: manifest.id, tokenId: { not: token.id } }, select: { id: true } });
  if (owner) return json(409, { error: `method id "${manifest.id}" was submitted with another token: choose another id in method.json` });

  const env = queueEnv();
  const client = await ctx.pool.connect();
  let id: number;
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL TIME ZONE 'UTC'"); // Prisma stores UTC in timestamp(3) columns
    // One submission at a time per token, so concurrent uploads cannot slip past the limit together.
    await client.query('SELECT id FROM "ApiToken" WHERE id = $1 FOR UPDATE', [token.id]);
    const { rows } = await client.query<{ n: number; oldest: Date | null }>(
      `SELECT count(*)::int AS n, min("createdAt") AS oldest FROM "Submission" WHERE "tokenId" = $1 AND "createdAt" > now() - interval '1 day'`,
      [token.id],
    );
    const used = rows[0]?.n ?? 0;
    if (used >= ctx.perDay) {
      await client.query("ROLLBACK");
      return rateLimited(token.name, used, ctx.perDay, rows[0]?.oldest ?? new Date());
    }
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO "Submission" ("tokenId", "methodId", "version", "manifest", "archive", "archiveSha256", "archiveBytes")
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [token.id, manifest.id, manifest.version, JSON.stringify(manifest), Buffer.from(body), inspected.sha256, body.byteLength],
    );
    id = inserted.rows[0]?.id as number;
    await ctx.boss.send(
      PLAN_QUEUE,
      { submissionId: id },
      { db: onClient(client), retryLimit: env.CAJAL_JOB_RETRIES, expireInSeconds: 900 },
    );
    await client.query('UPDATE "ApiToken" SET "lastUsedAt" = now() WHERE id = $1', [token.id]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const ahead = await ctx.db.submission.count({ where: { status: "queued", id: { lt: id } } });
  const base = origin(ctx, request);
  return json(202, {
    id,
    status: "queued",
    url: `${base}/submissions/${id}`,
    statusUrl: `${base}/api/submissions/${id}`,
    method: { id: manifest.id, version: manifest.version },
    archive: { bytes: body.byteLength, sha256: inspected.sha256, files: inspected.files },
    queue: { position: ahead + 1, ahead },
  });
}

/** GET /api/submissions/:id — the live status the submission page polls. */
export async function getSubmission(ctx: ServiceContext, rawId: string): Promise<Response> {
  const id = parseId(rawId);
  const view = id === null ? null : await submissionStatus(ctx.db, id);
  if (!view) return json(404, { error: `submission ${rawId} does not exist` });
  return json(200, view);
}

/** GET /api/runs/:id — a run's export for `cajal reproduce`. */
export async function getRun(ctx: ServiceContext, request: Request, rawId: string): Promise<Response> {
  const id = parseId(rawId);
  if (id === null) return json(404, { error: `run ${rawId} does not exist` });
  try {
    return json(200, await runExport(ctx.db, id, { baseUrl: origin(ctx, request) }));
  } catch (error) {
    if (error instanceof NotFound) return json(404, { error: error.message });
    if (error instanceof Refused) return json(403, { error: error.message });
    throw error;
  }
}

/** GET /api/runs/:id/archive — the submitted method folder (.tar.gz) a run used. */
export async function getRunArchive(ctx: ServiceContext, rawId: string): Promise<Response> {
  const id = parseId(rawId);
  const run =
    id === null ? null : await ctx.db.run.findUnique({ where: { id }, include: { methodVersion: { include: { method: true } } } });
  if (!run) return json(404, { error: `run ${rawId} does not exist` });
  if (run.methodVersion.method.kind !== "external") {
    return json(404, {
      error: `run ${rawId} used the built-in method ${run.methodVersion.methodId}: it has no archive; its code is in the Cajal repository (methods/${run.methodVersion.methodId}/)`,
    });
  }
  const stored = await archiveOfMethodVersion(ctx.db, run.methodVersionId);
  if (!stored)
    return json(404, { error: `run ${rawId}'s method was run from a local folder, not submitted: there is no archive on this server` });
  return new Response(Buffer.from(stored.archive), {
    status: 200,
    headers: {
      "content-type": "application/gzip",
      "content-disposition": `attachment; filename="${run.methodVersion.methodId}-${run.methodVersion.version}.tar.gz"`,
      "x-cajal-sha256": stored.archiveSha256,
    },
  });
}

/** Unexpected failures as JSON, never an HTML page: 503 when the database is down, else 500; details only in the log. */
export async function guarded(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    console.error("[cajal api]", error);
    const { status, message } = publicServerError(error);
    return json(status, { error: message }, status === 503 ? { "retry-after": "60" } : {});
  }
}
