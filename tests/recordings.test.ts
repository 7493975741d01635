// The recording index: every card is complete, has its folder, and (when the shared datasets folder is
// here) pins exactly the files, sizes, checksums and licence text of its PROVENANCE.md.
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadHaxby2001Slice } from "../datasets/biological/fmri_haxby2001_subj1_slice/load.ts";
import { loadHdPeyrache2015 } from "../datasets/biological/hd_peyrache2015_adn/load.ts";
import { loadM1Subject } from "../datasets/biological/m1_reaching_dyer2017_dad/load.ts";
import { loadTampuuFineBins, loadTampuuRat } from "../datasets/biological/place_cells_tampuu2019_openfield/load.ts";
import { loadV1NaturalScenes } from "../datasets/biological/v1_allen_natural_scenes_cux2/load.ts";
import { DataMissingError, fetchRecording, recordingStatus } from "../harness/data.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { getRecording, listRecordings, listSources, UsageError } from "../harness/registry.ts";
import { sourceFolder } from "../harness/source.ts";

const RECORDINGS = listRecordings();
/** Recordings with a loader (the catalogued ones have a card only). */
const LOADABLE = listSources().filter((s) => s.availability === "recording");
const SHARED = path.resolve(REPO_ROOT, "..", "shared", "datasets");
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

describe("recordings index", () => {
  it("lists unique ids, each with card and README in its source's folder, and for loadable ones a loader and a test", () => {
    const ids = RECORDINGS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const biological = listSources().filter((s) => s.domain === "biological");
    expect(biological.map((s) => s.id)).toEqual(ids);
    for (const source of biological) {
      const folder = path.join(REPO_ROOT, sourceFolder(source));
      for (const f of ["card.ts", "README.md"]) expect(existsSync(path.join(folder, f)), `${source.id}/${f}`).toBe(true);
      const loadable = LOADABLE.includes(source);
      for (const f of ["load.ts", `${source.id}.test.ts`]) expect(existsSync(path.join(folder, f)), `${source.id}/${f}`).toBe(loadable);
    }
    expect(LOADABLE.map((s) => s.id)).toEqual(ids.filter((id) => id !== "human_mtl_zheng2022_boundaries"));
    expect(() => getRecording("nope")).toThrow(UsageError);
    expect(() => getRecording("nope")).toThrow(/unknown recording "nope"; available recordings: hd_peyrache2015_adn/);
  });

  it("pins every file URL to a commit", () => {
    for (const card of RECORDINGS) {
      for (const f of card.files) expect(f.url, `${card.id}/${f.name}`).toContain(card.source.commit);
    }
  });

  const provenance = (id: string) => path.join(SHARED, id, "PROVENANCE.md");
  describe.skipIf(!existsSync(SHARED))("against ../shared/datasets/*/PROVENANCE.md", () => {
    for (const card of RECORDINGS) {
      it(`${card.id}: files, sizes, sha256s and licence text match`, () => {
        const text = readFileSync(provenance(card.id), "utf8");
        const rows = [...text.matchAll(/^\| `original\/([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm)].map((m) => ({
          name: m[1],
          bytes: Number(m[2]),
          sha256: m[3],
        }));
        expect(card.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 }))).toEqual(expect.arrayContaining(rows));
        expect(card.files.length).toBe(rows.length);
        // Verbatim up to whitespace and Markdown bold.
        const terms = squash(card.licence.terms);
        expect(squash(text.replace(/\*\*/g, "")).includes(terms), `licence terms not in PROVENANCE.md: ${terms}`).toBe(true);
        expect(text).toContain(card.source.commit);
      });
    }
  });

  it("loaders only read: with an empty data dir each throws DataMissingError with the fetch command", () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "cajal-empty-"));
    try {
      const loaders: [string, () => unknown][] = [
        ["hd_peyrache2015_adn", () => loadHdPeyrache2015({ dataDir })],
        ["place_cells_tampuu2019_openfield", () => loadTampuuRat("R2192", { dataDir })],
        ["place_cells_tampuu2019_openfield", () => loadTampuuFineBins({ dataDir })],
        ["m1_reaching_dyer2017_dad", () => loadM1Subject("mihi", { dataDir })],
        ["fmri_haxby2001_subj1_slice", () => loadHaxby2001Slice({ dataDir })],
        ["v1_allen_natural_scenes_cux2", () => loadV1NaturalScenes({ dataDir })],
      ];
      for (const [id, load] of loaders) {
        expect(load).toThrow(DataMissingError);
        expect(load).toThrow(`npx cajal datasets fetch ${id}`);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!existsSync(SHARED))("fetchRecording with the real cards (a local server serving the shared originals)", () => {
    it("downloads and verifies every file of every recording", async () => {
      const server = http.createServer((req, res) => {
        const [, id, name] = (req.url ?? "").split("/");
        const file = path.join(SHARED, id ?? "", "original", decodeURIComponent(name ?? ""));
        if (!existsSync(file)) {
          res.writeHead(404);
          res.end();
          return;
        }
        createReadStream(file).pipe(res);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "cajal-fetch-"));
      try {
        for (const card of RECORDINGS) {
          const result = await fetchRecording(card, { dataDir, urlFor: (f) => `${base}/${card.id}/${encodeURIComponent(f.name)}` });
          expect(result.downloaded).toEqual(card.files.map((f) => f.name));
          expect(recordingStatus(card, { dataDir }).complete).toBe(true);
        }
        expect(loadM1Subject("chewie", { dataDir }).A.n).toBe(1200);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
