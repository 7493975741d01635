// method.json validation: every invalid field is named with what is allowed; limits may only lower the harness's.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../paths.ts";
import { DEFAULT_LIMITS, effectiveLimits, gpusRequested, loadManifest, ManifestError, validateManifest } from "./manifest.ts";

const valid = {
  protocol: 1,
  id: "sklearn-fastica",
  version: "1.0.0",
  name: "FastICA (scikit-learn)",
  tasks: ["feature-recovery"],
  command: ["python3", "run.py"],
  description: "FastICA on whitened activations; the unmixing rows are the dictionary.",
  authors: ["Jane Doe"],
  url: "https://example.org/paper",
  limits: { timeoutSeconds: 300, memoryMb: 4096 },
};

function problemsOf(raw: unknown): string[] {
  const r = validateManifest(raw);
  if (r.ok) throw new Error("expected the manifest to be rejected");
  return r.problems;
}

/** The single problem reported for one changed field. */
function problemFor(change: Record<string, unknown>): string {
  const problems = problemsOf({ ...valid, ...change });
  expect(problems).toHaveLength(1);
  return problems[0] as string;
}

describe("validateManifest", () => {
  it("accepts PROTOCOL.md's example, and url and limits are optional", () => {
    expect(validateManifest(valid).ok).toBe(true);
    const { url: _u, limits: _l, ...minimal } = valid;
    expect(validateManifest(minimal).ok).toBe(true);
    expect(validateManifest({ ...minimal, authors: [] }).ok).toBe(true);
  });

  it.each([
    [{ protocol: 2 }, /^method\.json: protocol: is 2; allowed: 1 \(the number\)$/],
    [{ protocol: "1" }, /^method\.json: protocol: is "1"; allowed: 1/],
    [{ id: "Sklearn_FastICA" }, /^method\.json: id: is "Sklearn_FastICA" \(not kebab-case\); allowed: kebab-case, 3-64 characters/],
    [{ id: "ab" }, /^method\.json: id: is "ab" \(shorter than 3 characters\); allowed: kebab-case, 3-64/],
    [{ id: "a".repeat(65) }, /^method\.json: id: .*\(65 characters, more than 64\); allowed: kebab-case/],
    [{ id: "double--hyphen" }, /^method\.json: id: .*not kebab-case/],
    [
      { version: "1.0" },
      /^method\.json: version: is "1.0" \(not a semantic version\); allowed: a semantic version \(semver\.org\), e\.g\. "1\.0\.0"$/,
    ],
    [{ name: "" }, /^method\.json: name: is "" \(empty\); allowed: a non-empty string of at most 100 printable characters/],
    [{ tasks: [] }, /^method\.json: tasks: is \[\] \(empty\); allowed: a non-empty array of task ids, each one of: feature-recovery/],
    [
      { tasks: ["feature-recovery", "mind-reading"] },
      /^method\.json: tasks\[1\]: "mind-reading" is not a known task; allowed: a task id, one of: feature-recovery/,
    ],
    [{ tasks: "feature-recovery" }, /^method\.json: tasks: is "feature-recovery" \(not an array\); allowed: a non-empty array of task ids/],
    [
      { command: "python3 run.py" },
      /^method\.json: command: is "python3 run.py" \(not an array\); allowed: a non-empty array of at most 64 non-empty strings \(argv, run without a shell\)/,
    ],
    [{ command: [] }, /^method\.json: command: is \[\] \(empty\); allowed: a non-empty array/],
    [{ command: ["python3", ""] }, /^method\.json: command\[1\]: is "" \(empty\); allowed: a non-empty string/],
    [{ command: ["python3", 3] }, /^method\.json: command\[1\]: is 3 \(not a string\); allowed: a non-empty string/],
    [{ description: 5 }, /^method\.json: description: is 5 \(not a string\); allowed: a non-empty string of at most 2000 characters/],
    [{ authors: "Jane Doe" }, /^method\.json: authors: is "Jane Doe" \(not an array\); allowed: an array of at most 50 strings/],
    [{ authors: [""] }, /^method\.json: authors\[0\]: is "" \(empty\); allowed: a non-empty string/],
    [{ url: "example.org" }, /^method\.json: url: is "example\.org" \(not an absolute http\(s\) URL\); allowed: an absolute http\(s\) URL/],
    [{ url: "ftp://example.org" }, /^method\.json: url: .*not an absolute http\(s\) URL/],
    [{ limits: 5 }, /^method\.json: limits: is 5 \(not an object\); allowed: an object with optional timeoutSeconds and memoryMb$/],
    [
      { limits: { timeoutSeconds: 0 } },
      /^method\.json: limits\.timeoutSeconds: is 0 \(not a positive number\); allowed: a number > 0 and at most 600/,
    ],
    [{ limits: { memoryMb: "1G" } }, /^method\.json: limits\.memoryMb: is "1G" \(not a number\); allowed: a number > 0 and at most 4096/],
    [{ limits: { cpus: 2 } }, /^method\.json: limits\.cpus: unknown key; allowed: the keys timeoutSeconds, memoryMb$/],
    [
      { entrypoint: "run.py" },
      /^method\.json: entrypoint: unknown key; allowed: the keys protocol, id, version, name, tasks, command, description, authors, url, limits, resources$/,
    ],
    [
      { resources: 1 },
      /^method\.json: resources: is 1 \(not an object\); allowed: an object with gpus and optional gpuMemoryMiB \(PROTOCOL 1\.1\)/,
    ],
    [{ resources: {} }, /^method\.json: resources\.gpus: missing; allowed: 0 or 1 \(the number of NVIDIA GPUs the method needs\)$/],
    [{ resources: { gpus: 2 } }, /^method\.json: resources\.gpus: is 2; allowed: 0 or 1/],
    [{ resources: { gpus: true } }, /^method\.json: resources\.gpus: is true; allowed: 0 or 1/],
    [
      { resources: { gpus: 1, gpuMemoryMiB: 0.5 } },
      /^method\.json: resources\.gpuMemoryMiB: is 0\.5 \(not a whole number in range\); allowed: a whole number of MiB > 0 and at most 1048576, only with "gpus": 1$/,
    ],
    [{ resources: { gpus: 1, gpuMemoryMiB: "8G" } }, /^method\.json: resources\.gpuMemoryMiB: is "8G" \(not a number\)/],
    [
      { resources: { gpus: 0, gpuMemoryMiB: 1024 } },
      /^method\.json: resources\.gpuMemoryMiB: gpuMemoryMiB is given but gpus is 0; allowed:/,
    ],
    [{ resources: { gpus: 1, tpus: 1 } }, /^method\.json: resources\.tpus: unknown key; allowed: the keys gpus, gpuMemoryMiB$/],
  ])("rejects %j with the field and what is allowed", (change, expected) => {
    expect(problemFor(change)).toMatch(expected);
  });

  it("rejects limits above the harness's (they may only lower them)", () => {
    expect(problemFor({ limits: { timeoutSeconds: 601 } })).toMatch(
      /^method\.json: limits\.timeoutSeconds: is 601, above the harness limit of 600 s; allowed: a number > 0 and at most 600 \(seconds; limits may only lower the harness limit\)$/,
    );
    expect(problemFor({ limits: { memoryMb: 8192 } })).toMatch(
      /^method\.json: limits\.memoryMb: is 8192, above the harness limit of 4096 MiB; allowed: a number > 0 and at most 4096/,
    );
    // A deployment with other limits checks against its own.
    const r = validateManifest({ ...valid, limits: { timeoutSeconds: 300 } }, { ...DEFAULT_LIMITS, timeoutSeconds: 120 });
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/limits\.timeoutSeconds: is 300, above the harness limit of 120 s/)]);
  });

  it("reports every problem at once, missing fields included", () => {
    const problems = problemsOf({ protocol: 1, id: "Bad", extra: true });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^method\.json: id: is "Bad" \(not kebab-case\)/),
        'method.json: version: missing; allowed: a semantic version (semver.org), e.g. "1.0.0"',
        expect.stringMatching(/^method\.json: name: missing; allowed:/),
        expect.stringMatching(/^method\.json: tasks: missing; allowed:/),
        expect.stringMatching(/^method\.json: command: missing; allowed:/),
        expect.stringMatching(/^method\.json: description: missing; allowed:/),
        expect.stringMatching(/^method\.json: authors: missing; allowed:/),
        expect.stringMatching(/^method\.json: extra: unknown key; allowed:/),
      ]),
    );
    expect(problems).toHaveLength(8);
    expect(problemsOf([1, 2])).toEqual([
      expect.stringMatching(/^method\.json: \(file\): is \[1,2\] \(not a JSON object\); allowed: a JSON object/),
    ]);
  });

  it("accepts PROTOCOL 1.1's resources; a v1 manifest (no resources) asks for no GPU", () => {
    const gpu = validateManifest({ ...valid, resources: { gpus: 1, gpuMemoryMiB: 8192 } });
    if (!gpu.ok) throw new Error(gpu.problems.join("\n"));
    expect(gpu.manifest.resources).toEqual({ gpus: 1, gpuMemoryMiB: 8192 });
    expect(gpusRequested(gpu.manifest)).toBe(1);
    const cpu = validateManifest({ ...valid, resources: { gpus: 0 } });
    expect(cpu.ok && gpusRequested(cpu.manifest)).toBe(0);
    const v1 = validateManifest(valid);
    if (!v1.ok) throw new Error(v1.problems.join("\n"));
    expect(v1.manifest.resources).toBeUndefined();
    expect(gpusRequested(v1.manifest)).toBe(0);
  });

  it("lowers the harness limits by the manifest's", () => {
    const r = validateManifest({ ...valid, limits: { timeoutSeconds: 30 } });
    if (!r.ok) throw new Error(r.problems.join("\n"));
    expect(effectiveLimits(r.manifest)).toEqual({ timeoutSeconds: 30, memoryMb: 4096, outputMb: 256 });
  });
});

describe("loadManifest", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "cajal-manifest-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("throws a ManifestError for a missing file", async () => {
    const err = await loadManifest(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).message).toMatch(
      /^method\.json: \(file\): not found in .*; allowed: a method folder with a method\.json at its root/,
    );
  });

  it("names the line and column of invalid JSON", async () => {
    await writeFile(path.join(dir, "method.json"), '{\n  "protocol": 1,\n  "id": "x",\n}\n');
    const err = (await loadManifest(dir).catch((e: unknown) => e)) as ManifestError;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.message).toMatch(/^method\.json: \(file\): invalid JSON at line 4, column 1: .*; allowed: a JSON object/);
  });

  it("lists every problem of an invalid manifest, one per line", async () => {
    await writeFile(path.join(dir, "method.json"), JSON.stringify({ ...valid, id: "X", version: "one" }));
    const err = (await loadManifest(dir).catch((e: unknown) => e)) as ManifestError;
    expect(err.problems).toHaveLength(2);
    expect(err.message.split("\n")).toEqual(err.problems);
  });

  it.each(["python-pca", "python-random", "template"])("accepts examples/%s", async (name) => {
    const manifest = await loadManifest(path.join(REPO_ROOT, "examples", name));
    expect(manifest.protocol).toBe(1);
    expect(manifest.tasks).toContain("feature-recovery");
  });
});
