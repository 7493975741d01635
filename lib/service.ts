// The submission service's context for the site's API routes (server only): one Prisma client, pg pool and pg-boss
// sender per server process, on DATABASE_URL. The routes in app/api/ are thin adapters around harness/service/api.ts.
import { createServiceContext, guarded, json, type ServiceContext } from "@/harness/service/api.ts";

if (typeof window !== "undefined") throw new Error("lib/service.ts is server-only");

declare global {
  // Reused across requests (and hot reloads in `next dev`).
  var __cajalService: { url: string; context: Promise<ServiceContext> } | undefined;
}

function context(): Promise<ServiceContext> | null {
  const url = process.env.DATABASE_URL;
  if (!url) return null;
  const cached = globalThis.__cajalService;
  if (cached && cached.url === url) return cached.context;
  const created = createServiceContext(url);
  // A failed start (database down) is retried on the next request rather than cached.
  created.catch(() => {
    if (globalThis.__cajalService?.context === created) globalThis.__cajalService = undefined;
  });
  globalThis.__cajalService = { url, context: created };
  return created;
}

const NO_DATABASE_URL = "DATABASE_URL is not set: start the site with `npx cajal start` or `npx cajal serve`";

/** Run an API handler with the service context; configuration and database failures answer as JSON. */
export function withService(handler: (ctx: ServiceContext) => Promise<Response>): Promise<Response> {
  return guarded(async () => {
    const ctx = context();
    if (!ctx) return json(503, { error: NO_DATABASE_URL });
    return handler(await ctx);
  });
}

/** Run a read-only API handler on the site's data layer (lib/data.ts, no queue); failures answer as JSON too. */
export function withDatabase(handler: () => Promise<Response>): Promise<Response> {
  return guarded(async () => (process.env.DATABASE_URL ? handler() : json(503, { error: NO_DATABASE_URL })));
}

export { json };
