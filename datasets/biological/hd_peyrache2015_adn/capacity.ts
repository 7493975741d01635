// Biological T7 dataset on the head-direction recording (Peyrache et al. 2015, 19 ADn cells): the population's
// states at 8 headings are 8 manifolds (each point an average over k moments at that heading, k drawn from the
// seed), and the question is how many of them per neuron a linear readout can split into two arbitrary groups.
// Truth: the empirical capacity measured by the harness (no theory gives it for a recorded ring code).
import { cardView, recordingUnavailable } from "../../../harness/data.ts";
import { f32 } from "../../../harness/ndarray.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import type { DatasetDefinition, DatasetPreview, GeneratedInstance, NdArray } from "../../../harness/types.ts";
import { empiricalCapacity } from "../../../tasks/manifold-capacity/separability.ts";
import { capacityTruth } from "../../../tasks/manifold-capacity/task.ts";
import { hdPeyrache2015Card as card } from "./card.ts";
import { wake100 } from "./datasets.ts";
import { HD_CELLS, loadHdPeyrache2015 } from "./load.ts";

const config = {
  recording: card.id,
  preprocessingVersion: card.preprocessing.version,
  files: Object.fromEntries(card.files.map((f) => [f.name, f.sha256])),
  /** Wake spike counts summed into 100 ms bins (never across a tracking gap), as the other HD datasets read them. */
  binSeconds: 0.1,
  /** P manifolds: headings 360°/P apart, the whole set rotated by a seed-drawn angle. */
  sectors: 8,
  /** A bin belongs to a sector when its mean heading is within this many degrees of the sector's centre. */
  sectorHalfWidthDeg: 10,
  /** M points per manifold. */
  pointsPerSector: 4,
  /**
   * Each point is the mean of k distinct bins of its sector (no bin used twice in an instance); k is drawn
   * log-uniformly from 1…maxAveraged per instance. k sets the points' noise (radius ∝ 1/√k), hence the capacity:
   * the truths spread over a factor ≈ 2.4 (0.7 at k = 1, 1.7 at k = 64).
   */
  maxAveraged: 64,
  /** Random dichotomies of the truth's measurement (≈ ±2 % on α*). */
  dichotomies: 96,
};

const P = config.sectors;
const M = config.pointsPerSector;
const N = HD_CELLS;

/** Circular distance between two angles (rad), in [0, π]. */
const angularDistance = (a: number, b: number) => Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b)));

/**
 * The instance's manifolds [P, M, 19]: sector μ centred at `rotation` + 2πμ/P, each point the mean count vector of
 * k of its bins. A point equal to one already drawn (possible only at small k, when few cells fire in 100 ms) is
 * replaced by the next bins: two identical points in two manifolds would make every dichotomy that labels them
 * differently inseparable, whatever the rest of the data.
 */
export function headingManifolds(rng: Rng, k: number, points = M): NdArray {
  const wake = wake100();
  const rotation = rng.uniform() * 2 * Math.PI;
  const half = (config.sectorHalfWidthDeg * Math.PI) / 180;
  const x = new Float64Array(P * points * N);
  const seen = new Set<string>();
  for (let mu = 0; mu < P; mu++) {
    const centre = rotation + (2 * Math.PI * mu) / P;
    const members: number[] = [];
    for (let b = 0; b < wake.T; b++) if (angularDistance(wake.angle[b] as number, centre) <= half) members.push(b);
    const order = rng.permutation(members.length);
    let next = 0;
    for (let p = 0; p < points; p++) {
      for (;;) {
        if (next + k > members.length) throw new Error(`${card.id}: sector ${mu} has too few bins for ${points} points of ${k}`);
        const row = new Float64Array(N);
        for (let a = 0; a < k; a++) {
          const bin = members[order[next + a] as number] as number;
          for (let c = 0; c < N; c++) row[c] = (row[c] as number) + (wake.counts[bin * N + c] as number) / k;
        }
        next += k;
        const key = row.join(",");
        if (seen.has(key)) continue;
        seen.add(key);
        x.set(row, (mu * points + p) * N);
        break;
      }
    }
  }
  // Centred by the instance's mean: the counts share a large positive offset, which a readout's bias would absorb;
  // the task's readout has none (as for the network layers of `mnist-mlp`).
  const mean = new Float64Array(N);
  for (let r = 0; r < P * points; r++) for (let c = 0; c < N; c++) mean[c] = (mean[c] as number) + (x[r * N + c] as number) / (P * points);
  return f32(
    [P, points, N],
    Float64Array.from(x, (v, i) => v - (mean[i % N] as number)),
  );
}

export function generateHeadingCapacity(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const averaged = Math.round(config.maxAveraged ** rng.uniform());
  const manifolds = headingManifolds(rng, averaged);
  const measured = empiricalCapacity(manifolds.data, P, M, N, rng, config.dichotomies, P);
  // Every manifold is 4 distinct points in 19 dimensions: half of the dichotomies are separable well below N' = 19.
  if (!Number.isFinite(measured.criticalDimension))
    throw new Error(`${card.id}: fewer than half of the dichotomies separable in all ${N} cells`);
  return {
    params: {},
    inputs: { manifolds },
    truth: capacityTruth(measured.capacity),
    meta: {
      averagedBins: averaged,
      criticalDimension: Number(measured.criticalDimension.toFixed(3)),
      capacity: Number(measured.capacity.toFixed(4)),
    },
  };
}

/** Points of the 8 manifolds at k = 1 and k = 16, in the plane of the cells' preferred directions. */
function headingPreview(): DatasetPreview {
  const { prefHD } = loadHdPeyrache2015();
  const series: DatasetPreview["series"] = [];
  for (const k of [1, 16]) {
    const m = headingManifolds(new Rng(seedFrom("hd-heading-sectors-preview")), k, 12);
    for (let mu = 0; mu < P; mu++) {
      const s = { name: `k = ${k}, heading ${mu + 1}`, x: [] as number[], y: [] as number[] };
      for (let p = 0; p < 12; p++) {
        let px = 0;
        let py = 0;
        for (let c = 0; c < N; c++) {
          const v = m.data[(mu * 12 + p) * N + c] as number;
          px += v * Math.cos(prefHD[c] as number);
          py += v * Math.sin(prefHD[c] as number);
        }
        s.x.push(Math.round(px * 100) / 100);
        s.y.push(Math.round(py * 100) / 100);
      }
      series.push(s);
    }
  }
  // k = 16 shifted right of k = 1 (with a gap) so both share one plot.
  const left = Math.max(...series.slice(0, P).flatMap((s) => s.x));
  const right = Math.min(...series.slice(P).flatMap((s) => s.x));
  for (const s of series.slice(P)) s.x = s.x.map((v) => Math.round((v - right + left + 2) * 100) / 100);
  return {
    title: "Heading manifolds: single 100 ms bins (left) and averages of 16 (right)",
    kind: "points",
    xLabel: "Σ count · cos(preferred direction) (k = 16 shifted right)",
    yLabel: "Σ count · sin(preferred direction)",
    series,
    caption:
      "12 points per heading (8 headings 45° apart, ±10°), centred, on the plane of the cells' preferred directions. Averaging k bins shrinks each manifold around its centre (radius ∝ 1/√k): the capacity rises with k.",
  };
}

export const hdHeadingCapacity: DatasetDefinition = {
  slug: "hd-heading-sectors",
  task: "manifold-capacity",
  version: 1,
  title: "Head-direction cells, heading manifolds (Peyrache et al. 2015)",
  domain: "biological",
  description:
    "The 19 head-direction cells' spike counts at 8 headings 45° apart (±10°, rotated by a seed-drawn angle) in open-field wake: each heading a manifold of 4 points, each point the mean of k distinct 100 ms bins at that heading (k log-uniform in 1…64 from the seed), centred. Truth: the empirical capacity measured by the harness (96 random dichotomies, exact separability, bisection on the projection dimension).",
  sizes: { dev: 4, official: 20, private: 20 },
  config,
  card: cardView(card),
  unavailable: () => recordingUnavailable(card),
  preview: headingPreview,
  generate(_split, _index, seed) {
    return generateHeadingCapacity(seed);
  },
};
