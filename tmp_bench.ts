import { generateInstance, getDataset, methodSeed } from "./harness/registry.ts";
import { featureRecovery } from "./tasks/feature-recovery/task.ts";
import { initTf } from "./harness/tf.ts";
import type { MethodDefinition } from "./harness/types.ts";
const which = process.argv.slice(2);
const mods: Record<string, () => Promise<MethodDefinition>> = {
  pca: async () => (await import("./methods/pca/method.ts")).pca,
  fastica: async () => (await import("./methods/fastica/method.ts")).fastica,
  "sae-l1": async () => (await import("./methods/sae-l1/method.ts")).saeL1,
  "sae-topk": async () => (await import("./methods/sae-topk/method.ts")).saeTopk,
};
const { backend } = await initTf();
console.log("backend", backend);
const split = (process.env.SPLIT ?? "dev") as "dev";
const count = Number(process.env.COUNT ?? 6);
for (const ds of (process.env.DS ?? "sparse-linear,mixed-selectivity").split(",")) {
  const dataset = getDataset("feature-recovery", ds);
  const instances = Array.from({ length: count }, (_, i) => generateInstance(dataset, split, i));
  for (const id of which) {
    const method = await mods[id]!();
    const row: string[] = []; let total = 0;
    for (const inst of instances) {
      const ctx = { task: "feature-recovery", params: inst.params, inputs: inst.inputs, outputShapes: featureRecovery.outputShapes(inst), seed: methodSeed(inst, id) };
      const t0 = performance.now();
      const out = await method.run(ctx);
      const dt = performance.now() - t0; total += dt;
      const s = featureRecovery.score(inst, out);
      row.push(`${s.main.toFixed(3)}(${(dt/1000).toFixed(2)}s)`);
    }
    console.log(ds.padEnd(18), id.padEnd(9), row.join(" "), "avg", (total/instances.length/1000).toFixed(2), "s");
  }
}
