// Generator of the `planted-circuits` dataset (version 2): small MLPs whose scored hidden layer acts on the output
// only through one or two further nonlinear layers, with unit roles built so that neither correlation with the
// output nor the one-hop shortcut std(h_j) · ‖W_out[j, :]‖ can tell causal from non-causal units (README.md).
//
// Network: x (dIn) → scored layer (relu or tanh, H units) → readout layer (relu) → [depth 3: a relu layer of
// aggregators and deep gates] → linear output. Inputs x ~ N(0, I_dIn) are split into blocks A (visible output),
// B (hidden causal circuits) and C (background). Roles of the scored units:
//   main        causal: a unit on A, read out through its own readout unit kept in its linear range.
//   amplified   causal: like main, but its one-hop weight is tiny (0.03–0.06) and the readout's outgoing weight
//               makes up for it: the shortcut ranks it with the negligible units.
//   cancel      causal, ~uncorrelated: near-copies on B read out with +v and −v; the pair cancels in the output,
//               but ablating one member does not.
//   symmetric   causal, ~uncorrelated (tanh scored layer): v·(relu(h) + relu(−h)) = v·|h|, an even function.
//   saturated   causal, gradient trap (tanh scored layer): h = tanh(12 u·x) ≈ ±1 read out through a clamp
//               v·(relu(5h + 0.5) − relu(5h − 0.5)): flat at every sample, but h := mean ≈ 0 moves it by v/2.
//   gated       non-causal, shortcut trap: large activation spread and a large one-hop weight into a readout
//               unit whose relu is off on the whole input distribution (bias below the lowest input it gets).
//   deep-gated  non-causal, shortcut trap (depth 3): a large one-hop weight into a readout unit that is on, whose
//               only successor is a relu of the next layer that is off on the whole distribution.
//   cancelled   non-causal, shortcut trap: a large one-hop weight into two identical readout units read out with
//               +v and −v, so its paths cancel exactly downstream.
//   offset      non-causal, gradient trap: an almost constant activation read out with a large weight.
//   decoy       non-causal: the input direction most correlated with the output (plus noise), negligible readout.
//   background  non-causal: a random direction mostly on C, negligible readout.
// Gated, deep-gated and cancelled units also sit on output-correlated directions, so correlation ranks them high.
// Every bias that keeps a readout unit on (linear) or off is set from both the method's sample and the held-out
// truth sample with a margin larger than any single-unit mean ablation can move it. The regime (widths, depth,
// activation, role counts) is drawn from the instance seed. The truth is never these roles but the exact ablation
// on the held-out sample (instance.ts); the tests check that both agree unit by unit.
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { GeneratedInstance, NdArray } from "../../harness/types.ts";
import { buildInstance } from "./instance.ts";
import { biasName, type NetworkSpec, networkJson, weightName } from "./network.ts";

export const ROLES = [
  "main",
  "amplified",
  "cancel",
  "symmetric",
  "saturated",
  "gated",
  "deep-gated",
  "cancelled",
  "offset",
  "decoy",
  "background",
] as const;
export type Role = (typeof ROLES)[number];
export const CAUSAL_ROLES: ReadonlySet<Role> = new Set<Role>(["main", "amplified", "cancel", "symmetric", "saturated"]);

/** One instance's architecture and role counts, drawn from its seed (`drawRegime`). */
export interface Regime {
  dIn: number;
  H: number;
  scoredActivation: "relu" | "tanh";
  /** Layers after the scored one: 2 (readout, output) or 3 (readout, aggregators and deep gates, output). */
  depth: 2 | 3;
  counts: Record<Role, number>;
  /** Size of the random perturbation of the decoys' input direction. */
  decoyNoise: number;
}

/** Distributions of the regime parameters (documented in the dataset README). */
export const REGIME_SPACE = {
  dIn: [8, 16],
  H: [24, 56],
  /** Fraction of causal units, uniform in this range. */
  causalFraction: [0.15, 0.35],
  /** Of the causal units: amplified share, cancel share (pairs), symmetric share (tanh only), saturated 0–2 (tanh only). */
  amplifiedShare: [0.3, 0.5],
  cancelShare: [0, 0.3],
  symmetricShare: [0, 0.3],
  /** Of the non-causal units: gated share (split with deep-gated at depth 3), cancelled share, decoy share; offset 0–3. */
  gatedShare: [0.2, 0.35],
  cancelledShare: [0.05, 0.15],
  decoyShare: [0.15, 0.25],
  decoyNoise: [0.2, 0.6],
} as const;

const uniform = (rng: Rng, [lo, hi]: readonly [number, number] | readonly number[]) =>
  (lo as number) + ((hi as number) - (lo as number)) * rng.uniform();
const intIn = (rng: Rng, [lo, hi]: readonly number[]) => (lo as number) + rng.int((hi as number) - (lo as number) + 1);
const sign = (rng: Rng) => (rng.uniform() < 0.5 ? -1 : 1);

/** The regime of one instance, from its seed (never from its index). */
export function drawRegime(rng: Rng): Regime {
  const S = REGIME_SPACE;
  const dIn = intIn(rng, S.dIn);
  const H = intIn(rng, S.H);
  const scoredActivation = rng.uniform() < 0.5 ? "relu" : "tanh";
  const depth = rng.uniform() < 0.5 ? 2 : 3;
  const tanh = scoredActivation === "tanh";
  const nC = Math.max(4, Math.round(uniform(rng, S.causalFraction) * H));
  const saturated = tanh ? rng.int(3) : 0;
  const symmetric = tanh ? Math.round(uniform(rng, S.symmetricShare) * nC) : 0;
  const cancel = 2 * Math.round((uniform(rng, S.cancelShare) * nC) / 2);
  const amplified = Math.round(uniform(rng, S.amplifiedShare) * nC);
  const main = Math.max(1, nC - saturated - symmetric - cancel - amplified);
  const causal = main + amplified + cancel + symmetric + saturated;
  const nN = H - causal;
  const gatedAll = Math.round(uniform(rng, S.gatedShare) * nN);
  const deepGated = depth === 3 ? Math.round(gatedAll * uniform(rng, [0.3, 0.7])) : 0;
  const cancelled = Math.round(uniform(rng, S.cancelledShare) * nN);
  const decoy = Math.round(uniform(rng, S.decoyShare) * nN);
  const offset = rng.int(4);
  const background = nN - gatedAll - cancelled - decoy - offset;
  if (background < 0) throw new Error("role counts exceed H");
  return {
    dIn,
    H,
    scoredActivation,
    depth,
    counts: {
      main,
      amplified,
      cancel,
      symmetric,
      saturated,
      gated: gatedAll - deepGated,
      "deep-gated": deepGated,
      cancelled,
      offset,
      decoy,
      background,
    },
    decoyNoise: uniform(rng, S.decoyNoise),
  };
}

/** Construction constants (documented in the dataset README). */
export const PLANT = {
  /** Correlation of the two members of a cancelling pair's input directions. */
  cancelRho: 0.97,
  /** Gain of saturated units' tanh and of their clamp readout. */
  saturatedGain: 12,
  saturatedClampGain: 5,
  /** One-hop weight of amplified units (uniform in this range); the readout's outgoing weight is divided by it. */
  amplifiedWeight: [0.03, 0.06],
  /**
   * Planned ablation effect of every causal unit (uniform in this range, in units of output): readout weights are
   * set from the unit's mean absolute deviation on the method's sample, so that no causal unit drifts towards the
   * threshold 0.1 × std(output) as the number of causal units grows.
   */
  causalEffect: [1, 1.3],
  /** Offset units: pre-activation = offsetLevel + offsetSlope · (direction · x). */
  offsetLevel: { relu: 3, tanh: 2.5 },
  offsetSlope: 0.02,
  /** Negligible one-hop weights of decoys and background units, as a fraction of the causal output's std. */
  negligibleWeight: 0.025,
  /** Margin (in pre-activation units) by which a readout kept on or off stays away from 0, beyond any ablation. */
  margin: 1,
};

interface Column {
  w: Float64Array;
  b: number;
  role: Role;
  /** Activations on the method's sample and on the held-out sample. */
  h: Float64Array;
  ht: Float64Array;
}

type Mode = "linear" | "off" | "raw";

interface ReadoutUnit {
  from: [number, number][];
  bias: number;
  /** Weight to the output (depth 2) or to the aggregators (depth 3). */
  out: number;
  /** Depth 3: this unit feeds its own deep gate (a relu of the next layer that is always off) instead. */
  deepGate?: { bias: number; out: number };
  a: Float64Array;
  at: Float64Array;
}

function normalize(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  s = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / s;
  return v;
}

function unitOn(rng: Rng, d: number, support: number[]): Float64Array {
  const v = new Float64Array(d);
  for (const i of support) v[i] = rng.normal();
  return normalize(v);
}

const scaled = (v: Float64Array, s: number) => v.map((x) => x * s);
const fround64 = (v: Float64Array) => v.map((x) => Math.fround(x));
const minOf = (...arrays: Float64Array[]) => Math.min(...arrays.map((a) => a.reduce((m, x) => Math.min(m, x), Infinity)));
const maxOf = (...arrays: Float64Array[]) => Math.max(...arrays.map((a) => a.reduce((m, x) => Math.max(m, x), -Infinity)));
const range = (...arrays: Float64Array[]) => maxOf(...arrays) - minOf(...arrays);

/** A network under construction; every weight is rounded to float32 when it is set, so the bias margins hold exactly. */
class Builder {
  cols: Column[] = [];
  readouts: ReadoutUnit[] = [];
  constructor(
    readonly regime: Regime,
    readonly x: Float32Array,
    readonly xt: Float32Array,
    readonly n: number,
    readonly nt: number,
  ) {}

  private activations(w: Float64Array, b: number, x: Float32Array, n: number): Float64Array {
    const { dIn, scoredActivation } = this.regime;
    const h = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      let z = b;
      for (let i = 0; i < dIn; i++) z += (x[s * dIn + i] as number) * (w[i] as number);
      h[s] = scoredActivation === "relu" ? Math.max(0, z) : Math.tanh(z);
    }
    return h;
  }

  col(role: Role, w: Float64Array, b: number): number {
    const wr = fround64(w);
    const br = Math.fround(b);
    this.cols.push({ w: wr, b: br, role, h: this.activations(wr, br, this.x, this.n), ht: this.activations(wr, br, this.xt, this.nt) });
    return this.cols.length - 1;
  }

  private preOf(from: [number, number][], which: "h" | "ht"): Float64Array {
    const len = which === "h" ? this.n : this.nt;
    const z = new Float64Array(len);
    for (const [c, w] of from) {
      const h = (this.cols[c] as Column)[which];
      for (let s = 0; s < len; s++) z[s] = (z[s] as number) + w * (h[s] as number);
    }
    return z;
  }

  /**
   * A relu readout unit: `linear` keeps it on at every sample of both sets (bias above the lowest input by the margin
   * plus the largest move one single-unit ablation can make), `off` keeps it off the same way, `raw` uses `bias`.
   */
  readout(from: [number, number][], mode: Mode, out: number, bias = 0): ReadoutUnit {
    const f = from.map(([c, w]) => [c, Math.fround(w)] as [number, number]);
    const z = this.preOf(f, "h");
    const zt = this.preOf(f, "ht");
    // The largest change of this unit's input one unit's mean ablation can cause: |w| × the unit's range.
    const move = Math.max(0, ...f.map(([c, w]) => Math.abs(w) * range((this.cols[c] as Column).h, (this.cols[c] as Column).ht)));
    const b = Math.fround(
      mode === "linear" ? -minOf(z, zt) + PLANT.margin + move : mode === "off" ? -maxOf(z, zt) - PLANT.margin - move : bias,
    );
    const unit: ReadoutUnit = {
      from: f,
      bias: b,
      out: Math.fround(out),
      a: z.map((v) => Math.max(0, v + b)),
      at: zt.map((v) => Math.max(0, v + b)),
    };
    this.readouts.push(unit);
    return unit;
  }

  /** Depth 3: make `unit` feed only its own next-layer relu, kept off on both samples beyond any single ablation. */
  deepGate(unit: ReadoutUnit, out: number): void {
    const move = range(unit.a, unit.at);
    unit.deepGate = { bias: Math.fround(-maxOf(unit.a, unit.at) - PLANT.margin - move), out: Math.fround(out) };
  }

  /** Causal output (sum of readouts' contributions) on the method's sample, before any non-causal unit exists. */
  outputSoFar(): Float64Array {
    const y = new Float64Array(this.n);
    for (const r of this.readouts) for (let s = 0; s < this.n; s++) y[s] = (y[s] as number) + r.out * (r.a[s] as number);
    return y;
  }

  /** Arrays and spec with the scored columns in `order`. */
  materialize(order: number[]): { spec: NetworkSpec; weights: Record<string, NdArray> } {
    const { dIn, depth, scoredActivation } = this.regime;
    const H = order.length;
    const pos = new Map(order.map((c, j) => [c, j]));
    const w0 = f32([dIn, H]);
    const b0 = f32([H]);
    order.forEach((c, j) => {
      const col = this.cols[c] as Column;
      for (let i = 0; i < dIn; i++) w0.data[i * H + j] = col.w[i] as number;
      b0.data[j] = col.b;
    });
    const R = this.readouts.length;
    const w1 = f32([H, R]);
    const b1 = f32([R]);
    this.readouts.forEach((r, k) => {
      for (const [c, w] of r.from) {
        const j = pos.get(c) as number;
        w1.data[j * R + k] = (w1.data[j * R + k] as number) + w;
      }
      b1.data[k] = r.bias;
    });
    const weights: Record<string, NdArray> = { [weightName(0)]: w0, [biasName(0)]: b0, [weightName(1)]: w1, [biasName(1)]: b1 };
    if (depth === 2) {
      weights[weightName(2)] = f32(
        [R, 1],
        this.readouts.map((r) => r.out),
      );
      weights[biasName(2)] = f32([1]);
      return { spec: networkJson([scoredActivation, "relu", "linear"], 0), weights };
    }
    // Depth 3: two aggregators (each readout unit goes to one of them, alternately) kept in their linear range,
    // then one deep gate per deep-gated readout unit.
    const gates = this.readouts.flatMap((r, k) => (r.deepGate ? [k] : []));
    const Q = 2 + gates.length;
    const w2 = f32([R, Q]);
    const b2 = f32([Q]);
    const w3 = f32([Q, 1]);
    const sums = [0, 1].map(() => [new Float64Array(this.n), new Float64Array(this.nt)] as const);
    const moves = [0, 0];
    let next = 0;
    this.readouts.forEach((r, k) => {
      if (r.deepGate) return;
      const q = next++ % 2;
      w2.data[k * Q + q] = r.out;
      const [z, zt] = sums[q] as readonly [Float64Array, Float64Array];
      for (let s = 0; s < this.n; s++) z[s] = (z[s] as number) + r.out * (r.a[s] as number);
      for (let s = 0; s < this.nt; s++) zt[s] = (zt[s] as number) + r.out * (r.at[s] as number);
      moves[q] = Math.max(moves[q] as number, Math.abs(r.out) * range(r.a, r.at));
    });
    for (const q of [0, 1]) {
      const [z, zt] = sums[q] as readonly [Float64Array, Float64Array];
      b2.data[q] = -minOf(z, zt) + PLANT.margin + (moves[q] as number);
      w3.data[q] = 1;
    }
    gates.forEach((k, g) => {
      const r = this.readouts[k] as ReadoutUnit;
      const gate = r.deepGate as { bias: number; out: number };
      w2.data[k * Q + 2 + g] = 1;
      b2.data[2 + g] = gate.bias;
      w3.data[2 + g] = gate.out;
    });
    Object.assign(weights, { [weightName(2)]: w2, [biasName(2)]: b2, [weightName(3)]: w3, [biasName(3)]: f32([1]) });
    return { spec: networkJson([scoredActivation, "relu", "relu", "linear"], 0), weights };
  }
}

function blocks(dIn: number): { A: number[]; B: number[]; C: number[] } {
  const a = Math.round(dIn / 3);
  const b = Math.round(dIn / 3);
  const idx = Array.from({ length: dIn }, (_, i) => i);
  return { A: idx.slice(0, a), B: idx.slice(a, a + b), C: idx.slice(a + b) };
}

export interface PlantedInstance extends GeneratedInstance {
  /** Role of every scored unit, in the instance's (shuffled) unit order. Not given to methods. */
  roles: Role[];
}

/** Margins every instance keeps between the truth and the threshold, in thresholds (README.md). */
export const MARGINS = { minCausal: 1.5, maxNonCausal: 0.5, attempts: 20 };

/**
 * One instance: `n` rows for the method and a held-out sample of `nTruth` rows that defines the truth. A draw whose
 * exact truth disagrees with the planted roles or comes within the margins of the threshold (e.g. main units on a
 * small input block whose contributions add up coherently and raise std(output)) is replaced by the next draw from
 * the same random stream; `meta.attempts` counts the draws.
 */
export function plantedInstance(rng: Rng, regime: Regime, n: number, nTruth: number): PlantedInstance {
  for (let attempt = 1; attempt <= MARGINS.attempts; attempt++) {
    const inst = drawPlanted(rng, regime, n, nTruth);
    const causal = (inst.truth.causal as NdArray).data;
    const agree = inst.roles.every((role, j) => (CAUSAL_ROLES.has(role) ? 1 : 0) === causal[j]);
    const { minCausalEffect: lo, maxNonCausalEffect: hi } = inst.meta as { minCausalEffect: number; maxNonCausalEffect: number };
    if (agree && lo >= MARGINS.minCausal && hi <= MARGINS.maxNonCausal) return { ...inst, meta: { ...inst.meta, attempts: attempt } };
  }
  throw new Error(`no planted instance within the margins in ${MARGINS.attempts} draws`);
}

function drawPlanted(rng: Rng, regime: Regime, n: number, nTruth: number): PlantedInstance {
  const { dIn, counts } = regime;
  const tanh = regime.scoredActivation === "tanh";
  if (!tanh && (counts.symmetric > 0 || counts.saturated > 0)) throw new Error("symmetric and saturated units need a tanh scored layer");
  if (counts.cancel % 2 !== 0) throw new Error("cancel units come in pairs");
  if (regime.depth === 2 && counts["deep-gated"] > 0) throw new Error("deep-gated units need depth 3");
  const sample = (rows: number) => {
    const x = f32([rows, dIn]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
    return x;
  };
  const x = sample(n);
  const xt = sample(nTruth);
  const { A, B, C } = blocks(dIn);
  const net = new Builder(regime, x.data as Float32Array, xt.data as Float32Array, n, nTruth);
  const all = [...A, ...B, ...C];
  // A scored unit of the regime's activation on direction u: relu(s·u·x + b) or tanh(s·u·x + b).
  const mainCol = (role: Role, support: number[]) =>
    tanh
      ? net.col(role, scaled(unitOn(rng, dIn, support), uniform(rng, [0.8, 1.2])), uniform(rng, [-0.2, 0.2]))
      : net.col(role, scaled(unitOn(rng, dIn, support), uniform(rng, [0.8, 1.2])), uniform(rng, [0.5, 1]));

  // Causal units. `effect()` is the planned mean |Δ output| of the unit's mean ablation; the readout weight that
  // gives it is effect / (one-hop weight × mean |h − mean h|).
  const effect = () => sign(rng) * uniform(rng, PLANT.causalEffect);
  const mad = (c: number) => {
    const h = (net.cols[c] as Column).h;
    const m = h.reduce((a, b) => a + b, 0) / h.length;
    return h.reduce((a, b) => a + Math.abs(b - m), 0) / h.length;
  };
  for (let k = 0; k < counts.main; k++) {
    const c = mainCol("main", A);
    const w = uniform(rng, [0.8, 1.2]);
    net.readout([[c, w]], "linear", effect() / (w * mad(c)));
  }
  for (let k = 0; k < counts.amplified; k++) {
    const c = mainCol("amplified", A);
    const w = uniform(rng, PLANT.amplifiedWeight);
    net.readout([[c, w]], "linear", effect() / (w * mad(c)));
  }
  for (let k = 0; k < counts.cancel / 2; k++) {
    const u = unitOn(rng, dIn, B);
    const other = unitOn(rng, dIn, B);
    let dot = 0;
    for (let i = 0; i < dIn; i++) dot += (other[i] as number) * (u[i] as number);
    const perp = normalize(other.map((o, i) => o - dot * (u[i] as number)));
    const rho = PLANT.cancelRho;
    const u2 = u.map((ui, i) => rho * ui + Math.sqrt(1 - rho * rho) * (perp[i] as number));
    const gain = uniform(rng, [0.8, 1.2]);
    const b = tanh ? uniform(rng, [-0.2, 0.2]) : uniform(rng, [0, 0.5]);
    const w = uniform(rng, [0.8, 1.2]);
    const c1 = net.col("cancel", scaled(u, gain), b);
    const c2 = net.col("cancel", scaled(u2, gain), b);
    const v = effect() / (w * mad(c1));
    net.readout([[c1, w]], "linear", v);
    net.readout([[c2, w]], "linear", -v);
  }
  for (let k = 0; k < counts.symmetric; k++) {
    const c = net.col("symmetric", scaled(unitOn(rng, dIn, B), uniform(rng, [1.5, 2])), 0);
    // Ablating h to its mean (≈ 0) moves v·|h| by v·|h|.
    const h = (net.cols[c] as Column).h;
    const v = effect() / (h.reduce((a, b) => a + Math.abs(b), 0) / h.length);
    net.readout([[c, 1]], "raw", v);
    net.readout([[c, -1]], "raw", v);
  }
  for (let k = 0; k < counts.saturated; k++) {
    const c = net.col("saturated", scaled(unitOn(rng, dIn, A), PLANT.saturatedGain), 0);
    // The clamp moves from 0 or 1 to ≈ 1/2 when h := mean ≈ 0: an effect of ≈ v/2.
    const v = 2 * effect();
    const K = PLANT.saturatedClampGain;
    net.readout([[c, K]], "raw", v, 0.5);
    net.readout([[c, K]], "raw", -v, -0.5);
  }

  // The causal output so far: its std sets the scale of negligible weights; its input direction is the decoys'.
  const yc = net.outputSoFar();
  let mean = 0;
  for (let s = 0; s < n; s++) mean += yc[s] as number;
  mean /= n;
  const dir = new Float64Array(dIn);
  let variance = 0;
  for (let s = 0; s < n; s++) {
    const dy = (yc[s] as number) - mean;
    variance += dy * dy;
    for (let i = 0; i < dIn; i++) dir[i] = (dir[i] as number) + dy * (x.data[s * dIn + i] as number);
  }
  const scale = Math.sqrt(variance / n);
  normalize(dir);
  const nearDir = (noise: number) => {
    const xi = unitOn(rng, dIn, all);
    return normalize(dir.map((v, i) => v + noise * (xi[i] as number)));
  };

  // Shortcut traps: output-correlated units with a large spread and large one-hop weights that reach nothing.
  const trapCol = (role: Role) =>
    net.col(
      role,
      scaled(nearDir(uniform(rng, [0.3, 1])), uniform(rng, [1, 1.5])),
      tanh ? uniform(rng, [-0.2, 0.2]) : uniform(rng, [0.5, 1]),
    );
  for (let k = 0; k < counts.gated; k++) {
    net.readout([[trapCol("gated"), sign(rng) * uniform(rng, [1, 2])]], "off", sign(rng) * uniform(rng, [1.2, 1.8]));
  }
  for (let k = 0; k < counts["deep-gated"]; k++) {
    const unit = net.readout([[trapCol("deep-gated"), sign(rng) * uniform(rng, [1, 2])]], "linear", 0);
    net.deepGate(unit, sign(rng) * uniform(rng, [1.2, 1.8]));
  }
  for (let k = 0; k < counts.cancelled; k++) {
    const c = trapCol("cancelled");
    const w = sign(rng) * uniform(rng, [1, 2]);
    const v = sign(rng) * uniform(rng, [1.2, 1.8]);
    // Two identical readout units (same inputs, same bias) read out with +v and −v.
    const first = net.readout([[c, w]], "linear", v);
    net.readouts.push({ ...first, out: -first.out });
  }
  // Gradient traps: an almost constant activation with a large readout weight.
  for (let k = 0; k < counts.offset; k++) {
    const level = tanh ? PLANT.offsetLevel.tanh : PLANT.offsetLevel.relu;
    const c = net.col("offset", scaled(dir, PLANT.offsetSlope), level);
    net.readout([[c, 1]], "linear", sign(rng) * uniform(rng, [1, 1.5]) * scale);
  }
  // Correlated and random units with negligible readouts, through one shared readout unit in its linear range.
  const junk: [number, number][] = [];
  const negligible = () => sign(rng) * uniform(rng, [0.5, 1]) * PLANT.negligibleWeight * scale;
  for (let k = 0; k < counts.decoy; k++) {
    const c = net.col(
      "decoy",
      scaled(nearDir(regime.decoyNoise), uniform(rng, [1.2, 1.8])),
      tanh ? uniform(rng, [-0.2, 0.2]) : uniform(rng, [0.5, 1]),
    );
    junk.push([c, negligible()]);
  }
  for (let k = 0; k < counts.background; k++) {
    const w = unitOn(rng, dIn, C);
    const spill = unitOn(rng, dIn, all);
    const c = net.col("background", normalize(w.map((v, i) => v + 0.3 * (spill[i] as number))), uniform(rng, [-0.5, 0.5]));
    junk.push([c, negligible()]);
  }
  if (junk.length > 0) net.readout(junk, "linear", 1);

  const order = [...rng.permutation(net.cols.length)];
  const { spec, weights } = net.materialize(order);
  const roles = order.map((c) => (net.cols[c] as Column).role);
  const meta = {
    scoredActivation: regime.scoredActivation,
    depth: regime.depth,
    decoyNoise: Number(regime.decoyNoise.toFixed(4)),
    roleCounts: { ...regime.counts },
  };
  const built = buildInstance(spec, weights, x, xt, meta);
  const { ablation: _ablation, ...instance } = built;
  return { ...instance, roles };
}
