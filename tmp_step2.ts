import { initTf } from "./harness/tf.ts";
const { tf } = await initTf();
function time(label: string, f: () => void, reps = 200) {
  for (let i=0;i<20;i++) f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(label, ((performance.now() - t0) / reps).toFixed(3), "ms");
}
for (const [B, k] of [[256, 32], [256, 128], [1024, 128], [512,64]]) {
const d = 32;
const all = tf.randomNormal([4096, d]);
const wEnc = tf.variable(tf.randomNormal([d, k]));
const bEnc = tf.variable(tf.zeros([k]));
const wDec = tf.variable(tf.randomNormal([k, d]));
const bDec = tf.variable(tf.zeros([d]));
const params = [wEnc, bEnc, wDec, bDec];
const ms = params.map(p => tf.variable(tf.zerosLike(p)));
const vs = params.map(p => tf.variable(tf.zerosLike(p)));
const lam = 0.1, lr = 0.001, b1 = 0.9, b2 = 0.999; let t = 0;
const idx = tf.tensor1d(new Int32Array(B).map((_, i) => i * 3), "int32");
const step = () => tf.tidy(() => {
  t++;
  const xb = tf.gather(all, idx);
  const xc = tf.sub(xb, bDec);
  const pre = tf.add(tf.matMul(xc, wEnc), bEnc);
  const f = tf.relu(pre);
  const recon = tf.add(tf.matMul(f, wDec), bDec);
  const gErr = tf.mul(tf.sub(recon, xb), 2 / B);
  const gDec = tf.matMul(tf.transpose(f), gErr);
  const df = tf.add(tf.matMul(gErr, tf.transpose(wDec)), lam / B);
  const dpre = tf.mul(df, tf.step(pre));
  const gEnc = tf.matMul(tf.transpose(xc), dpre);
  const gbEnc = tf.sum(dpre, 0);
  const gbDec = tf.sub(tf.sum(gErr, 0), tf.matMul(tf.reshape(gbEnc, [1, k]), tf.transpose(wEnc)).reshape([d]));
  const grads = [gEnc, gbEnc, gDec, gbDec];
  const lrT = lr * Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
  for (let i = 0; i < 4; i++) {
    const g = grads[i]!;
    const m = tf.add(tf.mul(ms[i]!, b1), tf.mul(g, 1 - b1));
    const v = tf.add(tf.mul(vs[i]!, b2), tf.mul(tf.square(g), 1 - b2));
    ms[i]!.assign(m); vs[i]!.assign(v);
    params[i]!.assign(tf.sub(params[i]!, tf.mul(tf.div(m, tf.add(tf.sqrt(v), 1e-8)), lrT)));
  }
  wDec.assign(tf.div(wDec, tf.add(tf.norm(wDec, "euclidean", 1, true), 1e-12)));
});
time(`B=${B} k=${k} manual step`, step);
}
