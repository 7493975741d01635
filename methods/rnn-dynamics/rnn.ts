// A latent-space RNN z_{t+1} = z_t + W₂ᵀ tanh(W₁ᵀ z_t + b₁) + b₂ fitted in TensorFlow.js, and the fixed-point
// search of Sussillo & Barak (2013) as FixedPointFinder (Golub & Sussillo 2018) does it: minimise
// q(z) = ½‖F(z) − z‖² from many states (one batched tfjs optimisation), then Newton on F(z) − z in float64 with the
// analytic Jacobian, keep the points that converged inside the data's range, deduplicate, and class each by the
// moduli of its Jacobian's eigenvalues. Every tfjs op runs on a batch of windows (or on all starts) at once: on the
// wasm backend a small op costs ≈ 15 µs whatever its size. In tfjs the tanh layer is written with a sigmoid,
// tanh(u) = 2σ(2u) − 1 (the same function; tfjs-wasm's sigmoid is vectorised, its tanh ≈ 8× slower, as fastica found).
import type * as tfType from "@tensorflow/tfjs";
import { eigenvalueModuli, solveGeneral } from "../../harness/linalg.ts";
import type { Rng } from "../../harness/rng.ts";
import { epochBatches, gatherRows, matMulWithFastGrad } from "../../harness/train.ts";
import { solveSpd } from "../../tasks/latent-dynamics/metrics.ts";
import type { FixedPoint } from "../../tasks/latent-dynamics/task.ts";

type Tf = typeof tfType;

/** The map z ↦ z + W₂ᵀ tanh(W₁ᵀ z + b₁) + b₂, float64, row-major: w1 [d, hidden], w2 [hidden, d]. */
export interface LatentRnn {
  d: number;
  hidden: number;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

export interface RnnFitOptions {
  hidden: number;
  /** Steps of the multi-step rollout loss: the model is unrolled this many bins from every window start. */
  rollout: number;
  /** Adam steps on the rollout loss… */
  steps: number;
  /** …each on this many windows (epochs of a random order drawn from the seed). */
  batch: number;
  learningRate: number;
  /** Ridge of the closed-form one-step fit of W₂, b₂ that starts the optimisation, relative to the number of pairs. */
  ridge: number;
}

export interface FixedPointOptions {
  /** Full-batch Adam steps on q(z) = ½‖F(z) − z‖² from every start at once. */
  steps: number;
  learningRate: number;
  /** Newton iterations per start after the descent. */
  newtonIterations: number;
  /** A point counts when ‖F(z) − z‖ is below this… */
  residual: number;
  /** …lies where `inside` says (the data's range)… */
  inside: (z: Float64Array) => boolean;
  /** …and is no closer than this to one already kept. */
  deduplicate: number;
}

/** The hidden layer's activations tanh(W₁ᵀ z + b₁) of one state. */
function hiddenOf(rnn: LatentRnn, z: ArrayLike<number>): Float64Array {
  const { d, hidden, w1, b1 } = rnn;
  const h = Float64Array.from(b1);
  for (let c = 0; c < d; c++) {
    const v = z[c] as number;
    for (let j = 0; j < hidden; j++) h[j] = (h[j] as number) + v * (w1[c * hidden + j] as number);
  }
  for (let j = 0; j < hidden; j++) h[j] = Math.tanh(h[j] as number);
  return h;
}

/** F(z) − z, the increment of one step. */
export function rnnIncrement(rnn: LatentRnn, z: ArrayLike<number>): Float64Array {
  const { d, hidden, w2, b2 } = rnn;
  const h = hiddenOf(rnn, z);
  const out = Float64Array.from(b2);
  for (let j = 0; j < hidden; j++) for (let c = 0; c < d; c++) out[c] = (out[c] as number) + (h[j] as number) * (w2[j * d + c] as number);
  return out;
}

/** ∂F/∂z of the map (identity included), d × d row-major: I + W₂ᵀ diag(1 − tanh²) W₁ᵀ. */
export function rnnJacobian(rnn: LatentRnn, z: ArrayLike<number>): Float64Array {
  const { d, hidden, w1, w2 } = rnn;
  const h = hiddenOf(rnn, z);
  const jac = new Float64Array(d * d);
  for (let r = 0; r < d; r++)
    for (let c = 0; c < d; c++) {
      let s = r === c ? 1 : 0;
      for (let j = 0; j < hidden; j++) s += (w2[j * d + r] as number) * (1 - (h[j] as number) ** 2) * (w1[c * hidden + j] as number);
      jac[r * d + c] = s;
    }
  return jac;
}

/**
 * Fit the RNN to [trials, bins, d] latents (z-scored). W₁ and b₁ start random (each hidden unit a random direction,
 * its bias placing the tanh's bend within the data) and W₂, b₂ at the ridge least-squares one-step fit on those
 * features (closed form): Adam then refines all four on the mean squared error of k-step rollouts from every bin,
 * so the model is a dynamical system and not only a one-step regressor.
 */
export function fitLatentRnn(tf: Tf, z: Float64Array, trials: number, bins: number, d: number, rng: Rng, o: RnnFitOptions): LatentRnn {
  const { hidden, rollout } = o;
  const w1 = new Float64Array(d * hidden);
  const b1 = new Float64Array(hidden);
  for (let j = 0; j < hidden; j++) {
    // Unit-norm direction scaled so a pre-activation's spread over the data is ≈ 1 (z is z-scored).
    const v = Float64Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...v) || 1;
    for (let c = 0; c < d; c++) w1[c * hidden + j] = (v[c] as number) / norm;
    b1[j] = (2 * rng.uniform() - 1) * 1.5;
  }
  // Closed-form start for the readout: ridge regression of the increments on [tanh features, 1].
  const p = hidden + 1;
  const g = new Float64Array(p * p);
  const rhs = new Float64Array(p * d);
  const base: LatentRnn = { d, hidden, w1, b1, w2: new Float64Array(hidden * d), b2: new Float64Array(d) };
  let pairs = 0;
  const phi = new Float64Array(p);
  for (let tr = 0; tr < trials; tr++)
    for (let t = 0; t + 1 < bins; t++, pairs++) {
      const i = (tr * bins + t) * d;
      phi.set(hiddenOf(base, z.subarray(i, i + d)));
      phi[hidden] = 1;
      for (let a = 0; a < p; a++) {
        const fa = phi[a] as number;
        for (let c = 0; c < p; c++) g[a * p + c] = (g[a * p + c] as number) + fa * (phi[c] as number);
        for (let c = 0; c < d; c++) rhs[a * d + c] = (rhs[a * d + c] as number) + fa * ((z[i + d + c] as number) - (z[i + c] as number));
      }
    }
  const theta = solveSpd(g, rhs, p, d, o.ridge * pairs);

  // Windows of rollout + 1 bins starting at every bin that has them: targets[j] holds bin s + j of every window.
  const windows = trials * Math.max(0, bins - rollout);
  const targets = Array.from({ length: rollout + 1 }, () => new Float32Array(windows * d));
  let w = 0;
  for (let tr = 0; tr < trials; tr++)
    for (let s = 0; s + rollout < bins; s++, w++)
      for (let j = 0; j <= rollout; j++) targets[j]?.set(z.subarray((tr * bins + s + j) * d, (tr * bins + s + j + 1) * d), w * d);
  const matMul = matMulWithFastGrad(tf);
  const init = toSigmoidForm({ d, hidden, w1, b1, w2: theta.subarray(0, hidden * d), b2: theta.subarray(hidden * d, p * d) });
  // tidy disposes the initial values; the variables keep their data.
  // One packed variable [V, c, U, e]: Adam's update is ≈ 14 ops per variable, slicing four views out costs fewer.
  const sizes = [d * hidden, hidden, hidden * d, d];
  const params = tf.tidy(() => tf.variable(tf.tensor1d(concatRows([init.v, init.c, init.u, init.e]))));
  const optimizer = tf.train.adam(o.learningRate);
  let step = 0;
  while (windows > 0 && step < o.steps) {
    for (const batch of epochBatches(rng, windows, o.batch)) {
      if (step++ >= o.steps) break;
      const start = tf.tensor2d(gatherRows(targets[0] as Float32Array, d, batch), [batch.length, d]);
      // The targets of every step stacked, [rollout · batch, d], so that the loss is one subtraction.
      const later = tf.tensor2d(concatRows(targets.slice(1).map((t) => gatherRows(t, d, batch))), [rollout * batch.length, d]);
      // minimize() runs this under its own tidy and disposes every intermediate.
      const loss = () => {
        const [fv, c, fu, e] = tf.split(params, sizes) as tfType.Tensor1D[];
        const v = tf.reshape(fv as tfType.Tensor1D, [d, hidden]) as tfType.Tensor2D;
        const u = tf.reshape(fu as tfType.Tensor1D, [hidden, d]) as tfType.Tensor2D;
        let x = start as tfType.Tensor2D;
        const path: tfType.Tensor2D[] = [];
        for (let j = 0; j < rollout; j++) {
          x = tf.add(
            x,
            tf.add(matMul(tf.sigmoid(tf.add(matMul(x, v), c as tfType.Tensor1D)) as tfType.Tensor2D, u), e as tfType.Tensor1D),
          ) as tfType.Tensor2D;
          path.push(x);
        }
        return tf.mean(tf.square(tf.sub(tf.concat(path, 0), later))) as tfType.Scalar;
      };
      optimizer.minimize(loss, false, [params]);
      tf.dispose([start, later]);
    }
  }
  const packed = params.dataSync() as Float32Array;
  const at = (k: number) => sizes.slice(0, k).reduce((a, b) => a + b, 0);
  const fitted = fromSigmoidForm(d, hidden, {
    v: packed.subarray(at(0), at(1)),
    c: packed.subarray(at(1), at(2)),
    u: packed.subarray(at(2), at(3)),
    e: packed.subarray(at(3), at(4)),
  });
  optimizer.dispose();
  params.dispose();
  return fitted;
}

/**
 * Fixed points of the RNN from `starts` [count, d]: Adam on q(z) = ½‖F(z) − z‖² for every start at once (tfjs), then
 * Newton on F(z) − z in float64; kept when the residual is below `residual` inside the data's range, deduplicated,
 * each with its number of unstable directions (eigenvalues of ∂F/∂z outside the unit circle).
 */
export function findFixedPoints(tf: Tf, rnn: LatentRnn, starts: Float64Array, o: FixedPointOptions): FixedPoint[] {
  const { d, hidden } = rnn;
  const count = starts.length / d;
  let descended = starts;
  if (o.steps > 0 && count > 0) {
    const matMul = matMulWithFastGrad(tf);
    const form = toSigmoidForm(rnn);
    const [v, c, u, e] = [tf.tensor2d(form.v, [d, hidden]), tf.tensor1d(form.c), tf.tensor2d(form.u, [hidden, d]), tf.tensor1d(form.e)];
    const x = tf.tidy(() => tf.variable(tf.tensor2d(Float32Array.from(starts), [count, d])));
    const optimizer = tf.train.adam(o.learningRate);
    // Σ over starts of q: each start's gradient is its own (the starts do not interact).
    const q = () => {
      const increment = tf.add(matMul(tf.sigmoid(tf.add(matMul(x, v), c)) as tfType.Tensor2D, u), e);
      return tf.mul(0.5, tf.sum(tf.square(increment))) as tfType.Scalar;
    };
    for (let step = 0; step < o.steps; step++) optimizer.minimize(q, false, [x]);
    descended = Float64Array.from(x.dataSync());
    optimizer.dispose();
    tf.dispose([v, c, u, e, x]);
  }
  const found: FixedPoint[] = [];
  for (let s = 0; s < count; s++) {
    const z = Float64Array.from(descended.subarray(s * d, (s + 1) * d));
    let converged = false;
    for (let iter = 0; iter < o.newtonIterations && o.inside(z); iter++) {
      const f = rnnIncrement(rnn, z);
      if (Math.hypot(...f) < o.residual) {
        converged = true;
        break;
      }
      // Newton on G(z) = F(z) − z, whose Jacobian is ∂F/∂z − I.
      const jac = rnnJacobian(rnn, z);
      for (let c = 0; c < d; c++) jac[c * d + c] = (jac[c * d + c] as number) - 1;
      const step = solveGeneral(jac, f, d);
      if (!step) break;
      for (let c = 0; c < d; c++) z[c] = (z[c] as number) - (step[c] as number);
    }
    if (!converged || !o.inside(z)) continue;
    if (found.some((p) => Math.hypot(...p.location.map((v, c) => v - (z[c] as number))) < o.deduplicate)) continue;
    found.push({ location: z, unstable: eigenvalueModuli(rnnJacobian(rnn, z), d).filter((m) => m > 1).length });
  }
  return found;
}

function concatRows(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The same map as σ(zV + c) U + e (float32, for tfjs): tanh(a) = 2σ(2a) − 1 gives V = 2W₁, c = 2b₁, U = 2W₂ and
 * e = b₂ − Σ_j W₂[j, :].
 */
interface SigmoidForm {
  v: Float32Array;
  c: Float32Array;
  u: Float32Array;
  e: Float32Array;
}

function toSigmoidForm(rnn: LatentRnn): SigmoidForm {
  const { d, hidden, w2 } = rnn;
  const e = Float32Array.from(rnn.b2);
  for (let j = 0; j < hidden; j++) for (let k = 0; k < d; k++) e[k] = (e[k] as number) - (w2[j * d + k] as number);
  return {
    v: Float32Array.from(rnn.w1, (x) => 2 * x),
    c: Float32Array.from(rnn.b1, (x) => 2 * x),
    u: Float32Array.from(w2, (x) => 2 * x),
    e,
  };
}

function fromSigmoidForm(d: number, hidden: number, f: SigmoidForm): LatentRnn {
  const w2 = Float64Array.from(f.u, (x) => x / 2);
  const b2 = Float64Array.from(f.e);
  for (let j = 0; j < hidden; j++) for (let k = 0; k < d; k++) b2[k] = (b2[k] as number) + (w2[j * d + k] as number);
  return { d, hidden, w1: Float64Array.from(f.v, (x) => x / 2), b1: Float64Array.from(f.c, (x) => x / 2), w2, b2 };
}
