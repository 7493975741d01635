import { generateInstance, getDataset, methodSeed } from "./harness/registry.ts";
import { featureRecovery, bestMatches } from "./tasks/feature-recovery/task.ts";
import { fastIca } from "./methods/fastica/method.ts";
import { f32 } from "./harness/ndarray.ts";
import { initTf } from "./harness/tf.ts";
await initTf();
for (const ds of ["sparse-linear", "mixed-selectivity"]) {
  for (let i = 0; i < 6; i++) {
    const inst = generateInstance(getDataset("feature-recovery", ds), "dev", i);
    const x = inst.inputs.activations!; const [n, d] = x.shape as [number, number];
    const k = inst.params.nFeatures as number;
    const t0 = performance.now();
    const r = await fastIca(x.data, n, d, k, 1);
    const dt = performance.now() - t0;
    const dict = f32([r.m, d], r.mixing);
    const b = bestMatches(inst.truth.features!, dict);
    console.log(ds, i, "iters", r.iterations, r.converged, "ms/iter", (dt / r.iterations).toFixed(2), "mmcs", (b.reduce((a, c) => a + c, 0) / b.length).toFixed(3));
  }
}
