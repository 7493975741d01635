// The fixed points of a trained ReLU RNN's autonomous dynamics h ← ReLU(h W_hh + b_h) (zero input), found exactly
// (rnn-head-direction, rnn-flip-flop). A ReLU network is piecewise linear: on the region where the set D of active
// units is fixed, a fixed point solves h_D (I − W_DD) = b_D with h = 0 off D. Newton's method on
// F(h) = ReLU(h W + b) − h is therefore the iteration "solve the linear system of the current pattern, recompute the
// pattern", and a point counts only when its pattern is self-consistent and the residual ‖F(h)‖∞ is below the
// tolerance (Sussillo & Barak 2013 minimise ‖F‖² by gradient descent and accept slow points; here every candidate is
// exact). Stability: the Jacobian of the map is W_hh restricted to D (zero elsewhere), so its nonzero eigenvalues are
// those of W_DD; the unstable directions are those with |λ| > 1.
import { eigenvalueModuli, solveGeneral } from "./linalg.ts";
import type { RnnWeights } from "./relu-rnn.ts";

export interface RnnFixedPoint {
  /** The hidden state h* (length H). */
  state: Float64Array;
  /** Eigenvalues of the Jacobian with modulus > 1. */
  unstable: number;
  /** Spectral radius of the Jacobian (its largest |λ|). */
  radius: number;
  /** min over eigenvalues of ||λ| − 1|: how far the stability class is from changing. */
  margin: number;
  /** Active units (the linear region). */
  active: number;
}

export interface FixedPointTolerances {
  /** Pattern iterations per start; a start that cycles between patterns longer than this is dropped. */
  maxIterations: number;
  residual: number;
  /** Two solutions closer than this (max-norm) are the same point. */
  duplicate: number;
}

/** Solve the linear piece of `pattern`: h_D (I − W_DD) = b_D, i.e. (I − W_DDᵀ) h_Dᵀ = b_Dᵀ; h = 0 off D. */
function solvePattern(w: RnnWeights, pattern: Uint8Array): Float64Array | null {
  const H = w.hidden;
  const units: number[] = [];
  for (let j = 0; j < H; j++) if (pattern[j]) units.push(j);
  const n = units.length;
  const m = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  units.forEach((j, r) => {
    rhs[r] = w.bH[j] as number;
    units.forEach((k, c) => {
      m[r * n + c] = (r === c ? 1 : 0) - (w.wHh[k * H + j] as number);
    });
  });
  const solved = solveGeneral(m, rhs, n);
  if (!solved) return null;
  const h = new Float64Array(H);
  units.forEach((j, r) => {
    h[j] = solved[r] as number;
  });
  return h;
}

/** Pre-activation z = h W + b at zero input. */
function preActivation(w: RnnWeights, h: Float64Array): Float64Array {
  const H = w.hidden;
  const z = Float64Array.from(w.bH);
  for (let k = 0; k < H; k++) {
    const hk = h[k] as number;
    if (hk === 0) continue;
    for (let j = 0; j < H; j++) z[j] = (z[j] as number) + hk * (w.wHh[k * H + j] as number);
  }
  return z;
}

const patternOf = (z: Float64Array) => Uint8Array.from(z, (v) => (v > 0 ? 1 : 0));
const keyOf = (pattern: Uint8Array) => pattern.join("");

/** One step of the autonomous map h ← ReLU(h W_hh + b_h). */
export function autonomousStep(w: RnnWeights, h: Float64Array): Float64Array {
  return preActivation(w, h).map((v) => Math.max(v, 0));
}

/** The residual ‖ReLU(h W + b) − h‖∞ of the autonomous map. */
export function fixedPointResidual(w: RnnWeights, h: Float64Array): number {
  const z = preActivation(w, h);
  let worst = 0;
  for (let j = 0; j < w.hidden; j++) worst = Math.max(worst, Math.abs(Math.max(z[j] as number, 0) - (h[j] as number)));
  return worst;
}

/** The Jacobian's eigenvalue moduli at a fixed point of pattern D: those of W_DD (the rest are 0). */
function jacobianModuli(w: RnnWeights, pattern: Uint8Array): number[] {
  const H = w.hidden;
  const units: number[] = [];
  for (let j = 0; j < H; j++) if (pattern[j]) units.push(j);
  const n = units.length;
  const m = new Float64Array(n * n);
  units.forEach((k, r) => {
    units.forEach((j, c) => {
      m[r * n + c] = w.wHh[k * H + j] as number;
    });
  });
  return n > 0 ? eigenvalueModuli(m, n) : [];
}

/** The exact fixed points reached from the given starting states [rows, H], deduplicated, in the order found. */
export function findFixedPoints(w: RnnWeights, starts: Float64Array, rows: number, c: FixedPointTolerances): RnnFixedPoint[] {
  const H = w.hidden;
  // Each linear piece is solved once: the starts share few patterns.
  const solvedPieces = new Map<string, Float64Array | null>();
  const found: RnnFixedPoint[] = [];
  for (let r = 0; r < rows; r++) {
    let pattern = patternOf(preActivation(w, starts.slice(r * H, (r + 1) * H)));
    for (let it = 0; it < c.maxIterations; it++) {
      const key = keyOf(pattern);
      let h = solvedPieces.get(key);
      if (h === undefined) {
        h = solvePattern(w, pattern);
        solvedPieces.set(key, h);
      }
      if (!h) break;
      const next = patternOf(preActivation(w, h));
      if (keyOf(next) !== key) {
        pattern = next;
        continue;
      }
      if (fixedPointResidual(w, h) < c.residual && !found.some((p) => maxDistance(p.state, h) < c.duplicate)) {
        const moduli = jacobianModuli(w, pattern);
        found.push({
          state: h,
          unstable: moduli.filter((m) => m > 1).length,
          radius: Math.max(0, ...moduli),
          margin: Math.min(Infinity, ...moduli.map((m) => Math.abs(m - 1))),
          active: pattern.reduce((s, v) => s + v, 0),
        });
      }
      break;
    }
  }
  return found;
}

export function maxDistance(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

/**
 * A per-network memo: the starts and the fixed points are properties of the network, not of an instance, so they are
 * computed once per process and weights (keyed on the recurrent weights, which the artifact loader returns unchanged
 * while the file is).
 */
export function memoOnWeights<T>(compute: (w: RnnWeights) => T): (w: RnnWeights) => T {
  const memo = new WeakMap<Float32Array, T>();
  return (w) => {
    if (!memo.has(w.wHh)) memo.set(w.wHh, compute(w));
    return memo.get(w.wHh) as T;
  };
}
