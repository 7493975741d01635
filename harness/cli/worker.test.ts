// Where `cajal worker` takes its private-split secret from (issue 11): the environment, else, on the embedded database
// only, a secret of the checkout's own, made once in .cajal/ (mode 0600) and reused.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../registry.ts";
import { privateSecretFor } from "./worker.ts";

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cajal-secret-"));
  dirs.push(dir);
  return path.join(dir, ".cajal");
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("privateSecretFor", () => {
  it("on the embedded database, makes a 32-byte hex secret in .cajal/private-secret (0600) once and reuses it", () => {
    const dir = scratch();
    const first = privateSecretFor({}, dir);
    const file = path.join(dir, "private-secret");
    expect(first.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, "utf8")).toBe(`${first.secret}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.note).toMatch(/no CAJAL_PRIVATE_SECRET set, so made a secret .* in .*private-secret \(mode 0600\)/);
    const second = privateSecretFor({}, dir);
    expect(second.secret).toBe(first.secret);
    expect(second.note).toMatch(/using this checkout's own secret in .*private-secret/);
    // Another checkout gets another secret.
    expect(privateSecretFor({}, scratch()).secret).not.toBe(first.secret);
  });

  it("CAJAL_PRIVATE_SECRET wins and writes nothing; with DATABASE_URL it is required", () => {
    const dir = scratch();
    expect(privateSecretFor({ CAJAL_PRIVATE_SECRET: "operator-secret", DATABASE_URL: "postgresql://db/cajal" }, dir)).toEqual({
      secret: "operator-secret",
      note: null,
    });
    expect(() => statSync(dir)).toThrow();
    expect(() => privateSecretFor({ DATABASE_URL: "postgresql://db/cajal" }, dir)).toThrow(UsageError);
    expect(() => privateSecretFor({ DATABASE_URL: "postgresql://db/cajal", CAJAL_PRIVATE_SECRET: "" }, dir)).toThrow(
      /set CAJAL_PRIVATE_SECRET to the server's secret, the same on every worker \(an operator makes it once, e\.g\. `openssl rand -hex 32`/,
    );
  });

  it("a damaged secret file is refused with what to do, not replaced", () => {
    const dir = scratch();
    privateSecretFor({}, dir);
    writeFileSync(path.join(dir, "private-secret"), "not hex\n");
    expect(() => privateSecretFor({}, dir)).toThrow(
      /private-secret is not a private-split secret \(64 hex digits.*\); delete it to make a new one/,
    );
    expect(readFileSync(path.join(dir, "private-secret"), "utf8")).toBe("not hex\n");
  });
});
