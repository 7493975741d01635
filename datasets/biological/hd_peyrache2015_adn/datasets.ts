// Biological task datasets on the head-direction recording (Peyrache et al. 2015, 19 ADn cells): T2 decoding
// of the head angle, T3 intrinsic dimension and T4 topology of the wake and REM population activity (a ring:
// d* = 1, Betti numbers 1, 1, 0), and the T1 hybrid (sparse features planted into the wake activity).
// Every instance is a contiguous block of the recording chosen from the seed; nothing is shuffled in time.
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { f32, i32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance, NdArray } from "../../../harness/types.ts";
import { HYBRID_P, HYBRID_REGIMES, hybridInstance, hybridRegimeFromSeed, zscoreColumns } from "../../../tasks/feature-recovery/hybrid.ts";
import { dimensionTruth } from "../../../tasks/intrinsic-dimension/task.ts";
import { decodingInstance } from "../../../tasks/latent-decoding/generate.ts";
import {
  alternatingGroups,
  CONTROL_REGIMES,
  controlBetti,
  controlDimension,
  controlOffsets,
  drawControlRegime,
  readRows,
} from "../../../tasks/topology/controls.ts";
import { BETTI } from "../../../tasks/topology/generate.ts";
import { hdPeyrache2015Card as card } from "./card.ts";
import { type BinRange, type CoarseWake, HD_CELLS, loadHdPeyrache2015, rebinWake } from "./load.ts";

/** sha256 of every original file these datasets read, so the dataset version hash covers the data. */
const files = Object.fromEntries(card.files.map((f) => [f.name, f.sha256]));
const common = { recording: card.id, preprocessingVersion: card.preprocessing.version, files };

/** 10 ms bins summed 10 at a time: 100 ms bins, the usual scale for decoding head direction. */
const BIN_FACTOR = 10;
const BIN_SECONDS = 0.1;
const d = HD_CELLS;

// ------------------------------------------------------------------------------------------ shared

let wakeCache: CoarseWake | undefined;
/** Wake in 100 ms bins (bins never straddle a tracking gap; see rebinWake). */
export function wake100(): CoarseWake {
  wakeCache ??= rebinWake(loadHdPeyrache2015().wake, BIN_FACTOR);
  return wakeCache;
}

let remCache: { T: number; counts: Float32Array } | undefined;
/** REM in 100 ms bins (consecutive 10 ms bins summed; the leftover < 10 bins at the end dropped). */
function rem100(): { T: number; counts: Float32Array } {
  if (remCache) return remCache;
  const rem = loadHdPeyrache2015().rem;
  const T = Math.floor(rem.T / BIN_FACTOR);
  const counts = new Float32Array(T * d);
  for (let t = 0; t < T * BIN_FACTOR; t++) {
    const o = Math.floor(t / BIN_FACTOR) * d;
    for (let c = 0; c < d; c++) counts[o + c] = (counts[o + c] as number) + (rem.counts[t * d + c] as number);
  }
  remCache = { T, counts };
  return remCache;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

// ------------------------------------------------------------------------------------------ T2 decoding

const decodingConfig = {
  ...common,
  epoch: "wake",
  binSeconds: BIN_SECONDS,
  activity: "spike counts per 100 ms bin of all 19 cells (bins never straddle a tracking gap), not z-scored",
  target: "head direction of the bin (circular mean of its ten 10 ms samples), rad in [−π, π)",
  /** Each instance is a contiguous window of this many 100 ms bins (8 min) at a seed-chosen start… */
  windowBins: 4800,
  /** …cut into train (earlier) and test (later) at the tracking gap nearest this fraction of the window… */
  trainFraction: 0.75,
  /** …if one lies within this range of fractions; otherwise exactly at trainFraction. */
  gapCutRange: [0.65, 0.85],
};

/**
 * Where train ends in a window [start, start + W) of coarse bins: the segment boundary (a tracking gap of
 * 0.2–2.5 s) nearest start + trainFraction·W within the allowed range, else start + round(trainFraction·W).
 */
export function decodingCut(segments: readonly BinRange[], start: number, W: number): { cut: number; atGap: boolean } {
  const [lo, hi] = decodingConfig.gapCutRange as [number, number];
  const want = start + decodingConfig.trainFraction * W;
  let best = -1;
  for (const s of segments) {
    if (s.start < start + lo * W || s.start > start + hi * W) continue;
    if (best < 0 || Math.abs(s.start - want) < Math.abs(best - want)) best = s.start;
  }
  return best >= 0 ? { cut: best, atGap: true } : { cut: start + Math.round(decodingConfig.trainFraction * W), atGap: false };
}

export const hdDecoding: DatasetDefinition = {
  slug: "hd_peyrache2015_adn",
  task: "latent-decoding",
  version: 1,
  title: "Head direction → angle (Peyrache et al. 2015)",
  domain: "biological",
  description:
    "Decode the head direction of a mouse from the spike counts of 19 anterodorsal-thalamus head-direction cells in 100 ms bins during open-field exploration. Each instance is a contiguous 8-minute window at a seed-chosen position of the 35 minutes of tracked wake; its first ≈ 75 % train and the rest test, cut at a tracking gap (never shuffled).",
  sizes: { dev: 4, official: 8, private: 8 },
  config: decodingConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: tuningPreview,
  generate(_split, _index, seed): GeneratedInstance {
    const w = wake100();
    const W = decodingConfig.windowBins;
    const start = new Rng(seed).int(w.T - W + 1);
    const { cut, atGap } = decodingCut(w.segments, start, W);
    const instance = decodingInstance(
      {
        activity: w.counts.subarray(start * d, (start + W) * d),
        target: w.angle.subarray(start, start + W),
        T: W,
        d,
        q: 1,
        targetKind: "circular",
        targetNames: ["head direction"],
      },
      (cut - start) / W,
      {
        epoch: "wake",
        startBin: start,
        startSeconds: round2(loadHdPeyrache2015().wake.time[w.firstBin[start] as number] as number),
        cutAtGap: atGap,
        binSeconds: BIN_SECONDS,
      },
    );
    // decodingInstance rounds trainFraction·T: check that the cut is exactly where we put it.
    if (instance.meta.nTrain !== cut - start) throw new Error(`${card.id}: train block does not end at bin ${cut}`);
    return instance;
  },
};

/** The file's wake tuning curves (Hz against head direction), one line per cell. */
function tuningPreview(): DatasetPreview {
  const { angles, rates } = loadHdPeyrache2015().tuning;
  const nAngles = angles.length;
  // The last row is the wrap-around bin, stored with angle 0: draw it at 360°.
  const x = Array.from(angles, (a, i) => round2(i === nAngles - 1 ? 360 : (a * 180) / Math.PI));
  return {
    title: "Head-direction tuning curves of the 19 cells (wake)",
    kind: "lines",
    xLabel: "head direction (°)",
    yLabel: "firing rate (Hz)",
    series: Array.from({ length: d }, (_, c) => ({
      name: `cell ${c + 1}`,
      x,
      y: Array.from({ length: nAngles }, (_, a) => round2(rates[a * d + c] as number)),
    })),
    caption:
      "Tuning curves as stored in dataHD.mat (hdTuning), 6° bins. Each cell fires around one preferred direction; together the 19 preferred directions tile the circle, which is why the population lies on a ring and the heading can be decoded from it.",
  };
}

// ------------------------------------------------------------------------------------------ T3 / T4 ring

const ringConfig = {
  ...common,
  binSeconds: BIN_SECONDS,
  /** Gaussian smoothing of the counts along time (σ in bins, truncated at 3σ; within tracking segments in wake). */
  smoothingSigmaBins: 1,
  /** The dataset page's preview: the first stretch of this many 100 ms bins (400 s)… */
  stretchBins: 4000,
  /** …of which every second bin is kept (neighbours are nearly identical after smoothing), as in every instance. */
  keepEvery: 2,
  /**
   * Instances keep n = 2000 bins (every second bin of a 400 s stretch at a seed-chosen start) in every regime, so the
   * shape says nothing about the regime. Shorter stretches (n = 1200) cover the ring too thinly for its H1 bar to
   * stand out on some wake instances.
   */
  n: 2000,
  /** Regimes, each with probability 1/3 (tasks/topology/controls.ts). */
  regimes: [...CONTROL_REGIMES],
  activity: "smoothed spike counts per 100 ms of all 19 cells, not z-scored; every bin kept (no activity threshold)",
};

/** Counts [T, d] smoothed by a Gaussian of σ bins, never across a segment boundary (each segment on its own). */
export function smoothCounts(counts: ArrayLike<number>, T: number, segments: readonly BinRange[], sigma: number): Float64Array {
  const radius = Math.ceil(3 * sigma);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, j) => Math.exp(-((j - radius) ** 2) / (2 * sigma * sigma)));
  const out = new Float64Array(T * d);
  for (const seg of segments) {
    for (let t = seg.start; t < seg.end; t++) {
      let total = 0;
      const o = t * d;
      for (let j = -radius; j <= radius; j++) {
        const u = t + j;
        if (u < seg.start || u >= seg.end) continue;
        const w = weights[j + radius] as number;
        total += w;
        for (let c = 0; c < d; c++) out[o + c] = (out[o + c] as number) + w * (counts[u * d + c] as number);
      }
      for (let c = 0; c < d; c++) out[o + c] = (out[o + c] as number) / total;
    }
  }
  return out;
}

type RingEpoch = "wake" | "rem";
const smoothCache = new Map<RingEpoch, { T: number; x: Float64Array; angle: Float64Array | null }>();

/** The smoothed 100 ms series of an epoch (wake: with its head direction; REM has no behaviour). */
function smoothedEpoch(epoch: RingEpoch) {
  const hit = smoothCache.get(epoch);
  if (hit) return hit;
  const sigma = ringConfig.smoothingSigmaBins;
  let entry: { T: number; x: Float64Array; angle: Float64Array | null };
  if (epoch === "wake") {
    const w = wake100();
    entry = { T: w.T, x: smoothCounts(w.counts, w.T, w.segments, sigma), angle: w.angle };
  } else {
    // REM comes as one block of 10 ms bins without marked episode boundaries: smoothed as one segment.
    const r = rem100();
    entry = { T: r.T, x: smoothCounts(r.counts, r.T, [{ start: 0, end: r.T }], sigma), angle: null };
  }
  smoothCache.set(epoch, entry);
  return entry;
}

/** The stretch of one instance: activity [n, 19] (every keepEvery-th bin from start) and the kept bins' indices. */
export function ringStretch(epoch: RingEpoch, start: number): { activity: NdArray; bins: Int32Array } {
  const s = smoothedEpoch(epoch);
  const { stretchBins, keepEvery } = ringConfig;
  if (start < 0 || start + stretchBins > s.T) throw new Error(`${card.id}: ${epoch} stretch at ${start} runs past the ${s.T} bins`);
  const n = Math.floor(stretchBins / keepEvery);
  const activity = f32([n, d]);
  const bins = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = start + i * keepEvery;
    bins[i] = t;
    for (let c = 0; c < d; c++) activity.data[i * d + c] = s.x[t * d + c] as number;
  }
  return { activity, bins };
}

/** Cells in the order of their preferred directions (the file's prefHD), so alternating groups both tile the ring. */
function cellsByPreferredDirection(): number[] {
  const { prefHD } = loadHdPeyrache2015();
  return Array.from({ length: d }, (_, c) => c).sort((a, b) => (prefHD[a] as number) - (prefHD[b] as number));
}

/**
 * One T3/T4 instance: a control regime drawn from the seed (recorded ring, ring × ring product, every cell shifted on
 * its own; tasks/topology/controls.ts), n kept bins (every keepEvery-th of a contiguous stretch at a seed-chosen
 * start), all 19 cells. The product splits the cells alternately along their preferred directions, so both
 * halves tile the ring.
 */
export function ringInstance(task: "intrinsic-dimension" | "topology", epoch: RingEpoch, seed: number): GeneratedInstance {
  const s = smoothedEpoch(epoch);
  const rng = new Rng(seed);
  const regime = drawControlRegime(rng);
  const { n, keepEvery } = ringConfig;
  const span = (n - 1) * keepEvery + 1;
  const start = rng.int(s.T - span + 1);
  const rows = Int32Array.from({ length: n }, (_, i) => start + i * keepEvery);
  const groups = regime === "product" ? alternatingGroups(rng, cellsByPreferredDirection()) : undefined;
  const offsets = controlOffsets(rng, regime, s.T, d, groups);
  const activity = readRows({ T: s.T, C: d, x: s.x }, rows, offsets);
  const meta = { epoch, regime, startBin: start, n, neurons: d, binSeconds: BIN_SECONDS, offsets: Array.from(offsets) };
  if (epoch === "wake" && s.angle && regime === "recorded") {
    // How much of the circle the stretch visits (30° sectors with at least one kept bin): context for results.
    const sectors = new Set(Array.from(rows, (t) => Math.floor((((s.angle?.[t] as number) + Math.PI) / (2 * Math.PI)) * 12) % 12));
    Object.assign(meta, { sectorsVisited: sectors.size });
  }
  if (task === "intrinsic-dimension") {
    const dimension = controlDimension(regime, 1, activity);
    return { params: {}, inputs: { activity }, truth: { dimension: dimensionTruth(dimension) }, meta: { ...meta, dimension } };
  }
  const betti = controlBetti(regime, BETTI.circle);
  return { params: {}, inputs: { activity }, truth: { betti: i32([3], betti) }, meta: { ...meta, betti } };
}

/**
 * The first stretch of an epoch in the plane of the cells' preferred directions (the file's prefHD): each bin at
 * Σ_c (x_c / mean x_c) · (cos pref_c, sin pref_c). A linear projection chosen to show the ring (the top two
 * principal components fold it, as the 19 preferred directions are unevenly spread).
 */
function ringPreview(epoch: RingEpoch): () => DatasetPreview {
  return () => {
    const { activity, bins } = ringStretch(epoch, 0);
    const n = bins.length;
    const { prefHD } = loadHdPeyrache2015();
    const meanRate = new Float64Array(d);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < d; c++) meanRate[c] = (meanRate[c] as number) + (activity.data[i * d + c] as number) / n;
    const s = smoothedEpoch(epoch);
    const sectorNames = ["0–90°", "90–180°", "180–270°", "270–360°"];
    const series = (epoch === "wake" ? sectorNames : ["REM"]).map((name) => ({ name, x: [] as number[], y: [] as number[] }));
    for (let i = 0; i < n; i++) {
      let px = 0;
      let py = 0;
      for (let c = 0; c < d; c++) {
        const w = (meanRate[c] as number) > 0 ? (activity.data[i * d + c] as number) / (meanRate[c] as number) : 0;
        px += w * Math.cos(prefHD[c] as number);
        py += w * Math.sin(prefHD[c] as number);
      }
      let k = 0;
      if (epoch === "wake" && s.angle) {
        const a = ((s.angle[bins[i] as number] as number) + 2 * Math.PI) % (2 * Math.PI);
        k = Math.min(3, Math.floor(a / (Math.PI / 2)));
      }
      const target = series[k] as { x: number[]; y: number[] };
      target.x.push(round2(px));
      target.y.push(round2(py));
    }
    const seconds = ringConfig.stretchBins * BIN_SECONDS;
    return {
      title: `Population activity in ${epoch === "wake" ? "wake" : "REM sleep"}, in the plane of the preferred directions`,
      kind: "points",
      xLabel: "Σ rate · cos(preferred direction)",
      yLabel: "Σ rate · sin(preferred direction)",
      series,
      caption:
        epoch === "wake"
          ? `The first ${seconds} s of tracked wake (${n} smoothed 100 ms bins, every second bin), each bin at the sum of the cells' preferred-direction vectors weighted by their rates (relative to the mean), coloured by the recorded head direction: the activity goes around a ring, in the order of the heading.`
          : `The first ${seconds} s of REM sleep (${n} smoothed 100 ms bins, every second bin), projected the same way with the preferred directions measured in wake: without any heading, the activity still goes around the same ring (Peyrache et al. 2015).`,
    };
  };
}

function ringDataset(task: "intrinsic-dimension" | "topology", epoch: RingEpoch): DatasetDefinition {
  const truths =
    task === "intrinsic-dimension"
      ? "d* = 1 (recorded), 2 (product), the number of varying cells, 19 (shuffled)"
      : "Betti numbers [1, 1, 0] (recorded), [1, 2, 1] (product), [1, 0, 0] (shuffled)";
  const when = epoch === "wake" ? "open-field exploration (wake)" : "REM sleep";
  return {
    slug: epoch === "wake" ? "hd-wake" : "hd-rem",
    task,
    version: 2,
    title: `Head-direction cells, ${epoch === "wake" ? "wake" : "REM sleep"} (Peyrache et al. 2015)`,
    domain: "biological",
    description: `Population activity of 19 anterodorsal-thalamus head-direction cells during ${when}: spike counts in 100 ms bins smoothed by a Gaussian of σ = 100 ms, n = 2000 (every second bin of a contiguous 400 s stretch at a seed-chosen position). One third of the instances are the recording as it is — a ring, the attractor manifold of the head-direction system, in wake and in REM sleep alike (Peyrache et al. 2015; Chaudhuri et al. 2019); one third are controls with the cells split into two halves read at independent times (ring × ring, a torus); one third have every cell shifted in time on its own (the ring destroyed). Truth: ${truths}.`,
    sizes: { dev: 12, official: 18, private: 18 },
    config: { ...ringConfig, epoch },
    card: cardView(card),
    unavailable: () => recordingUnavailable(card),
    preview: ringPreview(epoch),
    generate: (_split, _index, seed) => ringInstance(task, epoch, seed),
  };
}

export const hdWakeDimension = ringDataset("intrinsic-dimension", "wake");
export const hdRemDimension = ringDataset("intrinsic-dimension", "rem");
export const hdWakeTopology = ringDataset("topology", "wake");
export const hdRemTopology = ringDataset("topology", "rem");

// ------------------------------------------------------------------------------------------ T1 hybrid

const hybridConfig = {
  ...common,
  epoch: "wake",
  binSeconds: BIN_SECONDS,
  background: "spike counts per 100 ms bin of all 19 cells in a contiguous block, z-scored per cell over the block",
  /** Samples per instance: a contiguous block of this many 100 ms bins (6.8 min) at a seed-chosen start. */
  n: 4096,
  regimes: HYBRID_REGIMES.map((r) => ({ ...r })),
  p: HYBRID_P,
  features:
    "k = ratio · 19 directions uniform on the unit sphere; codes amplitude · Bernoulli(p) · Uniform(0, 1), each feature active in ≥ 8 samples",
};

export const hybridHd: DatasetDefinition = {
  slug: "hybrid-hd",
  task: "feature-recovery",
  version: 2,
  title: "Hybrid: features planted in head-direction activity",
  domain: "biological",
  description:
    "Real background: z-scored spike counts (100 ms bins) of 19 head-direction cells over a contiguous 6.8-minute block of wake at a seed-chosen position. Planted: k = 19 or 38 sparse features along random unit directions, each active with probability 0.05 with a coefficient of up to 4 or 8 background SDs. Truth: the planted directions.",
  sizes: { dev: 4, official: 8, private: 8 },
  config: hybridConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: hybridHdPreview,
  generate(_split, _index, seed): GeneratedInstance {
    const w = wake100();
    const { n } = hybridConfig;
    const rng = new Rng(seed);
    const start = rng.int(w.T - n + 1);
    return hybridInstance(rng, w.counts.subarray(start * d, (start + n) * d), n, d, hybridRegimeFromSeed(seed), {
      epoch: "wake",
      startBin: start,
      cells: d,
    });
  },
};

/** Three cells' z-scored activity over 30 s, as recorded and with features planted (strongest regime). */
function hybridHdPreview(): DatasetPreview {
  const w = wake100();
  const { n } = hybridConfig;
  const rng = new Rng(0);
  const regime = HYBRID_REGIMES[3];
  const real = zscoreColumns(w.counts.subarray(0, n * d), n, d);
  const hybrid = hybridInstance(rng, w.counts.subarray(0, n * d), n, d, regime, {}).inputs.activations as NdArray;
  const T = 300;
  const x = Array.from({ length: T }, (_, t) => round2(t * BIN_SECONDS));
  const series: DatasetPreview["series"] = [];
  for (const c of [0, 6, 12]) {
    series.push({ name: `cell ${c + 1}, recorded`, x, y: x.map((_, t) => round2(real[t * d + c] as number)) });
    series.push({ name: `cell ${c + 1}, hybrid`, x, y: x.map((_, t) => round2(hybrid.data[t * d + c] as number)) });
  }
  return {
    title: "Recorded vs hybrid activity (z-scored), three cells",
    kind: "lines",
    xLabel: "time (s)",
    yLabel: "z-scored count",
    series,
    caption: `The first 30 s of wake (100 ms bins), each cell z-scored over the first ${n}-bin block, before and after planting k = ${regime.ratio * d} features of amplitude up to ${regime.amplitude} SDs (the strongest regime). Methods see only the hybrid activity and must recover the planted directions.`,
  };
}
