// The trained networks behind `torus-network` (T4): MLPs trained with TensorFlow.js to report two angles
// (θ₁, θ₂) as (cos, sin) pairs from the Poisson spike counts of a population tuned to them. Two networks, each
// with its own input population. Versioned and seeded; the file's sha256 is pinned below (README.md).
import type { ArtifactRecipe } from "../../../harness/artifacts.ts";
import { forwardMlp, meanR2, mlpTensors, trainMlp } from "../../../harness/mlp.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { initTf } from "../../../harness/tf.ts";
import type { JsonValue, NdArray } from "../../../harness/types.ts";
import type { Activation } from "../../../tasks/causal-attribution/network.ts";

/** Input neurons: 16 tuned to θ₁, 16 to θ₂, 16 conjunctive (tuned to both). */
export const POPULATION = { pure1: 16, pure2: 16, conjunctive: 16, kappaMin: 1, kappaMax: 3, peakCount: 8, baselineFraction: 0.05 };
export const INPUT_DIM = POPULATION.pure1 + POPULATION.pure2 + POPULATION.conjunctive;
export const SIZES = [INPUT_DIM, 64, 32, 4];
export const ACTIVATIONS: Activation[] = ["relu", "relu", "linear"];
export const NETWORKS = 2;

export const TRAINING = {
  trainSamples: 4000,
  testSamples: 2000,
  epochs: 20,
  batchSize: 64,
  learningRate: 0.003,
  decayFactor: 0.2,
  decayEpochs: 4,
};

/** Preferred angles for θ₁ and θ₂ (pure neurons use only their own) and concentrations, per input neuron. */
export interface Population {
  phi1: Float32Array;
  phi2: Float32Array;
  kappa: Float32Array;
}

export function randomPopulation(rng: Rng): Population {
  const N = INPUT_DIM;
  const uniform = (lo: number, hi: number) => Float32Array.from({ length: N }, () => lo + (hi - lo) * rng.uniform());
  return { phi1: uniform(0, 2 * Math.PI), phi2: uniform(0, 2 * Math.PI), kappa: uniform(POPULATION.kappaMin, POPULATION.kappaMax) };
}

/**
 * Spike counts of the population at angles θ [n, 2], divided by the peak count: neuron j has rate
 * P · (b + f_j(θ)), f_j a von Mises bump in θ₁ (pure 1), θ₂ (pure 2) or the product of both (conjunctive),
 * b = 0.05, and the count is Poisson.
 */
export function populationCounts(pop: Population, rng: Rng, theta: ArrayLike<number>, n: number): Float32Array {
  const N = INPUT_DIM;
  const { pure1, pure2, peakCount: P, baselineFraction } = POPULATION;
  const x = new Float32Array(n * N);
  for (let s = 0; s < n; s++) {
    const t1 = theta[2 * s] as number;
    const t2 = theta[2 * s + 1] as number;
    for (let j = 0; j < N; j++) {
      const kappa = pop.kappa[j] as number;
      const e1 = kappa * (Math.cos(t1 - (pop.phi1[j] as number)) - 1);
      const e2 = kappa * (Math.cos(t2 - (pop.phi2[j] as number)) - 1);
      const f = Math.exp(j < pure1 ? e1 : j < pure1 + pure2 ? e2 : e1 + e2);
      x[s * N + j] = rng.poisson(P * (baselineFraction + f)) / P;
    }
  }
  return x;
}

/** (cos θ₁, sin θ₁, cos θ₂, sin θ₂) of angles θ [n, 2]. */
export function angleTargets(theta: ArrayLike<number>, n: number): Float32Array {
  const y = new Float32Array(n * 4);
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < 2; a++) {
      y[4 * s + 2 * a] = Math.cos(theta[2 * s + a] as number);
      y[4 * s + 2 * a + 1] = Math.sin(theta[2 * s + a] as number);
    }
  }
  return y;
}

/** Mean absolute angular error (radians) of each decoded angle atan2(sin, cos) against θ [n, 2]. */
export function angleErrors(pred: ArrayLike<number>, theta: ArrayLike<number>, n: number): [number, number] {
  const err = [0, 0];
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < 2; a++) {
      const d = Math.atan2(pred[4 * s + 2 * a + 1] as number, pred[4 * s + 2 * a] as number) - (theta[2 * s + a] as number);
      err[a] = (err[a] as number) + Math.abs(Math.atan2(Math.sin(d), Math.cos(d))) / n;
    }
  }
  return err as [number, number];
}

export const netPrefix = (k: number) => `net${k}/`;

export const torusNetworkRecipe: ArtifactRecipe = {
  id: "torus-network",
  version: 1,
  title: "Two-angle read-out MLPs (θ₁, θ₂ from a noisy tuned population)",
  sha256: "ac47dcc2ac8657a0fe089b6307939c2ecbb21c801b155dd46653ed18567037e3",
  estimatedSeconds: 10,
  async build(log) {
    const { tf } = await initTf();
    const tensors: Record<string, NdArray> = {};
    const networks: JsonValue[] = [];
    const performance: Record<string, number> = {};
    const deg = (r: number) => Number(((r * 180) / Math.PI).toPrecision(4));
    for (let k = 0; k < NETWORKS; k++) {
      const rng = new Rng(seedFrom("torus-network", 1, k));
      const pop = randomPopulation(rng.fork("population"));
      const sample = (label: string, n: number) => {
        const r = rng.fork(label);
        const theta = Float64Array.from({ length: 2 * n }, () => 2 * Math.PI * r.uniform());
        return { theta, x: populationCounts(pop, r, theta, n), y: angleTargets(theta, n) };
      };
      const train = sample("train-data", TRAINING.trainSamples);
      const { layers, finalLoss } = trainMlp(tf, rng.fork("train"), train.x, train.y, TRAINING.trainSamples, {
        sizes: SIZES,
        activations: ACTIVATIONS,
        epochs: TRAINING.epochs,
        batchSize: TRAINING.batchSize,
        learningRate: TRAINING.learningRate,
        decayFactor: TRAINING.decayFactor,
        decayEpochs: TRAINING.decayEpochs,
      });
      const test = sample("test-data", TRAINING.testSamples);
      const outs = forwardMlp(layers, test.x, TRAINING.testSamples);
      const pred = outs[outs.length - 1] as Float64Array;
      const [e1, e2] = angleErrors(pred, test.theta, TRAINING.testSamples);
      const r2 = Number(meanR2(pred, test.y, TRAINING.testSamples, 4).toPrecision(6));
      log(`network ${k}: test heading error θ₁ ${deg(e1)}°, θ₂ ${deg(e2)}°, R² ${r2}`);
      Object.assign(tensors, mlpTensors(netPrefix(k), layers), {
        [`${netPrefix(k)}phi1`]: f32([INPUT_DIM], pop.phi1),
        [`${netPrefix(k)}phi2`]: f32([INPUT_DIM], pop.phi2),
        [`${netPrefix(k)}kappa`]: f32([INPUT_DIM], pop.kappa),
      });
      networks.push({ network: k, testErrorDeg: [deg(e1), deg(e2)], testR2: r2, trainLoss: Number(finalLoss.toPrecision(6)) });
      performance[`errorDeg_net${k}`] = Number(((deg(e1) + deg(e2)) / 2).toPrecision(4));
      performance[`testR2_net${k}`] = r2;
    }
    return {
      tensors,
      metadata: { performance, networks, sizes: SIZES, activations: ACTIVATIONS, population: POPULATION, training: TRAINING },
    };
  },
};
