// The one Prisma client factory (Prisma 7: the driver adapter carries the connection).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;
export { Prisma } from "../generated/prisma/client.ts";

export function createDb(url: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

/** A one-line, actionable description of a database failure (connection refused, auth, missing tables…). */
export function describeDbError(error: unknown, url?: string): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const where = url ? redactUrl(url) : "the database";
  if (code === "ECONNREFUSED" || /ECONNREFUSED|connect|Can't reach/i.test(e?.message ?? "")) {
    return `cannot reach ${where} (connection refused): start PostgreSQL, or unset DATABASE_URL to let Cajal start its embedded one`;
  }
  if (code === "28P01" || code === "28000") return `${where} rejected the credentials: check the user and password in DATABASE_URL`;
  if (code === "3D000") return `${where} does not exist: create it (createdb) or point DATABASE_URL at an existing database`;
  if (code === "42P01" || /does not exist/.test(e?.message ?? "")) {
    return `${where} has no Cajal tables: run \`npx cajal db migrate\``;
  }
  return `database error at ${where}: ${(e?.message ?? String(error)).split("\n")[0]}`;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "the database (unparsable DATABASE_URL)";
  }
}
