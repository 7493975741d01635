// modular-addition: the trained transformer's own accuracy (recomputed by a plain-JS forward pass), its Fourier
// mechanism (the key frequencies carry the computation), the recipe's determinism, and the T3/T4 datasets built on
// its key-frequency circles (truths, shapes, bytes, references, baselines).
import { beforeAll, describe, expect, it } from "vitest";
import { buildArtifacts, loadArtifact } from "../../../harness/artifacts.ts";
import { hashArrays } from "../../../harness/ndarray.ts";
import { generateInstance, getTask } from "../../../harness/registry.ts";
import type { Instance, NdArray } from "../../../harness/types.ts";
import { trueDimension } from "../../../tasks/intrinsic-dimension/task.ts";
import { trueBetti } from "../../../tasks/topology/task.ts";
import { floorScores, methodMean } from "../../../tests/helpers/floor-checks.ts";
import { type FrequencyCircle, frequencyCircle, modularAdditionDimension, modularAdditionTopology, REGIME_BETTI } from "./dataset.ts";
import { fourierPower, keyFrequencies, loadModularAddition, MODEL, modularAdditionRecipe, predictAll } from "./recipe.ts";

const SLOW = 240_000;
const { p, dModel: d } = MODEL;
/** sha256 of dev instance 0's inputs and truth per task: generation must give these bytes in every process. */
const DEV0_HASHES: Record<string, string> = {
  "intrinsic-dimension":
    "c912773aa223185448cab396ebd34bed0135e0457be654f27d8f806283496eb6:60c9ad9ae4e1a5f551c8d88b3f68b3e81a44133241c8ead9ecfcabfebb8e88ed",
  topology:
    "d2abda1920edac16efdcb45fd6d5d850b06de3208fcf1a9ae4d82c69dea1928a:6026af954ffc08c95719f01c8139c8655da1538c73059e4136fc699ddf48fd5b",
};

let dimension: Instance[] = [];
let topology: Instance[] = [];
beforeAll(async () => {
  // Trains the network only when its sha256-pinned file is missing (≈ 20–45 s of CPU).
  await buildArtifacts([modularAdditionRecipe], { progress: false, log: () => undefined });
  const all = (ds: typeof modularAdditionDimension) => [
    ...Array.from({ length: ds.sizes.dev }, (_, i) => generateInstance(ds, "dev", i)),
    ...Array.from({ length: ds.sizes.official }, (_, i) => generateInstance(ds, "official", i)),
  ];
  dimension = all(modularAdditionDimension);
  topology = all(modularAdditionTopology);
}, SLOW);

/** Fraction of all p² pairs the model answers with (a + b) mod p. */
function accuracyOf(predicted: Int32Array): number {
  let hits = 0;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) if (predicted[a * p + b] === (a + b) % p) hits++;
  return hits / (p * p);
}

/** The embedding with the given frequencies' components replaced: kept alone (with the mean) or removed. */
function filteredEmbedding(embed: Float32Array, circles: FrequencyCircle[], mode: "keep" | "remove"): Float32Array {
  const out = Float32Array.from(embed);
  for (let a = 0; a < p; a++) {
    for (let i = 0; i < d; i++) {
      let component = 0;
      for (const { k, u, v } of circles)
        component += (u[i] as number) * Math.cos((2 * Math.PI * k * a) / p) + (v[i] as number) * Math.sin((2 * Math.PI * k * a) / p);
      let mean = 0;
      for (let b = 0; b < p; b++) mean += (embed[b * d + i] as number) / p;
      out[a * d + i] = mode === "keep" ? mean + component : (embed[a * d + i] as number) - component;
    }
  }
  return out;
}

describe("modular-addition: the trained transformer", () => {
  it("answers (a + b) mod 59 on every held-out pair (recorded and recomputed in plain JavaScript)", () => {
    const { metadata } = loadArtifact(modularAdditionRecipe);
    const performance = metadata.performance as { trainAccuracy: number; testAccuracy: number };
    expect(performance.trainAccuracy).toBe(1);
    // Observed: 1 (all 1393 held-out pairs).
    expect(performance.testAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(accuracyOf(predictAll(loadModularAddition().weights))).toBeGreaterThanOrEqual(0.995);
  });

  it("concentrates its embedding on a few key Fourier frequencies, and those carry the computation", () => {
    const { weights, keyFrequencies: recorded } = loadModularAddition();
    const embed = weights.embed as Float32Array;
    const power = fourierPower(embed, p, d);
    const key = keyFrequencies(power);
    expect(key.frequencies).toEqual(recorded);
    // Observed: 3 key frequencies (17, 18, 3) of 29 hold 71% of the non-constant power.
    expect(key.frequencies.length).toBeGreaterThanOrEqual(2);
    expect(key.frequencies.length).toBeLessThanOrEqual(6);
    expect(key.fraction).toBeGreaterThan(0.6);
    const circles = recorded.map((k) => frequencyCircle(embed, k));
    // Nanda et al. 2023's ablation: the key frequencies alone suffice; without them the model is near chance (1/59).
    const keptOnly = accuracyOf(predictAll(weights, filteredEmbedding(embed, circles, "keep")));
    const removed = accuracyOf(predictAll(weights, filteredEmbedding(embed, circles, "remove")));
    console.log(`modular-addition: accuracy with the key frequencies only ${keptOnly.toFixed(4)}, without them ${removed.toFixed(4)}`);
    expect(keptOnly).toBeGreaterThan(0.95);
    expect(removed).toBeLessThan(0.2);
  });

  // The pin itself is checked where every recipe's is: a fresh checkout's test setup (tests/helpers/global-setup.ts)
  // trains every network and refuses bytes that differ from the recipe's sha256.
});

describe("modular-addition datasets: instances", () => {
  it("give the recorded bytes for dev instance 0", () => {
    for (const [task, instances] of [
      ["intrinsic-dimension", dimension],
      ["topology", topology],
    ] as const) {
      const inst = instances[0] as Instance;
      expect(`${hashArrays(inst.inputs)}:${hashArrays(inst.truth)}`, task).toBe(DEV0_HASHES[task]);
    }
  });

  it("T3: d* is the number of independent drivers (1–3), every value occurs, the shape says nothing", () => {
    const seen = new Map<number, Set<number>>();
    for (const inst of dimension) {
      const truth = trueDimension(inst);
      const frequencies = inst.meta.frequencies as number[][];
      expect(frequencies).toHaveLength(truth);
      expect(inst.meta.linearDimension).toBe(2 * frequencies.flat().length);
      const [n, a] = (inst.inputs.activity as NdArray).shape as [number, number];
      expect(n).toBeGreaterThanOrEqual(600);
      expect(n).toBeLessThanOrEqual(1000);
      expect(a).toBeGreaterThanOrEqual(64);
      expect(a).toBeLessThanOrEqual(128);
      if (!seen.has(truth)) seen.set(truth, new Set());
      seen.get(truth)?.add(a);
    }
    expect([...seen.keys()].sort()).toEqual([1, 2, 3]);
    // The knot (one driver, several frequencies: d* = 1 but 4–6 linear dimensions) occurs.
    expect(dimension.some((i) => trueDimension(i) === 1 && (i.meta.linearDimension as number) > 2)).toBe(true);
  });

  it("T4: every regime occurs with its Betti vector; the shape is independent of the regime", () => {
    const regimes = new Set<string>();
    for (const inst of topology) {
      const regime = inst.meta.regime as keyof typeof REGIME_BETTI;
      regimes.add(regime);
      expect(trueBetti(inst)).toEqual(REGIME_BETTI[regime]);
      const [n, a] = (inst.inputs.activity as NdArray).shape as [number, number];
      expect(n).toBeGreaterThanOrEqual(600);
      expect(a).toBeGreaterThanOrEqual(64);
      expect(a).toBeLessThanOrEqual(128);
    }
    expect(regimes).toEqual(new Set(["circle", "knot", "torus", "arc", "shuffled"]));
  });
});

describe("modular-addition datasets: references and baselines (official)", () => {
  it(
    "T3: TwoNN beats the best constant; PCA-90 counts the 2m linear dimensions instead",
    async () => {
      const official = dimension.slice(modularAdditionDimension.sizes.dev);
      const task = getTask("intrinsic-dimension");
      const floors = floorScores(task, official);
      const twonn = await methodMean(task, "twonn", official);
      const pca = await methodMean(task, "pca-90", official);
      console.log(
        `modular-addition T3 official: constant ${floors.constant.toFixed(3)}, shape ${floors.shape.toFixed(3)}, twonn ${twonn.toFixed(3)}, pca-90 ${pca.toFixed(3)}`,
      );
      expect(twonn).toBeGreaterThan(floors.constant + 0.1);
      expect(floors.shape).toBeLessThan(floors.constant + 0.05);
      expect(pca).toBeLessThan(floors.constant);
    },
    SLOW,
  );

  it(
    "T4: persistent homology beats the best constant (it misses the torus knot, a circle that fills a torus)",
    async () => {
      const official = topology.slice(modularAdditionTopology.sizes.dev);
      const task = getTask("topology");
      const floors = floorScores(task, official);
      const ph = await methodMean(task, "persistent-homology", official);
      console.log(
        `modular-addition T4 official: constant ${floors.constant.toFixed(3)}, shape ${floors.shape.toFixed(3)}, persistent homology ${ph.toFixed(3)}`,
      );
      expect(floors.constant).toBeLessThan(0.45);
      expect(floors.shape).toBeLessThan(floors.constant + 0.1);
      expect(ph).toBeGreaterThan(floors.constant + 0.3);
    },
    SLOW,
  );
});
