// Reproduces the README's baseline ranking on transformed-layers beyond the small public splits:
//   npx tsx bench/analysis/layer-correspondence-ranking.ts [instances=96]
// Instances are generated with the dataset's own generator on seeds derived from "ranking-eval" (not any split),
// regimes drawn from each seed; prints per-regime means, overall mean ± s.e., paired differences with linear CKA
// and per-instance wall times.
import { transformedLayers } from "../../datasets/synthetic/transformed-layers/dataset.ts";
import { getMethod, getTask } from "../../harness/registry.ts";
import { seedFrom } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { Instance } from "../../harness/types.ts";

/** record[key], created as `empty` when absent. */
function push<T>(record: Record<string, T>, key: string, empty: T): T {
  if (!(key in record)) record[key] = empty;
  return record[key] as T;
}

const METHOD_IDS = ["random", "linear-cka", "rbf-cka", "rsa", "svcca", "procrustes"];

async function main() {
  const task = getTask("layer-correspondence");
  const count = Number(process.argv[2] ?? 96);
  const scores: Record<string, Record<string, number[]>> = {};
  const ms: Record<string, number[]> = {};
  for (let i = 0; i < count; i++) {
    const seed = seedFrom("ranking-eval", i);
    const instance: Instance = { key: `ranking/${i}`, index: i, seed, ...transformedLayers.generate("dev", i, seed) };
    for (const id of METHOD_IDS) {
      const o = await evaluateInstance(getMethod(id), task, instance);
      if (o.status !== "ok") throw new Error(`${id} on ${instance.key}: ${o.message}`);
      for (const group of [String(instance.meta.regime), "ALL"]) push(push(scores, group, {}), id, []).push(o.score as number);
      push(ms, id, []).push(o.wallMs);
    }
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const se = (v: number[]) => {
    const m = mean(v);
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
  };
  for (const [group, byMethod] of Object.entries(scores)) {
    console.log(
      `${group.padEnd(12)} ${METHOD_IDS.map((id) => `${id} ${mean(byMethod[id] ?? []).toFixed(3)}`).join("  ")}  (${byMethod.random?.length} instances)`,
    );
  }
  const all = scores.ALL ?? {};
  const cka = all["linear-cka"] ?? [];
  for (const id of METHOD_IDS) {
    const v = all[id] ?? [];
    const diff = v.map((x, k) => x - (cka[k] as number));
    console.log(
      `${id.padEnd(12)} mean ${mean(v).toFixed(3)} ± ${se(v).toFixed(3)}  minus linear-cka ${mean(diff).toFixed(3)} ± ${se(diff).toFixed(3)}  ms/instance ${mean(ms[id] ?? []).toFixed(0)}`,
    );
  }
}

main();
