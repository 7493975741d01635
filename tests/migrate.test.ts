// The offline migration runner: Prisma-compatible bookkeeping, idempotent, safe when concurrent,
// and loud about edited migrations.
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../harness/db/migrate.ts";
import { databaseUrl } from "./helpers/db.ts";

const created: string[] = [];
async function emptyDatabase(): Promise<string> {
  const name = `migrate_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: inject("serverUrl") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  created.push(name);
  return databaseUrl(inject("serverUrl"), name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: inject("serverUrl") });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe("migrate", () => {
  it("applies every migration once and records it as Prisma Migrate does", async () => {
    const url = await emptyDatabase();
    const first = await migrate(url);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"',
    );
    expect(rows).toHaveLength(first.applied.length);
    for (const row of rows) {
      expect(row.checksum).toBe(readMigrations().find((m) => m.name === row.migration_name)?.checksum);
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const enumValues = await query<{ v: string }>(url, 'SELECT unnest(enum_range(NULL::"RunStatus"))::text AS v');
    expect(enumValues.map((r) => r.v)).toEqual(["queued", "running", "ok", "invalid-output", "error", "timeout"]);
  });

  it("adds the GPU columns of PROTOCOL 1.1 to runs and instance results, nullable (null = CPU-only)", async () => {
    const url = await emptyDatabase();
    await migrate(url);
    const columns = await query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      url,
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name IN ('Run', 'InstanceResult') AND column_name IN ('gpuModel', 'gpuDriver', 'cudaVersion', 'gpuBusyMs', 'gpuPeakMemMb')
       ORDER BY table_name, column_name`,
    );
    const expected = (table: string) =>
      [
        ["cudaVersion", "text"],
        ["gpuBusyMs", "double precision"],
        ["gpuDriver", "text"],
        ["gpuModel", "text"],
        ["gpuPeakMemMb", "double precision"],
      ].map(([column_name, data_type]) => ({ table_name: table, column_name, data_type, is_nullable: "YES" }));
    expect(columns).toEqual([...expected("InstanceResult"), ...expected("Run")]);
  });

  it("is safe when several processes migrate the same database at once", async () => {
    const url = await emptyDatabase();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url), migrate(url)]);
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const rows = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(rows[0]?.n)).toBe(readMigrations().length);
  });

  it("refuses a migration that was edited after it was applied", async () => {
    const url = await emptyDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), "cajal-migrations-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(url, dir);
    const name = readMigrations(dir)[0]?.name as string;
    writeFileSync(path.join(dir, name, "migration.sql"), "-- edited\nSELECT 1;");
    await expect(migrate(url, dir)).rejects.toThrow(/was edited after it was applied: never edit an applied migration/);
  });

  it("rolls back a failing migration completely and names it", async () => {
    const url = await emptyDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), "cajal-migrations-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(url, dir);
    const bad = path.join(dir, "29990101000000_broken");
    cpSync(path.join(dir, readMigrations(dir)[0]?.name as string), bad, { recursive: true });
    writeFileSync(path.join(bad, "migration.sql"), 'CREATE TABLE "Half" (id int);\nSELECT * FROM no_such_table;');
    await expect(migrate(url, dir)).rejects.toThrow(/migration 29990101000000_broken failed: .*no_such_table/);
    const half = await query<{ n: string }>(url, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'Half'");
    expect(Number(half[0]?.n)).toBe(0);
  });
});
