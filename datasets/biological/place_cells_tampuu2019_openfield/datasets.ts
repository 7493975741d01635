// Biological task datasets on the open-field place-cell recordings (Tampuu et al. 2019): T2 position decoding,
// T3 intrinsic dimension (d* = 2) and T4 topology (a disc: 1, 0, 0). The T1 hybrid lives in its own file.
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { i32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance } from "../../../harness/types.ts";
import { dimensionTruth } from "../../../tasks/intrinsic-dimension/task.ts";
import { decodingInstance } from "../../../tasks/latent-decoding/generate.ts";
import {
  CONTROL_REGIMES,
  type ControlRegime,
  controlBetti,
  controlDimension,
  controlOffsets,
  randomGroups,
  readRows,
  type Series,
} from "../../../tasks/topology/controls.ts";
import { placeCellsTampuu2019Card as card, featFile, posFile, TAMPUU_RATS, type TampuuRat } from "./card.ts";
import { loadTampuuRat, type RatWindows, WINDOW_OVERLAP, WINDOW_SECONDS, WINDOW_STEP_SECONDS } from "./load.ts";

/** sha256 of the files these datasets read (the 1400 ms windows of every rat; not the 20 ms .mat). */
const files = Object.fromEntries(
  card.files.filter((f) => TAMPUU_RATS.some((rat) => f.name === featFile(rat) || f.name === posFile(rat))).map((f) => [f.name, f.sha256]),
);

const common = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  files,
  rats: [...TAMPUU_RATS],
  windowSeconds: WINDOW_SECONDS,
  windowStepSeconds: WINDOW_STEP_SECONDS,
  activity: "spike counts per 1400 ms window, every recorded cell, not z-scored",
};

/** Instance i uses rat i mod 5, so every split covers every rat. */
export function ratOf(index: number): TampuuRat {
  return TAMPUU_RATS[index % TAMPUU_RATS.length] as TampuuRat;
}

/** Rows [start, end) of a [n, width] row-major array as float32. */
function rowsF32(a: ArrayLike<number>, width: number, start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * width);
  for (let i = 0; i < out.length; i++) out[i] = a[start * width + i] as number;
  return out;
}

// ------------------------------------------------------------------------------------------ T2 position

const decodingConfig = {
  ...common,
  target: "position (x, y) in cm at the window centre",
  /** Each instance uses a contiguous stretch of this many windows (10 min) at a seed-chosen position… */
  stretchWindows: 3000,
  /** …the first 2250 train; the next WINDOW_OVERLAP are dropped (they share spikes with both sides); the rest test. */
  trainWindows: 2250,
  gapWindows: WINDOW_OVERLAP,
};

/** Where instance blocks lie in a rat's windows: train [start, start + nTrain), test [testStart, end). */
export function decodingBlocks(w: RatWindows, rng: Rng) {
  const { stretchWindows, trainWindows, gapWindows } = decodingConfig;
  const start = rng.int(w.nWindows - stretchWindows + 1);
  return { start, trainEnd: start + trainWindows, testStart: start + trainWindows + gapWindows, end: start + stretchWindows };
}

export const placeCellsPositionDecoding: DatasetDefinition = {
  slug: "place_cells_tampuu2019_openfield",
  task: "latent-decoding",
  version: 1,
  title: "Place cells → position (Tampuu et al. 2019)",
  domain: "biological",
  description:
    "Decode a rat's (x, y) position in cm from CA1 place-cell spike counts in 1400 ms windows stepped by 200 ms (5 rats, 26–63 cells, ≈ 1 m open field). Each instance takes a contiguous stretch of 3000 windows (10 min) of one rat at a seed-chosen position: the first 2250 train, the next 6 are dropped because overlapping windows share spikes, the last 744 test.",
  sizes: { dev: 5, official: 10, private: 10 },
  config: decodingConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: positionPreview,
  generate(_split, index, seed): GeneratedInstance {
    const rat = ratOf(index);
    const w = loadTampuuRat(rat);
    const b = decodingBlocks(w, new Rng(seed));
    const nTrain = b.trainEnd - b.start;
    const nTest = b.end - b.testStart;
    // The gap is cut out before the series reaches decodingInstance, which splits it at nTrain.
    const activity = new Float32Array((nTrain + nTest) * w.nCells);
    activity.set(rowsF32(w.counts, w.nCells, b.start, b.trainEnd), 0);
    activity.set(rowsF32(w.counts, w.nCells, b.testStart, b.end), nTrain * w.nCells);
    const target = new Float32Array((nTrain + nTest) * 2);
    target.set(rowsF32(w.position, 2, b.start, b.trainEnd), 0);
    target.set(rowsF32(w.position, 2, b.testStart, b.end), nTrain * 2);
    const instance = decodingInstance(
      { activity, target, T: nTrain + nTest, d: w.nCells, q: 2, targetKind: "linear", targetNames: ["x", "y"] },
      nTrain / (nTrain + nTest),
      { rat, cells: w.nCells, startWindow: b.start, testStartWindow: b.testStart, endWindow: b.end },
    );
    if (instance.meta.nTrain !== nTrain) throw new Error(`${card.id}: train block is not ${nTrain} windows`);
    return instance;
  },
};

/** Rat R2192's path through the box (every 2nd window). */
function positionPreview(): DatasetPreview {
  const w = loadTampuuRat("R2192");
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < w.nWindows; k += 2) {
    x.push(Math.round((w.position[2 * k] as number) * 10) / 10);
    y.push(Math.round((w.position[2 * k + 1] as number) * 10) / 10);
  }
  return {
    title: "Position trace of rat R2192 in the open field",
    kind: "points",
    xLabel: "x (cm)",
    yLabel: "y (cm)",
    series: [{ name: "R2192", x, y }],
    caption: `The rat's position at the centre of every 2nd 1400 ms window (${x.length} of ${w.nWindows}, ${((w.nWindows * WINDOW_STEP_SECONDS) / 60).toFixed(0)} min of foraging): the decoders predict it from the spike counts of ${w.nCells} CA1 cells.`,
  };
}

// ------------------------------------------------------------------------------------------ T3 / T4 manifold

const manifoldConfig = {
  ...common,
  /** Rows are non-overlapping windows (every 7th: 1.4 s / 0.2 s) from a seed-chosen phase, so no two share spikes. */
  stride: Math.round(WINDOW_SECONDS / WINDOW_STEP_SECONDS),
  /** n ~ U{nMin…nMax} windows per instance (6–8 min), every cell of a rat drawn uniformly from the seed. */
  nMin: 250,
  nMax: 340,
  /** T3 regimes, each with probability 1/3 (tasks/topology/controls.ts). */
  dimensionRegimes: [...CONTROL_REGIMES],
  /**
   * T4 regimes, each with probability 1/3: the disc as recorded, the annulus (windows near the walls only), shuffled.
   * No product: half of a rat's cells do not tile the floor well enough for persistent homology to see a torus in
   * annulus × annulus (0/5 on dev), so that truth could not be checked.
   */
  topologyRegimes: ["recorded", "annulus", "shuffled"],
  /** The annulus: windows whose position lies within this fraction of the box's side from a wall (the box = the rat's position range). */
  annulusBand: 0.18,
};

export type PlaceRegime = ControlRegime | "annulus";

/** The rat's non-overlapping windows from phase o (o, o + 7, …): a series [T, nCells], and those near the walls. */
function windowSeries(rat: TampuuRat, phase: number, annulus: boolean): Series {
  const w = loadTampuuRat(rat);
  const { stride, annulusBand } = manifoldConfig;
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < w.nWindows; k++) {
    const x = w.position[2 * k] as number;
    const y = w.position[2 * k + 1] as number;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const kept: number[] = [];
  for (let k = phase; k < w.nWindows; k += stride) {
    if (annulus) {
      const u = ((w.position[2 * k] as number) - x0) / (x1 - x0);
      const v = ((w.position[2 * k + 1] as number) - y0) / (y1 - y0);
      if (Math.min(u, 1 - u, v, 1 - v) >= annulusBand) continue;
    }
    kept.push(k);
  }
  const C = w.nCells;
  const x = new Float32Array(kept.length * C);
  kept.forEach((k, i) => {
    for (let c = 0; c < C; c++) x[i * C + c] = w.counts[k * C + c] as number;
  });
  return { T: kept.length, C, x };
}

/**
 * Activity of one T3/T4 instance: a rat and n drawn from the seed, then the regime's rows. recorded: n consecutive
 * non-overlapping windows at a seed-chosen start (a disc: the floor); annulus: n consecutive windows among those near
 * the walls (a square annulus); product: the cells split at random into two halves read at independent times
 * (disc × disc); shuffled: every cell shifted in time on its own (no shared latent).
 */
export function manifoldSamples(seed: number, regimes: readonly PlaceRegime[]) {
  const rng = new Rng(seed);
  const regime = regimes[rng.int(regimes.length)] as PlaceRegime;
  const rat = TAMPUU_RATS[rng.int(TAMPUU_RATS.length)] as TampuuRat;
  const { nMin, nMax, stride } = manifoldConfig;
  const n = nMin + rng.int(nMax - nMin + 1);
  const phase = rng.int(stride);
  const annulus = regime === "annulus";
  const series = windowSeries(rat, phase, annulus);
  if (series.T < n) throw new Error(`${card.id}: rat ${rat} has ${series.T} windows for the ${regime} regime, fewer than n = ${n}`);
  const start = annulus ? rng.int(series.T) : rng.int(series.T - n + 1);
  const rows = Int32Array.from({ length: n }, (_, i) => (start + i) % series.T);
  const base: ControlRegime = regime === "annulus" ? "recorded" : regime;
  const groups = base === "product" ? randomGroups(rng, series.C) : undefined;
  const offsets = controlOffsets(rng, base, series.T, series.C, groups);
  const activity = readRows(series, rows, offsets);
  return {
    regime,
    activity,
    meta: { regime, rat, cells: series.C, n, phase, startRow: start, strideWindows: stride, offsets: Array.from(offsets) },
  };
}

export const placeCellsDimension: DatasetDefinition = {
  slug: "place-cells-openfield",
  task: "intrinsic-dimension",
  version: 2,
  title: "Place cells in the open field, with controls",
  domain: "biological",
  description:
    "Spike counts of one rat's CA1 place cells (26–63 cells) in n ~ U{250…340} non-overlapping 1400 ms windows. One third of the instances are the recording as it is: the population is driven by the rat's position on the 2-D floor, d* = 2. One third are controls with the cells split into two halves read at independent times (disc × disc, d* = 4); one third have every cell shifted in time on its own (no shared latent: d* = the number of cells that vary).",
  sizes: { dev: 15, official: 60, private: 60 },
  config: manifoldConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: placeFieldPreview,
  generate(_split, _index, seed): GeneratedInstance {
    const { regime, activity, meta } = manifoldSamples(seed, manifoldConfig.dimensionRegimes);
    const dimension = controlDimension(regime as ControlRegime, 2, activity);
    return { params: {}, inputs: { activity }, truth: { dimension: dimensionTruth(dimension) }, meta: { ...meta, dimension } };
  },
};

/** Betti numbers of the place-cell regimes: the floor is a disc, the band near the walls an annulus (Künneth for products). */
export function placeBetti(regime: PlaceRegime): [number, number, number] {
  if (regime === "annulus") return [1, 1, 0];
  return controlBetti(regime, [1, 0, 0]);
}

export const placeCellsTopology: DatasetDefinition = {
  slug: "place-cells-openfield",
  task: "topology",
  version: 2,
  title: "Place cells in the open field (disc, annulus and controls)",
  domain: "biological",
  description:
    "Spike counts of one rat's CA1 place cells (26–63 cells) in n ~ U{250…340} non-overlapping 1400 ms windows. A third of the instances are the recording as it is (the floor, a disc: [1, 0, 0]); a third keep only the windows where the rat was within 18 % of the box's side from a wall (a square annulus: [1, 1, 0]); a third shift every cell in time on its own (no shared latent: [1, 0, 0]).",
  sizes: { dev: 15, official: 60, private: 60 },
  config: manifoldConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: placeFieldPreview,
  generate(_split, _index, seed): GeneratedInstance {
    const { regime, activity, meta } = manifoldSamples(seed, manifoldConfig.topologyRegimes as PlaceRegime[]);
    const betti = placeBetti(regime);
    return { params: {}, inputs: { activity }, truth: { betti: i32([3], betti) }, meta: { ...meta, betti } };
  },
};

/** Place fields of R2192's six most position-modulated cells, as mean count against x. */
function placeFieldPreview(): DatasetPreview {
  const w = loadTampuuRat("R2192");
  const binCm = 5;
  const nBins = 24;
  const sum = new Float64Array(w.nCells * nBins);
  const occupancy = new Float64Array(nBins);
  for (let k = 0; k < w.nWindows; k++) {
    const b = Math.min(nBins - 1, Math.max(0, Math.floor((w.position[2 * k] as number) / binCm)));
    occupancy[b] = (occupancy[b] as number) + 1;
    for (let c = 0; c < w.nCells; c++) sum[c * nBins + b] = (sum[c * nBins + b] as number) + (w.counts[k * w.nCells + c] as number);
  }
  const bins = Array.from({ length: nBins }, (_, b) => b).filter((b) => (occupancy[b] as number) >= 20);
  const curve = (c: number) => bins.map((b) => (sum[c * nBins + b] as number) / (occupancy[b] as number));
  // Modulation = variance of the curve over its mean (a Fano-like index of how much x matters).
  const modulation = (c: number) => {
    const y = curve(c);
    const m = y.reduce((a, v) => a + v, 0) / y.length;
    return m > 0 ? y.reduce((a, v) => a + (v - m) ** 2, 0) / y.length / m : 0;
  };
  const cells = Array.from({ length: w.nCells }, (_, c) => c)
    .sort((a, b) => modulation(b) - modulation(a))
    .slice(0, 6);
  return {
    title: "Place fields along x (rat R2192, six most modulated cells)",
    kind: "lines",
    xLabel: "x (cm)",
    yLabel: "mean spikes per 1400 ms window",
    series: cells.map((c) => ({
      name: `cell ${c}`,
      x: bins.map((b) => (b + 0.5) * binCm),
      y: curve(c).map((v) => Math.round(v * 100) / 100),
    })),
    caption: `Mean spike count against the rat's x position (${binCm} cm bins, all ${w.nWindows} windows; averaged over y). Each cell fires in its own region of the box, so the population vector traces out the 2-D floor of the box; Poisson-like spiking spreads it in the other ${w.nCells - 2} dimensions.`,
  };
}
