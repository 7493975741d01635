import { symmetricDecorrelation, symmetricEigen, matMul, transpose } from "./harness/linalg.ts";
import { Rng } from "./harness/rng.ts";
const rng = new Rng(1); const m = 32;
const w = new Float64Array(m*m).map(()=>rng.normal());
const wo = symmetricDecorrelation(w, m);
const near = wo.map(v => v + 0.01*rng.normal());
function time(label: string, f: () => void, reps = 500) {
  for (let i=0;i<50;i++) f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(label, ((performance.now() - t0) / reps).toFixed(4), "ms");
}
time("decorr random", () => symmetricDecorrelation(w, m));
time("decorr near", () => symmetricDecorrelation(near, m));
const g = matMul(near, transpose(near, m, m), m, m, m);
time("eig near-I", () => symmetricEigen(g, m));
const g2 = matMul(w, transpose(w, m, m), m, m, m);
time("eig random", () => symmetricEigen(g2, m));
time("matmul", () => matMul(w, w, m, m, m));
