// T8 `chewie-co-smoothing`: co-smoothing of held-out M1 neurons on Chewie's reaching trials (Dyer et al. 2017 demo
// data), as the Neural Latents Benchmark's MC_Maze. A recording has no known latents or fixed points: the truth is
// the held-out neurons' spike counts on held-out trials only (latents with 0 columns, no fixed point).
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview } from "../../../harness/types.ts";
import { m1Dyer2017Card as card } from "./card.ts";
import { CHEWIE_TRIAL_BINS, loadM1Subject, M1_SESSIONS, type M1Session } from "./load.ts";

const config = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  files: Object.fromEntries(card.files.map((f) => [f.name, f.sha256])),
  subject: "chewie",
  activity: "spike counts per bin as stored, every neuron; only complete 31-bin trials",
  /** Trials per instance, drawn without replacement from one session; the first trainTrials of the draw train. */
  trials: 30,
  trainTrials: 22,
  /** Held-out neurons per instance, drawn from the seed (NLB holds out about a quarter). */
  heldOut: 18,
  /** The latent dimension methods are asked for: no truth, a modelling choice (NLB's MC_Maze baselines use ~ 10–40 factors on 182 neurons). */
  latentDim: 6,
};

export const chewieCoSmoothing: DatasetDefinition = {
  slug: "chewie-co-smoothing",
  task: "latent-dynamics",
  version: 1,
  title: "Motor cortex co-smoothing (Chewie, Dyer et al. 2017)",
  domain: "biological",
  description:
    "Monkey C's M1 spike counts during centre-out reaching, 31-bin trials (bin width not stated in the source): 30 complete trials of one session drawn from the seed, 18 of the 71 neurons held out (their counts given on the first 22 trials, predicted on the last 8). A different kind of truth: no latent or fixed point is known, so only co-smoothing (the main score) and bits per spike are measured.",
  sizes: { dev: 2, official: 8, private: 8 },
  config,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview,
  generate(_split, _index, seed) {
    const rng = new Rng(seed);
    const session = M1_SESSIONS[rng.int(M1_SESSIONS.length)] as M1Session;
    const s = loadM1Subject("chewie")[session];
    const complete = s.trials.filter((t) => t.complete && t.end - t.start === CHEWIE_TRIAL_BINS);
    const order = rng.permutation(complete.length);
    const chosen = Array.from({ length: config.trials }, (_, k) => complete[order[k] as number] as (typeof complete)[number]);
    const neurons = rng.permutation(s.d);
    const outNeurons = Array.from(neurons.subarray(0, config.heldOut)).sort((a, b) => a - b);
    const inNeurons = Array.from(neurons.subarray(config.heldOut)).sort((a, b) => a - b);
    const T = CHEWIE_TRIAL_BINS;
    const { trials, trainTrials, heldOut } = config;
    const heldIn = inNeurons.length;
    const spikes = f32([trials, T, heldIn]);
    const heldoutAll = new Float32Array(trials * T * heldOut);
    chosen.forEach((trial, k) => {
      for (let b = 0; b < T; b++) {
        const row = (trial.start + b) * s.d;
        inNeurons.forEach((j, c) => {
          spikes.data[(k * T + b) * heldIn + c] = s.activity[row + j] as number;
        });
        outNeurons.forEach((j, c) => {
          heldoutAll[(k * T + b) * heldOut + c] = s.activity[row + j] as number;
        });
      }
    });
    return {
      params: { latentDim: config.latentDim, dt: null },
      inputs: { spikes, heldoutTrain: f32([trainTrials, T, heldOut], heldoutAll.subarray(0, trainTrials * T * heldOut)) },
      truth: {
        heldoutTest: f32([trials - trainTrials, T, heldOut], heldoutAll.subarray(trainTrials * T * heldOut)),
        latents: f32([trials, T, 0]),
        fixedPoints: f32([0, 1]),
      },
      meta: { session, trials: chosen.map((t) => t.start).join(","), heldOut: outNeurons.join(",") },
    };
  },
};

/** Trial-averaged counts of the four most active neurons over the 31 bins of session A's complete trials. */
function preview(): DatasetPreview {
  const s = loadM1Subject("chewie").A;
  const complete = s.trials.filter((t) => t.complete && t.end - t.start === CHEWIE_TRIAL_BINS);
  const mean = (j: number) =>
    Array.from(
      { length: CHEWIE_TRIAL_BINS },
      (_, b) => complete.reduce((sum, t) => sum + (s.activity[(t.start + b) * s.d + j] as number), 0) / complete.length,
    );
  const total = Array.from({ length: s.d }, (_, j) => mean(j).reduce((a, v) => a + v, 0));
  const top = total
    .map((v, j) => [v, j] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 4);
  return {
    title: "Trial-averaged spike counts of the four most active neurons (Chewie, session A)",
    kind: "lines",
    xLabel: "bin within trial",
    yLabel: "mean spike count per bin",
    series: top.map(([, j]) => ({
      name: `neuron ${j}`,
      x: Array.from({ length: CHEWIE_TRIAL_BINS }, (_, b) => b),
      y: mean(j).map((v) => Number(v.toFixed(3))),
    })),
  };
}
