import { symmetricEigen } from "./harness/linalg.ts";
import { Rng } from "./harness/rng.ts";
const n=32; const rng = new Rng(1); const a = new Float64Array(n*n);
for (let i=0;i<n;i++) for (let j=0;j<=i;j++){ const v=rng.normal(); a[i*n+j]=v; a[j*n+i]=v; }
for (let r=0;r<6;r++){ const t0=performance.now(); for(let q=0;q<100;q++) symmetricEigen(a,n); console.log(n, ((performance.now()-t0)/100).toFixed(3),"ms"); }
