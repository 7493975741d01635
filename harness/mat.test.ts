// MAT v5 reader on files built here byte by byte (so it is tested without the recordings): normal and small
// data elements, zlib-compressed variables, doubles stored as uint8, big-endian files, skipped and
// unsupported variables, and clear errors for what it refuses.
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MatFileError, matVariable, readMat, rowMajor } from "./mat.ts";

const MI = { INT8: 1, UINT8: 2, INT32: 5, UINT32: 6, DOUBLE: 9, MATRIX: 14, COMPRESSED: 15 };

class Writer {
  constructor(readonly le = true) {}

  u32(v: number): Uint8Array {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, this.le);
    return b;
  }

  element(type: number, data: Uint8Array): Uint8Array {
    if (data.length <= 4 && type !== MI.MATRIX) {
      const b = new Uint8Array(8);
      const v = new DataView(b.buffer);
      if (this.le) {
        v.setUint16(0, type, true);
        v.setUint16(2, data.length, true);
      } else {
        v.setUint16(0, data.length, false);
        v.setUint16(2, type, false);
      }
      b.set(data, 4);
      return b;
    }
    const pad = (8 - (data.length % 8)) % 8;
    return concat(this.u32(type), this.u32(data.length), data, new Uint8Array(pad));
  }

  numbers(type: number, values: number[]): Uint8Array {
    const size = type === MI.DOUBLE ? 8 : type === MI.INT32 || type === MI.UINT32 ? 4 : 1;
    const b = new Uint8Array(values.length * size);
    const v = new DataView(b.buffer);
    values.forEach((x, i) => {
      if (type === MI.DOUBLE) v.setFloat64(i * 8, x, this.le);
      else if (type === MI.INT32) v.setInt32(i * 4, x, this.le);
      else if (type === MI.UINT32) v.setUint32(i * 4, x, this.le);
      else v.setUint8(i, x);
    });
    return b;
  }

  matrix(name: string, classCode: number, dims: number[], storage: number, values: number[]): Uint8Array {
    return this.element(
      MI.MATRIX,
      concat(
        this.element(MI.UINT32, this.numbers(MI.UINT32, [classCode, 0])),
        this.element(MI.INT32, this.numbers(MI.INT32, dims)),
        this.element(MI.INT8, new TextEncoder().encode(name)),
        this.element(storage, this.numbers(storage, values)),
      ),
    );
  }

  compressed(matrix: Uint8Array): Uint8Array {
    const z = deflateSync(matrix);
    return concat(this.u32(MI.COMPRESSED), this.u32(z.length), z);
  }

  file(...elements: Uint8Array[]): Uint8Array {
    const header = new Uint8Array(128).fill(0x20);
    header.set(new TextEncoder().encode("MATLAB 5.0 MAT-file, Platform: test"), 0);
    header.fill(0, 116, 124);
    new DataView(header.buffer).setUint16(124, 0x0100, this.le);
    header.set(new TextEncoder().encode(this.le ? "IM" : "MI"), 126);
    return concat(header, ...elements);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const DOUBLE = 6;
const UINT8 = 9;
const CELL = 1;

describe("readMat", () => {
  it("reads uncompressed and compressed numeric variables in their storage type, column-major", () => {
    const w = new Writer();
    // 3 × 2 double matrix [[1, 4], [2, 5], [3, 6]] stored as uint8 (as MATLAB does for small integers).
    const counts = w.matrix("Qrun", DOUBLE, [3, 2], MI.UINT8, [1, 2, 3, 4, 5, 6]);
    const angles = w.matrix("angleWithALongName", DOUBLE, [1, 3], MI.DOUBLE, [0.5, -1.25, Math.PI]);
    const bytes = w.file(counts, w.compressed(angles), w.compressed(w.matrix("t", UINT8, [2, 1], MI.UINT8, [7, 9])));
    const mat = readMat(bytes);
    expect(mat.header).toBe("MATLAB 5.0 MAT-file, Platform: test");
    expect([...mat.variables.keys()]).toEqual(["Qrun", "angleWithALongName", "t"]);
    const q = matVariable(mat, "Qrun", [3, 2]);
    expect(q.className).toBe("double");
    expect(q.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(rowMajor(q.data, q.dims) as ArrayLike<number>)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(matVariable(mat, "angleWithALongName").data as ArrayLike<number>)).toEqual([0.5, -1.25, Math.PI]);
    expect(matVariable(mat, "t").className).toBe("uint8");
  });

  it("reads big-endian files", () => {
    const w = new Writer(false);
    const mat = readMat(
      w.file(w.matrix("x", DOUBLE, [2, 2], MI.DOUBLE, [1.5, 2.5, -3, 1e-300]), w.compressed(w.matrix("n", DOUBLE, [1, 1], MI.INT32, [-7]))),
    );
    expect(mat.littleEndian).toBe(false);
    expect(Array.from(matVariable(mat, "x").data as ArrayLike<number>)).toEqual([1.5, 2.5, -3, 1e-300]);
    expect(Array.from(matVariable(mat, "n").data as ArrayLike<number>)).toEqual([-7]);
  });

  it("decodes only the variables asked for, and names the missing ones", () => {
    const w = new Writer();
    const bytes = w.file(
      w.compressed(w.matrix("a", DOUBLE, [1, 2], MI.DOUBLE, [1, 2])),
      w.compressed(w.matrix("b", DOUBLE, [1, 1], MI.DOUBLE, [3])),
    );
    expect([...readMat(bytes, { only: ["b"] }).variables.keys()]).toEqual(["b"]);
    expect(() => readMat(bytes, { only: ["b", "zz"], name: "f.mat" })).toThrow(/f\.mat: no variable named "zz" \(found: b\)/);
  });

  it("lists variables of unsupported classes and refuses to read them", () => {
    const w = new Writer();
    const cell = w.element(
      MI.MATRIX,
      concat(
        w.element(MI.UINT32, w.numbers(MI.UINT32, [CELL, 0])),
        w.element(MI.INT32, w.numbers(MI.INT32, [0, 0])),
        w.element(MI.INT8, new TextEncoder().encode("c")),
      ),
    );
    const mat = readMat(w.file(cell));
    expect(mat.variables.get("c")?.unsupported).toMatch(/class cell is not decoded/);
    expect(() => matVariable(mat, "c", undefined, "x.mat")).toThrow(/x\.mat: variable "c" cannot be read: class cell/);
    expect(() => matVariable(mat, "nope")).toThrow(/no variable "nope" \(found: c\)/);
  });

  it("checks dimensions and refuses files it cannot read, with the reason", () => {
    const w = new Writer();
    const good = w.file(w.matrix("x", DOUBLE, [2, 3], MI.DOUBLE, [1, 2, 3, 4, 5, 6]));
    expect(() => matVariable(readMat(good), "x", [3, -1])).toThrow(/has dims \[2, 3\], expected \[3, -1\]/);
    expect(() => readMat(new Uint8Array(10), { name: "tiny.mat" })).toThrow(/tiny\.mat: 10 bytes is too short/);
    const v73 = Uint8Array.from(good);
    v73.set(new TextEncoder().encode("MATLAB 7.3 MAT-file"), 0);
    expect(() => readMat(v73)).toThrow(/v7\.3 MAT-file is HDF5/);
    const notMat = Uint8Array.from(good);
    notMat[126] = 0x41;
    expect(() => readMat(notMat)).toThrow(MatFileError);
    expect(() => readMat(good.subarray(0, good.length - 12))).toThrow(/needs \d+ bytes, only \d+ remain/);
    const badZ = w.file(concat(w.u32(MI.COMPRESSED), w.u32(4), new Uint8Array([1, 2, 3, 4])));
    expect(() => readMat(badZ)).toThrow(/does not inflate/);
  });
});
