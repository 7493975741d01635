// Generated instances, kept so every method of a dataset sees the same instance without generating it again
// (generation can cost more than a method). Shared by the runner and the queue workers; they differ only in what
// they keep.
import { datasetKey } from "./register.ts";
import { generateInstance } from "./registry.ts";
import type { DatasetDefinition, Instance, Split } from "./types.ts";

export type InstanceCachePolicy =
  /**
   * Every instance of one dataset's split; asking for another drops them. The runner's plan is grouped by dataset,
   * so this generates each instance once while holding one split at a time.
   */
  | { keep: "split" }
  /** The `size` most recently generated instances: a worker's jobs interleave runs, so memory stays bounded. */
  | { keep: "recent"; size: number };

export class InstanceCache {
  private readonly instances = new Map<string, Instance>();

  constructor(private readonly policy: InstanceCachePolicy) {}

  get(dataset: DatasetDefinition, split: Split, index: number): Instance {
    const group = `${datasetKey(dataset)}/${split}/`;
    const key = `${group}${index}`;
    let instance = this.instances.get(key);
    if (instance) return instance;
    if (this.policy.keep === "split") {
      const first = this.instances.keys().next().value;
      if (first !== undefined && !first.startsWith(group)) this.instances.clear();
    }
    instance = generateInstance(dataset, split, index);
    this.instances.set(key, instance);
    if (this.policy.keep === "recent" && this.instances.size > this.policy.size) {
      this.instances.delete(this.instances.keys().next().value as string);
    }
    return instance;
  }

  get size(): number {
    return this.instances.size;
  }
}
