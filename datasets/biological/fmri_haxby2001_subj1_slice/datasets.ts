// Biological T2 dataset on the Haxby et al. (2001) fMRI slice: decode the object category of each volume,
// training on some runs and testing on held-out runs (TASKS.md: fMRI splits by run).
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { principalAxes } from "../../../harness/linalg.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance } from "../../../harness/types.ts";
import { decodingInstance } from "../../../tasks/latent-decoding/generate.ts";
import { fmriHaxbyCard as card, HAXBY_LABELS } from "./card.ts";
import { HAXBY_RUNS, type HaxbySlice, loadHaxby2001Slice } from "./load.ts";

/** The 8 object categories, class c = label c + 1 of the file (label 0, rest, is dropped). */
export const HAXBY_CLASSES = HAXBY_LABELS.slice(1);

const config = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  files: Object.fromEntries(card.files.map((f) => [f.name, f.sha256])),
  trSeconds: 2.5,
  classes: [...HAXBY_CLASSES],
  /** Rest volumes are dropped: the task is the 8-way object category (Haxby et al. 2001's question). */
  dropRest: true,
  /**
   * Each voxel is z-scored within each run over all of the run's volumes (rest included). It uses no labels, so
   * held-out runs are normalised by their own statistics only; it removes run-to-run drifts in baseline and gain.
   */
  zscore: "per voxel, within run, over all 121 volumes",
  /** Labels are used as stored (no shift for the haemodynamic lag; blocks are 9 volumes = 22.5 s). */
  labelShiftVolumes: 0,
  /** Held-out runs per instance: a contiguous set of runs at a seed-chosen position; the other runs train. */
  testRuns: 3,
  /** Voxels per instance: a random subset of the 530 mask voxels (keeps d ≤ 512 and varies instances). */
  voxels: 256,
};

/** Every volume z-scored per voxel within its run (cached: the slice is loaded once per process). */
const zCache = new WeakMap<HaxbySlice, Float32Array>();
export function zscoredByRun(s: HaxbySlice): Float32Array {
  const hit = zCache.get(s);
  if (hit) return hit;
  const v = s.nVoxels;
  const out = new Float32Array(s.masked.length);
  for (let run = 0; run < HAXBY_RUNS; run++) {
    const rows: number[] = [];
    for (let t = 0; t < s.nVolumes; t++) if (s.runs[t] === run) rows.push(t);
    for (let k = 0; k < v; k++) {
      let mean = 0;
      for (const t of rows) mean += s.masked[t * v + k] as number;
      mean /= rows.length;
      let ss = 0;
      for (const t of rows) ss += ((s.masked[t * v + k] as number) - mean) ** 2;
      const sd = Math.sqrt(ss / rows.length) || 1;
      for (const t of rows) out[t * v + k] = ((s.masked[t * v + k] as number) - mean) / sd;
    }
  }
  zCache.set(s, out);
  return out;
}

/** Label of volume t after the configured shift (0 = rest where the shift crosses the start of a run). */
function labelOf(s: HaxbySlice, t: number): number {
  const from = t - config.labelShiftVolumes;
  return from >= 0 && s.runs[from] === s.runs[t] ? (s.labels[from] as number) : 0;
}

/** Volumes of the given runs that show an object (not rest), in time order. */
function objectVolumes(s: HaxbySlice, runs: Set<number>): number[] {
  const out: number[] = [];
  for (let t = 0; t < s.nVolumes; t++) if (runs.has(s.runs[t] as number) && labelOf(s, t) > 0) out.push(t);
  return out;
}

export const haxbyCategoryDecoding: DatasetDefinition = {
  slug: "fmri_haxby2001_subj1_slice",
  task: "latent-decoding",
  version: 1,
  title: "fMRI ventral temporal slice → object category (Haxby et al. 2001)",
  domain: "biological",
  description:
    "Decode which of 8 object categories (face, house, shoe, cat, scissors, scrambled picture, bottle, chair) a subject saw from one axial slice of BOLD fMRI (subject 1, 480 random voxels of the 530 in the mask, each z-scored within its run). Rest volumes are dropped. Each instance holds out 3 consecutive runs (of 12) at a seed-chosen position and trains on the other 9: the split is by run, never by volume.",
  sizes: { dev: 4, official: 8, private: 8 },
  config,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: haxbyPreview,
  generate(_split, _index, seed): GeneratedInstance {
    const s = loadHaxby2001Slice();
    const z = zscoredByRun(s);
    const rng = new Rng(seed);
    const firstTest = rng.int(HAXBY_RUNS - config.testRuns + 1);
    const testRuns = Array.from({ length: config.testRuns }, (_, k) => firstTest + k);
    const voxels = Int32Array.from(rng.permutation(s.nVoxels).subarray(0, config.voxels)).sort();
    const trainRuns = Array.from({ length: HAXBY_RUNS }, (_, r) => r).filter((r) => !testRuns.includes(r));
    // Train rows first, then test rows: decodingInstance cuts the series at the train/test boundary.
    const rows = [...objectVolumes(s, new Set(trainRuns)), ...objectVolumes(s, new Set(testRuns))];
    const nTrain = rows.length - objectVolumes(s, new Set(testRuns)).length;
    const d = voxels.length;
    const activity = new Float32Array(rows.length * d);
    const target = new Float32Array(rows.length);
    rows.forEach((t, i) => {
      for (let k = 0; k < d; k++) activity[i * d + k] = z[t * s.nVoxels + (voxels[k] as number)] as number;
      target[i] = labelOf(s, t) - 1;
    });
    const instance = decodingInstance(
      { activity, target, T: rows.length, d, q: 1, targetKind: "categorical", targetNames: ["category"], nClasses: HAXBY_CLASSES.length },
      nTrain / rows.length,
      { testRuns, trainRuns, voxels: d },
    );
    if (instance.meta.nTrain !== nTrain) throw new Error(`${card.id}: train block does not end at a run boundary`);
    return instance;
  },
};

/** Block-averaged patterns (one per run and category) on the first two principal axes of the category means, one series per category. */
function haxbyPreview(): DatasetPreview {
  const s = loadHaxby2001Slice();
  const z = zscoredByRun(s);
  const v = s.nVoxels;
  const C = HAXBY_CLASSES.length;
  // Mean pattern of each (run, category): averaging a block's volumes shows the category signal above the noise.
  const x = new Float64Array(HAXBY_RUNS * C * v);
  const count = new Float64Array(HAXBY_RUNS * C);
  for (let t = 0; t < s.nVolumes; t++) {
    const c = labelOf(s, t) - 1;
    if (c < 0) continue;
    const r = (s.runs[t] as number) * C + c;
    count[r] = (count[r] as number) + 1;
    for (let k = 0; k < v; k++) x[r * v + k] = (x[r * v + k] as number) + (z[t * v + k] as number);
  }
  for (let r = 0; r < HAXBY_RUNS * C; r++) for (let k = 0; k < v; k++) x[r * v + k] = (x[r * v + k] as number) / (count[r] as number);
  // Remove each run's mean over its categories: what is left is how categories differ within a run.
  for (let run = 0; run < HAXBY_RUNS; run++) {
    for (let k = 0; k < v; k++) {
      let m = 0;
      for (let c = 0; c < C; c++) m += x[(run * C + c) * v + k] as number;
      for (let c = 0; c < C; c++) x[(run * C + c) * v + k] = (x[(run * C + c) * v + k] as number) - m / C;
    }
  }
  // Axes: the principal components of the 8 category means (over runs), i.e. where the categories differ.
  const means = new Float64Array(C * v);
  for (let r = 0; r < HAXBY_RUNS * C; r++)
    for (let k = 0; k < v; k++) means[(r % C) * v + k] = (means[(r % C) * v + k] as number) + (x[r * v + k] as number) / HAXBY_RUNS;
  const { mean, vectors } = principalAxes(means, C, v);
  const project = (r: number, pc: number) => {
    let acc = 0;
    for (let k = 0; k < v; k++) acc += ((x[r * v + k] as number) - (mean[k] as number)) * (vectors[pc * v + k] as number);
    return Math.round(acc * 100) / 100;
  };
  const series = HAXBY_CLASSES.map((name, c) => {
    const runs = Array.from({ length: HAXBY_RUNS }, (_, run) => run * C + c);
    return { name, x: runs.map((r) => project(r, 0)), y: runs.map((r) => project(r, 1)) };
  });
  return {
    title: "Category patterns per run, on the two main axes of the category means",
    kind: "points",
    xLabel: "axis 1",
    yLabel: "axis 2",
    series,
    caption: `The mean pattern of each category block (${HAXBY_RUNS} runs × ${C} categories, 9 volumes of TR 2.5 s each) over the slice's ${v} voxels (z-scored within run, run mean removed), projected on the first two principal components of the 8 category means. Houses and faces stand apart from each other and from the small objects (the category-selective responses of Haxby et al. 2001). Instances decode single volumes, from random subsets of ${config.voxels} voxels, on held-out runs.`,
  };
}
