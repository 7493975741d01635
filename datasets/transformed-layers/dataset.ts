// T5 synthetic dataset `transformed-layers` (TASKS.md): B parts are shuffled copies of A parts (and, in one
// regime, of chain layers A does not show) under random rotation, scaling, noise and a monotone nonlinearity.
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, NdArray } from "../../harness/types.ts";
import { correspondenceProblem, matchArray, toF32 } from "../../tasks/layer-correspondence/generate.ts";
import { partName } from "../../tasks/layer-correspondence/parts.ts";

interface Regime {
  name: string;
  /** Parts of A. */
  L: number;
  /** Chain layers, all copied into B (M = layers); layers − L of them are distractors A does not show. */
  layers: number;
  /** Per-B-part noise std relative to the signal RMS, uniform in this range. */
  noise: [number, number];
  /** Per-B-part nonlinearity strength κ, uniform in this range. */
  kappa: [number, number];
  /** Std of the log per-unit gains of B copies. */
  gainSpread: number;
}

const regimes: Regime[] = [
  { name: "mild", L: 4, layers: 4, noise: [0.2, 0.3], kappa: [0.2, 1], gainSpread: 0.5 },
  { name: "noisy", L: 6, layers: 6, noise: [1, 1.5], kappa: [0.2, 1], gainSpread: 0.5 },
  { name: "nonlinear", L: 6, layers: 6, noise: [0.2, 0.3], kappa: [2, 6], gainSpread: 0.5 },
  { name: "anisotropic", L: 6, layers: 6, noise: [0.3, 0.45], kappa: [0.2, 1], gainSpread: 1.2 },
  { name: "distractors", L: 4, layers: 8, noise: [0.2, 0.8], kappa: [0.5, 2], gainSpread: 0.5 },
  { name: "uneven", L: 8, layers: 8, noise: [0.1, 2], kappa: [0.5, 2], gainSpread: 0.5 },
];

const config = {
  n: 600,
  inputDim: 32,
  /** Stimulus variance along input axis k ∝ k^(−spectrumDecay). */
  spectrumDecay: 1,
  /** Layer widths, uniform integers in this range. */
  widths: [24, 64] as [number, number],
  chainGain: 1.5,
  /** B copies are up to this many units wider than their layer. */
  extraWidth: 16,
  regimes,
};

export function regimeOf(index: number): Regime {
  return regimes[index % regimes.length] as Regime;
}

export const transformedLayers: DatasetDefinition = {
  slug: "transformed-layers",
  task: "layer-correspondence",
  version: 1,
  title: "Transformed layers",
  domain: "synthetic",
  description:
    "System A is a chain of random tanh layers on shared stimuli (neighbouring parts correlated); system B holds shuffled copies of the layers under random rotation, per-unit scaling, a monotone nonlinearity, noise and a global scale. Regimes vary noise level, nonlinearity strength, anisotropy, depth, distractor parts and how unevenly noisy the parts are.",
  sizes: { dev: 6, official: 12, private: 12 },
  config: config as unknown as DatasetDefinition["config"],
  generate(_split, index, seed) {
    const regime = regimeOf(index);
    const rng = new Rng(seed);
    const [lo, hi] = config.widths;
    const dims = Array.from({ length: regime.layers }, () => lo + rng.int(hi - lo + 1));
    const problem = correspondenceProblem(rng, {
      n: config.n,
      inputDim: config.inputDim,
      clusters: 0,
      spectrumDecay: config.spectrumDecay,
      dims,
      gain: config.chainGain,
      L: regime.L,
      noise: regime.noise,
      kappa: regime.kappa,
      gainSpread: regime.gainSpread,
      extraWidth: config.extraWidth,
    });
    const inputs: Record<string, NdArray> = {};
    problem.a.forEach((m, i) => {
      inputs[partName("a", i)] = toF32(m);
    });
    problem.b.forEach((m, j) => {
      inputs[partName("b", j)] = toF32(m);
    });
    const L = problem.a.length;
    const M = problem.b.length;
    return {
      params: { L, M },
      inputs,
      truth: { match: matchArray(problem.match) },
      // Methods see meta: it names the regime only, never which parts correspond.
      meta: { regime: regime.name, L, M, n: config.n, noise: regime.noise, kappa: regime.kappa, gainSpread: regime.gainSpread },
    };
  },
};
