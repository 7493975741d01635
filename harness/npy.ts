// NumPy .npy reader and writer: the array format of the external-method protocol (PROTOCOL.md).
// The reader is strict and every rejection is an NpyError that names the file, what is wrong and how to fix
// it, because its messages are shown verbatim to method authors as `invalid-output` reasons.
import { readFile, writeFile } from "node:fs/promises";
import { sizeOf } from "./ndarray.ts";
import type { DType, NdArray, TypedArray } from "./types.ts";

export class NpyError extends Error {
  override name = "NpyError";
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** numpy aligns the data to 64 bytes (ARRAY_ALIGN) and leaves room for 21 digits of the first axis. */
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
/** Deeper header literals than this are never written by numpy; the cap keeps the parser's recursion bounded. */
const MAX_NESTING = 16;
/** Two's-complement limits used to decide how integer files are returned. */
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const MAX_EXACT = 2n ** 53n;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const WRITE_DESCR: Record<DType, string> = { float32: "<f4", float64: "<f8", int32: "<i4" };

/** Storage types the reader accepts, keyed by kind + item size. */
type Storage = "f4" | "f8" | "i1" | "i2" | "i4" | "i8" | "u1" | "u2" | "u4" | "u8";
const ITEM_SIZE: Record<Storage, number> = { f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8 };

export interface ParsedNpy {
  array: NdArray;
  /** The header's dtype descriptor, e.g. "<f4": lets callers tell a float file from an integer one. */
  descr: string;
  version: 1 | 2 | 3;
}

// ---------------------------------------------------------------------------------------------- writing

/** The shape as Python's repr of a tuple writes it: (), (3,), (3, 2). */
function pyShape(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/** Serialize exactly as numpy.save does (byte-identical header, padding and version choice). */
export function writeNpy(array: NdArray): Uint8Array {
  const { dtype, shape, data } = array;
  const descr = WRITE_DESCR[dtype];
  if (!descr) throw new NpyError(`cannot write dtype "${String(dtype)}"; use float32, float64 or int32`);
  const kindOk =
    (dtype === "float32" && data instanceof Float32Array) ||
    (dtype === "float64" && data instanceof Float64Array) ||
    (dtype === "int32" && data instanceof Int32Array);
  if (!kindOk) throw new NpyError(`cannot write: dtype is ${dtype} but data is a ${data?.constructor?.name}`);
  for (const s of shape) {
    if (!Number.isSafeInteger(s) || s < 0) throw new NpyError(`cannot write: invalid shape [${shape.join(", ")}]`);
  }
  if (sizeOf(shape) !== data.length) {
    throw new NpyError(`cannot write: shape [${shape.join(", ")}] holds ${sizeOf(shape)} values but data has ${data.length}`);
  }

  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyShape(shape)}, }`;
  if (shape.length > 0) header += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = header.length + 1; // + "\n"
  // Version 1.0 stores the header length in 2 bytes; numpy falls back to 2.0 (4 bytes) only when it does not fit.
  let version = 1;
  let lenBytes = 2;
  let padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    version = 2;
    lenBytes = 4;
    padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
  }
  const headerTotal = hlen + padlen;
  const dataStart = MAGIC.length + 2 + lenBytes + headerTotal;
  const out = new Uint8Array(dataStart + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(8, headerTotal, true);
  else view.setUint32(8, headerTotal, true);
  const hstart = MAGIC.length + 2 + lenBytes;
  for (let i = 0; i < header.length; i++) out[hstart + i] = header.charCodeAt(i); // ASCII only
  out.fill(0x20, hstart + header.length, dataStart - 1);
  out[dataStart - 1] = 0x0a;
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart);
  if (!HOST_LITTLE_ENDIAN) swapBytes(out.subarray(dataStart), data.BYTES_PER_ELEMENT);
  return out;
}

// ---------------------------------------------------------------------------------------------- header literal

type PyValue =
  | { t: "str"; v: string }
  | { t: "bool"; v: boolean }
  | { t: "none" }
  | { t: "int"; v: bigint }
  | { t: "float"; v: string }
  | { t: "tuple"; v: PyValue[] }
  | { t: "list"; v: PyValue[] }
  | { t: "dict"; v: Map<string, PyValue> };

/**
 * Parser for the subset of Python literals that .npy headers use (numpy reads them with ast.literal_eval).
 * Throws a plain string describing the syntax error; the caller wraps it into an NpyError.
 */
class HeaderParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): PyValue {
    const value = this.value(0);
    this.ws();
    if (this.pos < this.src.length) throw `unexpected ${this.show()} after the header dictionary`;
    return value;
  }

  private ws(): void {
    while (this.pos < this.src.length && " \t\n\r\f\v".includes(this.src[this.pos] as string)) this.pos++;
  }

  private show(): string {
    if (this.pos >= this.src.length) return "end of header";
    return `${JSON.stringify(this.src.slice(this.pos, this.pos + 12))} at character ${this.pos}`;
  }

  private value(depth: number): PyValue {
    if (depth > MAX_NESTING) throw "header nesting is too deep";
    this.ws();
    const c = this.src[this.pos];
    if (c === "{") return this.dict(depth);
    if (c === "(") return this.seq(depth, ")");
    if (c === "[") return this.seq(depth, "]");
    if (c === "'" || c === '"') return this.str();
    if ((c === "u" || c === "U") && (this.src[this.pos + 1] === "'" || this.src[this.pos + 1] === '"')) {
      this.pos++;
      return this.str();
    }
    const word = /^(True|False|None)(?![A-Za-z0-9_])/.exec(this.src.slice(this.pos, this.pos + 6));
    if (word) {
      this.pos += (word[1] as string).length;
      if (word[1] === "None") return { t: "none" };
      return { t: "bool", v: word[1] === "True" };
    }
    return this.num();
  }

  private str(): PyValue {
    const quote = this.src[this.pos];
    const end = this.src.indexOf(quote as string, this.pos + 1);
    if (end < 0) throw `unterminated string starting at character ${this.pos}`;
    const body = this.src.slice(this.pos + 1, end);
    if (body.includes("\\") || body.includes("\n")) throw `unsupported string ${JSON.stringify(body)} in header`;
    this.pos = end + 1;
    return { t: "str", v: body };
  }

  private num(): PyValue {
    const m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[lL]?/.exec(this.src.slice(this.pos, this.pos + 400));
    if (!m) throw `unexpected ${this.show()}`;
    this.pos += m[0].length;
    if (/[.eE]/.test(m[0])) {
      if (/[lL]$/.test(m[0])) throw `unexpected ${JSON.stringify(m[0])}`;
      return { t: "float", v: m[0] };
    }
    // The L suffix is how Python 2 wrote long integers; numpy still reads such 1.0/2.0 files.
    return { t: "int", v: BigInt(m[0].replace(/[lL]$/, "").replace(/^\+/, "")) };
  }

  /** Tuple or list; "(x)" without a comma is just x, as in Python. */
  private seq(depth: number, close: ")" | "]"): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.ws();
      if (this.src[this.pos] === close) {
        this.pos++;
        break;
      }
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.src[this.pos];
      if (c === ",") {
        sawComma = true;
        this.pos++;
      } else if (c === close) {
        this.pos++;
        break;
      } else throw `expected "," or "${close}" but found ${this.show()}`;
    }
    if (close === "]") return { t: "list", v: items };
    if (items.length === 1 && !sawComma) return items[0] as PyValue;
    return { t: "tuple", v: items };
  }

  private dict(depth: number): PyValue {
    this.pos++;
    const map = new Map<string, PyValue>();
    for (;;) {
      this.ws();
      if (this.src[this.pos] === "}") {
        this.pos++;
        break;
      }
      const key = this.value(depth + 1);
      if (key.t !== "str") throw "header dictionary keys must be strings";
      this.ws();
      if (this.src[this.pos] !== ":") throw `expected ":" after key '${key.v}' but found ${this.show()}`;
      this.pos++;
      if (map.has(key.v)) throw `duplicate key '${key.v}'`;
      map.set(key.v, this.value(depth + 1));
      this.ws();
      const c = this.src[this.pos];
      if (c === ",") this.pos++;
      else if (c === "}") {
        this.pos++;
        break;
      } else throw `expected "," or "}" but found ${this.show()}`;
    }
    return { t: "dict", v: map };
  }
}

// ---------------------------------------------------------------------------------------------- reading

/** Map a descr string to a supported storage type, or throw an NpyError with a fix. */
function storageOf(descr: string, fail: Fail): Storage {
  const m = /^([<>|=])([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) {
    fail(`dtype '${descr}' is not supported (only plain numeric dtypes are)`, "write float32 or float64, e.g. arr.astype('<f4')");
  }
  const [, order, kind, sizeText] = m as unknown as [string, string, string, string];
  const storage = `${kind}${sizeText}`;
  const oneByte = storage === "i1" || storage === "u1";
  if (kind === "O") fail("dtype is object (pickled Python objects)", "write a numeric array, e.g. np.asarray(arr, dtype='<f4')");
  if (kind === "U" || kind === "S" || kind === "a")
    fail(`dtype '${descr}' is a string dtype`, "write a numeric array, e.g. arr.astype('<f4')");
  if (kind === "V") fail(`dtype '${descr}' is a void/structured dtype`, "write one plain numeric array per output");
  if (kind === "b") fail(`dtype '${descr}' is boolean`, "write a numeric array, e.g. arr.astype('<i4') or arr.astype('<f4')");
  if (!(storage in ITEM_SIZE)) {
    fail(`dtype '${descr}' is not supported`, "write float32 or float64 (or a little-endian integer type), e.g. arr.astype('<f4')");
  }
  if (!oneByte && order === ">") fail(`dtype '${descr}' is big-endian`, "write little-endian, e.g. arr.astype('<f4')");
  if (!oneByte && order !== "<")
    fail(`dtype '${descr}' does not state little-endian byte order`, "write little-endian, e.g. arr.astype('<f4')");
  return storage as Storage;
}

type Fail = (what: string, fix: string) => never;

function swapBytes(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  for (let i = 0; i + itemSize <= bytes.length; i += itemSize) bytes.subarray(i, i + itemSize).reverse();
}

/** Parse a .npy file into an NdArray (see the module comment and PROTOCOL.md for what is accepted). */
export function parseNpy(bytes: Uint8Array, name = "array.npy"): ParsedNpy {
  // Explicitly typed so that TypeScript treats fail(...) as ending control flow.
  const fail: Fail = (what, fix) => {
    throw new NpyError(`${name}: ${what}; ${fix}`);
  };
  const saveHint = "write it with numpy.save(path, arr)";

  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail("not a .npy file (it does not start with the magic string \\x93NUMPY)", saveHint);
  }
  if (bytes.length < 8) fail(`file is truncated (${bytes.length} bytes, shorter than the .npy preamble)`, saveHint);
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (![1, 2, 3].includes(major) || minor !== 0) {
    fail(`unsupported .npy format version ${major}.${minor}`, "write format 1.0 or 2.0 (numpy.save does by default)");
  }
  const lenBytes = major === 1 ? 2 : 4;
  const hstart = 8 + lenBytes;
  if (bytes.length < hstart) fail(`file is truncated (${bytes.length} bytes, shorter than the .npy preamble)`, saveHint);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = hstart + hlen;
  if (dataStart > bytes.length) {
    fail(`file is truncated inside the header (header needs ${dataStart} bytes, file has ${bytes.length})`, saveHint);
  }

  const headerBytes = bytes.subarray(hstart, dataStart);
  let header: string;
  if (major === 3) {
    try {
      header = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
    } catch {
      fail("malformed header (format 3.0 header is not valid UTF-8)", saveHint);
    }
  } else {
    header = Buffer.from(headerBytes.buffer, headerBytes.byteOffset, headerBytes.byteLength).toString("latin1");
  }

  let dict: PyValue;
  try {
    dict = new HeaderParser(header).parse();
  } catch (e) {
    if (typeof e !== "string") throw e;
    return fail(`malformed header (${e})`, saveHint);
  }
  if (dict.t !== "dict") return fail("malformed header (not a dictionary)", saveHint);
  const keys = [...dict.v.keys()].sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    fail(
      `malformed header (keys are ${keys.map((k) => `'${k}'`).join(", ") || "none"}; expected 'descr', 'fortran_order', 'shape')`,
      saveHint,
    );
  }
  const descrValue = dict.v.get("descr") as PyValue;
  const fortranValue = dict.v.get("fortran_order") as PyValue;
  const shapeValue = dict.v.get("shape") as PyValue;

  if (descrValue.t === "list") fail("dtype is structured (a record array)", "write one plain numeric array per output");
  if (descrValue.t !== "str") return fail("malformed header ('descr' is not a string)", saveHint);
  const descr = descrValue.v;
  const storage = storageOf(descr, fail);
  const itemSize = ITEM_SIZE[storage];

  if (shapeValue.t !== "tuple") return fail("malformed header ('shape' is not a tuple)", saveHint);
  const shape: number[] = [];
  for (const entry of shapeValue.v) {
    if (entry.t !== "int") {
      const shown = entry.t === "float" ? entry.v : entry.t === "bool" ? String(entry.v) : entry.t;
      fail(`shape entry ${shown} is not an integer`, saveHint);
    }
    const n = (entry as { t: "int"; v: bigint }).v;
    if (n < 0n) fail(`shape entry ${n} is negative`, saveHint);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail(`shape entry ${n} is too large`, saveHint);
    shape.push(Number(n));
  }

  if (fortranValue.t !== "bool") return fail("malformed header ('fortran_order' is not True or False)", saveHint);
  // Fortran order only changes the layout when two or more axes have length > 1.
  if (fortranValue.v && shape.filter((s) => s > 1).length > 1) {
    fail("array is in Fortran order (fortran_order: True)", "write C order, e.g. np.ascontiguousarray(arr)");
  }

  const count = sizeOf(shape);
  const expected = count * itemSize;
  if (!Number.isSafeInteger(expected)) fail(`shape (${shape.join(", ")}) is too large`, saveHint);
  const actual = bytes.length - dataStart;
  if (actual < expected) {
    fail(
      `data is truncated: shape (${shape.join(", ")}) of '${descr}' needs ${expected} bytes after the header, the file has ${actual}`,
      saveHint,
    );
  }
  if (actual > expected) {
    fail(`${actual - expected} bytes of trailing data after the array (expected ${expected} data bytes, found ${actual})`, saveHint);
  }

  // Always copy: the result must not alias the caller's buffer, and the copy is aligned for typed-array views.
  const raw = new Uint8Array(expected);
  raw.set(bytes.subarray(dataStart, dataStart + expected));
  if (!HOST_LITTLE_ENDIAN) swapBytes(raw, itemSize);
  const buf = raw.buffer;

  return { array: toNdArray(storage, buf, count, shape, descr, fail), descr, version: major as 1 | 2 | 3 };
}

function toNdArray(storage: Storage, buf: ArrayBuffer, count: number, shape: number[], descr: string, fail: Fail): NdArray {
  switch (storage) {
    case "f4":
      return { dtype: "float32", shape, data: new Float32Array(buf) };
    case "f8":
      return { dtype: "float64", shape, data: new Float64Array(buf) };
    case "i4":
      return { dtype: "int32", shape, data: new Int32Array(buf) };
    case "i1":
    case "u1":
    case "i2":
    case "u2": {
      const Src = { i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array }[storage];
      const out = new Int32Array(count);
      out.set(new Src(buf));
      return { dtype: "int32", shape, data: out };
    }
    case "u4": {
      const src = new Uint32Array(buf);
      const fits = src.every((v) => v <= INT32_MAX);
      const data: TypedArray = fits ? new Int32Array(count) : new Float64Array(count);
      data.set(src);
      return { dtype: fits ? "int32" : "float64", shape, data };
    }
    case "i8":
    case "u8": {
      const src = storage === "i8" ? new BigInt64Array(buf) : new BigUint64Array(buf);
      let fitsInt32 = true;
      for (let i = 0; i < src.length; i++) {
        const v = src[i] as bigint;
        if (v > MAX_EXACT || v < -MAX_EXACT) {
          fail(`integer value ${v} at index ${i} is beyond 2^53 and cannot be represented exactly`, "write smaller integers or float64");
        }
        if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) fitsInt32 = false;
      }
      const data: TypedArray = fitsInt32 ? new Int32Array(count) : new Float64Array(count);
      for (let i = 0; i < src.length; i++) data[i] = Number(src[i] as bigint);
      return { dtype: fitsInt32 ? "int32" : "float64", shape, data };
    }
    default:
      return fail(`dtype '${descr}' is not supported`, "write float32 or float64");
  }
}

/**
 * Read a .npy file's bytes. Integer files come back as int32 when every value fits, else float64 when every
 * value is exact there (|v| <= 2^53), else an NpyError. `name` (the file name) prefixes every error message.
 */
export function readNpy(bytes: Uint8Array, name?: string): NdArray {
  return parseNpy(bytes, name).array;
}

export async function readNpyFile(path: string): Promise<NdArray> {
  return readNpy(await readFile(path), path);
}

export async function writeNpyFile(path: string, array: NdArray): Promise<void> {
  await writeFile(path, writeNpy(array));
}
