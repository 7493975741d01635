// The service's HTTP API (harness/service/api.ts, the functions app/api/**/route.ts call) on a loopback port with
// node:http, for tests that need a real server URL without building the Next.js site.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getRun, getRunArchive, getSubmission, guarded, json, postSubmission, type ServiceContext } from "../../harness/service/api.ts";

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

function route(ctx: ServiceContext, request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (request.method === "POST" && pathname === "/api/submissions") return postSubmission(ctx, request);
  const submission = /^\/api\/submissions\/([^/]+)$/.exec(pathname)?.[1];
  const archive = /^\/api\/runs\/([^/]+)\/archive$/.exec(pathname)?.[1];
  const run = /^\/api\/runs\/([^/]+)$/.exec(pathname)?.[1];
  if (request.method === "GET" && submission) return getSubmission(ctx, submission);
  if (request.method === "GET" && archive) return getRunArchive(ctx, archive);
  if (request.method === "GET" && run) return getRun(ctx, request, run);
  return Promise.resolve(json(404, { error: `no route ${request.method} ${pathname}` }));
}

export async function startApiServer(ctx: ServiceContext): Promise<ApiServer> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const body = chunks.length && req.method !== "GET" ? Buffer.concat(chunks) : undefined;
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body });
    const response = await guarded(() => route(ctx, request));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
