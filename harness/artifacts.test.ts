import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ArtifactRecipe,
  artifactPath,
  buildArtifactBytes,
  buildArtifacts,
  decodeSafetensors,
  encodeSafetensors,
  loadArtifact,
  sha256Hex,
} from "./artifacts.ts";
import { f32, f64, i32 } from "./ndarray.ts";
import { listDatasets } from "./registry.ts";

const tensors = {
  "layer0/kernel": f32([2, 3], [1, -2.5, 3, 4e-8, 5, Number.MAX_VALUE > 0 ? 6 : 0]),
  bias: f64([3], [0.1, -0.2, 1e300]),
  counts: i32([2, 2], [1, -2, 3, 2147483647]),
};

/** A toy recipe whose bytes depend only on `value`: stands in for a tfjs training script. */
function toyRecipe(sha256: string, value = 1.5): ArtifactRecipe {
  return {
    id: "toy-artifact",
    version: 1,
    title: "toy",
    sha256,
    estimatedSeconds: 0,
    build: async () => ({ tensors: { w: f32([2], [value, -value]) }, metadata: { performance: { accuracy: 0.5 } } }),
  };
}

let dir: string;
const previous = process.env.CAJAL_ARTIFACT_DIR;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cajal-artifacts-"));
  process.env.CAJAL_ARTIFACT_DIR = dir;
});
afterAll(() => {
  if (previous === undefined) delete process.env.CAJAL_ARTIFACT_DIR;
  else process.env.CAJAL_ARTIFACT_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

describe("safetensors", () => {
  it("round-trips float32, float64 and int32 tensors with metadata", () => {
    const bytes = encodeSafetensors(tensors, { performance: { testAccuracy: 0.97 }, seeds: [0, 1] });
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name]?.dtype).toBe(t.dtype);
      expect(back[name]?.shape).toEqual(t.shape);
      expect(Array.from(back[name]?.data ?? [])).toEqual(Array.from(t.data));
    }
    expect(metadata).toEqual({ performance: { testAccuracy: 0.97 }, seeds: [0, 1] });
    // The data section starts 8-byte aligned, as the reference implementation writes it.
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it("is what the safetensors format specifies: Python reads it with only json and numpy", () => {
    const file = path.join(dir, "x.safetensors");
    writeFileSync(file, encodeSafetensors(tensors, {}));
    const script = `
import json, struct, sys, numpy as np
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8+n])
out = {}
for k, v in h.items():
    if k == '__metadata__': continue
    s, e = v['data_offsets']
    dt = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4'}[v['dtype']]
    out[k] = np.frombuffer(b[8+n+s:8+n+e], dtype=dt).reshape(v['shape']).tolist()
print(json.dumps(out))`;
    const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const read = JSON.parse(execFileSync(python, ["-c", script, file], { encoding: "utf8" })) as Record<string, unknown>;
    expect(read.counts).toEqual([
      [1, -2],
      [3, 2147483647],
    ]);
    expect(read.bias).toEqual([0.1, -0.2, 1e300]);
    expect((read["layer0/kernel"] as number[][])[0]?.[1]).toBe(-2.5);
  });

  it("rejects truncated and malformed files with a message naming the file", () => {
    const bytes = encodeSafetensors(tensors, {});
    expect(() => decodeSafetensors(bytes.subarray(0, 4), "w.safetensors")).toThrow(/w\.safetensors: not a safetensors file/);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), "w.safetensors")).toThrow(/outside the file/);
    const garbage = new Uint8Array(16);
    new DataView(garbage.buffer).setBigUint64(0, 8n, true);
    expect(() => decodeSafetensors(garbage, "w.safetensors")).toThrow(/not valid JSON/);
  });
});

describe("building and loading artifacts", () => {
  it("says how to build a network that is not built yet", () => {
    expect(() => loadArtifact(toyRecipe("0".repeat(64)))).toThrow(/not built yet.*npx cajal datasets build/);
  });

  it("refuses a build whose hash differs from the pin and writes nothing", async () => {
    await expect(buildArtifacts([toyRecipe("0".repeat(64))], { progress: false, log: () => undefined })).rejects.toThrow(
      /gave sha256 [0-9a-f]{64}, but the recipe pins 0{64}.*bump its version/,
    );
    expect(readdirSync(dir).filter((f) => f.startsWith("toy-artifact"))).toEqual([]);
  });

  it("builds a missing network once, verifies it on load, and refuses a tampered file", async () => {
    const { sha256 } = await buildArtifactBytes(toyRecipe(""));
    const recipe = toyRecipe(sha256);
    const [first] = await buildArtifacts([recipe], { progress: false });
    expect(first?.status).toBe("built");
    expect(sha256Hex(readFileSync(artifactPath(recipe)))).toBe(sha256);
    expect(Array.from(loadArtifact(recipe).tensors.w?.data ?? [])).toEqual([1.5, -1.5]);
    expect(loadArtifact(recipe).metadata).toEqual({ performance: { accuracy: 0.5 } });
    const [second] = await buildArtifacts([recipe], { progress: false });
    expect(second?.status).toBe("present");
    expect(readdirSync(dir).some((f) => f.endsWith(".part"))).toBe(false);

    const bytes = readFileSync(artifactPath(recipe));
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 1, bytes.length - 1);
    writeFileSync(artifactPath(recipe), bytes);
    expect(() => loadArtifact(recipe)).toThrow(/has sha256 [0-9a-f]{64}, but "toy-artifact" v1 pins .*datasets build --force/);
    const [rebuilt] = await buildArtifacts([recipe], { progress: false });
    expect(rebuilt?.status).toBe("built");
    expect(Array.from(loadArtifact(recipe).tensors.w?.data ?? [])).toEqual([1.5, -1.5]);
  });
});

describe.each(listDatasets().filter((d) => d.artifacts?.length))("artificial dataset $task/$slug", (dataset) => {
  it("pins every network it reads in its config, so the dataset version covers the weights", () => {
    const config = JSON.stringify(dataset.config);
    for (const recipe of dataset.artifacts ?? []) {
      expect(recipe.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(config).toContain(recipe.sha256);
    }
  });
});
