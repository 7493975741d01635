// Floors report for T1 (issue 10): per dataset on one split, the mean MMCS of the oracle, `random` (mean of 5
// draws), the best constant (one answer per shape, chosen on all the split's truths), a shape-only probe
// (leave-one-out: the best constant chosen on the other instances of the same (k, d)), the shortcut (k random data
// rows, centred: mean of 5 draws; and raw, uncentred, as in the issue) and every baseline, with the 95 % CI
// half-width of the mean (1.96 · sd / √n) and the mean wall time per instance.
//   npx tsx bench/analysis/feature-recovery-floors.ts [--split official] [--skip-baselines] [--json FILE] [slug …]
import { writeFileSync } from "node:fs";
import { f32 } from "../../harness/ndarray.ts";
import { generateInstance, getMethod, listDatasets, listMethods, methodSeed } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import type { Instance, NdArray } from "../../harness/types.ts";
import { expectedRandomMmcs } from "../../tasks/feature-recovery/chance.ts";
import { bestConstantDictionary, featureRecovery as task } from "../../tasks/feature-recovery/task.ts";

const args = process.argv.slice(2);
const flagValue = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const split = (flagValue("--split") ?? "official") as "dev" | "official";
const skipBaselines = args.includes("--skip-baselines");
const jsonOut = flagValue("--json");
const only = args.filter((a, i) => !a.startsWith("--") && !["--split", "--json"].includes(args[i - 1] ?? ""));

const mmcs = (inst: Instance, dictionary: NdArray) => task.score(inst, { dictionary }).main;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const half = (v: number[]) => {
  const m = mean(v);
  return (1.96 * Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1))) / Math.sqrt(v.length);
};

/** The probe, kept here so "before" and "after" use the same code: k random rows, not centred. */
function rawRows(inst: Instance, rng: Rng): NdArray {
  const x = inst.inputs.activations as NdArray;
  const [n, d] = x.shape as [number, number];
  const k = inst.params.nFeatures as number;
  const out = f32([k, d]);
  for (let r = 0; r < k; r++) {
    const s = rng.int(n);
    out.data.set(x.data.subarray(s * d, s * d + d), r * d);
  }
  return out;
}

const report: Record<string, unknown>[] = [];
const baselines = skipBaselines
  ? []
  : listMethods("feature-recovery")
      .filter((m) => m.kind === "baseline")
      .map((m) => m.id);
for (const dataset of listDatasets("feature-recovery")) {
  if (only.length && !only.includes(dataset.slug)) continue;
  if (dataset.unavailable?.()) continue;
  const t0 = performance.now();
  const instances = Array.from({ length: dataset.sizes[split] }, (_, i) => generateInstance(dataset, split, i));
  const genMs = (performance.now() - t0) / instances.length;
  const truths = instances.map((i) => i.truth);
  const scores: Record<string, number[]> = {};
  const ms: Record<string, number> = {};
  const add = (id: string, v: number) => {
    scores[id] ??= [];
    scores[id].push(v);
  };
  for (const inst of instances) {
    const [k, d] = (inst.truth.features as NdArray).shape as [number, number];
    add("oracle", mmcs(inst, inst.truth.features as NdArray));
    add("chance", expectedRandomMmcs(d, k));
    add("random", mean([0, 1, 2, 3, 4].map((r) => task.score(inst, task.random(inst, new Rng(methodSeed(inst, `random-${r}`)))).main)));
    add("constant", mmcs(inst, bestConstantDictionary(truths, k, d)));
    const sameShape = instances.filter((o) => o !== inst && (o.truth.features as NdArray).shape.join() === `${k},${d}`);
    add(
      "shape",
      mmcs(
        inst,
        bestConstantDictionary(
          sameShape.map((o) => o.truth),
          k,
          d,
        ),
      ),
    );
    const shortcut = task.floors.shortcut;
    if (shortcut)
      add("shortcut", mean([0, 1, 2, 3, 4].map((r) => task.score(inst, shortcut(inst, new Rng(methodSeed(inst, `shortcut-${r}`)))).main)));
    add("rows-raw", mean([0, 1, 2, 3, 4].map((r) => mmcs(inst, rawRows(inst, new Rng(methodSeed(inst, `raw-${r}`)))))));
    for (const id of baselines) {
      const t = performance.now();
      const out = await getMethod(id).run({
        task: task.id,
        params: inst.params,
        inputs: inst.inputs,
        outputShapes: task.outputShapes(inst),
        seed: methodSeed(inst, id),
      });
      ms[id] = (ms[id] ?? 0) + (performance.now() - t) / instances.length;
      add(id, mmcs(inst, out.dictionary as NdArray));
    }
  }
  const row: Record<string, unknown> = {
    dataset: dataset.slug,
    version: dataset.version,
    split,
    n: instances.length,
    genMs: Math.round(genMs),
  };
  for (const [id, v] of Object.entries(scores)) row[id] = `${mean(v).toFixed(3)} ±${half(v).toFixed(3)}`;
  for (const [id, v] of Object.entries(ms)) row[`${id} ms`] = Math.round(v);
  row.perInstance = instances.map((inst, i) => ({
    key: inst.key,
    meta: inst.meta,
    ...Object.fromEntries(Object.entries(scores).map(([id, v]) => [id, Number((v[i] as number).toFixed(3))])),
  }));
  report.push(row);
  const { perInstance: _, ...shown } = row;
  console.log(JSON.stringify(shown));
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(report, null, 1));
