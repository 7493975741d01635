// Shared by T1 method tests: dev instances and method results, each computed once per test file.
import { getDataset, getMethod, instanceSeed, methodSeed } from "../../harness/registry.ts";
import type { DatasetDefinition, Instance, NdArray } from "../../harness/types.ts";
import { REGIMES, regimeFromSeed } from "../../tasks/feature-recovery/generate.ts";
import { featureRecovery } from "../../tasks/feature-recovery/task.ts";

/**
 * Instance `index` of the public dev seed stream, also past the split's size: regimes are drawn from the seed, so
 * a dev split of a few instances may miss one, and tests that need a given regime look further along the stream.
 */
export function devStreamInstance(dataset: DatasetDefinition, index: number): Instance {
  const seed = instanceSeed(dataset, "dev", index);
  return { key: `${dataset.slug}/dev/${index}`, index, seed, ...dataset.generate("dev", index, seed) };
}

/** Index of the `nth` (from 0) instance of the dev seed stream whose seed passes `test` (e.g. draws a given regime). */
export function devStreamIndex(dataset: DatasetDefinition, test: (seed: number) => boolean, nth = 0): number {
  let seen = 0;
  for (let index = 0; index < 10_000; index++) {
    if (test(instanceSeed(dataset, "dev", index)) && seen++ === nth) return index;
  }
  throw new Error(`${dataset.slug}: no dev-stream instance passes the test`);
}

/**
 * Synthetic test instance `slot` (sparse-linear, mixed-selectivity): the ⌊slot/6⌋-th dev-stream instance of regime
 * slot mod 6, so 0/1 are k = d, 2/3 k = 2d, 4/5 k = 4d; even p = 0.01, odd p = 0.05.
 */
const instances = new Map<string, Instance>();
export function instance(slug: string, slot: number): Instance {
  const key = `${slug}/${slot}`;
  let found = instances.get(key);
  if (!found) {
    const dataset = getDataset("feature-recovery", slug);
    const regime = REGIMES[slot % REGIMES.length];
    const index = devStreamIndex(dataset, (seed) => regimeFromSeed(seed) === regime, Math.floor(slot / REGIMES.length));
    found = devStreamInstance(dataset, index);
    instances.set(key, found);
  }
  return found;
}

/** One fresh run of a method on an instance (the seed defaults to the harness's method seed). */
export async function run(methodId: string, inst: Instance, seed = methodSeed(inst, methodId)): Promise<NdArray> {
  const outputs = await getMethod(methodId).run({
    task: "feature-recovery",
    params: inst.params,
    inputs: inst.inputs,
    outputShapes: featureRecovery.outputShapes(inst),
    seed,
  });
  return outputs.dictionary as NdArray;
}

const runs = new Map<string, Promise<NdArray>>();
/** The result of a method on test instance `slot` (see `instance`), computed once and shared by the tests of a file. */
export function result(methodId: string, slug: string, index: number): Promise<NdArray> {
  const key = `${methodId}:${slug}/${index}`;
  let found = runs.get(key);
  if (!found) {
    found = run(methodId, instance(slug, index));
    runs.set(key, found);
  }
  return found;
}

export async function mmcs(methodId: string, slug: string, index: number): Promise<number> {
  return featureRecovery.score(instance(slug, index), { dictionary: await result(methodId, slug, index) }).main;
}
