// Loader of the open-field place-cell recordings: reads the original .dat and .mat files (verified against
// the card's sha256s) and returns typed arrays. Reading only; `npx cajal datasets fetch` downloads.
import { type DataOptions, readDataFile, resolveDataDir } from "../../../harness/data.ts";
import { matVariable, readMat } from "../../../harness/mat.ts";
import { parseTextTable } from "../../../harness/text-table.ts";
import { placeCellsTampuu2019Card as card, featFile, posFile, TAMPUU_RATS, type TampuuRat } from "./card.ts";

export const WINDOW_SECONDS = 1.4;
export const WINDOW_STEP_SECONDS = 0.2;
/** Windows k and k + j share spikes for j < 7 (1.4 s / 0.2 s): keep this many windows between train and test. */
export const WINDOW_OVERLAP = 6;
export const FINE_BIN_SECONDS = 0.02;

export interface RatWindows {
  rat: TampuuRat;
  nWindows: number;
  nCells: number;
  /** Spike counts per 1400 ms window, row-major [nWindows, nCells]; window k covers [0.2k, 0.2k + 1.4) s. */
  counts: Uint8Array;
  /** Position (x, y) in cm at the window's centre, row-major [nWindows, 2]. */
  position: Float64Array;
}

export interface FineBins {
  rat: "R2192";
  T: number;
  nCells: number;
  /** Spike counts per 20 ms bin, row-major [T, nCells]. Window k = bins [10k, 10k + 70); its position belongs to bin 10k + 35. */
  counts: Uint8Array;
}

const ratCache = new Map<string, RatWindows>();
const fineCache = new Map<string, FineBins>();

/** The 1400 ms windows of one rat (cached per data dir; do not mutate the arrays). */
export function loadTampuuRat(rat: TampuuRat, options: DataOptions = {}): RatWindows {
  if (!TAMPUU_RATS.includes(rat)) throw new Error(`unknown rat "${rat}"; the recording has ${TAMPUU_RATS.join(", ")}`);
  const dataDir = options.dataDir ?? resolveDataDir().dir;
  const key = `${dataDir}\0${rat}`;
  const hit = ratCache.get(key);
  if (hit) return hit;
  const feat = parseTextTable(readDataFile(card, featFile(rat), { dataDir }).toString("latin1"), {
    name: `${card.id}/${featFile(rat)}`,
    integers: true,
  });
  const pos = parseTextTable(readDataFile(card, posFile(rat), { dataDir }).toString("latin1"), {
    name: `${card.id}/${posFile(rat)}`,
    columns: 2,
  });
  if (feat.rows !== pos.rows) throw new Error(`${card.id}: ${featFile(rat)} has ${feat.rows} windows but ${posFile(rat)} has ${pos.rows}`);
  const counts = new Uint8Array(feat.values.length);
  for (let i = 0; i < counts.length; i++) {
    const v = feat.values[i] as number;
    if (v < 0 || v > 255) throw new Error(`${card.id}/${featFile(rat)}: count ${v} at value ${i} does not fit uint8`);
    counts[i] = v;
  }
  const windows: RatWindows = { rat, nWindows: feat.rows, nCells: feat.cols, counts, position: pos.values };
  ratCache.set(key, windows);
  return windows;
}

/** Every rat's windows, in TAMPUU_RATS order. */
export function loadPlaceCellsTampuu2019(options: DataOptions = {}): RatWindows[] {
  return TAMPUU_RATS.map((rat) => loadTampuuRat(rat, options));
}

/** Rat R2192's spike counts in 20 ms bins (R2192_20ms.mat, variable mm transposed to [bins, cells]). */
export function loadTampuuFineBins(options: DataOptions = {}): FineBins {
  const dataDir = options.dataDir ?? resolveDataDir().dir;
  const hit = fineCache.get(dataDir);
  if (hit) return hit;
  const file = "R2192_20ms.mat";
  const what = `${card.id}/${file}`;
  const mm = matVariable(readMat(readDataFile(card, file, { dataDir }), { only: ["mm"], name: what }), "mm", [-1, -1], what);
  if (!(mm.data instanceof Uint8Array)) throw new Error(`${what}: mm is stored as ${mm.data.constructor.name}, expected uint8 counts`);
  const [nCells, T] = mm.dims as [number, number];
  // Column-major [cells, bins] is row-major [bins, cells]: the stored order is already what we return.
  const fine: FineBins = { rat: "R2192", T, nCells, counts: Uint8Array.from(mm.data) };
  fineCache.set(dataDir, fine);
  return fine;
}
