import { initTf } from "./harness/tf.ts";
import { symmetricDecorrelation } from "./harness/linalg.ts";
const { tf } = await initTf();
const n = 4096, m = 32;
const z = tf.randomNormal([n, m]);
const w = new Float64Array(m*m).map(()=>Math.random());
function time(label: string, f: () => void, reps = 50) {
  f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(label, ((performance.now() - t0) / reps).toFixed(3), "ms");
}
time("matmul", () => tf.tidy(() => { tf.matMul(z, tf.tensor2d(Float32Array.from(w), [m, m]), false, true).dataSync(); }));
const y = tf.matMul(z, z.slice([0,0],[32,32]));
time("tanh", () => tf.tidy(() => { tf.tanh(y).dataSync(); }));
time("mul", () => tf.tidy(() => { tf.mul(y, 1).dataSync(); }));
time("square+mean", () => tf.tidy(() => { tf.mean(tf.square(y), 0).dataSync(); }));
time("matmulT", () => tf.tidy(() => { tf.matMul(y, z, true, false).dataSync(); }));
time("decorr", () => { symmetricDecorrelation(w, m); });
