// T1 hybrid on the motor-cortex reaching recordings (Dyer et al. 2017 demo data): sparse features planted
// into real M1 activity (tasks/feature-recovery/hybrid.ts). Each instance is a contiguous block of one session.
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
import { m1Dyer2017Card as card } from "./card.ts";
import { loadM1Subject, M1_SESSIONS, M1_SUBJECTS, type M1Session, type M1Subject } from "./load.ts";

const SESSIONS = M1_SUBJECTS.flatMap((subject) => M1_SESSIONS.map((session) => ({ subject, session })));

const hybridConfig = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  /** sha256 of every original file read, so the version hash covers the data. */
  files: Object.fromEntries(card.files.map((f) => [f.name, f.sha256])),
  sessions: SESSIONS.map((s) => `${s.subject}/${s.session}`),
  background:
    "activity as stored (Mihi: firing rate in Hz in 200 ms bins; Chewie: spike count per bin) of the selected neurons, z-scored per neuron over the block",
  /** Samples per instance: a contiguous block of this fraction of the session's bins at a seed-chosen start (498–1454 bins). */
  blockFraction: 0.8,
  /** Neurons: those non-zero in at least this fraction of the block's bins… */
  minActiveFraction: 0.05,
  /** …of which a random subset of this many (d = 32 as on the synthetic datasets). */
  maxCells: 32,
  regimes: HYBRID_REGIMES.map((r) => ({ ...r })),
  p: HYBRID_P,
  features:
    "k = ratio · d directions uniform on the unit sphere; codes amplitude · Bernoulli(p) · Uniform(0, 1), each feature active in ≥ 8 samples",
};

/** The session of an instance (Mihi A, Mihi B, Chewie A, Chewie B), drawn from its seed (as its regime is), never from its index. */
export function hybridM1SessionFromSeed(seed: number): { subject: M1Subject; session: M1Session } {
  return drawFromSeed(SESSIONS, seed, "session");
}

export const hybridM1: DatasetDefinition = {
  slug: "hybrid-m1",
  task: "feature-recovery",
  version: 2,
  title: "Hybrid: features planted in motor-cortex activity",
  domain: "biological",
  description:
    "Real background: z-scored activity of 32 M1 neurons (a random subset of those active in ≥ 5 % of bins) of a monkey reaching to targets, over a contiguous block of 80 % of one of four sessions (two monkeys × two sessions) at a seed-chosen start (498–1454 bins). Planted: k = 32 or 64 sparse features along random unit directions, each active with probability 0.05 with a coefficient of up to 4 or 8 background SDs. Truth: the planted directions.",
  sizes: { dev: 4, official: 8, private: 8 },
  config: hybridConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: hybridM1Preview,
  generate(_split, _index, seed): GeneratedInstance {
    const { subject, session } = hybridM1SessionFromSeed(seed);
    const s = loadM1Subject(subject)[session];
    const n = Math.round(hybridConfig.blockFraction * s.n);
    const rng = new Rng(seed);
    const start = rng.int(s.n - n + 1);
    const block = s.activity.subarray(start * s.d, (start + n) * s.d);
    const cells = selectActiveCells(rng, block, n, s.d, hybridConfig.maxCells, hybridConfig.minActiveFraction);
    return hybridInstance(rng, takeColumns(block, n, s.d, cells), n, cells.length, hybridRegimeFromSeed(seed), {
      subject,
      session,
      startBin: start,
      cells: Array.from(cells),
      recordedCells: s.d,
    });
  },
};

/** Three neurons' z-scored activity over the first 150 bins of Chewie's session A, as recorded and with features planted. */
function hybridM1Preview(): DatasetPreview {
  const s = loadM1Subject("chewie").A;
  const n = Math.round(hybridConfig.blockFraction * s.n);
  const rng = new Rng(0);
  const block = s.activity.subarray(0, n * s.d);
  const cells = selectActiveCells(rng, block, n, s.d, hybridConfig.maxCells, hybridConfig.minActiveFraction);
  const d = cells.length;
  const background = takeColumns(block, n, s.d, cells);
  const real = zscoreColumns(background, n, d);
  const regime = HYBRID_REGIMES[3];
  const hybrid = hybridInstance(rng, background, n, d, regime, {}).inputs.activations as NdArray;
  const T = 150;
  const x = Array.from({ length: T }, (_, t) => t);
  const series: DatasetPreview["series"] = [];
  for (const j of [0, Math.floor(d / 3), Math.floor((2 * d) / 3)]) {
    const name = `neuron ${(cells[j] as number) + 1}`;
    series.push({ name: `${name}, recorded`, x, y: x.map((t) => round2(real[t * d + j] as number)) });
    series.push({ name: `${name}, hybrid`, x, y: x.map((t) => round2(hybrid.data[t * d + j] as number)) });
  }
  return {
    title: "Recorded vs hybrid activity (z-scored), three M1 neurons (Chewie, session A)",
    kind: "lines",
    xLabel: "bin",
    yLabel: "z-scored count",
    series,
    caption: `The first ${T} bins of Chewie's first session (about five reaches), each neuron z-scored over the first ${n}-bin block, before and after planting k = ${regime.ratio * d} features of amplitude up to ${regime.amplitude} SDs (the strongest regime). M1 activity is dense and low-dimensional during reaching, unlike the planted sparse events.`,
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
