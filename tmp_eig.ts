import { symmetricEigen, matMul, transpose } from "./harness/linalg.ts";
import { Rng } from "./harness/rng.ts";
for (const n of [32, 128, 512]) {
  const rng = new Rng(1); const a = new Float64Array(n*n);
  for (let i=0;i<n;i++) for (let j=0;j<=i;j++){ const v=rng.normal(); a[i*n+j]=v; a[j*n+i]=v; }
  for (let r=0;r<2;r++){ const t0=performance.now(); symmetricEigen(a,n); console.log(n, (performance.now()-t0).toFixed(1),"ms"); }
  const t0=performance.now(); matMul(a,transpose(a,n,n),n,n,n); console.log("matmul",(performance.now()-t0).toFixed(1));
}
