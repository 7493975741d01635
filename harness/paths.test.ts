// `@/…` (tsconfig.json's paths) must resolve wherever Cajal's TypeScript runs and wherever it is hashed: under
// vitest, under tsx started from any directory (the CLI and the suite's worker threads load it through
// harness/tsx.mjs), and in the import closures that version methods and datasets and stamp the site's build.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT as viaAlias } from "@/harness/paths.ts";
import { REPO_ROOT } from "./paths.ts";
import { importClosure, listFiles } from "./provenance.ts";
import { SITE_SOURCES, siteImportClosure } from "./site.ts";

const PROBE_DIR = path.join(".cajal", `alias-probe-${process.pid}`);
const probe = (name: string, source: string) => {
  mkdirSync(path.join(REPO_ROOT, PROBE_DIR), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, PROBE_DIR, name), source);
  return path.posix.join(PROBE_DIR.split(path.sep).join("/"), name);
};
afterAll(() => rmSync(path.join(REPO_ROOT, PROBE_DIR), { recursive: true, force: true }));

describe("the @/ path alias", () => {
  it("resolves under vitest", () => {
    expect(viaAlias).toBe(REPO_ROOT);
    expect(REPO_ROOT).toBe(path.resolve(import.meta.dirname, ".."));
  });

  it("resolves under tsx from outside the checkout, as the CLI and the suite threads load it", () => {
    const entry = probe("print-root.ts", 'import { REPO_ROOT } from "@/harness/paths.ts";\nconsole.log(REPO_ROOT);\n');
    const tsx = new URL("./tsx.mjs", import.meta.url).href;
    const run = spawnSync(process.execPath, ["--import", tsx, path.join(REPO_ROOT, entry)], { cwd: os.tmpdir(), encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(REPO_ROOT);
  });

  it("is followed by import closures, which skip type-only imports as they do relative ones", () => {
    const entry = probe(
      "closure.ts",
      [
        'import { REPO_ROOT } from "@/harness/paths.ts";',
        'import type { Split } from "@/harness/types.ts";',
        'export { seedFrom } from "@/harness/rng.ts";',
        'export const lazy = () => import("@/harness/text-table.ts");',
        "export const root: string = REPO_ROOT;",
        "export type S = Split;",
      ].join("\n"),
    );
    expect(importClosure([entry])).toEqual([entry, "harness/paths.ts", "harness/rng.ts", "harness/text-table.ts"].sort());
  });

  it("brings the harness files the site imports through @/ into the site's build stamp", () => {
    const closure = siteImportClosure();
    // app/ → @/lib/data.ts → @/harness/results.ts: an alias the closure did not follow would leave it empty.
    expect(closure).toEqual(expect.arrayContaining(["harness/results.ts", "harness/service/api.ts", "harness/db/client.ts"]));
    const stamped = new Set(SITE_SOURCES.flatMap(listFiles));
    expect(closure.filter((f) => !stamped.has(f))).toEqual([]);
  });
});
