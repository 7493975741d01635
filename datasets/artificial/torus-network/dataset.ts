// T4 artificial dataset: a hidden layer of an MLP trained to report two angles from a noisy tuned population
// (TASKS.md, `torus-network`). When both angles vary over the full circle the activity lies on a torus; instances
// where the second angle is held fixed (circle) or swept over half its range (cylinder) keep the task non-trivial.
import { artifactRef, loadArtifact } from "../../../harness/artifacts.ts";
import { forwardMlp, mlpFromTensors } from "../../../harness/mlp.ts";
import { f32, i32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance } from "../../../harness/types.ts";
import {
  ACTIVATIONS,
  angleErrors,
  NETWORKS,
  netPrefix,
  POPULATION,
  type Population,
  populationCounts,
  SIZES,
  TRAINING,
  torusNetworkRecipe,
} from "./recipe.ts";

/**
 * Regimes, drawn uniformly from this list by the instance seed: torus 1/3, cylinder 1/6, circle 1/6, square 1/3, so
 * the three Betti vectors are equally likely.
 */
export const TORUS_REGIMES = ["torus", "cylinder", "square", "torus", "circle", "square"] as const;
export type TorusRegime = (typeof TORUS_REGIMES)[number];

/**
 * Betti numbers of the latent space: the cylinder S¹ × [0, π] is homotopy equivalent to the circle; the square
 * [0, π] × [0, π] (both angles on half-circle arcs) is contractible.
 */
export const REGIME_BETTI: Record<TorusRegime, [number, number, number]> = {
  torus: [1, 2, 1],
  cylinder: [1, 1, 0],
  circle: [1, 1, 0],
  square: [1, 0, 0],
};

const config = {
  artifact: artifactRef(torusNetworkRecipe),
  /** n ~ U{nMin…nMax} inputs, drawn from the seed independently of the regime. */
  nMin: 1000,
  nMax: 1500,
  /** A random subset of unitsMin…32 of the layer's units, in random order. */
  unitsMin: 24,
  regimes: [...TORUS_REGIMES],
  /** Width of θ₂'s arc in the cylinder regime (radians). */
  cylinderArc: Math.PI,
  /** Index of the layer whose output is the activity: the second hidden layer (32 relu units). */
  layer: 1,
  sizes: SIZES,
  population: POPULATION,
  training: TRAINING,
};

/** The regime of an instance, drawn from its seed (never from the index): one of TORUS_REGIMES uniformly, network uniform. */
export function torusRegime(rng: Rng): { regime: TorusRegime; network: number } {
  const regime = TORUS_REGIMES[rng.int(TORUS_REGIMES.length)] as TorusRegime;
  return { regime, network: rng.int(NETWORKS) };
}

export function loadTorusNetwork(k: number) {
  const { tensors } = loadArtifact(torusNetworkRecipe);
  const get = (name: string) => {
    const t = tensors[`${netPrefix(k)}${name}`];
    if (t?.dtype !== "float32") throw new Error(`torus-network artifact lacks ${netPrefix(k)}${name}`);
    return t.data as Float32Array;
  };
  const pop: Population = { phi1: get("phi1"), phi2: get("phi2"), kappa: get("kappa") };
  return { pop, layers: mlpFromTensors(tensors, netPrefix(k), ACTIVATIONS) };
}

export function generateTorusNetwork(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const { regime, network } = torusRegime(rng);
  const { pop, layers } = loadTorusNetwork(network);
  const n = config.nMin + rng.int(config.nMax - config.nMin + 1);
  const held = 2 * Math.PI * rng.uniform();
  const held1 = regime === "square" ? 2 * Math.PI * rng.uniform() : 0;
  const theta = new Float64Array(2 * n);
  for (let s = 0; s < n; s++) {
    const u1 = rng.uniform();
    theta[2 * s] = regime === "square" ? held1 + config.cylinderArc * u1 : 2 * Math.PI * u1;
    const u = rng.uniform();
    theta[2 * s + 1] =
      regime === "torus" ? 2 * Math.PI * u : regime === "cylinder" || regime === "square" ? held + config.cylinderArc * u : held;
  }
  const outs = forwardMlp(layers, populationCounts(pop, rng, theta, n), n);
  const hidden = outs[config.layer] as Float64Array;
  const width = SIZES[config.layer + 1] as number;
  const [e1, e2] = angleErrors(outs[outs.length - 1] as Float64Array, theta, n);
  const deg = (r: number) => Number(((r * 180) / Math.PI).toPrecision(3));
  const betti = REGIME_BETTI[regime];
  const units = config.unitsMin + rng.int(width - config.unitsMin + 1);
  const kept = rng.permutation(width).subarray(0, units);
  const activity = f32([n, units]);
  for (let s = 0; s < n; s++)
    for (let u = 0; u < units; u++) activity.data[s * units + u] = hidden[s * width + (kept[u] as number)] as number;
  return {
    params: {},
    inputs: { activity },
    truth: { betti: i32([3], betti) },
    meta: {
      latent: regime,
      betti: [...betti],
      network,
      units,
      layer: `hidden ${config.layer + 1} (${width} relu units)`,
      decodingErrorDeg: [deg(e1), deg(e2)],
      peakCount: POPULATION.peakCount,
      n,
    },
  };
}

export const torusNetwork: DatasetDefinition = {
  slug: "torus-network",
  task: "topology",
  version: 3,
  title: "Torus network (two periodic variables)",
  domain: "artificial",
  description:
    "Second hidden layer (32 relu units) of an MLP trained with TensorFlow.js to report two angles as (cos, sin) pairs from the Poisson counts of 48 tuned neurons (θ₁, θ₂ and conjunctive); n ~ U{1000…1500} fresh noisy inputs (a random subset of 24–32 units) with both angles over the full circle (torus [1, 2, 1]), θ₂ over half its range (cylinder [1, 1, 0]) or θ₂ held fixed (circle [1, 1, 0]); two trained networks.",
  sizes: { dev: 8, official: 48, private: 48 },
  config,
  artifacts: [torusNetworkRecipe],
  generate(_split, _index, seed) {
    return generateTorusNetwork(seed);
  },
};
