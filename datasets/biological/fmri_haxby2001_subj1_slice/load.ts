// Loader of the Haxby 2001 fMRI slice: reads the original NIfTI volumes (nifti-reader-js) and attribute
// files (verified against the card's sha256s). Reading only; `npx cajal datasets fetch` downloads.
import * as nifti from "nifti-reader-js";
import { z } from "zod";
import { type DataOptions, readDataFile, resolveDataDir } from "../../../harness/data.ts";
import { parseTextTable } from "../../../harness/text-table.ts";
import { fmriHaxbyCard as card, HAXBY_LABELS } from "./card.ts";

export const HAXBY_NX = 40;
export const HAXBY_NY = 20;
export const HAXBY_VOLUMES = 1452;
export const HAXBY_RUNS = 12;

export interface HaxbySlice {
  nVolumes: number;
  nx: number;
  ny: number;
  /** Raw volumes, row-major [nVolumes, ny, nx]: bold[t, j, i] = NIfTI voxel (i, j, 0) at volume t. */
  bold: Int16Array;
  /** Brain mask, row-major [ny, nx] (1 = in mask). */
  mask: Uint8Array;
  nVoxels: number;
  /** Flat (j * nx + i) index of each mask voxel, in row-major (j, i) order. */
  voxelIndex: Int32Array;
  /** BOLD at the mask voxels, row-major [nVolumes, nVoxels], scaled by scl_slope/scl_inter when set. */
  masked: Float32Array;
  /** Category code of each volume (names in `labelNames`). */
  labels: Uint8Array;
  labelNames: readonly string[];
  /** Run (chunk) index 0–11 of each volume. */
  runs: Uint8Array;
  trSeconds: number;
  voxelSizeMm: [number, number, number];
  /** NIfTI voxel-to-world affine (4 × 4), as nifti-reader-js derives it from the header. */
  affine: number[][];
}

const headerSchema = z.object({
  dims: z.array(z.number().int()).length(8),
  datatypeCode: z.literal(4, { message: "datatype must be int16 (NIfTI code 4)" }),
  numBitsPerVoxel: z.literal(16),
  littleEndian: z.boolean(),
  scl_slope: z.number(),
  scl_inter: z.number(),
  pixDims: z.array(z.number()).min(5),
  affine: z.array(z.array(z.number()).length(4)).length(4),
});

function readNifti(file: string, dataDir: string, expectedDims: number[]) {
  const what = `${card.id}/${file}`;
  const bytes = readDataFile(card, file, { dataDir });
  let buffer: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (nifti.isCompressed(buffer)) buffer = nifti.decompress(buffer) as ArrayBuffer;
  if (!nifti.isNIFTI1(buffer)) throw new Error(`${what}: not a NIfTI-1 file`);
  const raw = nifti.readHeader(buffer);
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${what}: unexpected NIfTI header: ${z.prettifyError(parsed.error)}`);
  const header = parsed.data;
  const dims = header.dims.slice(1, 1 + (header.dims[0] as number));
  if (dims.join(",") !== expectedDims.join(","))
    throw new Error(`${what}: dims [${dims.join(", ")}], expected [${expectedDims.join(", ")}]`);
  const image = nifti.readImage(raw, buffer);
  const count = expectedDims.reduce((a, b) => a * b, 1);
  if (image.byteLength !== count * 2) throw new Error(`${what}: image has ${image.byteLength} bytes, expected ${count * 2}`);
  const view = new DataView(image);
  const values = new Int16Array(count);
  for (let k = 0; k < count; k++) values[k] = view.getInt16(2 * k, header.littleEndian);
  return { header, values };
}

const cache = new Map<string, HaxbySlice>();

/** Load the slice (cached per data dir; do not mutate the arrays). */
export function loadHaxby2001Slice(options: DataOptions = {}): HaxbySlice {
  const dataDir = options.dataDir ?? resolveDataDir().dir;
  const hit = cache.get(dataDir);
  if (hit) return hit;
  const nxy = HAXBY_NX * HAXBY_NY;
  const bold = readNifti("bold.nii.gz", dataDir, [HAXBY_NX, HAXBY_NY, 1, HAXBY_VOLUMES]);
  const maskNii = readNifti("mask.nii.gz", dataDir, [HAXBY_NX, HAXBY_NY, 1]);
  // NIfTI stores x fastest, then y, then volumes: already the [t, j, i] row-major order we return.
  const mask = new Uint8Array(nxy);
  const voxels: number[] = [];
  for (let k = 0; k < nxy; k++) {
    const m = maskNii.values[k] as number;
    if (m !== 0 && m !== 1) throw new Error(`${card.id}/mask.nii.gz: voxel ${k} is ${m}, expected 0 or 1`);
    mask[k] = m;
    if (m === 1) voxels.push(k);
  }
  const voxelIndex = Int32Array.from(voxels);
  const { scl_slope: slope, scl_inter: inter } = bold.header;
  const scaled = slope !== 0 && !(slope === 1 && inter === 0);
  const masked = new Float32Array(HAXBY_VOLUMES * voxelIndex.length);
  for (let t = 0; t < HAXBY_VOLUMES; t++) {
    for (let v = 0; v < voxelIndex.length; v++) {
      const x = bold.values[t * nxy + (voxelIndex[v] as number)] as number;
      masked[t * voxelIndex.length + v] = scaled ? x * slope + inter : x;
    }
  }

  const attrs = parseTextTable(readDataFile(card, "attributes.txt", { dataDir }).toString("utf8"), {
    name: `${card.id}/attributes.txt`,
    columns: 2,
    integers: true,
  });
  const literal = readDataFile(card, "attributes_literal.txt", { dataDir }).toString("utf8").trim().split(/\r?\n/);
  if (attrs.rows !== HAXBY_VOLUMES || literal.length !== HAXBY_VOLUMES) {
    throw new Error(
      `${card.id}: attributes files have ${attrs.rows} and ${literal.length} lines, expected ${HAXBY_VOLUMES} (one per volume)`,
    );
  }
  const labels = new Uint8Array(HAXBY_VOLUMES);
  const runs = new Uint8Array(HAXBY_VOLUMES);
  for (let t = 0; t < HAXBY_VOLUMES; t++) {
    const label = attrs.values[2 * t] as number;
    const run = attrs.values[2 * t + 1] as number;
    if (label < 0 || label >= HAXBY_LABELS.length || run < 0 || run >= HAXBY_RUNS) {
      throw new Error(`${card.id}/attributes.txt: line ${t + 1} has label ${label}, run ${run} (expected 0–8, 0–11)`);
    }
    const expected = `${HAXBY_LABELS[label]} ${run}`;
    if ((literal[t] as string).trim().split(/\s+/).join(" ") !== expected) {
      throw new Error(
        `${card.id}: line ${t + 1} is "${attrs.values[2 * t]} ${run}" in attributes.txt but "${literal[t]}" in attributes_literal.txt`,
      );
    }
    labels[t] = label;
    runs[t] = run;
  }

  const pix = bold.header.pixDims;
  const slice: HaxbySlice = {
    nVolumes: HAXBY_VOLUMES,
    nx: HAXBY_NX,
    ny: HAXBY_NY,
    bold: bold.values,
    mask,
    nVoxels: voxelIndex.length,
    voxelIndex,
    masked,
    labels,
    labelNames: HAXBY_LABELS,
    runs,
    trSeconds: pix[4] as number,
    voxelSizeMm: [pix[1] as number, pix[2] as number, pix[3] as number],
    affine: bold.header.affine,
  };
  cache.set(dataDir, slice);
  return slice;
}
