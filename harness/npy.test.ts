import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sizeOf } from "./ndarray.ts";
import { NpyError, parseNpy, readNpy, readNpyFile, writeNpy, writeNpyFile } from "./npy.ts";
import { Rng } from "./rng.ts";
import type { DType, NdArray, TypedArray } from "./types.ts";

// numpy is the independent peer for the cross-checks; without it those cases are skipped, loudly.
const HAS_NUMPY = spawnSync("python3", ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
if (!HAS_NUMPY) console.warn("npy.test.ts: python3 with numpy is not available; SKIPPING the numpy cross-checks");
const withNumpy = it.skipIf(!HAS_NUMPY);

function python(code: string, ...args: string[]): string {
  const r = spawnSync("python3", ["-c", code, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const tmp = mkdtempSync(join(tmpdir(), "cajal-npy-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SHAPES: number[][] = [[], [0], [1], [5], [3, 2], [2, 3, 4], [0, 3], [2, 0, 3], [1, 1, 1, 1, 7]];

function makeArray(dtype: DType, shape: number[], seed: number): NdArray {
  const rng = new Rng(seed);
  const n = sizeOf(shape);
  const data: TypedArray = dtype === "float32" ? new Float32Array(n) : dtype === "float64" ? new Float64Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = dtype === "int32" ? rng.nextUint32() | 0 : rng.normal() * 10 ** rng.int(6);
  }
  return { dtype, shape, data };
}

/** A raw .npy file with an arbitrary header, padded like numpy unless told otherwise. */
function rawNpy(header: string, data: Uint8Array = new Uint8Array(0), version = 1, pad = true): Uint8Array {
  const lenBytes = version === 1 ? 2 : 4;
  const headerBytes = new TextEncoder().encode(header);
  let padded = headerBytes;
  if (pad) {
    const total = 8 + lenBytes + headerBytes.length + 1;
    const padlen = (64 - (total % 64)) % 64;
    padded = new Uint8Array(headerBytes.length + padlen + 1).fill(0x20);
    padded.set(headerBytes);
    padded[padded.length - 1] = 0x0a;
  }
  const out = new Uint8Array(8 + lenBytes + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  out.set(padded, 8 + lenBytes);
  out.set(data, 8 + lenBytes + padded.length);
  return out;
}

/** Where the data of a well-formed .npy file starts. */
function dataOffset(b: Uint8Array): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return b[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function hdr(descr: string, shape: string, fortran = "False"): string {
  return `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
}

function expectNpyError(fn: () => unknown, ...parts: (string | RegExp)[]): NpyError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an NpyError").toBeInstanceOf(NpyError);
  const message = (caught as NpyError).message;
  for (const p of parts) {
    if (typeof p === "string") expect(message).toContain(p);
    else expect(message).toMatch(p);
  }
  return caught as NpyError;
}

function expectValid(a: NdArray): void {
  expect(sizeOf(a.shape)).toBe(a.data.length);
  for (const s of a.shape) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
  const expectedCtor = { float32: Float32Array, float64: Float64Array, int32: Int32Array }[a.dtype];
  expect(a.data).toBeInstanceOf(expectedCtor);
}

describe("writeNpy / readNpy round trip", () => {
  for (const dtype of ["float32", "float64", "int32"] as const) {
    for (const shape of SHAPES) {
      it(`${dtype} shape [${shape.join(", ")}]`, () => {
        const a = makeArray(dtype, shape, shape.length * 7 + dtype.length);
        const bytes = writeNpy(a);
        // numpy's layout: data starts at a multiple of 64, header ends with "\n".
        const start = dataOffset(bytes);
        expect(start % 64).toBe(0);
        expect(bytes[start - 1]).toBe(0x0a);
        const back = readNpy(bytes, "x.npy");
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.data)).toEqual(Array.from(a.data));
      });
    }
  }

  it("writes the exact numpy header text", () => {
    const text = (a: NdArray) => {
      const b = writeNpy(a);
      return new TextDecoder().decode(b.subarray(10, dataOffset(b)));
    };
    expect(text({ dtype: "float32", shape: [3, 2], data: new Float32Array(6) })).toMatch(
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 2\), \} +\n$/,
    );
    expect(text({ dtype: "int32", shape: [3], data: new Int32Array(3) })).toContain("'shape': (3,), }");
    expect(text({ dtype: "float64", shape: [], data: new Float64Array(1) })).toContain(
      "'descr': '<f8', 'fortran_order': False, 'shape': (), }",
    );
  });

  it("switches to format 2.0 when the header exceeds 65535 bytes", () => {
    const shape = new Array(30000).fill(1);
    shape[7] = 3;
    const a: NdArray = { dtype: "float64", shape, data: new Float64Array([1.5, -2, 3]) };
    const bytes = writeNpy(a);
    expect(bytes[6]).toBe(2);
    const hlen = new DataView(bytes.buffer).getUint32(8, true);
    expect(hlen).toBeGreaterThan(65535);
    expect((12 + hlen) % 64).toBe(0);
    const back = parseNpy(bytes);
    expect(back.version).toBe(2);
    expect(back.array.shape).toEqual(shape);
    expect(Array.from(back.array.data)).toEqual([1.5, -2, 3]);
  });

  it("reads data at an unaligned offset and never aliases the input buffer", () => {
    const a = makeArray("float64", [4, 3], 1);
    const bytes = writeNpy(a);
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const view = big.subarray(3);
    const back = readNpy(view);
    expect(Array.from(back.data)).toEqual(Array.from(a.data));
    view.fill(0);
    expect(Array.from(back.data)).toEqual(Array.from(a.data));
  });

  it("file helpers round trip", async () => {
    const a = makeArray("float32", [2, 5], 3);
    const path = join(tmp, "helper.npy");
    await writeNpyFile(path, a);
    const back = await readNpyFile(path);
    expect(back.shape).toEqual([2, 5]);
    expect(Array.from(back.data)).toEqual(Array.from(a.data));
  });

  it("refuses to write inconsistent arrays", () => {
    expect(() => writeNpy({ dtype: "float32", shape: [2, 2], data: new Float32Array(3) })).toThrow(NpyError);
    expect(() => writeNpy({ dtype: "float32", shape: [2], data: new Float64Array(2) })).toThrow(NpyError);
    expect(() => writeNpy({ dtype: "int32", shape: [-1], data: new Int32Array(0) })).toThrow(NpyError);
  });
});

describe("readNpy integer and header variants", () => {
  const cases: [string, ArrayBufferView, number[]][] = [
    ["<i1", new Int8Array([-128, 0, 127]), [-128, 0, 127]],
    ["|i1", new Int8Array([-5, 5]), [-5, 5]],
    ["<u1", new Uint8Array([0, 255]), [0, 255]],
    ["|u1", new Uint8Array([7]), [7]],
    ["<i2", new Int16Array([-32768, 32767]), [-32768, 32767]],
    ["<u2", new Uint16Array([0, 65535]), [0, 65535]],
    ["<i4", new Int32Array([-(2 ** 31), 2 ** 31 - 1]), [-(2 ** 31), 2 ** 31 - 1]],
    ["<u4", new Uint32Array([0, 2 ** 31 - 1]), [0, 2 ** 31 - 1]],
    ["<i8", new BigInt64Array([-(2n ** 31n), 2n ** 31n - 1n]), [-(2 ** 31), 2 ** 31 - 1]],
    ["<u8", new BigUint64Array([0n, 12n]), [0, 12]],
  ];
  for (const [descr, typed, values] of cases) {
    it(`${descr} fitting int32 → int32`, () => {
      const a = readNpy(rawNpy(hdr(descr, `(${values.length},)`), bytesOf(typed)));
      expect(a.dtype).toBe("int32");
      expect(Array.from(a.data)).toEqual(values);
    });
  }

  it("integers beyond int32 but exact in float64 → float64", () => {
    const u4 = readNpy(rawNpy(hdr("<u4", "(2,)"), bytesOf(new Uint32Array([1, 3_000_000_000]))));
    expect(u4.dtype).toBe("float64");
    expect(Array.from(u4.data)).toEqual([1, 3_000_000_000]);
    const i8 = readNpy(rawNpy(hdr("<i8", "(3,)"), bytesOf(new BigInt64Array([-(2n ** 53n), 5n, 2n ** 40n]))));
    expect(i8.dtype).toBe("float64");
    expect(Array.from(i8.data)).toEqual([-(2 ** 53), 5, 2 ** 40]);
    const u8 = readNpy(rawNpy(hdr("<u8", "(1,)"), bytesOf(new BigUint64Array([2n ** 53n]))));
    expect(Array.from(u8.data)).toEqual([2 ** 53]);
  });

  it("integers beyond 2^53 are rejected", () => {
    expectNpyError(
      () => readNpy(rawNpy(hdr("<i8", "(2,)"), bytesOf(new BigInt64Array([0n, 2n ** 53n + 1n]))), "big.npy"),
      "big.npy",
      "index 1",
      "2^53",
    );
    expectNpyError(() => readNpy(rawNpy(hdr("<u8", "(1,)"), bytesOf(new BigUint64Array([2n ** 64n - 1n])))), "2^53");
  });

  it("accepts format 2.0, format 3.0 (UTF-8), Python 2 long suffixes and loose whitespace", () => {
    const data = bytesOf(new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(readNpy(rawNpy(hdr("<f4", "(3, 2)"), data, 2)).shape).toEqual([3, 2]);
    expect(readNpy(rawNpy(hdr("<f4", "(3, 2)"), data, 3)).shape).toEqual([3, 2]);
    expect(readNpy(rawNpy(hdr("<f4", "(3L, 2L)"), data)).shape).toEqual([3, 2]);
    expect(readNpy(rawNpy(`{"shape":(6,),"fortran_order":False,"descr":u"<f4"}`, data, 1, false)).shape).toEqual([6]);
    expect(readNpy(rawNpy(`  {\t'descr' : '<f4' ,\n'fortran_order':False,'shape':( 2 , 3 )}  `, data)).shape).toEqual([2, 3]);
  });

  it("accepts fortran_order True when the layout is the same as C order (at most one axis > 1)", () => {
    const data = bytesOf(new Float64Array([1, 2, 3]));
    expect(Array.from(readNpy(rawNpy(hdr("<f8", "(3,)", "True"), data)).data)).toEqual([1, 2, 3]);
    expect(readNpy(rawNpy(hdr("<f8", "(1, 3, 1)", "True"), data)).shape).toEqual([1, 3, 1]);
  });
});

describe("readNpy rejections", () => {
  const f4x6 = bytesOf(new Float32Array(6));
  const ok = rawNpy(hdr("<f4", "(3, 2)"), f4x6);

  it("bad magic", () => {
    expectNpyError(() => readNpy(new TextEncoder().encode("hello world, not numpy"), "out.npy"), "out.npy", "magic", "numpy.save");
    expectNpyError(() => readNpy(new Uint8Array(0), "empty.npy"), "empty.npy", "magic");
    expectNpyError(() => readNpy(ok.subarray(0, 7), "short.npy"), "short.npy", "truncated");
  });

  it("unsupported version", () => {
    for (const [major, minor] of [
      [4, 0],
      [1, 1],
      [0, 0],
    ] as const) {
      const b = ok.slice();
      b[6] = major;
      b[7] = minor;
      expectNpyError(() => readNpy(b, "v.npy"), "v.npy", `version ${major}.${minor}`, "1.0 or 2.0");
    }
  });

  it("malformed headers", () => {
    const bad = [
      ["not a dict", "[1, 2]"],
      ["missing key", "{'descr': '<f4', 'shape': (6,), }"],
      ["extra key", "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1, }"],
      ["duplicate key", "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,), }"],
      ["syntax", "{'descr': '<f4' 'fortran_order': False, 'shape': (6,), }"],
      ["unterminated", "{'descr: '<f4', }"],
      ["shape list", hdr("<f4", "[6]")],
      ["shape int", hdr("<f4", "6")],
      ["shape (6) is an int", hdr("<f4", "(6)")],
      ["fortran not bool", hdr("<f4", "(6,)", "0")],
      ["descr not str", "{'descr': 4, 'fortran_order': False, 'shape': (6,), }"],
      ["deep nesting", `{'descr': '<f4', 'fortran_order': False, 'shape': ${"(".repeat(100)}}`],
      ["garbage after", `${hdr("<f4", "(6,)")} x`],
    ];
    for (const [label, header] of bad) {
      const e = expectNpyError(() => readNpy(rawNpy(header as string, f4x6), "h.npy"), "h.npy", "numpy.save");
      expect(e.message, label).toMatch(/malformed header/);
    }
  });

  it("header length beyond the file", () => {
    const b = ok.slice(0, 40);
    expectNpyError(() => readNpy(b, "cut.npy"), "cut.npy", "truncated inside the header");
  });

  it("big-endian", () => {
    expectNpyError(
      () => readNpy(rawNpy(hdr(">f4", "(3, 2)"), f4x6), "be.npy"),
      "be.npy",
      "big-endian",
      "write little-endian, e.g. arr.astype('<f4')",
    );
    expectNpyError(() => readNpy(rawNpy(hdr(">i8", "(3,)"), new Uint8Array(24))), "big-endian");
    expectNpyError(() => readNpy(rawNpy(hdr("=f4", "(3, 2)"), f4x6)), "little-endian");
  });

  it("fortran order", () => {
    expectNpyError(
      () => readNpy(rawNpy(hdr("<f4", "(3, 2)", "True"), f4x6), "f.npy"),
      "f.npy",
      "Fortran order",
      "write C order, e.g. np.ascontiguousarray(arr)",
    );
  });

  it("object, structured, string, bool and other dtypes", () => {
    const cases: [string, string][] = [
      ["'|O'", "object"],
      ["[('a', '<f4'), ('b', '<f4')]", "structured"],
      ["'<U3'", "string"],
      ["'|S3'", "string"],
      ["'|V8'", "structured"],
      ["'|b1'", "boolean"],
      ["'<c8'", "not supported"],
      ["'<f2'", "not supported"],
      ["'<M8[ns]'", "not supported"],
      ["'float32'", "not supported"],
    ];
    for (const [descr, phrase] of cases) {
      const header = `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`;
      expectNpyError(() => readNpy(rawNpy(header, new Uint8Array(8)), "d.npy"), "d.npy", phrase, "write");
    }
  });

  it("negative or non-integer shape entries", () => {
    expectNpyError(() => readNpy(rawNpy(hdr("<f4", "(-3, 2)"), f4x6), "s.npy"), "s.npy", "negative");
    expectNpyError(() => readNpy(rawNpy(hdr("<f4", "(3.0, 2)"), f4x6), "s.npy"), "not an integer");
    expectNpyError(() => readNpy(rawNpy(hdr("<f4", "(True, 6)"), f4x6), "s.npy"), "not an integer");
    expectNpyError(() => readNpy(rawNpy(hdr("<f4", "(None,)"), f4x6), "s.npy"), "not an integer");
    expectNpyError(() => readNpy(rawNpy(hdr("<f4", "(99999999999999999999,)"), f4x6), "s.npy"), "too large");
    expectNpyError(() => readNpy(rawNpy(hdr("<f4", "(9007199254740991, 9007199254740991)"), f4x6)), "too large");
  });

  it("truncated data names expected and actual bytes", () => {
    expectNpyError(() => readNpy(ok.subarray(0, ok.length - 5), "t.npy"), "t.npy", "truncated", "needs 24 bytes", "has 19");
  });

  it("trailing garbage", () => {
    const b = new Uint8Array(ok.length + 3);
    b.set(ok);
    expectNpyError(() => readNpy(b, "g.npy"), "g.npy", "3 bytes of trailing data", "expected 24");
  });
});

describe("numpy cross-checks", () => {
  withNumpy("numpy writes → readNpy reads (python3 + numpy)", () => {
    const dir = join(tmp, "from-numpy");
    const out = python(
      `
import json, os, sys, numpy as np
from numpy.lib import format as fmt
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
rng = np.random.default_rng(0)
shapes = [(), (0,), (5,), (3, 2), (2, 3, 4), (0, 3), (2, 0, 3)]
descrs = ['<f4', '<f8', '<i1', '<i2', '<i4', '<i8', '<u1', '<u2', '<u4', '<u8']
cases = []
for descr in descrs:
    for shape in shapes:
        dt = np.dtype(descr)
        if dt.kind == 'f':
            a = (rng.standard_normal(shape) * 1e3).astype(dt)
        else:
            info = np.iinfo(dt); lo = max(int(info.min), -2**31); hi = min(int(info.max), 2**31 - 1)
            a = rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)
        name = f"{descr[1:]}_{'x'.join(map(str, shape)) or 'scalar'}.npy"
        np.save(os.path.join(d, name), a)
        cases.append({"file": name, "shape": list(shape), "values": [float(v) for v in a.ravel()], "kind": dt.kind})
# wider integers land in float64; format 2.0 and 3.0; a transposed (non-contiguous) array is saved in C order
extra = {
    "u4_big.npy": np.array([1, 3_000_000_000], dtype='<u4'),
    "i8_big.npy": np.array([-(2**53), 2**40, 7], dtype='<i8'),
    "f8_T.npy": np.arange(12, dtype='<f8').reshape(3, 4)[:, ::2],
}
for name, a in extra.items():
    np.save(os.path.join(d, name), a)
    cases.append({"file": name, "shape": list(a.shape), "values": [float(v) for v in a.ravel()], "kind": "wide" if a.dtype.kind in 'iu' else 'f'})
for version in [(2, 0), (3, 0)]:
    a = rng.standard_normal((4, 3)).astype('<f4')
    name = f"v{version[0]}.npy"
    with open(os.path.join(d, name), "wb") as f:
        fmt.write_array(f, a, version=version)
    cases.append({"file": name, "shape": [4, 3], "values": [float(v) for v in a.ravel()], "kind": "f"})
print(json.dumps(cases))
`,
      dir,
    );
    const cases = JSON.parse(out) as { file: string; shape: number[]; values: number[]; kind: string }[];
    expect(cases.length).toBe(75);
    for (const c of cases) {
      const a = readNpy(readFileSync(join(dir, c.file)), c.file);
      expect(a.shape, c.file).toEqual(c.shape);
      expect(Array.from(a.data), c.file).toEqual(c.values);
      if (c.kind === "i" || c.kind === "u") expect(a.dtype, c.file).toBe("int32");
      if (c.file.startsWith("f4") || c.file.startsWith("v")) expect(a.dtype, c.file).toBe("float32");
      if (c.kind === "wide" && c.file !== "f8_T.npy") expect(a.dtype, c.file).toBe("float64");
    }
  });

  withNumpy("numpy rejects nothing we write, and np.save writes the identical bytes (python3 + numpy)", () => {
    const dir = join(tmp, "to-numpy");
    mkdirSync(dir, { recursive: true });
    const manifest: { file: string; dtype: DType; shape: number[]; values: number[] }[] = [];
    let seed = 100;
    for (const dtype of ["float32", "float64", "int32"] as const) {
      for (const shape of SHAPES) {
        const a = makeArray(dtype, shape, seed++);
        const file = `${dtype}_${shape.join("x") || "scalar"}.npy`;
        writeFileSync(join(dir, file), writeNpy(a));
        manifest.push({ file, dtype, shape, values: Array.from(a.data) });
      }
    }
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    const out = python(
      `
import io, json, os, sys, numpy as np
d = sys.argv[1]
problems = []
for c in json.load(open(os.path.join(d, "manifest.json"))):
    path = os.path.join(d, c["file"])
    a = np.load(path, allow_pickle=False)
    want = np.array(c["values"], dtype={"float32": "<f4", "float64": "<f8", "int32": "<i4"}[c["dtype"]]).reshape(c["shape"])
    if a.dtype != want.dtype or a.shape != want.shape or not np.array_equal(a, want):
        problems.append(f"{c['file']}: values differ")
    buf = io.BytesIO(); np.save(buf, want)
    if buf.getvalue() != open(path, "rb").read():
        problems.append(f"{c['file']}: bytes differ from np.save")
print(json.dumps({"n": len(json.load(open(os.path.join(d, "manifest.json")))), "problems": problems}))
`,
      dir,
    );
    const report = JSON.parse(out) as { n: number; problems: string[] };
    expect(report.problems).toEqual([]);
    expect(report.n).toBe(manifest.length);
  });

  withNumpy("numpy-written Fortran-order and big-endian files are rejected with the fix (python3 + numpy)", () => {
    const dir = join(tmp, "numpy-bad");
    python(
      `
import os, sys, numpy as np
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(np.ones((3, 4), dtype='<f4')))
np.save(os.path.join(d, "big.npy"), np.ones((3, 4), dtype='>f8'))
np.save(os.path.join(d, "bool.npy"), np.ones(3, dtype=bool))
np.save(os.path.join(d, "obj.npy"), np.array([{"a": 1}], dtype=object), allow_pickle=True)
`,
      dir,
    );
    expectNpyError(() => readNpy(readFileSync(join(dir, "fortran.npy")), "fortran.npy"), "fortran.npy", "np.ascontiguousarray(arr)");
    expectNpyError(() => readNpy(readFileSync(join(dir, "big.npy")), "big.npy"), "big.npy", "arr.astype('<f4')");
    expectNpyError(() => readNpy(readFileSync(join(dir, "bool.npy")), "bool.npy"), "boolean");
    expectNpyError(() => readNpy(readFileSync(join(dir, "obj.npy")), "obj.npy"), "object");
  });
});

describe("fuzz", () => {
  it("mutated and truncated files either parse to a consistent array or throw NpyError", { timeout: 30_000 }, () => {
    const rng = new Rng(20240611);
    const seeds: Uint8Array[] = [
      writeNpy(makeArray("float32", [3, 2], 1)),
      writeNpy(makeArray("float64", [], 2)),
      writeNpy(makeArray("int32", [2, 0, 3], 3)),
      writeNpy(makeArray("int32", [4], 4)),
      rawNpy(hdr("<i8", "(2,)"), bytesOf(new BigInt64Array([1n, -2n]))),
      rawNpy(hdr("<u4", "(2,)"), bytesOf(new Uint32Array([1, 4_000_000_000]))),
      rawNpy(hdr("<u2", "(1, 3)"), bytesOf(new Uint16Array([1, 2, 3]))),
      rawNpy(hdr("|i1", "(4,)"), bytesOf(new Int8Array([1, -2, 3, -4]))),
      rawNpy(hdr("<f8", "(2,)"), bytesOf(new Float64Array([1, 2])), 2),
      rawNpy(hdr("<f4", "(1,)"), bytesOf(new Float32Array([1])), 3),
    ];
    const tokens = [
      "True",
      "False",
      "None",
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      ",",
      ":",
      "'",
      '"',
      "L",
      "-1",
      "0",
      "1e9",
      "99999999999999999999",
      "'>f4'",
      "'<i8'",
      "'|b1'",
      "'<u8'",
      "'|O'",
      "\\",
      "\u00ff",
      "\n",
      " ",
      "(((((",
      "3.5",
      "u'",
    ];
    let parsed = 0;
    let rejected = 0;
    for (let iter = 0; iter < 4000; iter++) {
      const base = seeds[rng.int(seeds.length)] as Uint8Array;
      let b: Uint8Array = base.slice();
      const hend = dataOffset(b);
      const ops = 1 + rng.int(3);
      for (let o = 0; o < ops; o++) {
        const kind = rng.int(8);
        if (kind === 0 && b.length > 0) {
          // flip bytes, mostly in the header
          for (let k = 0; k <= rng.int(4); k++) b[rng.int(Math.min(b.length, rng.uniform() < 0.8 ? hend : b.length))] = rng.int(256);
        } else if (kind === 1) {
          b = b.slice(0, rng.int(b.length + 1));
        } else if (kind === 2) {
          const extra = new Uint8Array(1 + rng.int(16)).map(() => rng.int(256));
          const nb = new Uint8Array(b.length + extra.length);
          nb.set(b);
          nb.set(extra, b.length);
          b = nb;
        } else if (kind === 3 && b.length > 12) {
          // splice a header token in place of a few header characters, keeping the length field honest
          const tok = new TextEncoder().encode(tokens[rng.int(tokens.length)] as string);
          const at = 10 + rng.int(Math.max(1, Math.min(b.length, hend) - 10));
          const del = rng.int(4);
          const nb = new Uint8Array(b.length - Math.min(del, b.length - at) + tok.length);
          nb.set(b.subarray(0, at));
          nb.set(tok, at);
          nb.set(b.subarray(Math.min(b.length, at + del)), at + tok.length);
          b = nb;
        } else if (kind === 4 && b.length > 7) {
          b[6] = rng.uniform() < 0.5 ? 1 + rng.int(3) : rng.int(256);
        } else if (kind === 5 && b.length > 9) {
          b[8] = rng.int(256);
          b[9] = rng.uniform() < 0.7 ? (b[9] as number) : rng.int(256);
        } else if (kind === 6) {
          // rewrite the shape to something random
          const shape = Array.from(
            { length: rng.int(4) },
            () => (rng.uniform() < 0.2 ? -1 : rng.int(5)) * (rng.uniform() < 0.1 ? 1e12 : 1),
          );
          b = rawNpy(
            hdr(["<f4", "<f8", "<i4", "<i8", "|u1"][rng.int(5)] as string, `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`),
            b.subarray(hend),
          );
        } else if (kind === 7 && b.length > hend) {
          // data bytes only: the file stays well-formed (NaN patterns and huge integers included)
          b[hend + rng.int(b.length - hend)] = rng.int(256);
        }
      }
      try {
        const a = readNpy(b, "fuzz.npy");
        expectValid(a);
        parsed++;
      } catch (e) {
        if (!(e instanceof NpyError)) throw new Error(`iteration ${iter}: ${String(e)} is not an NpyError`);
        expect(e.message.startsWith("fuzz.npy: ")).toBe(true);
        rejected++;
      }
    }
    // Both outcomes must actually be exercised.
    expect(parsed).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(1000);
  });
});
