// The mlp baseline's scores with two implementations on the same official instances of every T2 dataset: an earlier
// method module and the current one (methods/mlp/method.ts), run interleaved in one process so both see the same
// machine load. Prints the score per instance, the mean paired difference with its 95% CI, and CPU seconds per
// implementation and dataset. The numbers in the mlp 1.1.0 changelog compare the trainer of 1.0.2:
//   git show aadfc56:methods/mlp/method.ts > methods/mlp/method-1.0.2.tmp.ts   (its relative imports then resolve)
//   npx tsx bench/analysis/mlp-trainers.ts methods/mlp/method-1.0.2.tmp.ts; rm methods/mlp/method-1.0.2.tmp.ts
// An optional second argument caps the instances per dataset (default: all official instances).
import path from "node:path";
import { generateInstance, getDataset, listDatasets } from "../../harness/registry.ts";
import { methodContext } from "../../harness/runner.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { mlp } from "../../methods/mlp/method.ts";
import { latentDecoding } from "../../tasks/latent-decoding/task.ts";

const old = ((await import(path.resolve(process.argv[2] ?? ""))) as { mlp: MethodDefinition }).mlp;
const perDataset = Number(process.argv[3] ?? Number.POSITIVE_INFINITY);
const diffs: number[] = [];
const cpuTotal = { old: 0, new: 0 };
const timed = async (method: MethodDefinition, ctx: Parameters<MethodDefinition["run"]>[0]) => {
  const c0 = process.cpuUsage();
  const output = await method.run(ctx);
  const c = process.cpuUsage(c0);
  return { output, cpu: (c.user + c.system) / 1e6 };
};
let warmedUp = false;
for (const dataset of listDatasets("latent-decoding").filter((d) => !d.unavailable?.())) {
  const cpu = { old: 0, new: 0 };
  const count = Math.min(perDataset, dataset.sizes.official);
  for (let i = 0; i < count; i++) {
    const inst = generateInstance(getDataset("latent-decoding", dataset.slug), "official", i);
    const ctx = methodContext(mlp, latentDecoding, inst);
    // The first call of each pays one-off costs (tfjs backend start-up, JIT): keep them out of the totals.
    if (!warmedUp) {
      await old.run(ctx);
      await mlp.run(ctx);
      warmedUp = true;
    }
    const before = await timed(old, ctx);
    const after = await timed(mlp, ctx);
    const score = (out: Record<string, NdArray>) => latentDecoding.score(inst, out).main;
    const [s0, s1] = [score(before.output as Record<string, NdArray>), score(after.output as Record<string, NdArray>)];
    diffs.push(s1 - s0);
    cpu.old += before.cpu;
    cpu.new += after.cpu;
    const shape = (inst.inputs.activity ?? Object.values(inst.inputs)[0])?.shape.join("×");
    console.log(`${inst.key} (${shape}): ${s0.toFixed(3)} → ${s1.toFixed(3)}  CPU ${before.cpu.toFixed(2)} → ${after.cpu.toFixed(2)} s`);
  }
  console.log(`  ${dataset.slug}: CPU old ${cpu.old.toFixed(1)} s, new ${cpu.new.toFixed(1)} s (${(cpu.old / cpu.new).toFixed(2)}×)`);
  cpuTotal.old += cpu.old;
  cpuTotal.new += cpu.new;
}
const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
const half = (1.96 * sd) / Math.sqrt(diffs.length);
console.log(
  `\nmean paired difference (new − old) over ${diffs.length}: ${mean.toFixed(4)} [${(mean - half).toFixed(4)}, ${(mean + half).toFixed(4)}]`,
);
console.log(`CPU: old ${cpuTotal.old.toFixed(1)} s, new ${cpuTotal.new.toFixed(1)} s (${(cpuTotal.old / cpuTotal.new).toFixed(2)}×)`);
