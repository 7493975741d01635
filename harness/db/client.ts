// The one Prisma client factory (Prisma 7: the driver adapter carries the connection).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;
export { Prisma } from "../generated/prisma/client.ts";

export function createDb(url: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

type DbFailure = "unreachable" | "credentials" | "no-database" | "no-tables" | "other";

function classifyDbError(error: unknown): DbFailure {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  if (code === "ECONNREFUSED" || /ECONNREFUSED|connect|Can't reach/i.test(e?.message ?? "")) return "unreachable";
  if (code === "28P01" || code === "28000") return "credentials";
  if (code === "3D000") return "no-database";
  if (code === "42P01" || /does not exist/.test(e?.message ?? "")) return "no-tables";
  return "other";
}

/** A one-line, actionable description of a database failure (connection refused, auth, missing tables…), for the operator. */
export function describeDbError(error: unknown, url?: string): string {
  const where = url ? redactUrl(url) : "the database";
  switch (classifyDbError(error)) {
    case "unreachable":
      return `cannot reach ${where} (connection refused): start PostgreSQL, or unset DATABASE_URL to let Cajal start its embedded one`;
    case "credentials":
      return `${where} rejected the credentials: check the user and password in DATABASE_URL`;
    case "no-database":
      return `${where} does not exist: create it (createdb) or point DATABASE_URL at an existing database`;
    case "no-tables":
      return `${where} has no Cajal tables: run \`npx cajal db migrate\``;
    default: {
      const e = error as { message?: string };
      return `database error at ${where}: ${(e?.message ?? String(error)).split("\n")[0]}`;
    }
  }
}

/**
 * What a visitor of the site or the API may be told about a failure: its kind and who must act, never the database's
 * address, user, port or a raw driver message (those go to the server log). 503 when the database is not usable, else 500.
 */
export function publicServerError(error: unknown): { status: 500 | 503; message: string } {
  const log = "the operator finds the details in the server log";
  switch (classifyDbError(error)) {
    case "unreachable":
      return { status: 503, message: `the results database is not reachable right now: try again in a minute (${log})` };
    case "credentials":
    case "no-database":
      return { status: 503, message: `the server cannot open its results database: its operator must check DATABASE_URL (${log})` };
    case "no-tables":
      return { status: 503, message: "the results database has no Cajal tables yet: its operator must run `npx cajal db migrate`" };
    default:
      return { status: 500, message: `internal server error (${log})` };
  }
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
