import { instanceSeed, getDataset } from "./harness/registry.ts";
import { bestMatches } from "./tasks/feature-recovery/task.ts";
import { fastIca } from "./methods/fastica/method.ts";
import { f32 } from "./harness/ndarray.ts";
import { Rng } from "./harness/rng.ts";
import { initTf } from "./harness/tf.ts";
import { mix, randomUnitFeatures, regimeOf, sparseCodes } from "./tasks/feature-recovery/generate.ts";
await initTf();
const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
const ds = getDataset("feature-recovery", "mixed-selectivity");
for (const i of [0, 1]) {
  const seed = instanceSeed(ds, "dev", i);
  const { ratio, p } = regimeOf(i); const d = 32, n = 4096, k = ratio * d;
  const rng = new Rng(seed);
  const features = randomUnitFeatures(rng, k, d);
  const drive = mix(sparseCodes(rng, n, k, p), features, n);
  const variants: Record<string, Float32Array> = {
    drive: Float32Array.from(drive),
    rate: Float32Array.from(drive, (v) => softplus(1 + 6 * v)),
    poisson: Float32Array.from(drive, (v) => rng.poisson(softplus(1 + 6 * v))),
    gaussnoise: Float32Array.from(drive, (v) => softplus(1 + 6 * v) + Math.sqrt(softplus(1 + 6 * v)) * rng.normal()),
  };
  for (const [name, x] of Object.entries(variants)) {
    const r = await fastIca(x, n, d, k, 1);
    const b = bestMatches(features, f32([r.m, d], r.mixing));
    console.log(i, name, r.iterations, (b.reduce((a, c) => a + c, 0) / b.length).toFixed(3));
  }
}
