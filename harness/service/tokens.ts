// Submission tokens. A token is printed once, when created (`cajal tokens create <name>`); the database keeps only its
// sha256, so a leaked database does not leak usable tokens.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { sha256 } from "./archive.ts";

const PREFIX = "cajal_";

export const tokenNameSchema = z
  .string({ error: () => "tokens create needs a name, e.g. `cajal tokens create jane-doe-lab`" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
    error: () => "a token name is 1-64 characters: letters, digits and . _ @ - (starting with a letter or digit)",
  });

export const hashToken = (token: string) => sha256(token);

export class TokenError extends Error {
  override name = "TokenError";
}

/** Create a token; returns the token itself, which is never stored. */
export async function createToken(db: Db, name: string): Promise<{ id: number; name: string; token: string }> {
  const valid = tokenNameSchema.parse(name);
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  try {
    const row = await db.apiToken.create({ data: { name: valid, tokenHash: hashToken(token) } });
    return { id: row.id, name: row.name, token };
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new TokenError(`a token named "${valid}" already exists: choose another name`);
    throw error;
  }
}

/** The token row an `Authorization: Bearer <token>` header names, or why it does not. */
export async function authenticate(
  db: Db,
  header: string | null,
): Promise<{ ok: true; token: { id: number; name: string } } | { ok: false; error: string }> {
  if (!header) {
    return { ok: false, error: "missing token: send `Authorization: Bearer <token>` (create one with `npx cajal tokens create <name>`)" };
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) return { ok: false, error: "malformed Authorization header: expected `Authorization: Bearer <token>`" };
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(match[1] as string) }, select: { id: true, name: true } });
  if (!row)
    return {
      ok: false,
      error: "invalid token: it is not known to this server (ask its operator for one: `npx cajal tokens create <name>`)",
    };
  return { ok: true, token: row };
}

/** Submissions per token per 24 hours: CAJAL_SUBMISSIONS_PER_DAY (default 5). */
export function submissionsPerDay(env: Record<string, string | undefined> = process.env): number {
  return z.coerce
    .number({ error: () => "CAJAL_SUBMISSIONS_PER_DAY must be a number" })
    .int("CAJAL_SUBMISSIONS_PER_DAY must be a whole number")
    .positive("CAJAL_SUBMISSIONS_PER_DAY must be positive")
    .default(5)
    .parse(env.CAJAL_SUBMISSIONS_PER_DAY);
}
