import { initTf } from "./harness/tf.ts";
const t0 = performance.now();
const { tf, backend } = await initTf();
const a = tf.tensor2d([[1, 2], [3, 4]]);
console.log(backend, tf.matMul(a, a).arraySync(), (performance.now() - t0).toFixed(0), "ms");
