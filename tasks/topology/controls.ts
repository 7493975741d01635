// Controls with known, different truths built from the same recording (or network) as the real instances (issue 10),
// shared by the T3 and T4 datasets on head-direction cells, place cells and the RNN. Every instance reads rows
// (time bins or samples) of a series [T, C]; each cell c reads them at its own time offset:
// - recorded: every offset 0, the activity as it was recorded — the recording's own manifold M.
// - product: the cells are split into two groups and the second group is read Δ ∈ [T/4, 3T/4] later (circularly):
//   two independent copies of the latent drive the two groups, so the activity lies on M × M
//   (ring × ring = torus: d* = 2, Betti [1, 2, 1]; Künneth for the Betti numbers).
// - shuffled: every cell its own offset (stratified over the series, so no two cells are read closer than T/C apart):
//   each cell follows its own independent copy of the latent and the shared manifold is gone. Each cell's activity is
//   a function of its own copy only, so the population fills the product of the C cells' ranges — a C-dimensional
//   box: d* = the number of cells that vary, Betti [1, 0, 0] (contractible).
// The input shape is the same in every regime (same cells, same n), so it says nothing about the truth.
import { f32 } from "../../harness/ndarray.ts";
import type { Rng } from "../../harness/rng.ts";
import type { NdArray } from "../../harness/types.ts";

export const CONTROL_REGIMES = ["recorded", "product", "shuffled"] as const;
export type ControlRegime = (typeof CONTROL_REGIMES)[number];

/** A series of T rows and C cells, row-major. */
export interface Series {
  T: number;
  C: number;
  x: ArrayLike<number>;
}

/** Each regime with probability 1/3, drawn from the instance's rng. */
export function drawControlRegime(rng: Rng): ControlRegime {
  return CONTROL_REGIMES[rng.int(CONTROL_REGIMES.length)] as ControlRegime;
}

/**
 * Two groups of cells of (nearly) equal size: `order` lists the cells (e.g. sorted by preferred direction, so both
 * groups tile the ring), and cells alternate between the groups along it, the parity drawn from `rng`.
 */
export function alternatingGroups(rng: Rng, order: readonly number[]): Uint8Array {
  const group = new Uint8Array(order.length);
  const parity = rng.int(2);
  order.forEach((c, k) => {
    group[c] = (k + parity) % 2;
  });
  return group;
}

/** Two random groups of ⌊C/2⌋ and ⌈C/2⌉ cells. */
export function randomGroups(rng: Rng, C: number): Uint8Array {
  return alternatingGroups(rng, Array.from(rng.permutation(C)));
}

/** Per-cell time offsets of a regime (rows of a series of length T; `groups` for the product). */
export function controlOffsets(rng: Rng, regime: ControlRegime, T: number, C: number, groups?: Uint8Array): Int32Array {
  const offsets = new Int32Array(C);
  if (regime === "product") {
    if (!groups) throw new Error("the product control needs two groups of cells");
    const delta = Math.floor(T / 4) + rng.int(Math.floor(T / 2) + 1);
    for (let c = 0; c < C; c++) offsets[c] = groups[c] === 1 ? delta : 0;
  } else if (regime === "shuffled") {
    const slot = rng.permutation(C);
    const u = rng.uniform();
    for (let c = 0; c < C; c++) offsets[c] = Math.floor((((slot[c] as number) + u) * T) / C) % T;
  }
  return offsets;
}

/** activity[i, c] = x[(rows[i] + offsets[c]) mod T, c], float32 [rows.length, C]. */
export function readRows(series: Series, rows: ArrayLike<number>, offsets: Int32Array): NdArray {
  const { T, C, x } = series;
  const n = rows.length;
  const activity = f32([n, C]);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const t = ((rows[i] as number) + (offsets[c] as number)) % T;
      activity.data[i * C + c] = x[t * C + c] as number;
    }
  }
  return activity;
}

/** Columns of an activity [n, C] that are not constant. */
export function varyingColumns(activity: NdArray): number {
  const [n, C] = activity.shape as [number, number];
  let count = 0;
  for (let c = 0; c < C; c++) {
    const first = activity.data[c] as number;
    for (let i = 1; i < n; i++) {
      if (activity.data[i * C + c] !== first) {
        count++;
        break;
      }
    }
  }
  return count;
}

/** Betti numbers [b0, b1, b2] of X × Y over a field (Künneth), truncated to degree 2. */
export function productBetti(a: readonly number[], b: readonly number[]): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < 3; k++) for (let i = 0; i <= k; i++) out[k] = (out[k] as number) + (a[i] ?? 0) * (b[k - i] ?? 0);
  return out;
}

/** T3 truth of a regime: the recording's d, twice it for the product, the varying cells when shuffled. */
export function controlDimension(regime: ControlRegime, recorded: number, activity: NdArray): number {
  return regime === "recorded" ? recorded : regime === "product" ? 2 * recorded : varyingColumns(activity);
}

/** T4 truth of a regime: the recording's Betti numbers, those of M × M for the product, a contractible box when shuffled. */
export function controlBetti(regime: ControlRegime, recorded: readonly number[]): [number, number, number] {
  return regime === "recorded"
    ? [recorded[0] ?? 0, recorded[1] ?? 0, recorded[2] ?? 0]
    : regime === "product"
      ? productBetti(recorded, recorded)
      : [1, 0, 0];
}
