import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview } from "../../../harness/types.ts";
import { poissonPopulation, populationInstance, SYSTEMS, type SystemId, system } from "../../../tasks/latent-dynamics/systems.ts";

// Generator settings: hashed with the dataset version.
const config = {
  systems: [...SYSTEMS],
  trials: 30,
  trainTrials: 22,
  bins: 60,
  dt: 0.02,
  heldIn: 24,
  heldOut: 8,
  baseRateMin: 0.05,
  baseRateMax: 0.2,
  gain: 1.2,
};

/**
 * Instance i simulates system i mod 5, so every split covers every system evenly (as tuning-curves cycles its
 * regimes; methods see opaque instance ids, and the input shapes are the same for every system).
 */
export function systemOf(index: number): SystemId {
  return config.systems[index % config.systems.length] as SystemId;
}

/**
 * The system, latents, true rates and counts [trials · bins, heldIn + heldOut] of instance `index` drawn from `seed`
 * (the held-out neurons are the last columns); bench/analysis/latent-dynamics-ceiling.ts scores the true rates with it.
 */
export function simulateInstance(index: number, seed: number) {
  const rng = new Rng(seed);
  const sys = system(systemOf(index));
  const latents = sys.simulate(config.trials, config.bins, rng);
  const { rates, counts } = poissonPopulation(latents, sys.d, config.heldIn + config.heldOut, config, rng);
  return { sys, latents, rates, counts, config };
}

/** Three trials of each system's first two latent coordinates (the dataset page's plot): 5 × 3 × 60 points. */
function preview(): DatasetPreview {
  return {
    title: "True latent trajectories, first two coordinates (3 trials per system)",
    kind: "points",
    xLabel: "latent 1",
    yLabel: "latent 2",
    series: SYSTEMS.map((id) => {
      const sys = system(id);
      const z = sys.simulate(3, config.bins, new Rng(1));
      const rows = z.length / sys.d;
      return {
        name: id,
        x: Array.from({ length: rows }, (_, i) => Number((z[i * sys.d] as number).toFixed(3))),
        y: Array.from({ length: rows }, (_, i) => Number((z[i * sys.d + 1] as number).toFixed(3))),
      };
    }),
    caption:
      "Flip-flop: transitions between the corners of a cube; limit cycle: spirals onto the unit circle; Lorenz: the two wings; ring attractor: onto the unit circle, then turned by unseen bouts; line attractor: along the segment y = 0, x ∈ [−1, 1], kicked off it and relaxing back.",
  };
}

export const dynamicalSystems: DatasetDefinition = {
  slug: "dynamical-systems",
  task: "latent-dynamics",
  version: 2,
  title: "Dynamical systems with known fixed points",
  domain: "synthetic",
  description:
    "Each instance is one of five systems, in turn: a 3-bit flip-flop (three bistable units flipped by unseen pulses; 27 fixed points: 8 stable, 18 saddles, 1 unstable), a Hopf limit cycle (one unstable focus), the Lorenz attractor (three saddles), a ring attractor turned by unseen angular-velocity bouts (a circle of fixed points around an unstable origin) or a line attractor integrating unseen input between soft walls (a segment of fixed points). 30 trials × 60 bins of 20 ms; 32 Poisson neurons with log-linear tuning λ = exp(b + W z) (2.5–10 Hz at the latents' mean), 24 held in and 8 held out (their counts given on the first 22 trials, predicted on the last 8). Truth: the held-out counts, the latents and the fixed points.",
  sizes: { dev: 5, official: 15, private: 15 },
  config,
  preview,
  generate(_split, index, seed) {
    const { sys, latents, counts } = simulateInstance(index, seed);
    const { trials, trainTrials, bins, heldIn, heldOut } = config;
    const { inputs, truth } = populationInstance({
      counts,
      trials,
      trainTrials,
      bins,
      heldIn,
      heldOut,
      latents,
      latentDim: sys.d,
      fixedPoints: sys.fixedPoints,
    });
    return {
      params: { latentDim: sys.d, dt: config.dt },
      inputs,
      truth,
      meta: {
        system: sys.id,
        latentDim: sys.d,
        fixedPoints: sys.fixedPoints.filter((p) => p.continuum === 0).length,
        continua: new Set(sys.fixedPoints.filter((p) => p.continuum > 0).map((p) => p.continuum)).size,
      },
    };
  },
};
