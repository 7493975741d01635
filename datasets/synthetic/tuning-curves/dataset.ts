// T2 synthetic dataset: Poisson populations with known tuning to a latent trajectory (TASKS.md,
// `tuning-curves`). Instance i uses regime i mod 4: head direction (circular), place cells (x, y),
// and two mixed-selectivity populations whose target is a nonlinear function of the latents (XOR
// class, product).
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance } from "../../../harness/types.ts";
import {
  decodingInstance,
  simulateHeadDirection,
  simulateMixedSelectivity,
  simulatePlaceCells,
} from "../../../tasks/latent-decoding/generate.ts";

export const TUNING_REGIMES = ["head-direction", "place-cells", "mixed-xor", "mixed-product"] as const;
export type TuningRegime = (typeof TUNING_REGIMES)[number];

const config = {
  T: 2000,
  trainFraction: 0.75,
  regimes: [...TUNING_REGIMES],
  headDirection: {
    d: 32,
    rho: 0.9,
    sigma: 0.25,
    kappa: [2, 6] as [number, number],
    peak: [0.5, 2] as [number, number],
    baseline: [0.05, 0.3] as [number, number],
  },
  placeCells: {
    d: 64,
    rho: 0.9,
    sigma: 0.08,
    width: [0.1, 0.2] as [number, number],
    peak: [1, 4] as [number, number],
    baseline: [0.05, 0.3] as [number, number],
  },
  mixed: { d: 48, rho: 0.9, sigma: 0.15, gain: 1, floor: 0.2 },
};

/** Instance i uses regime i mod 4, so every split covers every regime. */
export function regimeOf(index: number): TuningRegime {
  return TUNING_REGIMES[index % TUNING_REGIMES.length] as TuningRegime;
}

export const tuningCurves: DatasetDefinition = {
  slug: "tuning-curves",
  task: "latent-decoding",
  version: 2,
  title: "Tuning curves (Poisson)",
  domain: "synthetic",
  description:
    "Poisson spike counts of model neurons tuned to a latent trajectory, 2000 time bins, first 75 % train, last 25 % test. Regimes cycle: von Mises head-direction cells (decode the heading), Gaussian place fields (decode x, y), and linear mixed selectivity to two latents with a nonlinear target (XOR class; product) that a linear decoder cannot read out.",
  sizes: { dev: 8, official: 20, private: 20 },
  config,
  generate(_split, index, seed): GeneratedInstance {
    const regime = regimeOf(index);
    const rng = new Rng(seed);
    const { T, trainFraction } = config;
    const sim =
      regime === "head-direction"
        ? simulateHeadDirection(rng, { T, ...config.headDirection })
        : regime === "place-cells"
          ? simulatePlaceCells(rng, { T, ...config.placeCells })
          : simulateMixedSelectivity(rng, { T, ...config.mixed }, regime === "mixed-xor" ? "xor" : "product");
    return decodingInstance(sim.series, trainFraction, { regime, ...sim.meta });
  },
};
