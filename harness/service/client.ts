// The client side of the service: `cajal submit` packs and uploads a method folder; `cajal reproduce --server`
// fetches a run's export and archive. Server answers are validated with zod; a refusal prints the server's message.
import { z } from "zod";
import { UsageError } from "../usage-error.ts";
import { archiveLimits, packMethodFolder, sha256 } from "./archive.ts";
import { type RunExport, runExportSchema } from "./runs.ts";

export class ServerError extends Error {
  override name = "ServerError";
}

export const serverSchema = z
  .string({ error: () => "--server <url> is required (or set CAJAL_SERVER), e.g. --server https://cajal.example.org" })
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
    error: (i) => `--server ${String(i.input)} is not an http(s) URL`,
  })
  .transform((u) => u.replace(/\/+$/, ""));

const submittedSchema = z.object({
  id: z.number().int(),
  status: z.string(),
  url: z.string(),
  statusUrl: z.string(),
  method: z.object({ id: z.string(), version: z.string() }),
  archive: z.object({ bytes: z.number(), sha256: z.string(), files: z.number() }),
  queue: z.object({ position: z.number(), ahead: z.number() }),
});
export type Submitted = z.infer<typeof submittedSchema>;

async function refusal(response: Response, what: string): Promise<never> {
  const text = await response.text();
  let message = text.slice(0, 2000);
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === "string") message = body.error;
  } catch {
    // not JSON: show the start of what came back
  }
  throw new ServerError(`${what} (HTTP ${response.status}): ${message}`);
}

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ServerError(`cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}

/** Pack `folder` and upload it; resolves with the server's answer (submission id, page URL, queue position). */
export async function submitFolder(folder: string, server: string, token: string | undefined): Promise<Submitted> {
  if (!token) {
    throw new UsageError("no token: set CAJAL_TOKEN to the token the server's operator created for you (`npx cajal tokens create <name>`)");
  }
  const archive = await packMethodFolder(folder, archiveLimits());
  const response = await request(`${server}/api/submissions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
    body: new Uint8Array(archive),
  });
  if (response.status !== 202) await refusal(response, "the server refused the submission");
  return submittedSchema.parse(await response.json());
}

/** A run's export from a server, with its archive's bytes (checked against the recorded sha256). */
export async function fetchRun(server: string, runId: number): Promise<RunExport> {
  const response = await request(`${server}/api/runs/${runId}`);
  if (!response.ok) await refusal(response, `the server has no reproducible run ${runId}`);
  const exported = runExportSchema.parse(await response.json());
  const archive = exported.method.archive;
  if (archive && !archive.base64) {
    if (!archive.url) throw new ServerError(`run ${runId}'s export names no archive URL`);
    const got = await request(archive.url);
    if (!got.ok) await refusal(got, `cannot download the method archive of run ${runId}`);
    const bytes = new Uint8Array(await got.arrayBuffer());
    if (sha256(bytes) !== archive.sha256)
      throw new ServerError(`the archive downloaded from ${archive.url} does not match the recorded sha256 ${archive.sha256}`);
    archive.base64 = Buffer.from(bytes).toString("base64");
  }
  return exported;
}
