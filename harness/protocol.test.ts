import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { featureRecovery } from "../tasks/feature-recovery/task.ts";
import { f32, f64, hashArrays, i32 } from "./ndarray.ts";
import { readNpy, writeNpy } from "./npy.ts";
import { buildTaskJson, exportInstances, type Manifest, opaqueInstanceId, readMethodOutputs, type TaskJson } from "./protocol.ts";
import { generateInstance, getDataset, getTask, UsageError } from "./registry.ts";
import type { Instance, NdArray, TaskDefinition } from "./types.ts";
import { validateOutputs } from "./validate.ts";

const HAS_NUMPY = spawnSync("python3", ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
if (!HAS_NUMPY) console.warn("protocol.test.ts: python3 with numpy is not available; SKIPPING the numpy cross-checks");
const withNumpy = it.skipIf(!HAS_NUMPY);

const tmp = mkdtempSync(join(tmpdir(), "cajal-protocol-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dataset = getDataset("feature-recovery", "sparse-linear");
const inst0 = generateInstance(dataset, "dev", 0);
const inst1 = generateInstance(dataset, "dev", 1);

/** A task with a JSON output, to exercise result.json handling (no such task is registered yet). */
const jsonTask: TaskDefinition = {
  ...featureRecovery,
  id: "json-fixture",
  outputs: { dimension: { kind: "json", keys: ["dimension", "lower"], description: "fixture" } },
  outputShapes: () => ({}),
};

let outCounter = 0;
/** A fresh output directory holding the given files. */
function outputDir(files: Record<string, Uint8Array | string>): string {
  const dir = join(tmp, "out", String(outCounter++));
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function expectInvalid(dir: string, ...parts: string[]): Promise<string> {
  const r = await readMethodOutputs(dir, featureRecovery, inst0);
  expect(r.ok).toBe(false);
  const message = r.ok ? "" : r.message;
  expect(message).toContain('output "dictionary"');
  for (const p of parts) expect(message).toContain(p);
  return message;
}

describe("buildTaskJson", () => {
  it("has exactly the PROTOCOL.md fields", () => {
    const k = inst0.params.nFeatures as number;
    expect(buildTaskJson(featureRecovery, inst0)).toEqual({
      protocol: 1,
      task: "feature-recovery",
      taskVersion: 1,
      // Opaque: nothing of the dataset, split or index (issue 10), but fixed for the instance.
      instance: opaqueInstanceId(inst0),
      params: { nFeatures: k },
      inputs: { activations: { file: "activations.npy", dtype: "float32", shape: [4096, 32] } },
      outputs: { dictionary: { file: "dictionary.npy", shape: [k, 32] } },
    });
    expect(buildTaskJson(featureRecovery, inst0).instance).toMatch(/^[0-9a-f]{16}$/);
  });

  it("describes JSON outputs by result.json and keys", () => {
    const t = buildTaskJson(jsonTask, inst0);
    expect(t.outputs).toEqual({ dimension: { file: "result.json", keys: ["dimension", "lower"] } });
  });
});

describe("exportInstances", () => {
  const root = join(tmp, "export");
  let summary: Awaited<ReturnType<typeof exportInstances>>;

  beforeAll(async () => {
    summary = await exportInstances({
      taskId: "feature-recovery",
      datasetSlug: "sparse-linear",
      split: "dev",
      outDir: root,
      withTruth: true,
      indices: [1, 0],
    });
  });

  it("writes task.json, inputs, truth and a manifest with input hashes", () => {
    expect(summary.count).toBe(2);
    expect(summary.dir).toBe(root);
    const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as Manifest;
    expect(manifest.protocol).toBe(1);
    expect(manifest.instances.map((e) => e.key)).toEqual(["sparse-linear/dev/0", "sparse-linear/dev/1"]);
    for (const [entry, inst] of [
      [manifest.instances[0], inst0],
      [manifest.instances[1], inst1],
    ] as const) {
      expect(entry?.inputHash).toBe(hashArrays(inst.inputs));
      expect(entry?.withTruth).toBe(true);
      const dir = join(root, entry?.dir as string);
      expect(entry?.dir).toBe(`sparse-linear/dev/${inst.index}`);
      const taskJson = JSON.parse(readFileSync(join(dir, "task.json"), "utf8")) as TaskJson;
      expect(taskJson).toEqual(buildTaskJson(featureRecovery, inst));
      const activations = readNpy(readFileSync(join(dir, "activations.npy")));
      expect(hashArrays({ activations })).toBe(entry?.inputHash);
      const features = readNpy(readFileSync(join(dir, "truth", "features.npy")));
      expect(Array.from(features.data)).toEqual(Array.from((inst.truth.features as NdArray).data));
      const meta = JSON.parse(readFileSync(join(dir, "truth", "meta.json"), "utf8"));
      expect(meta).toEqual({ instance: inst.key, index: inst.index, seed: inst.seed, meta: inst.meta });
    }
  });

  withNumpy("numpy loads every file with the shapes task.json declares (python3 + numpy)", () => {
    const r = spawnSync(
      "python3",
      [
        "-c",
        `
import json, os, sys, numpy as np
root = sys.argv[1]
problems = []
for e in json.load(open(os.path.join(root, "manifest.json")))["instances"]:
    d = os.path.join(root, e["dir"])
    t = json.load(open(os.path.join(d, "task.json")))
    for name, spec in t["inputs"].items():
        a = np.load(os.path.join(d, spec["file"]))
        if list(a.shape) != spec["shape"] or a.dtype != np.dtype(spec["dtype"]) or not a.flags.c_contiguous:
            problems.append(f"{e['key']} {name}: {a.shape} {a.dtype}")
    f = np.load(os.path.join(d, "truth", "features.npy"))
    if list(f.shape) != t["outputs"]["dictionary"]["shape"] or not np.allclose(np.linalg.norm(f, axis=1), 1, atol=1e-5):
        problems.append(f"{e['key']} truth: {f.shape}")
print(json.dumps(problems))
`,
        root,
      ],
      { encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  withNumpy("a Python oracle method's outputs are accepted and score MMCS 1 (python3 + numpy)", async () => {
    // Runs like an external method: environment per PROTOCOL.md, reads task.json, writes every array output.
    const oracle = `
import json, os, numpy as np
inp, out = os.environ["CAJAL_INPUT"], os.environ["CAJAL_OUTPUT"]
task = json.load(open(os.path.join(inp, "task.json")))
assert task["protocol"] == 1 and task["task"] == os.environ["CAJAL_TASK"]
spec = task["outputs"]["dictionary"]
features = np.load(os.path.join(inp, "truth", "features.npy"))
assert list(features.shape) == spec["shape"], (features.shape, spec)
np.save(os.path.join(out, spec["file"]), features.astype(np.float64))
`;
    for (const inst of [inst0, inst1]) {
      const out = outputDir({});
      const r = spawnSync("python3", ["-c", oracle], {
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          CAJAL_PROTOCOL: "1",
          CAJAL_TASK: "feature-recovery",
          CAJAL_INPUT: join(root, `sparse-linear/dev/${inst.index}`),
          CAJAL_OUTPUT: out,
          CAJAL_SEED: "1",
          CAJAL_THREADS: "1",
        } as unknown as NodeJS.ProcessEnv, // Next's types make NODE_ENV required; a method gets none
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const result = await readMethodOutputs(out, featureRecovery, inst);
      if (!result.ok) throw new Error(result.message);
      expect((result.outputs.dictionary as NdArray).dtype).toBe("float64");
      const score = featureRecovery.score(inst, result.outputs);
      expect(score.main).toBeCloseTo(1, 6);
      expect(score.metrics["recovered@0.9"]).toBe(1);
    }
  });

  it("the exported truth, written back as output, is accepted and scores MMCS 1", async () => {
    const truth = readFileSync(join(root, "sparse-linear/dev/0/truth/features.npy"));
    const result = await readMethodOutputs(outputDir({ "dictionary.npy": truth }), featureRecovery, inst0);
    if (!result.ok) throw new Error(result.message);
    expect(featureRecovery.score(inst0, result.outputs).main).toBeCloseTo(1, 6);
  });

  it("re-exporting without truth removes stale truth and merges the manifest", async () => {
    await exportInstances({
      taskId: "feature-recovery",
      datasetSlug: "sparse-linear",
      split: "dev",
      outDir: root,
      withTruth: false,
      indices: [0],
    });
    expect(existsSync(join(root, "sparse-linear/dev/0/truth"))).toBe(false);
    expect(existsSync(join(root, "sparse-linear/dev/0/task.json"))).toBe(true);
    expect(existsSync(join(root, "sparse-linear/dev/1/truth/features.npy"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as Manifest;
    expect(manifest.instances.map((e) => [e.key, e.withTruth])).toEqual([
      ["sparse-linear/dev/0", false],
      ["sparse-linear/dev/1", true],
    ]);
  });

  it("exports the official split without truth", async () => {
    const dir = join(tmp, "export-official");
    const s = await exportInstances({
      taskId: "feature-recovery",
      datasetSlug: "sparse-linear",
      split: "official",
      outDir: dir,
      withTruth: false,
      indices: [2],
    });
    expect(s.count).toBe(1);
    expect(existsSync(join(dir, "sparse-linear/official/2/activations.npy"))).toBe(true);
    expect(existsSync(join(dir, "sparse-linear/official/2/truth"))).toBe(false);
  });

  it("refuses the private split, truth outside dev, unknown splits and out-of-range indices", async () => {
    const base = { taskId: "feature-recovery", datasetSlug: "sparse-linear", outDir: join(tmp, "refused"), withTruth: false };
    await expect(exportInstances({ ...base, split: "private" as "dev" })).rejects.toThrow(UsageError);
    await expect(exportInstances({ ...base, split: "private" as "dev" })).rejects.toThrow(/private split is never exported/);
    await expect(exportInstances({ ...base, split: "official", withTruth: true })).rejects.toThrow(/only for the dev split/);
    await expect(exportInstances({ ...base, split: "test" as "dev" })).rejects.toThrow(UsageError);
    await expect(exportInstances({ ...base, split: "dev", indices: [99] })).rejects.toThrow(/out of range/);
    await expect(exportInstances({ ...base, datasetSlug: "nope", split: "dev" })).rejects.toThrow(UsageError);
    expect(existsSync(join(tmp, "refused", "manifest.json"))).toBe(false);
  });
});

describe("readMethodOutputs", () => {
  const k = inst0.params.nFeatures as number;
  const good = () => {
    const a = f32([k, 32]);
    for (let i = 0; i < a.data.length; i++) a.data[i] = Math.sin(i);
    return a;
  };
  /** writeNpy bytes with the header's descr replaced (same length, so the file stays well-formed). */
  const withDescr = (a: NdArray, from: string, to: string) => {
    const b = writeNpy(a);
    const text = new TextDecoder("latin1").decode(b.subarray(0, 128));
    const at = text.indexOf(from);
    b.set(new TextEncoder().encode(to), at);
    return b;
  };

  it("accepts float32 and float64", async () => {
    for (const a of [good(), f64([k, 32], good().data)]) {
      const r = await readMethodOutputs(outputDir({ "dictionary.npy": writeNpy(a) }), featureRecovery, inst0);
      expect(r.ok).toBe(true);
      if (r.ok) expect((r.outputs.dictionary as NdArray).shape).toEqual([k, 32]);
    }
  });

  it("rejects a missing file", async () => {
    await expectInvalid(outputDir({}), "missing file dictionary.npy", `expected a float32 or float64 array of shape [${k}, 32]`);
  });

  it("rejects a directory in place of the file", async () => {
    const dir = outputDir({});
    mkdirSync(join(dir, "dictionary.npy"));
    await expectInvalid(dir, "not a regular file");
  });

  it("rejects a wrong shape", async () => {
    await expectInvalid(outputDir({ "dictionary.npy": writeNpy(f32([3, 32])) }), "has shape [3, 32]", `expected [${k}, 32]`);
    await expectInvalid(outputDir({ "dictionary.npy": writeNpy(f32([k * 32])) }), `has shape [${k * 32}]`);
  });

  it("rejects NaN and Inf, naming the first bad index", async () => {
    const a = good();
    a.data[2 * 32 + 5] = Number.NaN;
    a.data[7 * 32] = Number.POSITIVE_INFINITY;
    await expectInvalid(outputDir({ "dictionary.npy": writeNpy(a) }), "NaN at index [2, 5]");
    const b = good();
    b.data[1] = Number.NEGATIVE_INFINITY;
    await expectInvalid(outputDir({ "dictionary.npy": writeNpy(b) }), "-Inf at index [0, 1]");
  });

  it("rejects a truncated file", async () => {
    const bytes = writeNpy(good());
    await expectInvalid(outputDir({ "dictionary.npy": bytes.subarray(0, bytes.length - 10) }), "unreadable", "truncated", "dictionary.npy");
  });

  it("rejects big-endian arrays with the fix", async () => {
    await expectInvalid(outputDir({ "dictionary.npy": withDescr(good(), "<f4", ">f4") }), "big-endian", "arr.astype('<f4')");
  });

  it("rejects integer arrays for float outputs", async () => {
    await expectInvalid(outputDir({ "dictionary.npy": writeNpy(i32([k, 32])) }), "dtype '<i4'", "float32 or float64");
  });

  it("rejects outputs over the size limit before reading them", async () => {
    const r = await readMethodOutputs(outputDir({ "dictionary.npy": writeNpy(good()) }), featureRecovery, inst0, { maxBytes: 1000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/more than the limit of 1000 bytes/);
  });

  it("treats -1 in the declared shape as any length", async () => {
    const anyRows: TaskDefinition = { ...featureRecovery, outputShapes: () => ({ dictionary: [-1, 32] }) };
    const ok = await readMethodOutputs(outputDir({ "dictionary.npy": writeNpy(f32([5, 32])) }), anyRows, inst0);
    expect(ok.ok).toBe(true);
    const bad = await readMethodOutputs(outputDir({ "dictionary.npy": writeNpy(f32([5, 31])) }), anyRows, inst0);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain("expected [any, 32]");
  });
});

describe("readMethodOutputs with result.json", () => {
  const read = (content?: string) =>
    readMethodOutputs(outputDir(content === undefined ? {} : { "result.json": content }), jsonTask, inst0 as Instance);
  const invalid = async (content: string | undefined, ...parts: string[]) => {
    const r = await read(content);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('output "dimension"');
      for (const p of parts) expect(r.message).toContain(p);
    }
  };

  it("accepts finite numbers for every key", async () => {
    const r = await read(JSON.stringify({ dimension: 3.25, lower: 2, extra: "ignored" }));
    expect(r).toEqual({ ok: true, outputs: { dimension: { dimension: 3.25, lower: 2 } } });
  });

  it("rejects a missing result.json", () =>
    invalid(undefined, "missing file result.json", '"dimension": a finite number, "lower": a finite number'));
  it("rejects NaN / Infinity as Python's json.dump writes them", () => invalid('{"dimension": NaN, "lower": Infinity}', "NaN or Infinity"));
  it("rejects overflow to Infinity", () => invalid('{"dimension": 1e400, "lower": 1}', 'key "dimension"', "finite number"));
  it("rejects a missing key", () => invalid('{"dimension": 1}', 'missing key "lower"'));
  it("rejects non-numbers", () => invalid('{"dimension": "3", "lower": null}', 'key "dimension"', 'key "lower"'));
  it("reads array-valued keys of the declared length (topology's betti) and rejects others", async () => {
    const betti = getTask("topology");
    const inst = generateInstance(getDataset("topology", "neural-manifolds"), "dev", 0);
    expect(buildTaskJson(betti, inst).outputs.result).toEqual({ file: "result.json", keys: ["betti"], lengths: { betti: 3 } });
    const ok = await readMethodOutputs(outputDir({ "result.json": '{"betti": [1, 1, 0]}' }), betti, inst);
    expect(ok).toEqual({ ok: true, outputs: { result: { betti: [1, 1, 0] } } });
    for (const bad of ['{"betti": [1, 1]}', '{"betti": 1}', '{"betti": [1, "1", 0]}']) {
      const r = await readMethodOutputs(outputDir({ "result.json": bad }), betti, inst);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/key "betti" is .*; expected an array of 3 finite numbers/);
      expect(validateOutputs(betti, inst, { result: JSON.parse(bad) })).toMatchObject({
        ok: false,
        message: expect.stringMatching(/expected an array of 3 finite numbers/),
      });
    }
  });
  it("rejects non-objects and invalid JSON", async () => {
    await invalid("[1, 2]", "not an object");
    await invalid("{dimension: 1}", "not valid JSON");
  });
});
