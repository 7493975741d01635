import { initTf } from "./harness/tf.ts";
const { tf } = await initTf();
function time(label: string, f: () => void, reps = 200) {
  for (let i=0;i<20;i++) f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(label.padEnd(30), ((performance.now() - t0) / reps * 1000).toFixed(0), "us");
}
const B = 256, d = 32, k = 128;
const epoch = tf.randomNormal([4096, d]);
const pre = tf.randomNormal([B, k]);
const ones = tf.ones([1, B]);
const batches = tf.split(epoch, 16, 0);
const flat = tf.randomNormal([d*k*2+k+d]);
time("slice", () => tf.tidy(() => { tf.slice(epoch, [512, 0], [B, d]); }));
time("sum axis0", () => tf.tidy(() => { tf.sum(pre, 0); }));
time("ones@pre", () => tf.tidy(() => { tf.matMul(ones, pre); }));
time("transpose+sum1", () => tf.tidy(() => { tf.sum(tf.transpose(pre), 1); }));
time("split 16", () => tf.tidy(() => { tf.split(epoch, 16, 0); }));
time("adam flat 8 ops", () => tf.tidy(() => { const m = tf.add(tf.mul(flat, 0.9), tf.mul(flat, 0.1)); const v = tf.add(tf.mul(flat, 0.9), tf.mul(tf.square(flat), 0.1)); tf.sub(flat, tf.mul(tf.div(m, tf.add(tf.sqrt(v), 1e-8)), 0.01)); }));
const w = tf.randomNormal([d, k]);
time("adam dk 8 ops", () => tf.tidy(() => { const m = tf.add(tf.mul(w, 0.9), tf.mul(w, 0.1)); const v = tf.add(tf.mul(w, 0.9), tf.mul(tf.square(w), 0.1)); tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), 1e-8)), 0.01)); }));
time("concat 4", () => tf.tidy(() => { tf.concat([w.reshape([-1]), w.reshape([-1]), tf.zeros([k]), tf.zeros([d])]); }));
