// The head-direction RNN's angular-velocity input process and heading readout (the network itself, its forward pass
// and training: harness/relu-rnn.ts).
import type { RnnWeights } from "../../../harness/relu-rnn.ts";
import type { Rng } from "../../../harness/rng.ts";

/** Inputs per step: angular velocity (in units of its stationary std) and a heading cue (cos, sin). */
export const N_INPUTS = 3;
/** Outputs per step: (cos θ, sin θ) of the integrated heading. */
export const N_OUTPUTS = 2;

/**
 * Head motion of a rat-like agent, one step = dt. Bouts of turning and of holding the head still
 * alternate (a two-state Markov chain: a turning bout ends with probability pStop per step, a still bout
 * with pGo). While turning, angular velocity is an Ornstein–Uhlenbeck process ω_t = ρ ω_{t−1} + σ√(1−ρ²) ξ_t
 * (stationary std σ rad/step, correlation time −dt/ln ρ), restarted from 0 after every still bout.
 */
export interface MotionConfig {
  dtSeconds: number;
  sigma: number;
  rho: number;
  pStop: number;
  pGo: number;
}

/** Per-step record of a simulated trial: network inputs, true heading and how long the head has been still. */
export interface Trial {
  steps: number;
  /** [steps, N_INPUTS] row-major. */
  inputs: Float32Array;
  /** True heading (radians, unwrapped). */
  heading: Float64Array;
  /** Steps since the current still bout began (0 while turning and at the cue step). */
  stillFor: Int32Array;
}

export interface TrialOptions {
  /** Start in a turning bout (else drawn from the chain's stationary distribution). */
  startMoving?: boolean;
  /** Never stop (turning throughout). */
  alwaysMoving?: boolean;
  /** After the trial's turning/still steps, append this many still steps. */
  restSteps?: number;
}

/**
 * One trial: step 0 cues the initial heading θ₀ ~ U[−π, π) (input (0, cos θ₀, sin θ₀), the network starting
 * from h = 0), then `steps − 1` steps of angular velocity only (input (ω/σ, 0, 0)).
 */
export function simulateTrial(rng: Rng, m: MotionConfig, steps: number, options: TrialOptions = {}): Trial {
  const total = steps + (options.restSteps ?? 0);
  const inputs = new Float32Array(total * N_INPUTS);
  const heading = new Float64Array(total);
  const stillFor = new Int32Array(total);
  let theta = (rng.uniform() * 2 - 1) * Math.PI;
  let omega = 0;
  let moving = options.startMoving || options.alwaysMoving ? true : rng.uniform() < m.pGo / (m.pGo + m.pStop);
  let still = 0;
  const innovation = m.sigma * Math.sqrt(1 - m.rho * m.rho);
  inputs[1] = Math.cos(theta);
  inputs[2] = Math.sin(theta);
  heading[0] = theta;
  for (let t = 1; t < total; t++) {
    if (t >= steps) moving = false;
    else if (!options.alwaysMoving) {
      if (moving && rng.uniform() < m.pStop) moving = false;
      else if (!moving && rng.uniform() < m.pGo) moving = true;
    }
    if (moving) {
      omega = m.rho * omega + innovation * rng.normal();
      theta += omega;
      inputs[t * N_INPUTS] = omega / m.sigma;
      still = 0;
    } else {
      omega = 0;
      still++;
    }
    heading[t] = theta;
    stillFor[t] = still;
  }
  return { steps: total, inputs, heading, stillFor };
}

/** The network's own heading estimate atan2(y₂, y₁) for every row of `states` [rows, hidden]. */
export function decodeHeading(w: RnnWeights, states: Float64Array, rows: number): Float64Array {
  const H = w.hidden;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let c = w.bY[0] as number;
    let s = w.bY[1] as number;
    for (let j = 0; j < H; j++) {
      const h = states[r * H + j] as number;
      if (h === 0) continue;
      c += h * (w.wHy[j * N_OUTPUTS] as number);
      s += h * (w.wHy[j * N_OUTPUTS + 1] as number);
    }
    out[r] = Math.atan2(s, c);
  }
  return out;
}

/** |a − b| wrapped to [0, π]. */
export function angularDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return d > Math.PI ? 2 * Math.PI - d : d;
}
