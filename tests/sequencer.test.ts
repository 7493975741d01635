// The files `npm test` starts first (tests/helpers/sequencer.ts) are named by path: a renamed or removed file would
// silently fall back to vitest's order, so each must exist.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/paths.ts";
import { SLOW_FILES } from "./helpers/sequencer.ts";

describe("test order", () => {
  it("every file the sequencer starts first exists, once", () => {
    expect(SLOW_FILES.filter((file) => !existsSync(path.join(REPO_ROOT, file)))).toEqual([]);
    expect(new Set(SLOW_FILES).size).toBe(SLOW_FILES.length);
  });
});
