import { initTf } from "./harness/tf.ts";
const { tf } = await initTf();
function time(label: string, f: () => void, reps = 100) {
  for (let i=0;i<10;i++) f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(label, ((performance.now() - t0) / reps).toFixed(3), "ms");
}
const B = 256, d = 32, k = 128;
const xb = tf.randomNormal([B, d]);
const xbT = tf.randomNormal([d, B]);
const wEnc = tf.variable(tf.randomNormal([d, k]));
const bEnc = tf.variable(tf.zeros([k]));
const wDec = tf.variable(tf.randomNormal([k, d]));
const bDec = tf.variable(tf.zeros([d]));
const vars = [wEnc, bEnc, wDec, bDec];
const opt = tf.train.adam(0.001);
const lossFn = () => {
  const f = tf.relu(tf.add(tf.matMul(tf.sub(xb, bDec), wEnc), bEnc));
  const recon = tf.add(tf.matMul(f, wDec), bDec);
  return tf.add(tf.mean(tf.sum(tf.square(tf.sub(recon, xb)), 1)), tf.mul(0.1, tf.mean(tf.sum(f, 1)))) as any;
};
time("forward", () => tf.tidy(() => { lossFn(); }));
time("grads", () => tf.tidy(() => { tf.variableGrads(lossFn, vars); }));
time("minimize", () => tf.tidy(() => { opt.minimize(lossFn, false, vars); }));
time("proj", () => tf.tidy(() => { wDec.assign(tf.div(wDec, tf.add(tf.norm(wDec, "euclidean", 1, true), 1e-12))); }));
const f = tf.relu(tf.randomNormal([B, k]));
time("mm f@wDec", () => tf.tidy(() => { tf.matMul(f, wDec); }));
time("mm fT@x (transA)", () => tf.tidy(() => { tf.matMul(f, xb, true, false); }));
time("mm x@wDecT (transB)", () => tf.tidy(() => { tf.matMul(xb, wDec, false, true); }));
time("transpose f + mm", () => tf.tidy(() => { tf.matMul(tf.transpose(f), xb); }));
time("add small", () => tf.tidy(() => { tf.add(bEnc, 1); }));
time("gather", () => tf.tidy(() => { tf.gather(xb, tf.tensor1d(new Int32Array(B).map((_, i) => i), "int32")); }));
time("topk", () => tf.tidy(() => { tf.topk(f, 8); }));
