// The fixed points of the flip-flop RNN's autonomous dynamics h ← ReLU(h W_hh + b_h) (zero input: no pulse), found
// exactly by the piecewise-linear Newton search of harness/relu-rnn-fixed-points.ts. Two rounds of starts: the states
// the network visits on flip-flop trials (they lead to the eight memories and to some saddles), then points on the
// segments between every two stable points found (Sussillo & Barak's saddles lie between the memories they separate).
import { type RnnWeights, runRnn } from "../../../harness/relu-rnn.ts";
import { findFixedPoints, maxDistance, memoOnWeights } from "../../../harness/relu-rnn-fixed-points.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { simulateFlipFlop } from "./flip-flop.ts";
import { TRAINING } from "./recipe.ts";

export const FIXED_POINT_SEARCH = {
  /** Round 1: every `stride`-th state of `trials` flip-flop trials of `steps` steps (a seeded stream). */
  trials: 50,
  steps: 60,
  stride: 3,
  /** Round 2: the points (1 − f) a + f b, f = k / segmentSteps (0 < k < segmentSteps), for every two stable points a, b of round 1. */
  segmentSteps: 10,
  /** Pattern iterations per start; a start that cycles between patterns longer than this is dropped. */
  maxIterations: 50,
  residual: 1e-9,
  /** Two solutions closer than this (max-norm) are the same point. */
  duplicate: 1e-6,
};

/** Round 1's starting states: every `stride`-th hidden state of seeded flip-flop trials (the states the network visits). */
export const visitedStates = memoOnWeights((w: RnnWeights) => {
  const { trials, steps, stride } = FIXED_POINT_SEARCH;
  const H = w.hidden;
  const rng = new Rng(seedFrom("rnn-flip-flop", "fixed-point-starts"));
  const perTrial = Math.floor(steps / stride);
  const starts = new Float64Array(trials * perTrial * H);
  for (let i = 0; i < trials; i++) {
    const states = runRnn(w, simulateFlipFlop(rng, steps, TRAINING.pulseProbability).inputs, steps);
    for (let s = 0; s < perTrial; s++) starts.set(states.subarray(s * stride * H, (s * stride + 1) * H), (i * perTrial + s) * H);
  }
  return { starts, rows: trials * perTrial };
});

/** The network's fixed points at zero input: round 1's, then the new ones of round 2, in the order found. */
export const rnnFixedPoints = memoOnWeights((w: RnnWeights) => {
  const H = w.hidden;
  const { starts, rows } = visitedStates(w);
  const first = findFixedPoints(w, starts, rows, FIXED_POINT_SEARCH);
  const stable = first.filter((p) => p.unstable === 0);
  const n = FIXED_POINT_SEARCH.segmentSteps;
  const segments: Float64Array[] = [];
  for (let a = 0; a < stable.length; a++) {
    for (let b = a + 1; b < stable.length; b++) {
      const [from, to] = [(stable[a] as { state: Float64Array }).state, (stable[b] as { state: Float64Array }).state];
      for (let k = 1; k < n; k++) segments.push(Float64Array.from(from, (v, i) => v + (k / n) * ((to[i] as number) - v)));
    }
  }
  const second = new Float64Array(segments.length * H);
  segments.forEach((s, i) => {
    second.set(s, i * H);
  });
  const more = findFixedPoints(w, second, segments.length, FIXED_POINT_SEARCH);
  return [...first, ...more.filter((p) => !first.some((q) => maxDistance(q.state, p.state) < FIXED_POINT_SEARCH.duplicate))];
});
