// Shared by T1 method tests: dev instances and method results, each computed once per test file.
import { generateInstance, getDataset, getMethod, methodSeed } from "../../harness/registry.ts";
import type { Instance, NdArray } from "../../harness/types.ts";
import { featureRecovery } from "./task.ts";

// Dev instance i uses regime i mod 6: 0/1 k = d, 2/3 k = 2d, 4/5 k = 4d; even p = 0.01, odd p = 0.05.
const instances = new Map<string, Instance>();
export function instance(slug: string, index: number): Instance {
  const key = `${slug}/${index}`;
  let found = instances.get(key);
  if (!found) {
    found = generateInstance(getDataset("feature-recovery", slug), "dev", index);
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
/** The result of a method on a dev instance, computed once and shared by the tests of a file. */
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
