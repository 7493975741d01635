import { generateInstance, getDataset } from "./harness/registry.ts";
import { bestMatches } from "./tasks/feature-recovery/task.ts";
import { trainSae, type SaeConfig } from "./methods/sae-l1/sae.ts";
import { f32 } from "./harness/ndarray.ts";
import { initTf } from "./harness/tf.ts";
await initTf();
const cfg = JSON.parse(process.argv[2]!) as SaeConfig;
const idxs = (process.env.IDX ?? "0,1,2,3,4,5").split(",").map(Number);
for (const ds of (process.env.DS ?? "sparse-linear").split(",")) {
  const res: string[] = []; let tt = 0;
  for (const i of idxs) {
    const inst = generateInstance(getDataset("feature-recovery", ds), "dev", i);
    const x = inst.inputs.activations!; const [n, d] = x.shape as [number, number];
    const k = inst.params.nFeatures as number;
    const t0 = performance.now();
    const r = await trainSae(x.data, n, d, k, 1, cfg);
    const dt = performance.now() - t0; tt += dt;
    const b = bestMatches(inst.truth.features!, f32([k, d], r.decoder));
    res.push(`${i}:${(b.reduce((a, c) => a + c, 0) / b.length).toFixed(3)} fvu${r.fvu.toFixed(2)} dead${r.dead} ${(dt/1000).toFixed(1)}s`);
  }
  console.log(ds, res.join(" | "), "avg", (tt / idxs.length / 1000).toFixed(2));
}
