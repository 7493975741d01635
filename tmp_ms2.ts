import { generateInstance, getDataset } from "./harness/registry.ts";
import { bestMatches } from "./tasks/feature-recovery/task.ts";
import { fastIca } from "./methods/fastica/method.ts";
import { f32 } from "./harness/ndarray.ts";
import { initTf } from "./harness/tf.ts";
await initTf();
for (const ds of ["mixed-selectivity", "sparse-linear"]) for (let i = 0; i < 6; i++) {
  const inst = generateInstance(getDataset("feature-recovery", ds), "dev", i);
  const x = inst.inputs.activations!; const [n, d] = x.shape as [number, number];
  const k = inst.params.nFeatures as number;
  const out: string[] = [];
  for (const fun of ["logcosh", "exp", "cube"] as const) {
    const r = await fastIca(x.data, n, d, k, 1, { fun });
    const b = bestMatches(inst.truth.features!, f32([r.m, d], r.mixing));
    out.push(`${fun} ${r.iterations} ${(b.reduce((a, c) => a + c, 0) / b.length).toFixed(3)}`);
  }
  console.log(ds, i, out.join(" | "));
}
