// T1 hybrid on the open-field place cells (Tampuu et al. 2019): sparse features planted into real CA1
// activity (tasks/feature-recovery/hybrid.ts). Each instance is a contiguous block of one rat's 1.4 s windows.
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance, NdArray } from "../../../harness/types.ts";
import { drawFromSeed } from "../../../tasks/feature-recovery/generate.ts";
import {
  HYBRID_P,
  HYBRID_REGIMES,
  hybridInstance,
  hybridRegimeFromSeed,
  selectActiveCells,
  takeColumns,
  zscoreColumns,
} from "../../../tasks/feature-recovery/hybrid.ts";
import { placeCellsTampuu2019Card as card, TAMPUU_RATS, type TampuuRat } from "./card.ts";
import { loadTampuuRat, WINDOW_SECONDS, WINDOW_STEP_SECONDS } from "./load.ts";

const hybridConfig = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  /** sha256 of every original file read (the five rats' window counts), so the version hash covers the data. */
  files: Object.fromEntries(card.files.filter((f) => f.name.endsWith("_feat.dat")).map((f) => [f.name, f.sha256])),
  rats: [...TAMPUU_RATS],
  background: "spike counts per 1400 ms window (stepped by 200 ms) of the selected cells, z-scored per cell over the block",
  /** Samples per instance: a contiguous block of this many windows (13.7 min) at a seed-chosen start. */
  n: 4096,
  /** Cells: those non-zero in at least this fraction of the block's windows… */
  minActiveFraction: 0.05,
  /** …of which a random subset of at most this many (d = 32 as on the synthetic datasets; R2217 has only 22 such cells). */
  maxCells: 32,
  regimes: HYBRID_REGIMES.map((r) => ({ ...r })),
  p: HYBRID_P,
  features:
    "k = ratio · d directions uniform on the unit sphere; codes amplitude · Bernoulli(p) · Uniform(0, 1), each feature active in ≥ 8 samples",
};

/** The rat of an instance, drawn from its seed (as its regime is), never from its index. */
export function hybridPlaceCellsRatFromSeed(seed: number): TampuuRat {
  return drawFromSeed(TAMPUU_RATS, seed, "rat");
}

export const hybridPlaceCells: DatasetDefinition = {
  slug: "hybrid-place-cells",
  task: "feature-recovery",
  version: 2,
  title: "Hybrid: features planted in place-cell activity",
  domain: "biological",
  description:
    "Real background: z-scored spike counts of up to 32 CA1 place cells (1.4 s windows stepped by 200 ms) over a contiguous 13.7-minute block of one of five rats foraging in an open field, at a seed-chosen position. Planted: k = d or 2d sparse features along random unit directions, each active with probability 0.05 with a coefficient of up to 4 or 8 background SDs. Truth: the planted directions.",
  sizes: { dev: 4, official: 8, private: 8 },
  config: hybridConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: hybridPlaceCellsPreview,
  generate(_split, _index, seed): GeneratedInstance {
    const rat = hybridPlaceCellsRatFromSeed(seed);
    const w = loadTampuuRat(rat);
    const { n, maxCells, minActiveFraction } = hybridConfig;
    const rng = new Rng(seed);
    const start = rng.int(w.nWindows - n + 1);
    const block = w.counts.subarray(start * w.nCells, (start + n) * w.nCells);
    const cells = selectActiveCells(rng, block, n, w.nCells, maxCells, minActiveFraction);
    return hybridInstance(rng, takeColumns(block, n, w.nCells, cells), n, cells.length, hybridRegimeFromSeed(seed), {
      rat,
      startWindow: start,
      cells: Array.from(cells),
      recordedCells: w.nCells,
    });
  },
};

/** Three cells' z-scored activity over 60 s, as recorded and with features planted (strongest regime). */
function hybridPlaceCellsPreview(): DatasetPreview {
  const rat = TAMPUU_RATS[0];
  const w = loadTampuuRat(rat);
  const { n, maxCells, minActiveFraction } = hybridConfig;
  const rng = new Rng(0);
  const block = w.counts.subarray(0, n * w.nCells);
  const cells = selectActiveCells(rng, block, n, w.nCells, maxCells, minActiveFraction);
  const d = cells.length;
  const background = takeColumns(block, n, w.nCells, cells);
  const real = zscoreColumns(background, n, d);
  const regime = HYBRID_REGIMES[3];
  const hybrid = hybridInstance(rng, background, n, d, regime, {}).inputs.activations as NdArray;
  const T = 300;
  const x = Array.from({ length: T }, (_, t) => round2(t * WINDOW_STEP_SECONDS));
  const series: DatasetPreview["series"] = [];
  for (const j of [0, Math.floor(d / 3), Math.floor((2 * d) / 3)]) {
    const name = `cell ${(cells[j] as number) + 1}`;
    series.push({ name: `${name}, recorded`, x, y: x.map((_, t) => round2(real[t * d + j] as number)) });
    series.push({ name: `${name}, hybrid`, x, y: x.map((_, t) => round2(hybrid.data[t * d + j] as number)) });
  }
  return {
    title: `Recorded vs hybrid activity (z-scored), three place cells of rat ${rat}`,
    kind: "lines",
    xLabel: "time (s)",
    yLabel: "z-scored count",
    series,
    caption: `The first 60 s of rat ${rat} (${WINDOW_SECONDS} s windows every ${WINDOW_STEP_SECONDS} s), each cell z-scored over the first ${n}-window block, before and after planting k = ${regime.ratio * d} features of amplitude up to ${regime.amplitude} SDs (the strongest regime). Place cells are themselves sparse (each fires in its field), so the real background already has sparse structure along single cells that a method may mistake for features.`,
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
