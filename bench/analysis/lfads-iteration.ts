// The CPU cost of ONE training iteration of a small LFADS (Pandarinath et al. 2018) on a T8 instance, on the tfjs
// backend this process gets (wasm here): why rnn-dynamics fits a latent-space RNN instead (methods/rnn-dynamics/README.md).
// A bidirectional GRU encoder (64 units each way) over the held-in counts, initial condition and per-bin encoder
// outputs → controller GRU (32) → inferred inputs (2) → generator GRU (64) → factors (8) → Poisson rates; loss:
// Poisson NLL + the initial condition's KL. All 30 trials in one batch, BPTT through every bin. LFADS's published
// runs take thousands of such iterations.
//   npx tsx bench/analysis/lfads-iteration.ts [bins=60] [neurons=24]
import type * as tfType from "@tensorflow/tfjs";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import { glorotUniform } from "../../harness/train.ts";

const bins = Number(process.argv[2] ?? 60);
const neurons = Number(process.argv[3] ?? 24);
const trials = 30;
const { tf, backend } = await initTf();
const rng = new Rng(1);
const weight = (a: number, b: number) => tf.variable(tf.tensor2d(glorotUniform(rng, a, b), [a, b]));
const bias = (b: number) => tf.variable(tf.zeros([b]));

/** A GRU cell's weights (input kernel, recurrent kernel, bias for the z, r and candidate gates together). */
function gru(input: number, units: number) {
  const w = weight(input, 3 * units);
  const u = weight(units, 3 * units);
  const b = bias(3 * units);
  const step = (x: tfType.Tensor2D, h: tfType.Tensor2D) => {
    const xw = tf.add(tf.matMul(x, w), b);
    const hu = tf.matMul(h, u);
    const [xz, xr, xh] = tf.split(xw, 3, 1) as tfType.Tensor2D[];
    const [hz, hr, hh] = tf.split(hu, 3, 1) as tfType.Tensor2D[];
    const z = tf.sigmoid(tf.add(xz as tfType.Tensor2D, hz as tfType.Tensor2D));
    const r = tf.sigmoid(tf.add(xr as tfType.Tensor2D, hr as tfType.Tensor2D));
    const cand = tf.tanh(tf.add(xh as tfType.Tensor2D, tf.mul(r, hh as tfType.Tensor2D)));
    return tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), cand)) as tfType.Tensor2D;
  };
  return { vars: [w, u, b], step, units };
}

const encF = gru(neurons, 64);
const encB = gru(neurons, 64);
const ctrl = gru(128 + 8, 32);
const gen = gru(2, 64);
const icMean = weight(128, 64);
const icLogVar = weight(128, 64);
const inputs = weight(32, 2);
const factors = weight(64, 8);
const readout = weight(8, neurons);
const readoutBias = bias(neurons);
const vars = [...encF.vars, ...encB.vars, ...ctrl.vars, ...gen.vars, icMean, icLogVar, inputs, factors, readout, readoutBias];
const counts = tf.tensor3d(
  Float32Array.from({ length: trials * bins * neurons }, () => (rng.uniform() < 0.1 ? 1 : 0)),
  [trials, bins, neurons],
);
const optimizer = tf.train.adam(1e-2);

const iteration = () => {
  const loss = optimizer.minimize(
    () => {
      const x = tf.unstack(counts, 1) as tfType.Tensor2D[];
      let hf = tf.zeros([trials, 64]) as tfType.Tensor2D;
      let hb = tf.zeros([trials, 64]) as tfType.Tensor2D;
      const fwd: tfType.Tensor2D[] = [];
      const bwd: tfType.Tensor2D[] = [];
      for (let t = 0; t < bins; t++) {
        hf = encF.step(x[t] as tfType.Tensor2D, hf);
        fwd.push(hf);
        hb = encB.step(x[bins - 1 - t] as tfType.Tensor2D, hb);
        bwd.unshift(hb);
      }
      const enc = tf.concat([hf, hb], 1);
      const mean = tf.matMul(enc, icMean);
      const logVar = tf.matMul(enc, icLogVar);
      let g = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal([trials, 64], 0, 1, "float32", 1))) as tfType.Tensor2D;
      let c = tf.zeros([trials, 32]) as tfType.Tensor2D;
      let f = tf.zeros([trials, 8]) as tfType.Tensor2D;
      let nll = tf.scalar(0);
      for (let t = 0; t < bins; t++) {
        c = ctrl.step(tf.concat([fwd[t] as tfType.Tensor2D, bwd[t] as tfType.Tensor2D, f], 1) as tfType.Tensor2D, c);
        g = gen.step(tf.matMul(c, inputs), g);
        f = tf.matMul(g, factors);
        const logRate = tf.add(tf.matMul(f, readout), readoutBias);
        nll = tf.add(nll, tf.sum(tf.sub(tf.exp(logRate), tf.mul(x[t] as tfType.Tensor2D, logRate))));
      }
      const kl = tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.exp(logVar), tf.square(mean)), tf.add(logVar, 1))));
      return tf.add(nll, kl) as tfType.Scalar;
    },
    true,
    vars,
  );
  loss?.dataSync();
  loss?.dispose();
};
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
iteration(); // the first builds the kernels
const repeats = 3;
const start = cpu();
const wall = performance.now();
for (let i = 0; i < repeats; i++) iteration();
console.log(
  `LFADS iteration on ${backend}, ${trials} trials × ${bins} bins × ${neurons} neurons: ${((cpu() - start) / repeats).toFixed(3)} core-s (${((performance.now() - wall) / repeats / 1000).toFixed(3)} s wall)`,
);
