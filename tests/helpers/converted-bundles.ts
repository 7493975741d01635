// Test helper: the `converted/` copies in the shared datasets folder (JSON header + little-endian binary,
// written with numpy/scipy/nibabel, see each PROVENANCE.md). They exist only to cross-check our loaders of
// the original files; nothing else reads them.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type RecordingCard, recordingPresent, resolveDataDir } from "../../harness/data.ts";
import { REPO_ROOT } from "../../harness/paths.ts";

const headerSchema = z.object({
  binFile: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  meta: z.record(z.string(), z.unknown()),
  arrays: z.array(
    z.object({
      name: z.string(),
      dtype: z.enum(["uint8", "int16", "int32", "uint32", "float32", "float64"]),
      shape: z.array(z.number().int().nonnegative()),
      byteOffset: z.number().int().nonnegative(),
      byteLength: z.number().int().nonnegative(),
    }),
  ),
});

export type BundleArray = Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface Bundle {
  meta: Record<string, unknown>;
  arrays: Map<string, { shape: number[]; data: BundleArray }>;
}

const CTORS = {
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

/** The converted/ folder of a recording: in the data dir if it has one, else in ../shared/datasets. */
export function convertedDir(id: string): string | undefined {
  const candidates = [
    path.join(resolveDataDir().dir, id, "converted"),
    path.resolve(REPO_ROOT, "..", "shared", "datasets", id, "converted"),
  ];
  return candidates.find((d) => existsSync(d));
}

/** Read `converted/<name>.json/.bin`; undefined when there is no converted copy. */
export function readBundle(id: string, name: string): Bundle | undefined {
  const dir = convertedDir(id);
  if (!dir || !existsSync(path.join(dir, `${name}.json`))) return undefined;
  const header = headerSchema.parse(JSON.parse(readFileSync(path.join(dir, `${name}.json`), "utf8")));
  const bin = readFileSync(path.join(dir, header.binFile));
  const arrays = new Map<string, { shape: number[]; data: BundleArray }>();
  for (const a of header.arrays) {
    const Ctor = CTORS[a.dtype];
    // Copy into a fresh, aligned buffer (the file's offsets are 8-byte aligned, the Buffer's pool may not be).
    const bytes = new Uint8Array(a.byteLength);
    bytes.set(bin.subarray(a.byteOffset, a.byteOffset + a.byteLength));
    arrays.set(a.name, { shape: a.shape, data: new Ctor(bytes.buffer) });
  }
  return { meta: header.meta, arrays };
}

export function bundleArray(bundle: Bundle, name: string): { shape: number[]; data: BundleArray } {
  const a = bundle.arrays.get(name);
  if (!a) throw new Error(`converted bundle has no array "${name}" (has: ${[...bundle.arrays.keys()].join(", ")})`);
  return a;
}

/**
 * Why a recording's tests cannot run here, or undefined when they can: the original files must be in the
 * data dir (the tests never download).
 */
export function skipReason(card: RecordingCard): string | undefined {
  if (recordingPresent(card)) return undefined;
  return `${card.id}: original files are not in ${resolveDataDir().dir}/${card.id}/original (run \`npx cajal datasets fetch ${card.id}\` or set CAJAL_DATA_DIR); skipping its data tests`;
}

/** Index of the first element where two arrays differ after mapping `a` through `f`, or -1. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>, f: (x: number) => number = (x) => x): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (f(a[i] as number) !== (b[i] as number)) return i;
  }
  return -1;
}
