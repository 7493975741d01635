// Biological task datasets on the motor-cortex reaching recordings (Dyer et al. 2017 demo data): T2 hand
// velocity decoding and T5 `cross-session-epochs`. The T1 hybrid of this recording lives in its own file.
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance, JsonValue, NdArray } from "../../../harness/types.ts";
import { decodingInstance } from "../../../tasks/latent-decoding/generate.ts";
import { matchArray, presentPart } from "../../../tasks/layer-correspondence/generate.ts";
import { partName } from "../../../tasks/layer-correspondence/parts.ts";
import { m1Dyer2017Card as card } from "./card.ts";
import { loadM1Subject, M1_SESSIONS, M1_SUBJECTS, type M1Session, type M1SessionData, type M1Subject, type M1Trial } from "./load.ts";

/** sha256 of every original file these datasets read, so the dataset version hash covers the data. */
const files = Object.fromEntries(card.files.map((f) => [f.name, f.sha256]));

// ------------------------------------------------------------------------------------------ T2 velocity

const SERIES = M1_SUBJECTS.flatMap((subject) => M1_SESSIONS.map((session) => ({ subject, session })));

const velocityConfig = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  files,
  series: SERIES.map((s) => `${s.subject}/${s.session}`),
  binSeconds: { mihi: 0.2, chewie: "not stated in the source" },
  activity: "as stored: firing rate in Hz (Mihi, 200 ms bins) or spike count per bin (Chewie); all neurons; not z-scored",
  target: "hand velocity (vx, vy) of the same bin",
  /** Each instance uses a contiguous stretch of this fraction of the session's trials… */
  stretchFraction: 0.8,
  /** …whose first trials (this fraction of the stretch) train and the rest test. */
  trainFraction: 0.75,
};

/** Instance i decodes series i mod 4 (Mihi A, Mihi B, Chewie A, Chewie B), so every split covers all four. */
export function velocitySeriesOf(index: number): { subject: M1Subject; session: M1Session } {
  return SERIES[index % SERIES.length] as { subject: M1Subject; session: M1Session };
}

/** Trials [first, first + stretch) of a session cut at a trial boundary into train (earlier) and test (later) bins. */
export function velocityBlocks(s: M1SessionData, rng: Rng) {
  const nTrials = s.trials.length;
  const stretch = Math.round(velocityConfig.stretchFraction * nTrials);
  const first = rng.int(nTrials - stretch + 1);
  const trainTrials = Math.round(velocityConfig.trainFraction * stretch);
  const trialAt = (k: number) => s.trials[k] as M1Trial;
  const start = trialAt(first).start;
  const split = trialAt(first + trainTrials).start;
  const end = trialAt(first + stretch - 1).end;
  return { first, stretch, trainTrials, start, split, end };
}

export const m1VelocityDecoding: DatasetDefinition = {
  slug: "m1_reaching_dyer2017_dad",
  task: "latent-decoding",
  version: 1,
  title: "Motor cortex → hand velocity (Dyer et al. 2017)",
  domain: "biological",
  description:
    "Decode hand velocity (vx, vy) from binned M1 activity of two monkeys during centre-out reaching, each of the two sessions per monkey on its own. Each instance takes a contiguous stretch of 80 % of a session's trials at a seed-chosen position; its first 75 % of trials train and the following trials test (cut at a trial boundary, never shuffled).",
  sizes: { dev: 4, official: 8, private: 8 },
  config: velocityConfig,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: velocityPreview,
  generate(_split, index, seed): GeneratedInstance {
    const { subject, session } = velocitySeriesOf(index);
    const s = loadM1Subject(subject)[session];
    const b = velocityBlocks(s, new Rng(seed));
    const T = b.end - b.start;
    const activity = s.activity.subarray(b.start * s.d, b.end * s.d);
    const target = s.velocity.subarray(b.start * 2, b.end * 2);
    const instance = decodingInstance(
      { activity, target, T, d: s.d, q: 2, targetKind: "linear", targetNames: ["vx", "vy"] },
      (b.split - b.start) / T,
      { subject, session, firstTrial: b.first, trials: b.stretch, trainTrials: b.trainTrials, startBin: b.start, units: s.activityUnits },
    );
    // decodingInstance rounds trainFraction·T: check that the cut is exactly the trial boundary.
    if (instance.meta.nTrain !== b.split - b.start) throw new Error(`${card.id}: train block does not end at a trial boundary`);
    return instance;
  },
};

/** Hand velocity (vx, vy) of every bin of Mihi's session A, one series per reach target. */
function velocityPreview(): DatasetPreview {
  const s = loadM1Subject("mihi").A;
  const byTarget = new Map<number, { x: number[]; y: number[] }>();
  for (let t = 0; t < s.n; t++) {
    const tgt = s.target[t] as number;
    const entry = byTarget.get(tgt) ?? { x: [], y: [] };
    entry.x.push(round2(s.velocity[2 * t] as number));
    entry.y.push(round2(s.velocity[2 * t + 1] as number));
    byTarget.set(tgt, entry);
  }
  return {
    title: "Hand velocity by reach target (Mihi, session A)",
    kind: "points",
    xLabel: "vx",
    yLabel: "vy",
    series: [...byTarget.entries()].sort((a, b) => a[0] - b[0]).map(([tgt, xy]) => ({ name: `target ${tgt}`, ...xy })),
    caption: `Hand velocity of all ${s.n} bins (200 ms) of Mihi's first session, coloured by the trial's target class: each reach goes out along its target's direction and back to rest. The decoder predicts (vx, vy) from the ${s.d} neurons' firing rates.`,
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

// ------------------------------------------------------------------------------------------ T5 epochs

interface EpochScheme {
  /** Bins per window (every window has the same number, so every part has the same rows). */
  binsPerEpoch: number;
  /** Windows per session: window e covers bins [offset + e·binsPerEpoch, offset + (e + 1)·binsPerEpoch) of each trial. */
  windows: number;
  /** Windows system A shows (a random subset, in random order); B shows every window, so the rest are distractors. */
  shown: number;
  /** The offset is drawn uniformly from these. */
  offsets: number[];
}

const epochConfig = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  files,
  subjects: [...M1_SUBJECTS],
  binSeconds: { mihi: 0.2, chewie: "not stated in the source" },
  rows: "reach target × bin within the window (target-major), each the mean over that session's complete trials to that target that reach the bin",
  activity:
    "trial-averaged as stored (Mihi Hz, Chewie spikes/bin), then presented per part: units in random order, a global scale ×10^±1 and per-unit offsets (no per-part scalar such as the firing-rate level identifies a window)",
  schemes: {
    // Mihi's trials start at movement onset (200 ms bins, 6–11 per trial): 4 windows of 2 bins cover bins 0–7.
    mihi: { binsPerEpoch: 2, windows: 4, shown: 2, offsets: [0] },
    // Chewie's 31-bin trials hold still for ≈ 11 bins, then accelerate: 6 windows of 5 bins from bin 0 or 1.
    chewie: { binsPerEpoch: 5, windows: 6, shown: 3, offsets: [0, 1] },
  } satisfies Record<M1Subject, EpochScheme>,
  /** Each trial's activity is a multiple of this (Mihi: 1 spike in 200 ms = 5 Hz; Chewie: 1 spike); trial means are dequantized within their cell. */
  quantum: { mihi: 5, chewie: 1 },
  /** Which session is system A is drawn per instance (A or B of the recording, the other one is system B). */
  sessionOrder: "drawn from the instance seed",
  /** Mihi's sessions have different neurons: each system keeps a random subset of this fraction of its session's neurons. */
  mihiNeuronFraction: 0.8,
  /** Chewie's sessions share their 71 channels: the two systems get disjoint random halves, so the neurons differ. */
  chewieDisjointHalves: true,
};

/** The monkey of an instance, drawn from its seed (never from its index). */
export function epochSubjectOf(seed: number): M1Subject {
  return M1_SUBJECTS[new Rng(seed).fork("subject").int(M1_SUBJECTS.length)] as M1Subject;
}

/**
 * Trial-averaged activity of the chosen neurons, one row per (target, bin) with bins [from, from + width) of
 * each trial, target-major; only complete trials enter (Chewie's two cut runs are not aligned to a trial start).
 */
export function trialAverage(
  s: M1SessionData,
  targets: readonly number[],
  from: number,
  width: number,
  neurons: Int32Array,
  dequantize?: { rng: Rng; quantum: number },
): Float64Array {
  const d = neurons.length;
  const out = new Float64Array(targets.length * width * d);
  targets.forEach((tgt, ti) => {
    for (let r = 0; r < width; r++) {
      const row = out.subarray((ti * width + r) * d, (ti * width + r + 1) * d);
      let count = 0;
      for (const tr of s.trials) {
        if (!tr.complete || tr.target !== tgt || tr.end - tr.start <= from + r) continue;
        const t = tr.start + from + r;
        for (let k = 0; k < d; k++) row[k] = (row[k] as number) + (s.activity[t * s.d + (neurons[k] as number)] as number);
        count++;
      }
      if (count === 0) throw new Error(`${card.id}: no ${s.subject}/${s.session} trial to target ${tgt} reaches bin ${from + r}`);
      for (let k = 0; k < d; k++) row[k] = (row[k] as number) / count;
      // Dequantization: each trial's value is a multiple of `quantum`, so the mean is a multiple of quantum/count;
      // spread it uniformly within its cell, so that exact ties (e.g. a silent unit's zeros) carry no information.
      if (dequantize)
        for (let k = 0; k < d; k++) row[k] = (row[k] as number) + ((dequantize.rng.uniform() - 0.5) * dequantize.quantum) / count;
    }
  });
  return out;
}

/** Sorted target classes present in both sessions (the same four per monkey). */
function sharedTargets(a: M1SessionData, b: M1SessionData): number[] {
  const inA = new Set(a.trials.map((t) => t.target));
  return [...new Set(b.trials.map((t) => t.target))].filter((t) => inA.has(t)).sort((x, y) => x - y);
}

/** Neurons of each session for one instance: random subsets (Mihi) or disjoint halves of the shared channels (Chewie). */
export function epochNeurons(subject: M1Subject, a: M1SessionData, b: M1SessionData, rng: Rng): { A: Int32Array; B: Int32Array } {
  const sorted = (xs: ArrayLike<number>) => Int32Array.from(xs).sort();
  if (subject === "chewie") {
    if (a.d !== b.d) throw new Error(`${card.id}: chewie sessions have ${a.d} and ${b.d} channels`);
    const perm = rng.permutation(a.d);
    const half = Math.floor(a.d / 2);
    return { A: sorted(perm.subarray(0, half)), B: sorted(perm.subarray(half)) };
  }
  const pick = (d: number) => sorted(rng.permutation(d).subarray(0, Math.round(epochConfig.mihiNeuronFraction * d)));
  return { A: pick(a.d), B: pick(b.d) };
}

export const m1CrossSessionEpochs: DatasetDefinition = {
  slug: "cross-session-epochs",
  task: "layer-correspondence",
  version: 2,
  title: "Motor cortex: movement epochs across sessions (Dyer et al. 2017)",
  domain: "biological",
  description:
    "Two sessions of the same monkey reaching to the same targets, recorded with different neurons (Mihi: different units; Chewie: disjoint random halves of the array). Parts are consecutive time windows of the trial (Mihi 4 × 2 bins of 200 ms from movement onset; Chewie 6 × 5 bins from hold to late acceleration); rows are reach targets × bins within the window, trial-averaged. One session (drawn per instance) is system A and shows a random subset of its windows (Mihi 2, Chewie 3) in random order; the other is system B and shows every window, shuffled, so the windows between and around A's are distractors. Window i of A corresponds to the same window of B.",
  sizes: { dev: 6, official: 32, private: 32 },
  config: epochConfig as unknown as Record<string, JsonValue>,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: epochPreview,
  generate(_split, _index, seed): GeneratedInstance {
    const subject = epochSubjectOf(seed);
    const sessions = loadM1Subject(subject);
    const scheme: EpochScheme = epochConfig.schemes[subject];
    const rng = new Rng(seed);
    const swap = rng.int(2) === 1;
    const a = swap ? sessions.B : sessions.A;
    const b = swap ? sessions.A : sessions.B;
    const offset = scheme.offsets[rng.int(scheme.offsets.length)] as number;
    const neurons = epochNeurons(subject, a, b, rng);
    const targets = sharedTargets(a, b);
    const G = scheme.windows;
    const w = scheme.binsPerEpoch;
    const n = targets.length * w;
    const part = (s: M1SessionData, e: number, cols: Int32Array): NdArray => {
      const m = {
        n,
        d: cols.length,
        data: trialAverage(s, targets, offset + e * w, w, cols, { rng, quantum: epochConfig.quantum[subject] }),
      };
      return f32([n, cols.length], presentPart(rng, m, cols.length).data);
    };
    // A: a random subset of the windows in random order; B: every window, shuffled. match[i] = B position of A's window.
    const aSource = [...rng.permutation(G)].slice(0, scheme.shown);
    const bSource = [...rng.permutation(G)];
    const inputs: Record<string, NdArray> = {};
    aSource.forEach((e, i) => {
      inputs[partName("a", i)] = part(a, e, neurons.A);
    });
    bSource.forEach((e, j) => {
      inputs[partName("b", j)] = part(b, e, neurons.B);
    });
    const match = aSource.map((e) => bSource.indexOf(e));
    return {
      params: { L: aSource.length, M: G },
      inputs,
      truth: { match: matchArray(match) },
      // Methods never see meta; it names the windows, not the shuffle.
      meta: {
        subject,
        sessionA: a.session,
        L: aSource.length,
        M: G,
        n,
        targets,
        binsPerEpoch: w,
        offset,
        neuronsA: neurons.A.length,
        neuronsB: neurons.B.length,
      },
    };
  },
};

/** Trial-averaged hand speed against bin in trial, per monkey and session: where the epochs lie. */
function epochPreview(): DatasetPreview {
  const series: DatasetPreview["series"] = [];
  for (const subject of M1_SUBJECTS) {
    const sessions = loadM1Subject(subject);
    for (const session of M1_SESSIONS) {
      const s = sessions[session];
      const sum: number[] = [];
      const count: number[] = [];
      for (const tr of s.trials) {
        if (!tr.complete) continue;
        for (let t = tr.start; t < tr.end; t++) {
          const k = t - tr.start;
          sum[k] = (sum[k] ?? 0) + Math.hypot(s.velocity[2 * t] as number, s.velocity[2 * t + 1] as number);
          count[k] = (count[k] ?? 0) + 1;
        }
      }
      // Bins that fewer than a quarter of the trials reach are too noisy to show.
      const keep = sum.map((_, k) => k).filter((k) => (count[k] as number) >= s.trials.length / 4);
      series.push({ name: `${subject} ${session}`, x: keep, y: keep.map((k) => round2((sum[k] as number) / (count[k] as number))) });
    }
  }
  const { mihi, chewie } = epochConfig.schemes;
  return {
    title: "Hand speed within a trial, per monkey and session",
    kind: "lines",
    xLabel: "bin in trial",
    yLabel: "mean hand speed",
    series,
    caption: `Trial-averaged speed |v| by bin within the trial. Windows: Mihi ${mihi.windows} × ${mihi.binsPerEpoch} bins (200 ms) from movement onset, offset ${mihi.offsets.join("/")}; Chewie ${chewie.windows} × ${chewie.binsPerEpoch} bins, offset ${chewie.offsets.join("/")}. The two sessions of a monkey move alike, while their neurons differ.`,
  };
}
