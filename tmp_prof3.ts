import { initTf } from "./harness/tf.ts";
const { tf } = await initTf();
function time(label: string, f: () => void, reps = 50) {
  f(); f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(label, ((performance.now() - t0) / reps).toFixed(3), "ms");
}
const y = tf.randomNormal([32, 4096]);
const z = tf.randomNormal([4096, 32]);
const w = tf.randomNormal([32, 32]);
time("tanh", () => tf.tidy(() => { tf.tanh(y); }));
time("sigmoid", () => tf.tidy(() => { tf.sigmoid(y); }));
time("exp", () => tf.tidy(() => { tf.exp(y); }));
time("mul", () => tf.tidy(() => { tf.mul(y, y); }));
time("square", () => tf.tidy(() => { tf.square(y); }));
time("mean ax1", () => tf.tidy(() => { tf.mean(y, 1); }));
time("sum ax1", () => tf.tidy(() => { tf.sum(y, 1); }));
time("w@y", () => tf.tidy(() => { tf.matMul(w, y); }));
time("y@z", () => tf.tidy(() => { tf.matMul(y, z); }));
time("dataSync 32x32", () => tf.tidy(() => { tf.add(w, 1).dataSync(); }));
const arr = new Float32Array(131072); const src = y.dataSync();
time("JS Math.tanh", () => { for (let i = 0; i < arr.length; i++) arr[i] = Math.tanh(src[i]!); });
time("tensor2d 32x32", () => tf.tidy(() => { tf.tensor2d(new Float32Array(1024), [32, 32]); }));
