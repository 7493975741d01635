import { describe, expect, it } from "vitest";
import { InstanceCache } from "./instance-cache.ts";
import type { DatasetDefinition } from "./types.ts";

/** A dataset that counts how often each instance is generated. */
function countingDataset(slug: string) {
  const generated = new Map<string, number>();
  const dataset: DatasetDefinition = {
    slug,
    task: "topology",
    version: 1,
    title: slug,
    domain: "synthetic",
    description: "test double",
    sizes: { dev: 4, official: 4, private: 4 },
    config: {},
    generate(split, index) {
      const key = `${split}/${index}`;
      generated.set(key, (generated.get(key) ?? 0) + 1);
      return { params: { index }, inputs: {}, truth: {}, meta: {} };
    },
  };
  return { dataset, generated };
}

describe("InstanceCache", () => {
  it("keeps one dataset's split for the runner: each instance generated once, dropped when the next split starts", () => {
    const a = countingDataset("a");
    const b = countingDataset("b");
    const cache = new InstanceCache({ keep: "split" });
    const first = cache.get(a.dataset, "official", 0);
    for (let i = 0; i < 4; i++) cache.get(a.dataset, "official", i);
    expect(cache.get(a.dataset, "official", 0)).toBe(first);
    expect(first.key).toBe("a/official/0");
    expect(cache.size).toBe(4);
    expect([...a.generated.values()]).toEqual([1, 1, 1, 1]);

    cache.get(a.dataset, "dev", 0); // another split of the same dataset is another group
    expect(cache.size).toBe(1);
    cache.get(b.dataset, "official", 0);
    expect(cache.size).toBe(1);
    expect(cache.get(a.dataset, "official", 0)).not.toBe(first);
    expect(a.generated.get("official/0")).toBe(2);
  });

  it("keeps the most recent instances for workers, whatever their dataset", () => {
    const a = countingDataset("a");
    const b = countingDataset("b");
    const cache = new InstanceCache({ keep: "recent", size: 2 });
    const a0 = cache.get(a.dataset, "official", 0);
    cache.get(b.dataset, "official", 0);
    expect(cache.get(a.dataset, "official", 0)).toBe(a0); // a hit does not generate again
    cache.get(b.dataset, "official", 1); // the third evicts the oldest generated (a/official/0)
    expect(cache.size).toBe(2);
    expect(cache.get(b.dataset, "official", 0).key).toBe("b/official/0");
    expect(b.generated.get("official/0")).toBe(1);
    cache.get(a.dataset, "official", 0);
    expect(a.generated.get("official/0")).toBe(2);
  });
});
