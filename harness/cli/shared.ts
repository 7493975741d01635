// What several commands share: the database around a command (withDb), the networks a selection needs, and the
// schemas of options that more than one command takes.
import os from "node:os";
import { z } from "zod";
import { type ArtifactRecipe, artifactStatus } from "../artifacts.ts";
import type { Db } from "../db/client.ts";
import type { DatasetDefinition } from "../types.ts";

export interface DbContext {
  db: Db;
  url: string;
  /** "DATABASE_URL" or "embedded PostgreSQL (.cajal/pg, port N)". */
  label: string;
  /** Migrations this call applied (usually none). */
  applied: string[];
}

/**
 * Open the database (DATABASE_URL, else the embedded server), apply pending migrations, run `fn` with a client, and
 * close everything however `fn` ends. The one place a command touches the database's lifecycle.
 */
export async function withDb<T>(fn: (ctx: DbContext) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: commands import this module for its schemas too (see index.ts).
  const [{ createDb }, { openDatabase }, { migrate }] = await Promise.all([
    import("../db/client.ts"),
    import("../db/embedded.ts"),
    import("../db/migrate.ts"),
  ]);
  const handle = await openDatabase();
  try {
    const { applied } = await migrate(handle.url);
    const db = createDb(handle.url);
    try {
      return await fn({ db, url: handle.url, label: handle.label, applied });
    } finally {
      await db.$disconnect();
    }
  } finally {
    await handle.stop();
  }
}

/** The trained networks the datasets need that are not built (or whose file does not match its pin). */
export function missingNetworks(datasets: readonly DatasetDefinition[]): ArtifactRecipe[] {
  const recipes = [...new Map(datasets.flatMap((d) => d.artifacts ?? []).map((r) => [`${r.id}@${r.version}`, r])).values()];
  return recipes.filter((r) => artifactStatus(r) !== "ok");
}

/**
 * Train the networks that these datasets need and that are not built yet (sha256-verified, one worker thread per
 * core, with a progress bar); networks of other datasets are left alone. Nothing happens when all are present.
 */
export async function ensureNetworks(datasets: readonly DatasetDefinition[]): Promise<void> {
  const missing = missingNetworks(datasets);
  if (missing.length === 0) return;
  const seconds = missing.reduce((s, r) => s + r.estimatedSeconds, 0);
  process.stderr.write(
    `training ${missing.length === 1 ? "the network" : `${missing.length} networks`} the selected datasets need (${missing.map((r) => r.id).join(", ")}; about ${seconds} s, once)\n`,
  );
  const { buildArtifactsThreaded } = await import("../suite-threads.ts");
  await buildArtifactsThreaded(missing, { threads: os.cpus().length });
}

export const splitSchema = z.enum(["dev", "official"], {
  error: () => 'split must be "dev" or "official" (the private split is scored only by a Cajal server)',
});

export const portSchema = z.coerce
  .number({ error: () => "port must be a number" })
  .int("port must be a whole number")
  .min(1, "port must be 1–65535")
  .max(65535, "port must be 1–65535");

/** An interface name or address for --host: no spaces, no scheme, no port. */
export const hostSchema = z
  .string()
  .regex(/^[A-Za-z0-9.:-]{1,253}$/, { error: () => 'host must be an interface address or name, e.g. "127.0.0.1" or "0.0.0.0"' })
  .optional();

export const jobsSchema = z.coerce
  .number({ error: () => "--jobs must be a number" })
  .int("--jobs must be a whole number")
  .min(1, "--jobs must be at least 1");

export const runIdSchema = z.coerce
  .number({ error: () => "a run id is a number, e.g. 42 (the number in /runs/42)" })
  .int("a run id is a whole number")
  .positive("a run id is positive");
