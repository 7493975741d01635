// Generator of the `planted-circuits` dataset: small MLPs whose scored hidden layer mixes unit roles built so that
// correlation with the output and causal effect disagree (README.md, "Instances").
//
// Inputs x ~ N(0, I_dIn) are split into three blocks: A drives the visible part of the output, B drives the
// hidden causal circuits, C drives background units. Roles of the scored layer:
//   main        causal, strongly correlated: a unit on A read out with a large weight.
//   cancel      causal, ~uncorrelated (1 hidden layer): two near-copies on B read out with +v and −v, so their
//               paths cancel in the output but ablating either one (to its mean) moves the output by v·|h − mean|.
//   symmetric   causal, ~uncorrelated (2 hidden layers, relu readout): a tanh unit on B read out as v·|h| through
//               relu(h) + relu(−h); an even function of a symmetric unit has zero covariance with it.
//   bump        causal, ~uncorrelated (2 hidden layers, tanh readout): v·[tanh(K(h − c)) − tanh(K(h + c))], even too.
//   saturated   causal, gradient trap (2 hidden layers, tanh readout): a high-gain tanh unit on B (values near ±1)
//               read out through a saturating tanh; the output's slope is ~0 at every sample, yet replacing the
//               unit by its mean (≈ 0) moves the output by ≈ v.
//   decoy       non-causal, strongly correlated: a unit whose input direction is the input direction most correlated
//               with the output (plus noise of a regime-dependent size), read out with a negligible weight.
//   offset      non-causal, gradient trap: a unit with a large constant activation and almost no variance along the
//               output's direction, read out with a large weight: large gradient × activation, negligible ablation.
//   background  non-causal: random units (mostly on C) read out with negligible weights.
// The truth is never these roles but the exact ablation effect (instance.ts); tests check that the two agree.
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { GeneratedInstance, NdArray } from "../../harness/types.ts";
import { buildInstance } from "./instance.ts";
import { type Activation, biasName, forward, loadNetwork, type NetworkSpec, networkJson, weightName } from "./network.ts";

export const ROLES = ["main", "cancel", "symmetric", "bump", "saturated", "decoy", "offset", "background"] as const;
export type Role = (typeof ROLES)[number];
export const CAUSAL_ROLES: ReadonlySet<Role> = new Set<Role>(["main", "cancel", "symmetric", "bump", "saturated"]);

export interface Regime {
  name: string;
  /** Number of hidden layers: 1 (relu scored layer, linear readout) or 2 (tanh scored layer, then `readout`). */
  depth: 1 | 2;
  readout: "relu" | "tanh" | null;
  dIn: number;
  H: number;
  nMain: number;
  /** Causal units with weak marginal correlation, of kind `hiddenKind` (cancel comes in pairs: even). */
  nHidden: number;
  hiddenKind: "cancel" | "symmetric" | "bump";
  nSaturated: number;
  nDecoy: number;
  nOffset: number;
  /** Size of the random perturbation of the decoys' input direction (0 = exact copy of the output's direction). */
  decoyNoise: number;
}

/** Instance i uses regime i mod 6: depth, width, causal fraction, decoy strength and the traps vary. */
export const REGIMES: readonly Regime[] = [
  {
    name: "cancel",
    depth: 1,
    readout: null,
    dIn: 12,
    H: 32,
    nMain: 3,
    nHidden: 6,
    hiddenKind: "cancel",
    nSaturated: 0,
    nDecoy: 8,
    nOffset: 0,
    decoyNoise: 0.2,
  },
  {
    name: "symmetric",
    depth: 2,
    readout: "relu",
    dIn: 12,
    H: 48,
    nMain: 4,
    nHidden: 8,
    hiddenKind: "symmetric",
    nSaturated: 0,
    nDecoy: 12,
    nOffset: 0,
    decoyNoise: 0.2,
  },
  {
    name: "cancel-offset",
    depth: 1,
    readout: null,
    dIn: 16,
    H: 64,
    nMain: 6,
    nHidden: 10,
    hiddenKind: "cancel",
    nSaturated: 0,
    nDecoy: 12,
    nOffset: 4,
    decoyNoise: 0.6,
  },
  {
    name: "saturation",
    depth: 2,
    readout: "tanh",
    dIn: 12,
    H: 48,
    nMain: 4,
    nHidden: 4,
    hiddenKind: "bump",
    nSaturated: 4,
    nDecoy: 10,
    nOffset: 3,
    decoyNoise: 0.2,
  },
  {
    name: "sparse-causal",
    depth: 1,
    readout: null,
    dIn: 8,
    H: 48,
    nMain: 2,
    nHidden: 4,
    hiddenKind: "cancel",
    nSaturated: 0,
    nDecoy: 12,
    nOffset: 3,
    decoyNoise: 0.2,
  },
  {
    name: "dense-causal",
    depth: 2,
    readout: "relu",
    dIn: 16,
    H: 64,
    nMain: 6,
    nHidden: 14,
    hiddenKind: "symmetric",
    nSaturated: 0,
    nDecoy: 14,
    nOffset: 4,
    decoyNoise: 0.6,
  },
];

export function regimeOf(index: number): Regime {
  return REGIMES[index % REGIMES.length] as Regime;
}

/** Construction constants (documented in the dataset README). */
export const PLANT = {
  /** Correlation of the two members of a cancelling pair's input directions. */
  cancelRho: 0.97,
  /** Gain of saturated units' tanh and of their saturating readout. */
  saturatedGain: 12,
  saturatedReadoutGain: 5,
  /** Bump readout: K and c of tanh(K(h − c)) − tanh(K(h + c)). */
  bumpK: 3,
  bumpC: 0.4,
  /** Offset units: pre-activation = offsetLevel + offsetSlope · (direction · x). */
  offsetLevel: { relu: 3, tanh: 2.5 },
  offsetSlope: 0.02,
  /** Negligible readout weights of decoys and background units, as a fraction of the causal output's std. */
  negligibleWeight: 0.025,
};

interface Column {
  w: Float64Array;
  b: number;
  role: Role;
}

interface Readout {
  from: [number, number][];
  bias: number;
  out: number;
}

/** A network under construction: scored-layer columns, then either direct output weights or readout units. */
class Builder {
  cols: Column[] = [];
  direct: number[] = [];
  readouts: Readout[] = [];
  constructor(
    readonly regime: Regime,
    readonly scoredActivation: Activation,
  ) {}

  add(role: Role, w: Float64Array, b: number, directOut = 0): number {
    this.cols.push({ w, b, role });
    this.direct.push(directOut);
    return this.cols.length - 1;
  }

  /** Arrays and spec with the scored-layer columns in `order` (other columns are left out). */
  materialize(order: number[]): { spec: NetworkSpec; weights: Record<string, NdArray> } {
    const { dIn } = this.regime;
    const H = order.length;
    const pos = new Map(order.map((c, j) => [c, j]));
    const w0 = f32([dIn, H]);
    const b0 = f32([H]);
    order.forEach((c, j) => {
      const col = this.cols[c] as Column;
      for (let i = 0; i < dIn; i++) w0.data[i * H + j] = col.w[i] as number;
      b0.data[j] = col.b;
    });
    const weights: Record<string, NdArray> = { [weightName(0)]: w0, [biasName(0)]: b0 };
    if (this.regime.depth === 1) {
      const w1 = f32([H, 1]);
      order.forEach((c, j) => {
        w1.data[j] = this.direct[c] as number;
      });
      weights[weightName(1)] = w1;
      weights[biasName(1)] = f32([1]);
      return { spec: networkJson([this.scoredActivation, "linear"], 0), weights };
    }
    const readouts = this.readouts.filter((r) => r.from.some(([c]) => pos.has(c)));
    const R = readouts.length;
    const w1 = f32([H, R]);
    const b1 = f32([R]);
    const w2 = f32([R, 1]);
    readouts.forEach((r, k) => {
      for (const [c, weight] of r.from) {
        const j = pos.get(c);
        if (j !== undefined) w1.data[j * R + k] = (w1.data[j * R + k] as number) + weight;
      }
      b1.data[k] = r.bias;
      w2.data[k] = r.out;
    });
    Object.assign(weights, { [weightName(1)]: w1, [biasName(1)]: b1, [weightName(2)]: w2, [biasName(2)]: f32([1]) });
    return { spec: networkJson([this.scoredActivation, this.regime.readout as Activation, "linear"], 0), weights };
  }
}

function blocks(dIn: number): { A: number[]; B: number[]; C: number[] } {
  const a = Math.round(dIn / 3);
  const b = Math.round(dIn / 3);
  const idx = Array.from({ length: dIn }, (_, i) => i);
  return { A: idx.slice(0, a), B: idx.slice(a, a + b), C: idx.slice(a + b) };
}

function normalize(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  s = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / s;
  return v;
}

/** A random unit vector in R^d supported on `support`. */
function unitOn(rng: Rng, d: number, support: number[]): Float64Array {
  const v = new Float64Array(d);
  for (const i of support) v[i] = rng.normal();
  return normalize(v);
}

function scaled(v: Float64Array, s: number): Float64Array {
  return v.map((x) => x * s);
}

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
const sign = (rng: Rng) => (rng.uniform() < 0.5 ? -1 : 1);

export interface PlantedInstance extends GeneratedInstance {
  /** Role of every scored unit, in the instance's (shuffled) unit order. Not given to methods. */
  roles: Role[];
}

export function plantedInstance(rng: Rng, regime: Regime, n: number): PlantedInstance {
  const { dIn, depth } = regime;
  const nBackground = regime.H - regime.nMain - regime.nHidden - regime.nSaturated - regime.nDecoy - regime.nOffset;
  if (nBackground < 0) throw new Error(`regime ${regime.name}: roles exceed H`);
  if (regime.hiddenKind === "cancel" && (regime.nHidden % 2 !== 0 || depth !== 1))
    throw new Error("cancel pairs need depth 1 and an even count");
  if (regime.hiddenKind !== "cancel" && depth !== 2) throw new Error(`${regime.hiddenKind} units need depth 2`);
  if ((regime.hiddenKind === "bump" || regime.nSaturated > 0) && regime.readout !== "tanh")
    throw new Error("bump and saturated units need a tanh readout");
  if (regime.hiddenKind === "symmetric" && regime.readout !== "relu") throw new Error("symmetric units need a relu readout");

  const x = f32([n, dIn]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  const { A, B, C } = blocks(dIn);
  const scoredActivation: Activation = depth === 1 ? "relu" : "tanh";
  const net = new Builder(regime, scoredActivation);
  const relu = regime.readout === "relu";

  // Causal units. Depth 2 reads every main unit out through its own readout unit, kept in its near-linear range.
  for (let k = 0; k < regime.nMain; k++) {
    const out = sign(rng) * (depth === 1 ? uniform(rng, 0.8, 1.2) : uniform(rng, 1.5, 2));
    if (depth === 1) {
      net.add("main", unitOn(rng, dIn, A), uniform(rng, 0.5, 1), out);
    } else {
      const c = net.add("main", scaled(unitOn(rng, dIn, A), uniform(rng, 0.8, 1.2)), uniform(rng, -0.2, 0.2));
      net.readouts.push(relu ? { from: [[c, 1]], bias: 1, out } : { from: [[c, 1]], bias: 0, out: 1.5 * out });
    }
  }
  if (regime.hiddenKind === "cancel") {
    for (let k = 0; k < regime.nHidden / 2; k++) {
      const u = unitOn(rng, dIn, B);
      // A direction on B orthogonal to u, mixed in so the pair are near-copies, not exact copies.
      const other = unitOn(rng, dIn, B);
      let dot = 0;
      for (let i = 0; i < dIn; i++) dot += (other[i] as number) * (u[i] as number);
      const perp = normalize(other.map((o, i) => o - dot * (u[i] as number)));
      const rho = PLANT.cancelRho;
      const u2 = u.map((ui, i) => rho * ui + Math.sqrt(1 - rho * rho) * (perp[i] as number));
      const v = sign(rng) * uniform(rng, 1, 1.5);
      const b = uniform(rng, 0, 0.5);
      net.add("cancel", u, b, v);
      net.add("cancel", u2, b, -v);
    }
  } else {
    for (let k = 0; k < regime.nHidden; k++) {
      const v = sign(rng) * uniform(rng, 1.2, 1.6);
      const c = net.add(regime.hiddenKind, scaled(unitOn(rng, dIn, B), uniform(rng, 1.5, 2)), 0);
      if (regime.hiddenKind === "symmetric") {
        net.readouts.push({ from: [[c, 1]], bias: 0, out: v }, { from: [[c, -1]], bias: 0, out: v });
      } else {
        const { bumpK: K, bumpC: bc } = PLANT;
        net.readouts.push({ from: [[c, K]], bias: -K * bc, out: v }, { from: [[c, K]], bias: K * bc, out: -v });
      }
    }
  }
  for (let k = 0; k < regime.nSaturated; k++) {
    const c = net.add("saturated", scaled(unitOn(rng, dIn, A), PLANT.saturatedGain), 0);
    net.readouts.push({ from: [[c, PLANT.saturatedReadoutGain]], bias: 0, out: sign(rng) * uniform(rng, 1, 1.5) });
  }

  // The causal output so far: its std sets the scale of negligible weights; its input direction is the decoys'.
  const causalCols = net.cols.map((_, c) => c);
  const partial = net.materialize(causalCols);
  const yc = forward(loadNetwork(partial.spec, partial.weights), x.data, n).output;
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

  // Non-causal units. Negligible readouts go directly to the output (depth 1) or through one shared junk unit.
  const negligible = () => sign(rng) * uniform(rng, 0.5, 1) * PLANT.negligibleWeight * scale;
  const junk: Readout = { from: [], bias: relu ? 3 : 0, out: 1 };
  const addNegligible = (role: Role, w: Float64Array, b: number) => {
    const weight = negligible();
    const c = net.add(role, w, b, depth === 1 ? weight : 0);
    if (depth === 2) junk.from.push([c, weight]);
  };
  for (let k = 0; k < regime.nDecoy; k++) {
    const noise = unitOn(rng, dIn, [...A, ...B, ...C]);
    const d = normalize(dir.map((v, i) => v + regime.decoyNoise * (noise[i] as number)));
    addNegligible("decoy", scaled(d, uniform(rng, 1.2, 1.8)), depth === 1 ? uniform(rng, 0.5, 1) : uniform(rng, -0.2, 0.2));
  }
  for (let k = 0; k < regime.nOffset; k++) {
    const out = sign(rng) * uniform(rng, 1, 1.5) * scale;
    const level = depth === 1 ? PLANT.offsetLevel.relu : PLANT.offsetLevel.tanh;
    const c = net.add("offset", scaled(dir, PLANT.offsetSlope), level, depth === 1 ? out : 0);
    if (depth === 2) net.readouts.push({ from: [[c, 1]], bias: 0, out });
  }
  for (let k = 0; k < nBackground; k++) {
    const w = unitOn(rng, dIn, C);
    const spill = unitOn(rng, dIn, [...A, ...B, ...C]);
    addNegligible("background", normalize(w.map((v, i) => v + 0.3 * (spill[i] as number))), uniform(rng, -0.5, 0.5));
  }
  if (depth === 2) net.readouts.push(junk);

  const order = [...rng.permutation(net.cols.length)];
  const { spec, weights } = net.materialize(order);
  const roles = order.map((c) => (net.cols[c] as Column).role);
  const roleCounts: Record<string, number> = {};
  for (const role of roles) roleCounts[role] = (roleCounts[role] ?? 0) + 1;
  const meta = {
    regime: regime.name,
    depth,
    readout: regime.readout,
    hiddenKind: regime.hiddenKind,
    decoyNoise: regime.decoyNoise,
    roleCounts,
  };
  const built = buildInstance(spec, weights, x, meta);
  const { ablation: _ablation, ...instance } = built;
  return { ...instance, roles };
}
