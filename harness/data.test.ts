// The data cache: directory resolution, checksum verification with clear errors, and fetchRecording
// against a local HTTP server that serves good bytes, bad bytes, a 404 and a dropped connection.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cardView,
  DataFetchError,
  DataIntegrityError,
  DataMissingError,
  dataFilePath,
  defineRecordingCard,
  type FetchProgress,
  fetchRecording,
  type RecordingCard,
  readDataFile,
  recordingStatus,
  recordingUnavailable,
  resolveDataDir,
} from "./data.ts";

const GOOD = Buffer.from("cajal test payload\n".repeat(4000));
const OTHER = Buffer.from("second file".repeat(100));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let server: http.Server;
let base = "";
const tmp = mkdtempSync(path.join(os.tmpdir(), "cajal-data-"));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? "";
    if (url === "/good.bin" || url === "/redirected.bin") {
      res.writeHead(200, { "content-length": GOOD.length });
      res.end(GOOD);
    } else if (url === "/other.bin") {
      res.end(OTHER);
    } else if (url === "/redirect.bin") {
      res.writeHead(302, { location: "/redirected.bin" });
      res.end();
    } else if (url === "/bad.bin") {
      const bad = Buffer.from(GOOD);
      bad[100] = (bad[100] as number) ^ 1;
      res.writeHead(200, { "content-length": bad.length });
      res.end(bad);
    } else if (url === "/short.bin") {
      res.end(GOOD.subarray(0, 1000));
    } else if (url === "/drop.bin") {
      // Promise the whole file, send part of it, then drop the connection.
      res.writeHead(200, { "content-length": GOOD.length });
      res.write(GOOD.subarray(0, 20_000), () => setTimeout(() => req.socket.destroy(), 20));
    } else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

function card(id: string, files: { name: string; path: string; bytes?: Buffer }[]): RecordingCard {
  return defineRecordingCard({
    id,
    title: "Test recording",
    species: "none",
    area: "none",
    modality: "test",
    citations: [{ text: "A. Author (2020).", doi: "10.1000/test", bibtex: "@misc{t, title = {T}, doi = {10.1000/test}}" }],
    licence: { name: "CC0", terms: "test data" },
    source: { repository: "example/test", commit: "0".repeat(40), fullDataset: "nowhere" },
    files: files.map((f) => ({
      name: f.name,
      url: `https://example.invalid${f.path}`,
      sha256: sha(f.bytes ?? GOOD),
      bytes: (f.bytes ?? GOOD).length,
      format: "bytes",
      description: "test file",
    })),
    groundTruth: { variable: "none", description: "none" },
    preprocessing: { version: 1, description: "none" },
  });
}

/** Route the card's URLs to the local server. */
const local = { urlFor: (f: { url: string }) => base + new URL(f.url).pathname };

function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".part")) : [];
}

describe("resolveDataDir", () => {
  it("prefers CAJAL_DATA_DIR, then ../shared/datasets, then .cajal/data", () => {
    expect(resolveDataDir({ CAJAL_DATA_DIR: "rel/dir" }, "/x/repo")).toEqual({ dir: path.resolve("rel/dir"), source: "env" });
    const root = path.join(tmp, "layout");
    const repo = path.join(root, "repo");
    mkdirSync(repo, { recursive: true });
    expect(resolveDataDir({}, repo)).toEqual({ dir: path.join(repo, ".cajal", "data"), source: "local" });
    mkdirSync(path.join(root, "shared", "datasets"), { recursive: true });
    expect(resolveDataDir({}, repo)).toEqual({ dir: path.join(root, "shared", "datasets"), source: "shared" });
    expect(resolveDataDir({ CAJAL_DATA_DIR: "" }, repo).source).toBe("shared");
  });

  it("rejects a CAJAL_DATA_DIR that is blank or a file", () => {
    expect(() => resolveDataDir({ CAJAL_DATA_DIR: "   " })).toThrow(/invalid CAJAL_DATA_DIR: CAJAL_DATA_DIR is empty/);
    const file = path.join(tmp, "a-file");
    writeFileSync(file, "x");
    expect(() => resolveDataDir({ CAJAL_DATA_DIR: file })).toThrow(/is not a directory/);
  });
});

describe("cards", () => {
  it("refuses an invalid card with the field named", () => {
    expect(() => defineRecordingCard({ ...card("ok_card", [{ name: "a.bin", path: "/good.bin" }]), id: "Bad-Id" })).toThrow(/id/);
    const c = card("ok_card", [{ name: "a.bin", path: "/good.bin" }]);
    expect(() => defineRecordingCard({ ...c, files: [...c.files, ...c.files] })).toThrow(/listed twice/);
    expect(() => defineRecordingCard({ ...c, citations: [{ text: "x", doi: "not-a-doi", bibtex: "@misc{k, doi = {1}}" }] })).toThrow(/DOI/);
  });
});

describe("dataFilePath", () => {
  it("throws DataMissingError naming the file, the dir searched, the URL and the fix", () => {
    const dataDir = path.join(tmp, "empty");
    const c = card("rec_missing", [{ name: "a.bin", path: "/good.bin" }]);
    let err: unknown;
    try {
      dataFilePath(c, "a.bin", { dataDir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataMissingError);
    const msg = (err as Error).message;
    expect(msg).toContain("a.bin");
    expect(msg).toContain(path.join(dataDir, "rec_missing", "original"));
    expect(msg).toContain("https://example.invalid/good.bin");
    expect(msg).toContain("npx cajal datasets fetch rec_missing");
    expect(msg).toContain("CAJAL_DATA_DIR");
    expect(() => dataFilePath(c, "nope.bin", { dataDir })).toThrow(/has no file "nope.bin"/);
  });

  it("verifies the sha256 once per path+mtime+size and re-checks a changed file", () => {
    const dataDir = path.join(tmp, "verify");
    const c = card("rec_verify", [{ name: "a.bin", path: "/good.bin" }]);
    const dir = path.join(dataDir, "rec_verify", "original");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "a.bin");
    writeFileSync(file, GOOD);
    expect(dataFilePath(c, "a.bin", { dataDir })).toBe(file);
    expect(readDataFile(c, "a.bin", { dataDir }).equals(GOOD)).toBe(true);
    const bad = Buffer.from(GOOD);
    bad[5] = 0;
    writeFileSync(file, bad); // same size, new mtime
    let err: unknown;
    try {
      dataFilePath(c, "a.bin", { dataDir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataIntegrityError);
    expect((err as Error).message).toContain(sha(bad));
    expect((err as Error).message).toContain(sha(GOOD));
    expect((err as Error).message).toContain("npx cajal datasets fetch rec_verify");
    expect(recordingStatus(c, { dataDir }).files[0]?.state).toBe("corrupt");
  });
});

describe("recordingUnavailable and cardView", () => {
  it("says which files are missing or damaged and how to get them, or null when all are verified", () => {
    const dataDir = path.join(tmp, "unavailable");
    const c = card("rec_unavail", [
      { name: "a.bin", path: "/good.bin" },
      { name: "b.bin", path: "/other.bin", bytes: OTHER },
    ]);
    const dir = path.join(dataDir, "rec_unavail", "original");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "a.bin"), "damaged");
    expect(recordingUnavailable(c, { dataDir })).toBe(
      `recording rec_unavail is not in ${dir} (missing b.bin; damaged (sha256 mismatch) a.bin): run \`npx cajal datasets fetch rec_unavail\`, or set CAJAL_DATA_DIR to a folder that holds rec_unavail/original/`,
    );
    writeFileSync(path.join(dir, "a.bin"), GOOD);
    writeFileSync(path.join(dir, "b.bin"), OTHER);
    expect(recordingUnavailable(c, { dataDir })).toBeNull();
  });

  it("maps a card to the dataset page's view", () => {
    const c = card("rec_view", [{ name: "a.bin", path: "/good.bin" }]);
    const view = cardView({ ...c, citations: [...c.citations, { text: "Data.", doi: "10.1/x", bibtex: "@misc{d, doi = {10.1/x}}" }] });
    expect(view).toMatchObject({
      id: "rec_view",
      citation: "A. Author (2020). Also cite: Data.",
      doi: "10.1000/test",
      licence: "CC0. test data",
      preprocessingVersion: 1,
      files: [{ name: "a.bin", url: "https://example.invalid/good.bin", bytes: GOOD.length }],
    });
    expect(view.bibtex).toBe("@misc{t, title = {T}, doi = {10.1000/test}}\n\n@misc{d, doi = {10.1/x}}");
  });
});

describe("fetchRecording", () => {
  it("downloads missing files with progress, verifies them and skips present ones", async () => {
    const dataDir = path.join(tmp, "fetch-ok");
    const c = card("rec_ok", [
      { name: "a.bin", path: "/good.bin" },
      { name: "b.bin", path: "/other.bin", bytes: OTHER },
      { name: "c.bin", path: "/redirect.bin" },
    ]);
    const events: FetchProgress[] = [];
    const result = await fetchRecording(c, { dataDir, ...local, onProgress: (p) => events.push(p) });
    const dir = path.join(dataDir, "rec_ok", "original");
    expect(result).toEqual({ id: "rec_ok", dir, present: [], downloaded: ["a.bin", "b.bin", "c.bin"] });
    expect(readFileSync(path.join(dir, "a.bin")).equals(GOOD)).toBe(true);
    expect(readFileSync(path.join(dir, "c.bin")).equals(GOOD)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
    const total = 2 * GOOD.length + OTHER.length;
    expect(events.every((e) => e.bytesTotal === total && e.filesTotal === 3)).toBe(true);
    expect(events.at(-1)).toMatchObject({ bytesDone: total, filesDone: 3 });
    for (let i = 1; i < events.length; i++)
      expect((events[i] as FetchProgress).bytesDone).toBeGreaterThanOrEqual((events[i - 1] as FetchProgress).bytesDone);
    expect(recordingStatus(c, { dataDir }).complete).toBe(true);
    const again = await fetchRecording(c, { dataDir, ...local });
    expect(again.downloaded).toEqual([]);
    expect(again.present).toEqual(["a.bin", "b.bin", "c.bin"]);
  });

  it("replaces a damaged file", async () => {
    const dataDir = path.join(tmp, "fetch-replace");
    const c = card("rec_replace", [{ name: "a.bin", path: "/good.bin" }]);
    const dir = path.join(dataDir, "rec_replace", "original");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "a.bin"), "damaged");
    expect((await fetchRecording(c, { dataDir, ...local })).downloaded).toEqual(["a.bin"]);
    expect(readFileSync(path.join(dir, "a.bin")).equals(GOOD)).toBe(true);
  });

  const failures: [string, string, RegExp, new (...args: never[]) => Error][] = [
    ["bad bytes", "/bad.bin", /has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}; it was not kept/, DataIntegrityError],
    ["a 404", "/missing.bin", /failed: HTTP 404/, DataFetchError],
    ["a short body", "/short.bin", /ended after 1000 of 76000 bytes/, DataFetchError],
    ["a dropped connection", "/drop.bin", /failed: the connection was dropped .*after \d+ of 76000 bytes/, DataFetchError],
  ];
  for (const [what, urlPath, pattern, ErrorClass] of failures) {
    it(`on ${what}: throws a clear error and leaves no partial file`, async () => {
      const dataDir = path.join(tmp, `fetch-${urlPath.slice(1, -4)}`);
      const c = card("rec_fail", [{ name: "a.bin", path: urlPath }]);
      let err: unknown;
      try {
        await fetchRecording(c, { dataDir, ...local });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ErrorClass);
      const msg = (err as Error).message;
      expect(msg).toMatch(pattern);
      expect(msg).toContain("a.bin");
      expect(msg).toContain(base + urlPath);
      if (ErrorClass === DataFetchError) expect(msg).toContain("npx cajal datasets fetch rec_fail");
      if (ErrorClass === DataIntegrityError) expect(msg).toContain(sha(GOOD));
      const dir = path.join(dataDir, "rec_fail", "original");
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it("gives up on a server that stops sending (idle timeout)", async () => {
    const stall = http.createServer((_req, res) => {
      res.writeHead(200, { "content-length": GOOD.length });
      res.write(GOOD.subarray(0, 100));
    });
    await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
    const port = (stall.address() as AddressInfo).port;
    const dataDir = path.join(tmp, "fetch-stall");
    const c = card("rec_stall", [{ name: "a.bin", path: "/x.bin" }]);
    try {
      await expect(fetchRecording(c, { dataDir, idleTimeoutMs: 200, urlFor: () => `http://127.0.0.1:${port}/x.bin` })).rejects.toThrow(
        /no data for 200 ms/,
      );
      expect(readdirSync(path.join(dataDir, "rec_stall", "original"))).toEqual([]);
    } finally {
      stall.closeAllConnections();
      await new Promise<void>((resolve) => stall.close(() => resolve()));
    }
  });
});
