// Reader for numeric matrices in MATLAB Level 5 MAT-files (MathWorks, "MAT-File Format", R2019b, ch. 1),
// zlib-compressed elements (miCOMPRESSED) included, via node:zlib. It reads what the recordings Cajal uses
// contain: real numeric and logical arrays. Cells, structs, objects, sparse, char and complex arrays are
// listed with their class but not decoded (reading one by name throws). v7.3 files are HDF5 and refused.
// Why not an npm package: see datasets/biological/hd_peyrache2015_adn/README.md ("Parser").
import { constants, inflateSync } from "node:zlib";

export class MatFileError extends Error {
  override name = "MatFileError";
}

/** Data types of a data element's tag (Table 1-1). */
const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

/** MATLAB array classes (Table 1-3). */
export const MAT_CLASSES = {
  1: "cell",
  2: "struct",
  3: "object",
  4: "char",
  5: "sparse",
  6: "double",
  7: "single",
  8: "int8",
  9: "uint8",
  10: "int16",
  11: "uint16",
  12: "int32",
  13: "uint32",
  14: "int64",
  15: "uint64",
} as const;
export type MatClass = (typeof MAT_CLASSES)[keyof typeof MAT_CLASSES];

const NUMERIC_CLASSES = new Set<MatClass>(["double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]);

/** The typed array a variable's values come back in: the type they are stored with, as scipy.io.loadmat does. */
export type MatData = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface MatVariable {
  name: string;
  /** MATLAB class (what `class(x)` says in MATLAB), e.g. "double" even when stored as uint8. */
  className: MatClass;
  logical: boolean;
  /** MATLAB dimensions, e.g. [212078, 19]. */
  dims: number[];
  /**
   * Values in MATLAB's column-major order, in the storage type (MATLAB may store a double array of small
   * integers as uint8). undefined for classes this reader does not decode (see `unsupported`).
   */
  data?: MatData;
  /** Why `data` is missing, when it is. */
  unsupported?: string;
}

export interface MatFile {
  /** The 116-byte descriptive text, trailing blanks removed. */
  header: string;
  littleEndian: boolean;
  variables: Map<string, MatVariable>;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Storage {
  size: number;
  make(n: number): MatData;
  get(view: DataView, offset: number, le: boolean): number;
}

const STORAGE: Record<number, Storage> = {
  [MI.INT8]: { size: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o) },
  [MI.UINT8]: { size: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  [MI.INT16]: { size: 2, make: (n) => new Int16Array(n), get: (v, o, le) => v.getInt16(o, le) },
  [MI.UINT16]: { size: 2, make: (n) => new Uint16Array(n), get: (v, o, le) => v.getUint16(o, le) },
  [MI.INT32]: { size: 4, make: (n) => new Int32Array(n), get: (v, o, le) => v.getInt32(o, le) },
  [MI.UINT32]: { size: 4, make: (n) => new Uint32Array(n), get: (v, o, le) => v.getUint32(o, le) },
  [MI.SINGLE]: { size: 4, make: (n) => new Float32Array(n), get: (v, o, le) => v.getFloat32(o, le) },
  [MI.DOUBLE]: { size: 8, make: (n) => new Float64Array(n), get: (v, o, le) => v.getFloat64(o, le) },
};

interface Element {
  type: number;
  /** Absolute offsets of the element's data in `bytes`. */
  start: number;
  end: number;
  /** Offset of the next element. */
  next: number;
}

class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
    readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    throw new MatFileError(`${this.what}: ${message}`);
  }

  /** One data element's tag at `offset`, in the normal or the small (4-byte) format. */
  element(offset: number, limit = this.bytes.length): Element {
    if (offset + 8 > limit) this.fail(`truncated data element tag at byte ${offset}`);
    const first = this.view.getUint32(offset, this.le);
    const small = first >>> 16;
    if (small !== 0) {
      // Small data element: 2 bytes of size, 2 bytes of type, up to 4 bytes of data, 8 bytes in all.
      if (small > 4) this.fail(`small data element at byte ${offset} claims ${small} bytes`);
      return { type: first & 0xffff, start: offset + 4, end: offset + 4 + small, next: offset + 8 };
    }
    const n = this.view.getUint32(offset + 4, this.le);
    const start = offset + 8;
    const end = start + n;
    if (end > limit) this.fail(`data element at byte ${offset} (type ${first}) needs ${n} bytes, only ${limit - start} remain`);
    // Elements are padded to 8 bytes, except compressed ones (MATLAB writes them back to back).
    const pad = first === MI.COMPRESSED ? 0 : (8 - (n % 8)) % 8;
    return { type: first, start, end, next: Math.min(limit, end + pad) };
  }

  text(el: Element): string {
    return Buffer.from(this.bytes.subarray(el.start, el.end)).toString("latin1");
  }

  int32s(el: Element): number[] {
    if (el.type !== MI.INT32) this.fail(`expected dimensions of type miINT32, found type ${el.type}`);
    const out: number[] = [];
    for (let o = el.start; o + 4 <= el.end; o += 4) out.push(this.view.getInt32(o, this.le));
    return out;
  }

  numbers(el: Element, count: number, name: string): MatData {
    const storage = STORAGE[el.type];
    if (!storage) this.fail(`variable "${name}" stores its values as data type ${el.type}, which this reader does not decode`);
    const nbytes = el.end - el.start;
    if (nbytes !== count * storage.size) {
      this.fail(
        `variable "${name}": ${count} values of ${storage.size} bytes need ${count * storage.size} bytes, the element has ${nbytes}`,
      );
    }
    const out = storage.make(count);
    if (this.le === HOST_LITTLE_ENDIAN) {
      // Copy the bytes (the source offset need not be aligned for a typed-array view).
      new Uint8Array(out.buffer).set(this.bytes.subarray(el.start, el.end));
    } else {
      for (let i = 0; i < count; i++) out[i] = storage.get(this.view, el.start + i * storage.size, this.le);
    }
    return out;
  }
}

/** Parse one miMATRIX element's contents (array flags, dimensions, name, real part). */
function parseMatrix(r: Reader, el: Element, wanted: (name: string) => boolean): MatVariable | undefined {
  const flagsEl = r.element(el.start, el.end);
  if (flagsEl.type !== MI.UINT32 || flagsEl.end - flagsEl.start < 8) r.fail("matrix without array flags");
  const flags = r.view.getUint32(flagsEl.start, r.le);
  const classCode = flags & 0xff;
  const className = MAT_CLASSES[classCode as keyof typeof MAT_CLASSES];
  if (!className) r.fail(`unknown array class ${classCode}`);
  const complex = (flags & 0x0800) !== 0;
  const logical = (flags & 0x0200) !== 0;
  const dimsEl = r.element(flagsEl.next, el.end);
  const dims = r.int32s(dimsEl);
  const nameEl = r.element(dimsEl.next, el.end);
  const name = r.text(nameEl);
  if (!wanted(name)) return undefined;
  const variable: MatVariable = { name, className, logical, dims };
  if (!NUMERIC_CLASSES.has(className)) {
    variable.unsupported = `class ${className} is not decoded (only real numeric and logical arrays are)`;
    return variable;
  }
  if (complex) {
    variable.unsupported = "complex arrays are not decoded";
    return variable;
  }
  if (className === "int64" || className === "uint64") {
    variable.unsupported = `class ${className} is not decoded`;
    return variable;
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const realEl = r.element(nameEl.next, el.end);
  variable.data = r.numbers(realEl, count, name);
  return variable;
}

/** Name of a compressed variable from the start of its zlib stream, without inflating the rest. */
function peekCompressedName(compressed: Uint8Array, le: boolean, what: string): string | undefined {
  try {
    const head = inflateSync(compressed.subarray(0, Math.min(compressed.length, 512)), { finishFlush: constants.Z_SYNC_FLUSH });
    const r = new Reader(head, le, what);
    const outer = r.element(0);
    if (outer.type !== MI.MATRIX) return undefined;
    const flagsEl = r.element(outer.start, head.length);
    const dimsEl = r.element(flagsEl.next, head.length);
    return r.text(r.element(dimsEl.next, head.length));
  } catch {
    return undefined; // the caller then inflates the whole element
  }
}

export interface ReadMatOptions {
  /** Only decode these variables (the others are skipped without inflating them). */
  only?: readonly string[];
  /** Used in error messages (e.g. the file path). */
  name?: string;
}

/** Parse a Level 5 MAT-file's bytes. */
export function readMat(bytes: Uint8Array, options: ReadMatOptions = {}): MatFile {
  const what = options.name ?? "MAT-file";
  if (bytes.length < 128) throw new MatFileError(`${what}: ${bytes.length} bytes is too short for a MAT-file header (128 bytes)`);
  const header = Buffer.from(bytes.subarray(0, 116))
    .toString("latin1")
    .replace(/[\s\0]+$/, "");
  if (header.startsWith("MATLAB 7.3")) throw new MatFileError(`${what}: a v7.3 MAT-file is HDF5; read it with an HDF5 reader`);
  const endian = Buffer.from(bytes.subarray(126, 128)).toString("latin1");
  if (endian !== "IM" && endian !== "MI") {
    throw new MatFileError(`${what}: not a Level 5 MAT-file (endian indicator is ${JSON.stringify(endian)}, expected "IM" or "MI")`);
  }
  const le = endian === "IM";
  const r = new Reader(bytes, le, what);
  const version = r.view.getUint16(124, le);
  if (version !== 0x0100) r.fail(`unsupported MAT-file version 0x${version.toString(16)} (expected 0x0100)`);
  const only = options.only ? new Set(options.only) : undefined;
  const wanted = (name: string) => !only || only.has(name);

  const variables = new Map<string, MatVariable>();
  let offset = 128;
  while (offset < bytes.length) {
    // Trailing padding after the last element.
    if (bytes.length - offset < 8) break;
    const el = r.element(offset);
    offset = el.next;
    let variable: MatVariable | undefined;
    if (el.type === MI.COMPRESSED) {
      const compressed = bytes.subarray(el.start, el.end);
      if (only) {
        const peeked = peekCompressedName(compressed, le, what);
        if (peeked !== undefined && !only.has(peeked)) continue;
      }
      let inflated: Buffer;
      try {
        inflated = inflateSync(compressed);
      } catch (e) {
        throw new MatFileError(`${what}: compressed element at byte ${el.start - 8} does not inflate (${(e as Error).message})`);
      }
      const inner = new Reader(inflated, le, what);
      const matrix = inner.element(0);
      if (matrix.type !== MI.MATRIX) continue;
      variable = parseMatrix(inner, matrix, wanted);
    } else if (el.type === MI.MATRIX) {
      variable = parseMatrix(r, el, wanted);
    }
    if (variable) variables.set(variable.name, variable);
  }
  if (only) {
    const missing = [...only].filter((n) => !variables.has(n));
    if (missing.length > 0) {
      r.fail(`no variable named ${missing.map((n) => `"${n}"`).join(", ")} (found: ${[...variables.keys()].join(", ") || "none"})`);
    }
  }
  return { header, littleEndian: le, variables };
}

/** A variable that must exist, be numeric and have the given number of dimensions (-1 = any size). */
export function matVariable(file: MatFile, name: string, dims?: readonly number[], what = "MAT-file"): MatVariable & { data: MatData } {
  const v = file.variables.get(name);
  if (!v) throw new MatFileError(`${what}: no variable "${name}" (found: ${[...file.variables.keys()].join(", ") || "none"})`);
  if (!v.data) throw new MatFileError(`${what}: variable "${name}" cannot be read: ${v.unsupported}`);
  if (dims) {
    const ok = v.dims.length === dims.length && dims.every((d, i) => d < 0 || d === v.dims[i]);
    if (!ok)
      throw new MatFileError(`${what}: variable "${name}" has dims [${v.dims.join(", ")}], expected [${dims.join(", ")}] (-1 = any)`);
  }
  return v as MatVariable & { data: MatData };
}

/**
 * A 2-D variable's values in C (row-major) order, in a new array of the same type: element (i, j) of an
 * r × c matrix is at i * c + j.
 */
export function rowMajor<T extends MatData>(data: T, dims: readonly number[]): T {
  if (dims.length !== 2) throw new MatFileError(`rowMajor needs a 2-D array, got dims [${dims.join(", ")}]`);
  const [rows, cols] = dims as [number, number];
  const out = new (data.constructor as new (n: number) => T)(rows * cols);
  for (let j = 0; j < cols; j++) {
    const base = j * rows;
    for (let i = 0; i < rows; i++) out[i * cols + j] = data[base + i] as number;
  }
  return out;
}
