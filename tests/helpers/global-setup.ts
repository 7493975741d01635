// One real PostgreSQL for the whole test run: TEST_DATABASE_URL when given (a server you run),
// otherwise an embedded server with its own data dir and port, so tests never touch .cajal/pg.
import { rmSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, startEmbedded } from "../../harness/db/embedded.ts";

export default async function setup({ provide }: { provide: (key: string, value: string) => void }) {
  if (process.env.TEST_DATABASE_URL) {
    provide("serverUrl", process.env.TEST_DATABASE_URL);
    return;
  }
  const dataDir = path.join(REPO_ROOT, ".cajal", "test-pg");
  // A fresh cluster every run: tests must not depend on leftovers.
  rmSync(dataDir, { recursive: true, force: true });
  const handle = await startEmbedded({ dataDir, port: Number(process.env.CAJAL_TEST_DB_PORT ?? 54339), database: "postgres" });
  provide("serverUrl", handle.url);
  return async () => {
    await handle.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
  }
}
