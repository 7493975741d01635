// The SAE baselines' scores with two trainers on the same official instances: an earlier trainer and the current one
// (methods/shared/sae.ts). Prints MMCS per instance, the mean paired difference with its 95% CI, and CPU seconds per
// trainer. The numbers in the sae-l1/sae-topk 1.1.0 changelog compare the tfjs trainer of 1.0.3:
//   git show 0508501:methods/shared/sae.ts > methods/shared/sae-1.0.3.tmp.ts   (its relative imports then resolve)
//   npx tsx bench/analysis/sae-trainers.ts methods/shared/sae-1.0.3.tmp.ts 3; rm methods/shared/sae-1.0.3.tmp.ts
import path from "node:path";
import { f32 } from "../../harness/ndarray.ts";
import { generateInstance, getDataset, listDatasets, methodSeed } from "../../harness/registry.ts";
import type { NdArray } from "../../harness/types.ts";
import { SAE_L1_CONFIG } from "../../methods/sae-l1/method.ts";
import { SAE_TOPK_CONFIG } from "../../methods/sae-topk/method.ts";
import { type SaeConfig, trainSae } from "../../methods/shared/sae.ts";
import { featureRecovery } from "../../tasks/feature-recovery/task.ts";

type Trainer = typeof trainSae;
const old = (await import(path.resolve(process.argv[2] ?? ""))) as { trainSae: Trainer };
const perDataset = Number(process.argv[3] ?? 3);
const methods: [string, SaeConfig][] = [
  ["sae-l1", SAE_L1_CONFIG],
  ["sae-topk", SAE_TOPK_CONFIG],
];
const cpu = { old: 0, new: 0 };
const diffs: number[] = [];
const timed = async (which: "old" | "new", train: Trainer, ...args: Parameters<Trainer>) => {
  const c0 = process.cpuUsage();
  const result = await train(...args);
  const c = process.cpuUsage(c0);
  cpu[which] += (c.user + c.system) / 1e6;
  return result;
};
for (const dataset of listDatasets("feature-recovery").filter((d) => !d.unavailable?.())) {
  for (let i = 0; i < Math.min(perDataset, dataset.sizes.official); i++) {
    const inst = generateInstance(getDataset("feature-recovery", dataset.slug), "official", i);
    const x = inst.inputs.activations as NdArray;
    const [n, d] = x.shape as [number, number];
    const k = featureRecovery.outputShapes(inst).dictionary?.[0] as number;
    for (const [id, config] of methods) {
      const seed = methodSeed(inst, id);
      const score = (decoder: Float32Array) => featureRecovery.score(inst, { dictionary: f32([k, d], decoder) }).main;
      const before = score((await timed("old", old.trainSae, x.data, n, d, k, seed, config)).decoder);
      const after = score((await timed("new", trainSae, x.data, n, d, k, seed, config)).decoder);
      diffs.push(after - before);
      console.log(`${inst.key} ${id} (n ${n}, d ${d}, k ${k}): ${before.toFixed(3)} → ${after.toFixed(3)}`);
    }
  }
}
const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
const half = (1.96 * sd) / Math.sqrt(diffs.length);
console.log(
  `\nmean paired difference (new − old) over ${diffs.length}: ${mean.toFixed(4)} [${(mean - half).toFixed(4)}, ${(mean + half).toFixed(4)}]`,
);
console.log(`CPU: old ${cpu.old.toFixed(1)} s, new ${cpu.new.toFixed(1)} s (${(cpu.old / cpu.new).toFixed(2)}×)`);
