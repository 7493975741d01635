// Loader of the motor-cortex reaching recordings: reads the original MAT-files (verified against the card's
// sha256s), returns typed arrays and a trial segmentation. Reading only; `npx cajal datasets fetch` downloads.
import { type DataOptions, readDataFile, resolveDataDir } from "../../../harness/data.ts";
import { type MatFile, matVariable, readMat, rowMajor } from "../../../harness/mat.ts";
import { m1Dyer2017Card as card } from "./card.ts";

export const M1_SUBJECTS = ["mihi", "chewie"] as const;
export type M1Subject = (typeof M1_SUBJECTS)[number];
/** The file's train ("tr") and test ("te") parts are two recording sessions; we call them A and B. */
export const M1_SESSIONS = ["A", "B"] as const;
export type M1Session = (typeof M1_SESSIONS)[number];

/** Mihi: a trial also starts where the speed jumps by more than this from below it (movement onset). */
export const MIHI_ONSET_SPEED = 5;
/** Chewie: trials are this many bins long. */
export const CHEWIE_TRIAL_BINS = 31;

export interface M1Trial {
  /** Bins [start, end) of the session. */
  start: number;
  end: number;
  target: number;
  /** false for Chewie's two runs shorter than 31 bins (cut by the start or the end of the session). */
  complete: boolean;
}

export interface M1SessionData {
  subject: M1Subject;
  session: M1Session;
  /** Number of time bins. */
  n: number;
  /** Number of neurons (Mihi's sessions have different, unmatched neurons). */
  d: number;
  /** Row-major [n, d]: firing rate in Hz (Mihi) or spike count per bin (Chewie). */
  activity: Float64Array;
  activityUnits: "Hz" | "spikes/bin";
  /** Hand velocity (vx, vy), row-major [n, 2] (units not stated; cm/s assumed). */
  velocity: Float64Array;
  /** Reach-target class of each bin's trial. */
  target: Uint8Array;
  trials: M1Trial[];
  /** Index into `trials` of each bin. */
  trialOf: Int32Array;
  /** Position of each bin within its trial (0 = first bin). */
  binInTrial: Int32Array;
}

const FILES: Record<M1Subject, string> = { mihi: "mihi_demo.mat", chewie: "chewie_demo.mat" };
const cache = new Map<string, Record<M1Session, M1SessionData>>();

/** Segment one session's bins into trials (see the card's preprocessing description). */
export function segmentTrials(subject: M1Subject, target: Uint8Array, velocity: Float64Array): M1Trial[] {
  const n = target.length;
  const speed = (t: number) => Math.hypot(velocity[2 * t] as number, velocity[2 * t + 1] as number);
  // Runs of constant target first.
  const runs: [number, number][] = [];
  let start = 0;
  for (let t = 1; t <= n; t++) {
    if (t === n || target[t] !== target[t - 1]) {
      runs.push([start, t]);
      start = t;
    }
  }
  const trials: M1Trial[] = [];
  for (const [s, e] of runs) {
    const tgt = target[s] as number;
    if (subject === "mihi") {
      let from = s;
      for (let t = s + 1; t < e; t++) {
        const prev = speed(t - 1);
        if (prev < MIHI_ONSET_SPEED && speed(t) - prev > MIHI_ONSET_SPEED) {
          trials.push({ start: from, end: t, target: tgt, complete: true });
          from = t;
        }
      }
      trials.push({ start: from, end: e, target: tgt, complete: true });
    } else if ((e - s) % CHEWIE_TRIAL_BINS === 0) {
      for (let t = s; t < e; t += CHEWIE_TRIAL_BINS) trials.push({ start: t, end: t + CHEWIE_TRIAL_BINS, target: tgt, complete: true });
    } else {
      if (e - s > CHEWIE_TRIAL_BINS)
        throw new Error(`${card.id}: chewie run [${s}, ${e}) is longer than one trial but not a multiple of ${CHEWIE_TRIAL_BINS} bins`);
      trials.push({ start: s, end: e, target: tgt, complete: false });
    }
  }
  return trials;
}

function session(mat: MatFile, subject: M1Subject, which: "tr" | "te", what: string): M1SessionData {
  const y = matVariable(mat, `Y${which}`, [-1, -1], what);
  const [n, d] = y.dims as [number, number];
  const x = matVariable(mat, `X${which}`, [n, 2], what);
  const t = matVariable(mat, `T${which}`, [n, 1], what);
  if (!(t.data instanceof Uint8Array))
    throw new Error(`${what}: T${which} is stored as ${t.data.constructor.name}, expected uint8 classes`);
  const activity = Float64Array.from(rowMajor(y.data, y.dims));
  const velocity = Float64Array.from(rowMajor(x.data, x.dims));
  const target = Uint8Array.from(t.data);
  const trials = segmentTrials(subject, target, velocity);
  const trialOf = new Int32Array(n);
  const binInTrial = new Int32Array(n);
  trials.forEach((tr, i) => {
    for (let b = tr.start; b < tr.end; b++) {
      trialOf[b] = i;
      binInTrial[b] = b - tr.start;
    }
  });
  return {
    subject,
    session: which === "tr" ? "A" : "B",
    n,
    d,
    activity,
    activityUnits: subject === "mihi" ? "Hz" : "spikes/bin",
    velocity,
    target,
    trials,
    trialOf,
    binInTrial,
  };
}

/** Both sessions of one monkey (cached per data dir; do not mutate the arrays). */
export function loadM1Subject(subject: M1Subject, options: DataOptions = {}): Record<M1Session, M1SessionData> {
  if (!M1_SUBJECTS.includes(subject)) throw new Error(`unknown subject "${subject}"; the recording has ${M1_SUBJECTS.join(", ")}`);
  const dataDir = options.dataDir ?? resolveDataDir().dir;
  const key = `${dataDir}\0${subject}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = FILES[subject];
  const what = `${card.id}/${file}`;
  const mat = readMat(readDataFile(card, file, { dataDir }), { name: what });
  const out = { A: session(mat, subject, "tr", what), B: session(mat, subject, "te", what) };
  cache.set(key, out);
  return out;
}
