// Shared by the hybrid datasets' tests (datasets/<recording>/…test.ts): the reference checks every hybrid
// must pass, and the score of a method on an instance.
import { generateInstance, getMethod, methodSeed } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, Instance, NdArray, Split } from "../../harness/types.ts";
import { expectedRandomMmcs } from "../../tasks/feature-recovery/chance.ts";
import { HYBRID_REGIMES, hybridRegimeFromSeed } from "../../tasks/feature-recovery/hybrid.ts";
import { featureRecovery } from "../../tasks/feature-recovery/task.ts";
import { devStreamIndex, devStreamInstance } from "./feature-recovery.ts";

export interface ReferenceCheck {
  key: string;
  oracle: number;
  /** Mean MMCS of `draws` independent runs of the `random` reference. */
  randomMean: number;
  /** Its analytic expectation (chance.ts) for this instance's d and k. */
  chance: number;
}

/** Oracle score and random-vs-chance of one hybrid instance. */
export function referenceCheck(instance: Instance, draws = 50): ReferenceCheck {
  const [k, d] = (instance.truth.features as NdArray).shape as [number, number];
  const oracle = featureRecovery.score(instance, featureRecovery.oracle(instance)).main;
  const rng = new Rng(instance.seed);
  let total = 0;
  for (let i = 0; i < draws; i++) total += featureRecovery.score(instance, featureRecovery.random(instance, rng)).main;
  return { key: instance.key, oracle, randomMean: total / draws, chance: expectedRandomMmcs(d, k) };
}

/** MMCS of a built-in method on an instance, with the harness's method seed. */
export async function methodMmcs(methodId: string, instance: Instance): Promise<number> {
  const outputs = await getMethod(methodId).run({
    task: featureRecovery.id,
    params: instance.params,
    inputs: instance.inputs,
    outputShapes: featureRecovery.outputShapes(instance),
    seed: methodSeed(instance, methodId),
  });
  return featureRecovery.score(instance, outputs).main;
}

/** Every instance of a split. */
export function splitInstances(dataset: DatasetDefinition, split: Split): Instance[] {
  return Array.from({ length: dataset.sizes[split] }, (_, i) => generateInstance(dataset, split, i));
}

/**
 * One instance of every hybrid regime (k/d × amplitude): the first of the dev seed stream that draws it. Regimes are
 * drawn from the seed, so the dev split of four need not cover them all; tests of a regime look along the stream.
 */
export function regimeInstances(dataset: DatasetDefinition): Instance[] {
  return HYBRID_REGIMES.map((regime) =>
    devStreamInstance(
      dataset,
      devStreamIndex(dataset, (seed) => hybridRegimeFromSeed(seed) === regime),
    ),
  );
}

/** The dev split and, where it misses a regime, the first dev-stream instance of that regime (each instance once). */
export function devAndRegimeInstances(dataset: DatasetDefinition): Instance[] {
  const byKey = new Map<string, Instance>();
  for (const inst of [...splitInstances(dataset, "dev"), ...regimeInstances(dataset)]) if (!byKey.has(inst.key)) byKey.set(inst.key, inst);
  return [...byKey.values()];
}
