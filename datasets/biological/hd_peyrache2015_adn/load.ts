// Loader of the head-direction recording: reads the original dataHD.mat (verified against its card's
// sha256) and returns typed arrays. Reading only; `npx cajal datasets fetch hd_peyrache2015_adn` downloads.
import { type DataOptions, readDataFile, resolveDataDir } from "../../../harness/data.ts";
import { matVariable, readMat, rowMajor } from "../../../harness/mat.ts";
import { hdPeyrache2015Card as card } from "./card.ts";

export const HD_BIN_SECONDS = 0.01;
export const HD_CELLS = 19;
/** Consecutive wake timestamps further apart than this mark an excluded period (a new segment starts). */
export const HD_GAP_SECONDS = 0.1;

/** A half-open range [start, end) of bins. */
export interface BinRange {
  start: number;
  end: number;
}

export interface HdEpoch {
  /** Number of 10 ms bins. */
  T: number;
  /** Spike counts, row-major [T, 19]: counts[t * 19 + c]. */
  counts: Uint8Array;
}

export interface HdWake extends HdEpoch {
  /** Head direction of each bin, rad in [0, 2π) (angRun column 2). */
  angle: Float64Array;
  /** Timestamp (s) of the tracking sample assigned to each bin (angRun column 1; repeats across bins). */
  time: Float64Array;
  /** Stretches of continuous tracking (no timestamp gap > 0.1 s), in order, covering every bin. */
  segments: BinRange[];
}

export interface HdRecording {
  nCells: number;
  binSeconds: number;
  wake: HdWake;
  rem: HdEpoch;
  /** Only when loaded with { sws: true } (16.5 MB). */
  sws?: HdEpoch;
  /** Preferred direction of each cell as stored in the file (rad). */
  prefHD: Float64Array;
  /** The file's wake tuning curves: 61 angles (rad; the last is the wrap-around bin, stored as 0) and rates (Hz), row-major [61, 19]. */
  tuning: { angles: Float64Array; rates: Float64Array };
}

export interface HdLoadOptions extends DataOptions {
  /** Also load the slow-wave-sleep counts. */
  sws?: boolean;
}

const cache = new Map<string, HdRecording>();

/** Split wake bins into segments of continuous tracking. */
export function trackingSegments(time: Float64Array, gapSeconds = HD_GAP_SECONDS): BinRange[] {
  const segments: BinRange[] = [];
  let start = 0;
  for (let t = 1; t < time.length; t++) {
    if ((time[t] as number) - (time[t - 1] as number) > gapSeconds) {
      segments.push({ start, end: t });
      start = t;
    }
  }
  if (time.length > 0) segments.push({ start, end: time.length });
  return segments;
}

/** Load the recording (cached per data dir within the process; do not mutate the arrays). */
export function loadHdPeyrache2015(options: HdLoadOptions = {}): HdRecording {
  const dataDir = options.dataDir ?? resolveDataDir().dir;
  const key = `${dataDir}\0${options.sws ? 1 : 0}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = "dataHD.mat";
  const what = `${card.id}/${file}`;
  const names = ["Qrun", "angRun", "Qrem", "hdTuning", "prefHD", ...(options.sws ? ["Qsws"] : [])];
  const mat = readMat(readDataFile(card, file, { dataDir }), { only: names, name: what });

  const epoch = (name: string): HdEpoch => {
    const v = matVariable(mat, name, [-1, HD_CELLS], what);
    if (!(v.data instanceof Uint8Array)) throw new Error(`${what}: ${name} is stored as ${v.data.constructor.name}, expected uint8 counts`);
    return { T: v.dims[0] as number, counts: rowMajor(v.data, v.dims) };
  };
  const run = epoch("Qrun");
  const ang = matVariable(mat, "angRun", [run.T, 2], what);
  const time = Float64Array.from(ang.data.subarray(0, run.T));
  const angle = Float64Array.from(ang.data.subarray(run.T, 2 * run.T));
  const tuningVar = matVariable(mat, "hdTuning", [-1, HD_CELLS + 1], what);
  const nAngles = tuningVar.dims[0] as number;
  const tuningRows = Float64Array.from(rowMajor(tuningVar.data, tuningVar.dims));
  const angles = new Float64Array(nAngles);
  const rates = new Float64Array(nAngles * HD_CELLS);
  for (let a = 0; a < nAngles; a++) {
    angles[a] = tuningRows[a * (HD_CELLS + 1)] as number;
    for (let c = 0; c < HD_CELLS; c++) rates[a * HD_CELLS + c] = tuningRows[a * (HD_CELLS + 1) + 1 + c] as number;
  }
  const recording: HdRecording = {
    nCells: HD_CELLS,
    binSeconds: HD_BIN_SECONDS,
    wake: { ...run, angle, time, segments: trackingSegments(time) },
    rem: epoch("Qrem"),
    ...(options.sws ? { sws: epoch("Qsws") } : {}),
    prefHD: Float64Array.from(matVariable(mat, "prefHD", [HD_CELLS, 1], what).data),
    tuning: { angles, rates },
  };
  cache.set(key, recording);
  return recording;
}

export interface CoarseWake {
  /** Number of coarse bins. */
  T: number;
  /** Summed counts, row-major [T, 19]. */
  counts: Float32Array;
  /** Circular mean head direction of the fine bins in each coarse bin, rad in [-π, π). */
  angle: Float64Array;
  /** Index of the first fine bin of each coarse bin. */
  firstBin: Int32Array;
  /** Coarse-bin ranges of the tracking segments. */
  segments: BinRange[];
}

/**
 * Sum `factor` consecutive 10 ms wake bins into one (e.g. 10 → 100 ms). Coarse bins never straddle a tracking
 * gap: each segment's leftover bins (fewer than `factor`) are dropped.
 */
export function rebinWake(wake: HdWake, factor: number): CoarseWake {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`rebin factor must be a positive integer, got ${factor}`);
  const d = HD_CELLS;
  let total = 0;
  for (const s of wake.segments) total += Math.floor((s.end - s.start) / factor);
  const counts = new Float32Array(total * d);
  const angle = new Float64Array(total);
  const firstBin = new Int32Array(total);
  const segments: BinRange[] = [];
  let k = 0;
  for (const s of wake.segments) {
    const n = Math.floor((s.end - s.start) / factor);
    if (n === 0) continue;
    segments.push({ start: k, end: k + n });
    for (let b = 0; b < n; b++, k++) {
      const t0 = s.start + b * factor;
      firstBin[k] = t0;
      let sx = 0;
      let sy = 0;
      for (let t = t0; t < t0 + factor; t++) {
        const a = wake.angle[t] as number;
        sx += Math.cos(a);
        sy += Math.sin(a);
        for (let c = 0; c < d; c++) counts[k * d + c] = (counts[k * d + c] as number) + (wake.counts[t * d + c] as number);
      }
      angle[k] = Math.atan2(sy, sx) === Math.PI ? -Math.PI : Math.atan2(sy, sx);
    }
  }
  return { T: total, counts, angle, firstBin, segments };
}
