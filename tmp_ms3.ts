import { generateInstance, getDataset } from "./harness/registry.ts";
import { bestMatches } from "./tasks/feature-recovery/task.ts";
import { fastIca } from "./methods/fastica/method.ts";
import { f32 } from "./harness/ndarray.ts";
import { initTf } from "./harness/tf.ts";
import { principalAxes, covariance, matMul, symmetricEigen } from "./harness/linalg.ts";
await initTf();
const mm = (b: number[]) => (b.reduce((a, c) => a + c, 0) / b.length).toFixed(3);
for (const i of [0, 1]) {
  const inst = generateInstance(getDataset("feature-recovery", "mixed-selectivity"), "dev", i);
  const x = inst.inputs.activations!; const [n, d] = x.shape as [number, number];
  const F = inst.truth.features!;
  const k = inst.params.nFeatures as number;
  const r = await fastIca(x.data, n, d, k, 1);
  const eye = f32([d, d]); for (let j = 0; j < d; j++) eye.data[j * d + j] = 1;
  console.log("mixing vs truth", mm(bestMatches(F, f32([r.m, d], r.mixing))), "truth vs axes", mm(bestMatches(F, eye)), "ica vs axes", mm(bestMatches(f32([r.m, d], r.mixing), eye)));
  // Excess kurtosis of projections
  const { mean } = principalAxes(x.data, n, d);
  const C = covariance(x.data, n, d, mean);
  const { values, vectors } = symmetricEigen(C, d);
  const Cinv = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) { let s = 0; for (let e = 0; e < d; e++) s += vectors[e * d + a]! * vectors[e * d + b]! / values[e]!; Cinv[a * d + b] = s; }
  const kurt = (u: Float64Array) => {
    let m2 = 0, m4 = 0, m1 = 0;
    const p = new Float64Array(n);
    for (let s = 0; s < n; s++) { let v = 0; for (let c = 0; c < d; c++) v += (x.data[s * d + c]! - mean[c]!) * u[c]!; p[s] = v; m1 += v; }
    m1 /= n; for (const v of p) { m2 += (v - m1) ** 2; m4 += (v - m1) ** 4; }
    m2 /= n; m4 /= n; return m4 / m2 / m2 - 3;
  };
  const kt: number[] = [], kw: number[] = [], ka: number[] = [];
  for (let f = 0; f < k; f++) {
    const fv = Float64Array.from(F.data.subarray(f * d, f * d + d));
    kt.push(kurt(fv)); kw.push(kurt(matMul(Cinv, fv, d, d, 1)));
  }
  for (let c = 0; c < d; c++) { const u = new Float64Array(d); u[c] = 1; ka.push(kurt(u)); }
  const avg = (a: number[]) => (a.reduce((s, v) => s + v, 0) / a.length).toFixed(3);
  console.log("kurt along f", avg(kt), "along C^-1 f", avg(kw), "along axes", avg(ka), "eig", values[0]!.toFixed(2), values[d-1]!.toFixed(2));
}
