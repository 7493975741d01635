// T8 `hd-co-smoothing`: co-smoothing of held-out head-direction cells (Peyrache et al. 2015, 19 ADn cells) on
// trials cut from open-field wake, as the Neural Latents Benchmark does for motor cortex. No latent state or fixed
// point of the circuit is known; the truth latents are the measured head direction (cos θ, sin θ), a behavioural
// variable the population is known to encode on a ring (README.md, "T8"), and the truth has no fixed point.
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance } from "../../../harness/types.ts";
import { hdPeyrache2015Card as card } from "./card.ts";
import { type BinRange, type CoarseWake, HD_BIN_SECONDS, HD_CELLS, loadHdPeyrache2015, rebinWake } from "./load.ts";

export interface HdCoSmoothingSettings {
  /** 10 ms bins summed per bin. */
  binFactor: number;
  /** Bins per trial. */
  bins: number;
  trials: number;
  trainTrials: number;
  heldOut: number;
}

const settings: HdCoSmoothingSettings = {
  // 50 ms bins: README.md, "T8" (at 20 ms a held-in cell fires in 8 % of bins, and the baselines' 2-bin smoothing
  // spans 40 ms, far below the tens of degrees per 100 ms over which heading changes).
  binFactor: 5,
  // 2 s trials: long enough for the heading to move (median 60° over a trial), short enough that ≈ 1000 such windows
  // tile the tracked wake, so instances share few trials.
  bins: 40,
  trials: 40,
  trainTrials: 28,
  // A third of the cells (NLB holds out a quarter): the score pools more held-out cells, whose rates span 0.4–12 Hz,
  // so it varies less between instances (README.md, "T8").
  heldOut: 6,
};

const config = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  files: Object.fromEntries(card.files.map((f) => [f.name, f.sha256])),
  epoch: "wake",
  activity: "spike counts of the 19 cells summed into 50 ms bins (never across a tracking gap), as stored",
  ...settings,
  trialSelection:
    "every tracking segment tiled by non-overlapping windows of `bins` bins from its start; the instance draws `trials` of them without replacement (the first `trainTrials` of the draw train)",
  latents: "measured head direction per bin (circular mean of its 10 ms samples) as (cos θ, sin θ): a behavioural variable",
  /** The latent dimension asked for: the ring of heading. */
  latentDim: 2,
};

const coarseCache = new Map<number, CoarseWake>();
function coarseWake(factor: number): CoarseWake {
  let w = coarseCache.get(factor);
  if (!w) {
    w = rebinWake(loadHdPeyrache2015().wake, factor);
    coarseCache.set(factor, w);
  }
  return w;
}

/** Every segment tiled from its start by non-overlapping windows of `bins` coarse bins. */
export function trialWindows(segments: readonly BinRange[], bins: number): number[] {
  const starts: number[] = [];
  for (const s of segments) for (let b = s.start; b + bins <= s.end; b += bins) starts.push(b);
  return starts;
}

export function hdCoSmoothingInstance(seed: number, s: HdCoSmoothingSettings = settings): GeneratedInstance {
  const rng = new Rng(seed);
  const wake = coarseWake(s.binFactor);
  const windows = trialWindows(wake.segments, s.bins);
  const order = rng.permutation(windows.length);
  const starts = Array.from({ length: s.trials }, (_, k) => windows[order[k] as number] as number);
  const cells = rng.permutation(HD_CELLS);
  const outCells = Array.from(cells.subarray(0, s.heldOut)).sort((a, b) => a - b);
  const inCells = Array.from(cells.subarray(s.heldOut)).sort((a, b) => a - b);
  const T = s.bins;
  const heldIn = inCells.length;
  const spikes = f32([s.trials, T, heldIn]);
  const heldoutAll = new Float32Array(s.trials * T * s.heldOut);
  const latents = f32([s.trials, T, 2]);
  starts.forEach((start, k) => {
    for (let b = 0; b < T; b++) {
      const row = (start + b) * HD_CELLS;
      const o = k * T + b;
      inCells.forEach((j, c) => {
        spikes.data[o * heldIn + c] = wake.counts[row + j] as number;
      });
      outCells.forEach((j, c) => {
        heldoutAll[o * s.heldOut + c] = wake.counts[row + j] as number;
      });
      const angle = wake.angle[start + b] as number;
      latents.data[o * 2] = Math.cos(angle);
      latents.data[o * 2 + 1] = Math.sin(angle);
    }
  });
  const split = s.trainTrials * T * s.heldOut;
  return {
    params: { latentDim: 2, dt: s.binFactor * HD_BIN_SECONDS },
    inputs: { spikes, heldoutTrain: f32([s.trainTrials, T, s.heldOut], heldoutAll.subarray(0, split)) },
    truth: {
      heldoutTest: f32([s.trials - s.trainTrials, T, s.heldOut], heldoutAll.subarray(split)),
      latents,
      fixedPoints: f32([0, 3]),
    },
    // First 10 ms bin of each trial in the recording's wake epoch, and the held-out cells (the file's column order).
    meta: { trials: starts.map((b) => wake.firstBin[b] as number).join(","), heldOut: outCells.join(",") },
  };
}

/** Heading and the population vector of all 19 cells over one 2 s trial: the ring the latents follow. */
function preview(): DatasetPreview {
  const wake = coarseWake(settings.binFactor);
  const { prefHD } = loadHdPeyrache2015();
  // A trial where the heading sweeps widely (the first window turning through ≥ 180°), found deterministically.
  const windows = trialWindows(wake.segments, settings.bins);
  const sweep = (start: number) => {
    let total = 0;
    for (let b = start + 1; b < start + settings.bins; b++) {
      const d = (wake.angle[b] as number) - (wake.angle[b - 1] as number);
      total += Math.atan2(Math.sin(d), Math.cos(d));
    }
    return Math.abs(total);
  };
  const start = windows.find((w) => sweep(w) >= Math.PI) ?? (windows[0] as number);
  const x = Array.from({ length: settings.bins }, (_, b) => Number((b * settings.binFactor * HD_BIN_SECONDS).toFixed(2)));
  const heading = x.map((_, b) => Number(((wake.angle[start + b] as number) * (180 / Math.PI)).toFixed(1)));
  const decoded = x.map((_, b) => {
    let px = 0;
    let py = 0;
    for (let c = 0; c < HD_CELLS; c++) {
      const v = wake.counts[(start + b) * HD_CELLS + c] as number;
      px += v * Math.cos(prefHD[c] as number);
      py += v * Math.sin(prefHD[c] as number);
    }
    return px === 0 && py === 0 ? Number.NaN : Number(((Math.atan2(py, px) * 180) / Math.PI).toFixed(1));
  });
  const keep = decoded.map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v));
  return {
    title: "One 2 s trial: measured head direction and the population vector of the 19 cells",
    kind: "points",
    xLabel: "time within trial (s)",
    yLabel: "angle (degrees, −180 to 180)",
    series: [
      { name: "measured head direction (the truth latents)", x, y: heading },
      { name: "population vector, one 50 ms bin", x: keep.map(([, i]) => x[i] as number), y: keep.map(([v]) => v) },
    ],
    caption:
      "The population vector (Σ count · preferred direction) of single 50 ms bins follows the measured heading; bins without a spike have none.",
  };
}

export const hdCoSmoothing: DatasetDefinition = {
  slug: "hd-co-smoothing",
  task: "latent-dynamics",
  version: 1,
  title: "Head-direction cells co-smoothing (Peyrache et al. 2015)",
  domain: "biological",
  description:
    "The 19 ADn head-direction cells' spike counts in 50 ms bins during open-field wake: 40 trials of 2 s (40 bins) drawn from the seed among the non-overlapping windows of the tracked stretches, 6 of the cells held out (their counts given on the first 28 trials, predicted on the last 12), latentDim 2. A different kind of truth: no latent state or fixed point of the circuit is known; the truth latents are the measured head direction (cos θ, sin θ), a behavioural variable the population encodes on a ring, not the circuit's state, so latent R² says how much of the inferred state is heading; no fixed point is scored.",
  sizes: { dev: 2, official: 24, private: 24 },
  config,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview,
  generate(_split, _index, seed) {
    return hdCoSmoothingInstance(seed);
  },
};
