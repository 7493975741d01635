import { initTf } from "./harness/tf.ts";
import { symmetricDecorrelation } from "./harness/linalg.ts";
const { tf } = await initTf();
function time(label: string, f: () => void, reps = 50) {
  f(); f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(label, ((performance.now() - t0) / reps).toFixed(3), "ms");
}
const n = 4096, m = 32;
const z = tf.randomNormal([n, m]);
const zt = tf.randomNormal([m, n]);
const b = tf.randomNormal([m, m]);
const big = tf.randomNormal([512,512]);
time("512^3", () => tf.tidy(() => { tf.matMul(big, big).dataSync(); }), 10);
time("z@b", () => tf.tidy(() => { tf.matMul(z, b).dataSync(); }));
time("z@bT", () => tf.tidy(() => { tf.matMul(z, b, false, true).dataSync(); }));
time("b@zt", () => tf.tidy(() => { tf.matMul(b, zt).dataSync(); }));
time("zT@z", () => tf.tidy(() => { tf.matMul(z, z, true, false).dataSync(); }));
time("zt@z", () => tf.tidy(() => { tf.matMul(zt, z).dataSync(); }));
const w = new Float64Array(m*m).map(()=>Math.random());
time("decorr", () => { symmetricDecorrelation(w, m); }, 500);
time("z@b no sync", () => tf.tidy(() => { tf.matMul(z, b); }));
const z256 = tf.randomNormal([256, 32]); const e128 = tf.randomNormal([32,128]);
time("256x32x128", () => tf.tidy(() => { tf.matMul(z256, e128).dataSync(); }));
