// One real PostgreSQL for the whole test run: TEST_DATABASE_URL when given (a server you run),
// otherwise a private embedded server (own data dir, free port), so concurrent test runs and
// `npm start` never share or clobber each other's cluster.
import { existsSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { identityFile, startEmbedded } from "../../harness/db/embedded.ts";
import { REPO_ROOT } from "../../harness/paths.ts";
import { freePort } from "./free-port.ts";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The trained networks behind the artificial datasets, built once before any test file generates
 * instances. On a fresh clone this is the check that every recipe reproduces its pinned sha256.
 */
async function buildNetworks(): Promise<void> {
  const { buildArtifactsThreaded } = await import("../../harness/suite-threads.ts");
  const { listDatasets } = await import("../../harness/registry.ts");
  // One worker thread per core: the networks train side by side (each is deterministic, so the bytes are the same).
  await buildArtifactsThreaded(
    listDatasets().flatMap((d) => d.artifacts ?? []),
    { threads: os.cpus().length },
  );
}

/** Drop this run's registered template (tests/helpers/db.ts) from a server that outlives the run. */
async function dropTemplate(serverUrl: string, template: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${template}_building" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export default async function setup({ provide }: { provide: (key: string, value: string) => void }) {
  await buildNetworks();
  // Named per run: a server given by TEST_DATABASE_URL may hold an older run's template, registered by older code.
  const template = `test_template_${process.pid}_${Date.now().toString(36)}`;
  provide("registeredTemplate", template);
  if (process.env.TEST_DATABASE_URL) {
    const serverUrl = process.env.TEST_DATABASE_URL;
    provide("serverUrl", serverUrl);
    return () => dropTemplate(serverUrl, template);
  }
  const root = path.join(REPO_ROOT, ".cajal");
  // Clusters left by test runs that were killed (the data dir and its identity file beside it).
  if (existsSync(root)) {
    for (const name of readdirSync(root)) {
      const pid = /^test-pg-(\d+)(\.server\.json)?$/.exec(name)?.[1];
      if (pid && !isAlive(Number(pid))) rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }
  const dataDir = path.join(root, `test-pg-${process.pid}`);
  const handle = await startEmbedded({ dataDir, port: await freePort(), database: "postgres" });
  provide("serverUrl", handle.url);
  return async () => {
    await handle.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(identityFile(dataDir), { force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    /** The name of the database with everything registered that `createTestDatabase(…, { registered: true })` copies. */
    registeredTemplate: string;
  }
}
