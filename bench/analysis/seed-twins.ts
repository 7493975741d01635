// Reproduces the README's numbers on seed-twins beyond the public splits:
//   npx tsx bench/analysis/seed-twins.ts [instances=60]
// Instances from seeds outside every split ("seed-twins-analysis"): per-method accuracy (mean ± s.e.) over all and
// per kind of A's network (digit, parity), how often each method's argmax lands on the distractor network, and the
// per-part scalar probes.

import { generateSeedTwins, seedTwinsConfig } from "../../datasets/artificial/seed-twins/dataset.ts";
import { getMethod, getTask } from "../../harness/registry.ts";
import { seedFrom } from "../../harness/rng.ts";
import { evaluateInstance, methodContext } from "../../harness/runner.ts";
import type { Instance, NdArray } from "../../harness/types.ts";
import { PART_SCALARS, type PartScalar, scalarProbe } from "../../tasks/layer-correspondence/probes.ts";

const METHOD_IDS = ["random", "linear-cka", "rbf-cka", "rsa", "svcca", "procrustes"];
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const se = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
};

async function main() {
  const task = getTask("layer-correspondence");
  const count = Number(process.argv[2] ?? 60);
  const H = seedTwinsConfig.hiddenLayers;
  const scores: Record<string, Record<string, number[]>> = {};
  const onDistractor: Record<string, number[]> = {};
  const list = (record: Record<string, number[]>, id: string) => {
    if (!record[id]) record[id] = [];
    return record[id] as number[];
  };
  const push = (group: string, id: string, v: number) => {
    if (!scores[group]) scores[group] = {};
    list(scores[group] as Record<string, number[]>, id).push(v);
  };
  for (let k = 0; k < count; k++) {
    const seed = seedFrom("seed-twins-analysis", k);
    const instance: Instance = { key: `analysis/${k}`, index: k, seed, ...generateSeedTwins(seed) };
    const kind = String(instance.meta.kind);
    const match = (instance.truth.match as NdArray).data;
    // B parts that are not the twin's: every B index that is no A part's match.
    const twin = new Set(Array.from(match));
    for (const id of METHOD_IDS) {
      const o = await evaluateInstance(getMethod(id), task, instance);
      if (o.status !== "ok") throw new Error(`${id} on ${instance.key}: ${o.message}`);
      for (const g of ["all", kind]) push(g, id, o.score as number);
      if (id === "random") continue;
      const s = ((await getMethod(id).run(methodContext(getMethod(id), task, instance))).similarity as NdArray).data;
      for (let i = 0; i < H; i++) {
        const row = Array.from(s.subarray(i * 2 * H, (i + 1) * 2 * H));
        list(onDistractor, id).push(twin.has(row.indexOf(Math.max(...row))) ? 0 : 1);
      }
    }
    for (const p of Object.keys(PART_SCALARS) as PartScalar[])
      for (const g of ["all", kind]) push(g, `scalar:${p}`, task.score(instance, scalarProbe(instance, p)).main);
  }
  for (const [group, byId] of Object.entries(scores)) {
    console.log(`${group} (${byId.random?.length} instances)`);
    for (const [id, v] of Object.entries(byId)) console.log(`  ${id.padEnd(26)} ${mean(v).toFixed(3)} ± ${se(v).toFixed(3)}`);
  }
  for (const [id, v] of Object.entries(onDistractor))
    console.log(`${id}: argmax on the distractor network in ${(100 * mean(v)).toFixed(0)} % of rows`);
}

await main();
