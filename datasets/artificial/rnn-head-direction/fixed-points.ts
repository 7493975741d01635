// The fixed points of the head-direction RNN's autonomous dynamics h ← ReLU(h W_hh + b_h) (zero input: the head
// still, no cue), found exactly by the piecewise-linear Newton search of harness/relu-rnn-fixed-points.ts from the
// states the network visits on head-motion trials.
import type { RnnWeights } from "../../../harness/relu-rnn.ts";
import { runRnn } from "../../../harness/relu-rnn.ts";
import { findFixedPoints, memoOnWeights } from "../../../harness/relu-rnn-fixed-points.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { MOTION } from "./recipe.ts";
import { simulateTrial } from "./rnn.ts";

export const FIXED_POINT_SEARCH = {
  /** Starting states: every `stride`-th state of `trials` head-motion trials of `steps` steps (a seeded stream). */
  trials: 100,
  steps: 100,
  stride: 10,
  /** Pattern iterations per start; a start that cycles between patterns longer than this is dropped. */
  maxIterations: 50,
  residual: 1e-9,
  /** Two solutions closer than this (max-norm) are the same point. */
  duplicate: 1e-6,
};

/** Starting states: every `stride`-th hidden state of seeded head-motion trials (the states the network visits). */
export const searchStarts = memoOnWeights((w: RnnWeights) => {
  const { trials, steps, stride } = FIXED_POINT_SEARCH;
  const H = w.hidden;
  const rng = new Rng(seedFrom("rnn-head-direction", "fixed-point-starts"));
  const perTrial = Math.floor(steps / stride);
  const starts = new Float64Array(trials * perTrial * H);
  for (let i = 0; i < trials; i++) {
    const trial = simulateTrial(rng, MOTION, steps);
    const states = runRnn(w, trial.inputs, steps);
    for (let s = 0; s < perTrial; s++)
      starts.set(states.subarray((s * stride + stride - 1) * H, (s * stride + stride) * H), (i * perTrial + s) * H);
  }
  return { starts, rows: trials * perTrial };
});

/** The network's fixed points at zero input (the head still), from `searchStarts`. */
export const rnnFixedPoints = memoOnWeights((w: RnnWeights) => {
  const { starts, rows } = searchStarts(w);
  return findFixedPoints(w, starts, rows, FIXED_POINT_SEARCH);
});
