// Floors report for T5 (issue 10): per dataset on one split, the mean accuracy of the oracle, `random` (mean of 5
// draws), the best constant (per-row match frequencies over all the split's truths), the within-system ordering
// shortcut, the per-part scalar probes (mean |activation|, width, RMS, fraction at the unit minimum, participation
// ratio) and every baseline (mean, 95 % CI half-width, ms per instance), plus generation time per instance.
//   npx tsx bench/analysis/layer-correspondence-floors.ts [--split official] [--skip-baselines] [slug …]
import { generateInstance, getTask, listDatasets, listMethods, methodSeed } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import {
  bestConstantSimilarity,
  orderingShortcut,
  PART_SCALARS,
  type PartScalar,
  scalarProbe,
} from "../../tasks/layer-correspondence/probes.ts";

const args = process.argv.slice(2);
const split = (args.includes("--split") ? args[args.indexOf("--split") + 1] : "official") as "dev" | "official";
const skipBaselines = args.includes("--skip-baselines");
const only = args.filter((a, k) => !a.startsWith("--") && args[k - 1] !== "--split");

const task = getTask("layer-correspondence");
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const half = (v: number[]) => (1.96 * Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)))) / Math.sqrt(v.length);
const fmt = (v: number[]) => `${mean(v).toFixed(3)} ±${half(v).toFixed(3)}`;

for (const dataset of listDatasets("layer-correspondence")) {
  if (only.length && !only.includes(dataset.slug)) continue;
  if (dataset.unavailable?.()) continue;
  const t0 = Date.now();
  const instances = Array.from({ length: dataset.sizes[split] }, (_, i) => generateInstance(dataset, split, i));
  const row: Record<string, string | number> = { genMs: Math.round((Date.now() - t0) / instances.length) };
  row.oracle = fmt(instances.map((i) => task.score(i, task.oracle(i)).main));
  const rnd: number[] = [];
  for (let r = 0; r < 5; r++)
    for (const i of instances) rnd.push(task.score(i, task.random(i, new Rng(methodSeed(i, `random-${r}`)))).main);
  row.random = fmt(rnd);
  const truths = instances.map((i) => i.truth);
  row.constant = fmt(instances.map((i) => task.score(i, bestConstantSimilarity(truths, i.params.L as number, i.params.M as number)).main));
  row["constant-loo"] = fmt(
    instances.map(
      (i) =>
        task.score(
          i,
          bestConstantSimilarity(
            truths.filter((t) => t !== i.truth),
            i.params.L as number,
            i.params.M as number,
          ),
        ).main,
    ),
  );
  row.shortcut = fmt(instances.map((i) => task.score(i, orderingShortcut(i.inputs, i.params)).main));
  for (const s of Object.keys(PART_SCALARS) as PartScalar[])
    row[`scalar:${s}`] = fmt(instances.map((i) => task.score(i, scalarProbe(i, s)).main));
  if (!skipBaselines) {
    for (const m of listMethods("layer-correspondence").filter((x) => x.kind === "baseline")) {
      const s: number[] = [];
      const t1 = Date.now();
      for (const i of instances) {
        const out = await m.run({
          task: task.id,
          params: i.params,
          inputs: i.inputs,
          outputShapes: task.outputShapes(i),
          seed: methodSeed(i, m.id),
          taskDefinition: task,
          instance: { ...i, truth: {}, meta: {} },
        });
        s.push(task.score(i, out).main);
      }
      row[m.id] = `${fmt(s)} (${((Date.now() - t1) / s.length).toFixed(0)} ms)`;
    }
  }
  console.log(JSON.stringify({ dataset: dataset.slug, version: dataset.version, split, instances: instances.length, ...row }));
}
