// Low-dimensional dynamical systems with exactly known fixed points, and the Poisson population that reads them out:
// what the synthetic datasets of T8 share. Latents are returned in normalised coordinates (about unit spread), and
// the fixed points in the same coordinates.
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";
import { type FixedPoint, fixedPointArray, type TrueFixedPoint, trueFixedPointArray } from "./task.ts";

export const SYSTEMS = ["flip-flop", "limit-cycle", "lorenz", "ring-attractor", "line-attractor"] as const;
export type SystemId = (typeof SYSTEMS)[number];

export interface DynamicalSystem {
  id: SystemId;
  d: number;
  /**
   * Fixed points of the autonomous dynamics, in the normalised coordinates, with their unstable directions and
   * continuum ids (a ring or a line of fixed points as a dense sample: spacing ≤ 0.02 against the instances'
   * tolerances of 0.13–0.18; the task test checks spacing < tolerance / 5).
   */
  fixedPoints: TrueFixedPoint[];
  /** [trials, bins, d] normalised latent trajectories. */
  simulate(trials: number, bins: number, rng: Rng): Float64Array;
}

/**
 * Three-bit flip-flop (Sussillo & Barak 2013) as three bistable units x' = (x − x³ + u) / τ: 27 fixed points at
 * {−1, 0, 1}³ (the corners stable, the rest saddles with one unstable direction per zero coordinate, the origin
 * unstable). Unseen input pulses u flip a bit (to the other well) at random times; small process noise.
 */
function flipFlop(): DynamicalSystem {
  const d = 3;
  const tau = 2; // bins
  const substeps = 4;
  const fixedPoints: TrueFixedPoint[] = [];
  for (const a of [-1, 0, 1])
    for (const b of [-1, 0, 1])
      for (const c of [-1, 0, 1])
        fixedPoints.push({ location: Float64Array.of(a, b, c), unstable: [a, b, c].filter((v) => v === 0).length, continuum: 0 });
  return {
    id: "flip-flop",
    d,
    fixedPoints,
    simulate(trials, bins, rng) {
      const out = new Float64Array(trials * bins * d);
      for (let tr = 0; tr < trials; tr++) {
        const x = Float64Array.from({ length: d }, () => (rng.uniform() * 2 - 1) * 1.2);
        const pulse = new Float64Array(d);
        const pulseLeft = new Int32Array(d);
        for (let b = 0; b < bins; b++) {
          for (let c = 0; c < d; c++) {
            if ((pulseLeft[c] as number) > 0) pulseLeft[c] = (pulseLeft[c] as number) - 1;
            else if (rng.uniform() < 1 / 30) {
              // A pulse towards the other well, strong enough to leave this one (x − x³ + 2 has one root, at 1.52).
              pulse[c] = (x[c] as number) > 0 ? -2 : 2;
              pulseLeft[c] = 3;
            }
            if ((pulseLeft[c] as number) === 0) pulse[c] = 0;
          }
          for (let s = 0; s < substeps; s++) {
            const h = 1 / substeps;
            for (let c = 0; c < d; c++) {
              const v = x[c] as number;
              x[c] = v + (h * (v - v * v * v + (pulse[c] as number))) / tau + 0.1 * Math.sqrt(h) * rng.normal();
            }
          }
          out.set(x, (tr * bins + b) * d);
        }
      }
      return out;
    },
  };
}

/**
 * Limit cycle of the Hopf normal form r' = λ r (1 − r²), θ' = ω, radius 1: its one fixed point, the origin, is an
 * unstable focus (eigenvalues λ ± iω, both unstable). Trials start anywhere in the disc of radius 1.6, so some spiral
 * out from near the origin and others in from outside.
 */
function limitCycle(): DynamicalSystem {
  const d = 2;
  const lambda = 0.2; // per bin
  const omega = (2 * Math.PI) / 20; // one turn in 20 bins
  const substeps = 4;
  return {
    id: "limit-cycle",
    d,
    fixedPoints: [{ location: Float64Array.of(0, 0), unstable: 2, continuum: 0 }],
    simulate(trials, bins, rng) {
      return simulatePlanar(
        trials,
        bins,
        rng,
        substeps,
        (q) => lambda * q,
        () => () => omega,
      );
    },
  };
}

/**
 * Trials of the planar flow x' = g(1 − r²) x − ω y, y' = g(1 − r²) y + ω x (Euler substeps, process noise 0.03 per
 * √bin), each started anywhere in the disc of radius 1.6: the Hopf normal form that the limit cycle (g = λ, ω fixed)
 * and the ring attractor (g = 1/τ, ω from unseen turning bouts) both integrate. `radial` maps 1 − r² to the radial
 * rate; `trialSpeed` gives each trial its angular speed per bin (drawn before the bin's substeps).
 */
function simulatePlanar(
  trials: number,
  bins: number,
  rng: Rng,
  substeps: number,
  radial: (q: number) => number,
  trialSpeed: () => (rng: Rng) => number,
): Float64Array {
  const d = 2;
  const out = new Float64Array(trials * bins * d);
  for (let tr = 0; tr < trials; tr++) {
    const r0 = 0.05 + 1.55 * rng.uniform();
    const a0 = 2 * Math.PI * rng.uniform();
    let x = r0 * Math.cos(a0);
    let y = r0 * Math.sin(a0);
    const speed = trialSpeed();
    for (let b = 0; b < bins; b++) {
      const omega = speed(rng);
      for (let s = 0; s < substeps; s++) {
        const h = 1 / substeps;
        const g = radial(1 - x * x - y * y);
        const nx = x + h * (g * x - omega * y) + 0.03 * Math.sqrt(h) * rng.normal();
        const ny = y + h * (g * y + omega * x) + 0.03 * Math.sqrt(h) * rng.normal();
        x = nx;
        y = ny;
      }
      out[(tr * bins + b) * d] = x;
      out[(tr * bins + b) * d + 1] = y;
    }
  }
  return out;
}

/**
 * The Lorenz system (σ = 10, ρ = 28, β = 8/3; Lorenz 1963), the chaotic benchmark of LFADS (Sussillo et al. 2016), in
 * coordinates (x/8, y/8, (z − 24)/8): three fixed points, all saddles: the origin (one unstable direction) and
 * C± = (±√(β(ρ−1)), ±√(β(ρ−1)), ρ − 1) (a complex unstable pair each, since ρ exceeds the Hopf value 24.74).
 */
function lorenz(): DynamicalSystem {
  const d = 3;
  const sigma = 10;
  const rho = 28;
  const beta = 8 / 3;
  const timePerBin = 0.015;
  const substeps = 3;
  const norm = (x: number, y: number, z: number) => Float64Array.of(x / 8, y / 8, (z - 24) / 8);
  const c = Math.sqrt(beta * (rho - 1));
  // One RK4 step of h on the state s, in place (scalar code: the generator runs on every suite start).
  const k = new Float64Array(12);
  const f = (x: number, y: number, z: number, o: number) => {
    k[o] = sigma * (y - x);
    k[o + 1] = x * (rho - z) - y;
    k[o + 2] = x * y - beta * z;
  };
  const rk4 = (s: Float64Array, h: number) => {
    const x = s[0] as number;
    const y = s[1] as number;
    const z = s[2] as number;
    f(x, y, z, 0);
    f(x + (h / 2) * (k[0] as number), y + (h / 2) * (k[1] as number), z + (h / 2) * (k[2] as number), 3);
    f(x + (h / 2) * (k[3] as number), y + (h / 2) * (k[4] as number), z + (h / 2) * (k[5] as number), 6);
    f(x + h * (k[6] as number), y + h * (k[7] as number), z + h * (k[8] as number), 9);
    for (let i = 0; i < 3; i++)
      s[i] = (s[i] as number) + (h / 6) * ((k[i] as number) + 2 * (k[3 + i] as number) + 2 * (k[6 + i] as number) + (k[9 + i] as number));
  };
  return {
    id: "lorenz",
    d,
    fixedPoints: [
      { location: norm(0, 0, 0), unstable: 1, continuum: 0 },
      { location: norm(c, c, rho - 1), unstable: 2, continuum: 0 },
      { location: norm(-c, -c, rho - 1), unstable: 2, continuum: 0 },
    ],
    simulate(trials, bins, rng) {
      const out = new Float64Array(trials * bins * d);
      const h = timePerBin / substeps;
      for (let tr = 0; tr < trials; tr++) {
        const s = Float64Array.of(rng.normal() * 10, rng.normal() * 10, 10 + rng.uniform() * 30);
        // Burn-in onto the attractor, for a random time so that trials start at different phases.
        const burn = 200 + rng.int(400);
        for (let i = 0; i < burn; i++) rk4(s, h);
        for (let b = 0; b < bins; b++) {
          for (let i = 0; i < substeps; i++) rk4(s, h);
          out.set(norm(s[0] as number, s[1] as number, s[2] as number), (tr * bins + b) * d);
        }
      }
      return out;
    },
  };
}

/**
 * Unseen input bouts, as a head turns or an integrator is driven: between bouts the input is 0; a bout starts with
 * probability `rate` per bin and lasts 3–10 bins, with a random sign and a magnitude uniform in [lo, hi] per bin.
 */
class InputBouts {
  private left = 0;
  value = 0;
  constructor(
    private readonly rate: number,
    private readonly lo: number,
    private readonly hi: number,
  ) {}
  /** The input during the next bin. */
  next(rng: Rng): number {
    if (this.left > 0) this.left--;
    else if (rng.uniform() < this.rate) {
      this.left = 2 + rng.int(8);
      this.value = (rng.uniform() < 0.5 ? -1 : 1) * (this.lo + (this.hi - this.lo) * rng.uniform());
    } else this.value = 0;
    return this.value;
  }
}

/** Points evenly spaced on a curve c(s), s ∈ [0, 1) (closed) or [0, 1] (open), as samples of continuum `id`. */
function continuumSample(n: number, closed: boolean, curve: (s: number) => Float64Array, unstable: number, id: number): TrueFixedPoint[] {
  return Array.from({ length: n }, (_, i) => ({ location: curve(i / (closed ? n : n - 1)), unstable, continuum: id }));
}

/**
 * Ring attractor (the head-direction circuit's idealisation, Skaggs et al. 1995; Zhang 1996): r' = r (1 − r²) / τ
 * radially and θ' = ω, an unseen angular velocity in bouts. At rest (ω = 0) every point of the unit circle is a fixed
 * point, stable radially (eigenvalue −2/τ) and marginal along the ring; the origin is an unstable node (1/τ twice).
 * Trials start anywhere in the disc of radius 1.6, so the data show the relaxation onto the ring from inside and out.
 */
function ringAttractor(): DynamicalSystem {
  const d = 2;
  const tau = 5; // bins
  const substeps = 4;
  return {
    id: "ring-attractor",
    d,
    fixedPoints: [
      { location: Float64Array.of(0, 0), unstable: 2, continuum: 0 },
      // 360 samples: spacing 0.017 on the unit circle.
      ...continuumSample(360, true, (s) => Float64Array.of(Math.cos(2 * Math.PI * s), Math.sin(2 * Math.PI * s)), 0, 1),
    ],
    simulate(trials, bins, rng) {
      // Turning bouts of 0.1–0.3 rad per bin (a quarter turn in 5–15 bins), fresh for each trial.
      return simulatePlanar(
        trials,
        bins,
        rng,
        substeps,
        (q) => q / tau,
        () => {
          const turning = new InputBouts(1 / 10, 0.1, 0.3);
          return (r) => turning.next(r);
        },
      );
    },
  };
}

/**
 * Line attractor (the oculomotor integrator's idealisation, Seung 1996): x' = u − (x − clip(x, −1, 1)) / τ_w integrates
 * an unseen input u between soft walls at ±1, y' = v − y / τ relaxes. At rest (u = v = 0) the fixed points are exactly
 * the segment y = 0, x ∈ [−1, 1] (outside it the wall pulls x back): stable across (−1/τ), marginal along. The walls
 * keep the data on that interval, and input bouts push x across all of it and kick y off the line.
 */
function lineAttractor(): DynamicalSystem {
  const d = 2;
  const tau = 5; // bins
  const tauWall = 2; // bins
  const substeps = 4;
  return {
    id: "line-attractor",
    d,
    // 201 samples: spacing 0.01 along the segment.
    fixedPoints: continuumSample(201, false, (s) => Float64Array.of(2 * s - 1, 0), 0, 1),
    simulate(trials, bins, rng) {
      const out = new Float64Array(trials * bins * d);
      for (let tr = 0; tr < trials; tr++) {
        let x = (rng.uniform() * 2 - 1) * 1.2;
        let y = (rng.uniform() * 2 - 1) * 0.8;
        const drive = new InputBouts(1 / 8, 0.05, 0.15);
        const kick = new InputBouts(1 / 12, 0.05, 0.15);
        for (let b = 0; b < bins; b++) {
          const u = drive.next(rng);
          const v = kick.next(rng);
          for (let s = 0; s < substeps; s++) {
            const h = 1 / substeps;
            const wall = (x - Math.max(-1, Math.min(1, x))) / tauWall;
            x = x + h * (u - wall) + 0.03 * Math.sqrt(h) * rng.normal();
            y = y + h * (v - y / tau) + 0.03 * Math.sqrt(h) * rng.normal();
          }
          out[(tr * bins + b) * d] = x;
          out[(tr * bins + b) * d + 1] = y;
        }
      }
      return out;
    },
  };
}

export function system(id: SystemId): DynamicalSystem {
  switch (id) {
    case "flip-flop":
      return flipFlop();
    case "limit-cycle":
      return limitCycle();
    case "lorenz":
      return lorenz();
    case "ring-attractor":
      return ringAttractor();
    case "line-attractor":
      return lineAttractor();
  }
}

export interface PopulationSettings {
  /** Mean count per bin of a neuron at the latents' centre, drawn log-uniformly in [min, max]. */
  baseRateMin: number;
  baseRateMax: number;
  /** Standard deviation of every neuron's log-rate modulation (its tuning vector's length in z-scored latents). */
  gain: number;
}

/**
 * Poisson counts of `neurons` neurons with log-linear tuning to the latents, λ = exp(b + gain · uᵀ ẑ) counts per bin
 * (the exponential embedding of the LFADS and NLB synthetic data): a nonlinear, known map. ẑ are the latents z-scored
 * per dimension over the instance, u a uniformly random unit vector and b a log-uniform base rate per neuron, so every
 * neuron's log-rate is modulated by the same `gain` standard deviations whatever the system and its trajectories.
 */
export function poissonPopulation(
  latents: Float64Array,
  d: number,
  neurons: number,
  settings: PopulationSettings,
  rng: Rng,
): { rates: Float64Array; counts: Float64Array } {
  const rows = latents.length / d;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < rows; i++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (latents[i * d + c] as number) / rows;
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < d; c++) sd[c] = (sd[c] as number) + ((latents[i * d + c] as number) - (mean[c] as number)) ** 2 / rows;
  for (let c = 0; c < d; c++) sd[c] = Math.sqrt(sd[c] as number) || 1;
  const w = new Float64Array(neurons * d);
  for (let j = 0; j < neurons; j++) {
    const u = Float64Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...u) || 1;
    for (let c = 0; c < d; c++) w[j * d + c] = (settings.gain * (u[c] as number)) / norm / (sd[c] as number);
  }
  const logMin = Math.log(settings.baseRateMin);
  const logMax = Math.log(settings.baseRateMax);
  const b = Float64Array.from({ length: neurons }, () => logMin + (logMax - logMin) * rng.uniform());
  const rates = new Float64Array(rows * neurons);
  const counts = new Float64Array(rows * neurons);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < neurons; j++) {
      let eta = b[j] as number;
      for (let c = 0; c < d; c++) eta += (w[j * d + c] as number) * ((latents[i * d + c] as number) - (mean[c] as number));
      const rate = Math.exp(eta);
      rates[i * neurons + j] = rate;
      counts[i * neurons + j] = poisson(rate, rng);
    }
  }
  return { rates, counts };
}

/** Poisson draw by inversion (the rates here are small, a few counts per bin at most). */
export function poisson(rate: number, rng: Rng): number {
  const limit = Math.exp(-rate);
  let k = 0;
  let p = rng.uniform();
  while (p > limit && k < 1000) {
    k++;
    p *= rng.uniform();
  }
  return k;
}

/** Rows [from, to) of a [rows, width] array as an NdArray of the given leading shape. */
export function slab(x: Float64Array, width: number, from: number, to: number, shape: number[]): NdArray {
  return f32(shape, x.subarray(from * width, to * width));
}

/** A simulated population's counts [trials·bins, heldIn + heldOut], its true latents and fixed points. */
export interface SimulatedPopulation {
  counts: Float64Array;
  trials: number;
  trainTrials: number;
  bins: number;
  heldIn: number;
  heldOut: number;
  latents: Float64Array;
  latentDim: number;
  /** With continuum ids (TrueFixedPoint) the truth is written [p, d + 2]; plain isolated points as [p, d + 1]. */
  fixedPoints: readonly TrueFixedPoint[] | readonly FixedPoint[];
}

/**
 * The task's inputs and truth from a simulated population: the first `heldIn` neurons are held in, the rest held
 * out (the generators draw neurons exchangeably); held-out counts are given on the training trials and are the
 * truth on the test trials.
 */
export function populationInstance(p: SimulatedPopulation): { inputs: Record<string, NdArray>; truth: Record<string, NdArray> } {
  const { counts, trials, trainTrials, bins, heldIn, heldOut, latentDim } = p;
  const neurons = heldIn + heldOut;
  const heldInCounts = new Float64Array(trials * bins * heldIn);
  const heldOutCounts = new Float64Array(trials * bins * heldOut);
  for (let i = 0; i < trials * bins; i++) {
    heldInCounts.set(counts.subarray(i * neurons, i * neurons + heldIn), i * heldIn);
    heldOutCounts.set(counts.subarray(i * neurons + heldIn, (i + 1) * neurons), i * heldOut);
  }
  return {
    inputs: {
      spikes: f32([trials, bins, heldIn], heldInCounts),
      heldoutTrain: slab(heldOutCounts, heldOut, 0, trainTrials * bins, [trainTrials, bins, heldOut]),
    },
    truth: {
      heldoutTest: slab(heldOutCounts, heldOut, trainTrials * bins, trials * bins, [trials - trainTrials, bins, heldOut]),
      latents: f32([trials, bins, latentDim], p.latents),
      fixedPoints: p.fixedPoints.every((q) => "continuum" in q)
        ? trueFixedPointArray(p.fixedPoints as readonly TrueFixedPoint[], latentDim)
        : fixedPointArray(p.fixedPoints, latentDim),
    },
  };
}
