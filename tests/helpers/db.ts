// A fresh, migrated database per test file on the shared test server (see global-setup.ts).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db } from "../../harness/db/client.ts";
import { migrate } from "../../harness/db/migrate.ts";
import { registerAll } from "../../harness/register.ts";

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * Start as a copy of a database in which every task, built-in method and available dataset is registered, made
   * once per test run: for files that register them all before anything else. Registering every dataset in a fresh
   * database computes each one's preview plot (and on a fresh checkout hashes every official instance); the copy is
   * one CREATE DATABASE.
   */
  registered?: boolean;
}

export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * This test run's registered template (global-setup.ts names it): the first file that asks builds it while the
 * others wait on the lock, and it is renamed into place only once complete.
 */
async function registeredTemplate(admin: pg.Client, serverUrl: string): Promise<string> {
  const template = inject("registeredTemplate");
  await admin.query("SELECT pg_advisory_lock(hashtext($1))", [template]);
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
    if (!rowCount) {
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      const url = databaseUrl(serverUrl, building);
      await migrate(url);
      const db = createDb(url);
      try {
        await registerAll(db);
      } finally {
        await db.$disconnect();
      }
      // WITH (FORCE) would not wait for closing connections: a template must have none when it is copied.
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [
        building,
      ]);
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    }
  } finally {
    await admin.query("SELECT pg_advisory_unlock(hashtext($1))", [template]);
  }
  return template;
}

export async function createTestDatabase(prefix = "test", options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = inject("serverUrl");
  const name = `${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    if (options.registered) await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${await registeredTemplate(admin, serverUrl)}"`);
    else await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(serverUrl, name);
  // The template is migrated; migrating its copy again would find nothing to do.
  if (!options.registered) await migrate(url);
  const db = createDb(url);
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
