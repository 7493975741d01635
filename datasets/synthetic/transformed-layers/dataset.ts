// T5 synthetic dataset `transformed-layers` (TASKS.md): A shows a random subset of a chain's layers in random
// order; B holds shuffled copies of every chain layer (so the copies of layers A does not show are distractors)
// under random rotation, scaling, noise and a monotone nonlinearity. The regime is drawn from the instance seed.
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, NdArray } from "../../../harness/types.ts";
import { correspondenceProblem, matchArray, toF32 } from "../../../tasks/layer-correspondence/generate.ts";
import { partName } from "../../../tasks/layer-correspondence/parts.ts";

interface Regime {
  name: string;
  /** Parts of A, a random subset of the chain's layers. */
  L: number;
  /** Chain layers, all copied into B; layers − L of them are distractors A does not show. */
  layers: number;
  /** Layers of a second, independent chain on the same stimuli, all copied into B as distractors (M = layers + other). */
  other: number;
  /** Per-B-part noise std relative to the signal RMS, uniform in this range. */
  noise: [number, number];
  /** Per-B-part nonlinearity strength κ, uniform in this range. */
  kappa: [number, number];
  /** Std of the log per-unit gains of B copies. */
  gainSpread: number;
}

const regimes: Regime[] = [
  { name: "mild", L: 4, layers: 5, other: 3, noise: [0.2, 0.3], kappa: [0.2, 1], gainSpread: 0.5 },
  { name: "noisy", L: 4, layers: 5, other: 3, noise: [1, 1.5], kappa: [0.2, 1], gainSpread: 0.5 },
  { name: "nonlinear", L: 4, layers: 5, other: 3, noise: [0.2, 0.3], kappa: [2, 6], gainSpread: 0.5 },
  { name: "anisotropic", L: 4, layers: 5, other: 3, noise: [0.3, 0.45], kappa: [0.2, 1], gainSpread: 1.2 },
  { name: "distractors", L: 3, layers: 6, other: 3, noise: [0.2, 0.8], kappa: [0.5, 2], gainSpread: 0.5 },
  { name: "uneven", L: 5, layers: 6, other: 3, noise: [0.1, 2], kappa: [0.5, 2], gainSpread: 0.5 },
];

const config = {
  n: 200,
  inputDim: 32,
  /** Stimulus variance along input axis k ∝ k^(−spectrumDecay). */
  spectrumDecay: 1,
  /** Layer widths, uniform integers in this range. */
  widths: [24, 64] as [number, number],
  chainGain: 1.5,
  /** Width of every B copy, uniform in this range whatever its layer's width (so widths do not pair parts). */
  copyWidth: [64, 80] as [number, number],
  regimes,
};

/** The regime of an instance, drawn from its seed (never from its index). */
export function regimeOf(seed: number): Regime {
  return regimes[new Rng(seed).fork("regime").int(regimes.length)] as Regime;
}

export const transformedLayers: DatasetDefinition = {
  slug: "transformed-layers",
  task: "layer-correspondence",
  version: 2,
  title: "Transformed layers",
  domain: "synthetic",
  description:
    "A chain of random tanh layers on shared stimuli (neighbouring layers correlated). System A shows a random subset of the layers in random order; system B holds shuffled copies of every layer under random rotation into a random width, per-unit scaling, a monotone nonlinearity, noise and a global scale, so the copies of the layers A does not show are distractors. Regimes (drawn per instance) vary noise level, nonlinearity strength, anisotropy, the number of distractors and how unevenly noisy the parts are.",
  sizes: { dev: 6, official: 40, private: 40 },
  config: config as unknown as DatasetDefinition["config"],
  generate(_split, _index, seed) {
    const regime = regimeOf(seed);
    const rng = new Rng(seed);
    const [lo, hi] = config.widths;
    const dims = Array.from({ length: regime.layers }, () => lo + rng.int(hi - lo + 1));
    const otherDims = Array.from({ length: regime.other }, () => lo + rng.int(hi - lo + 1));
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
      copyWidth: config.copyWidth,
      otherDims,
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
      meta: {
        regime: regime.name,
        L,
        M,
        n: config.n,
        layers: regime.layers,
        other: regime.other,
        noise: regime.noise,
        kappa: regime.kappa,
        gainSpread: regime.gainSpread,
      },
    };
  },
};
