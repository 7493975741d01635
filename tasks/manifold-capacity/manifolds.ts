// What the T7 baselines share: each manifold of the input read as its centre and its points relative to that centre,
// in units of the centre norm (Chung et al. 2018; Cohen et al. 2020).
import type { NdArray } from "../../harness/types.ts";

export interface CentredManifold {
  /** ‖c‖, c the mean of the manifold's points. */
  centreNorm: number;
  /** r_k = (x_k − c) / ‖c‖ projected orthogonally to c, as rows [M, N]. */
  residuals: Float64Array;
}

/** Split `manifolds` [P, M, N] into centred manifolds (the centre direction removed from the residuals). */
export function centredManifolds(manifolds: NdArray): { P: number; M: number; N: number; list: CentredManifold[] } {
  const [P, M, N] = manifolds.shape as [number, number, number];
  const x = manifolds.data;
  const list: CentredManifold[] = [];
  for (let mu = 0; mu < P; mu++) {
    const c = new Float64Array(N);
    for (let k = 0; k < M; k++) for (let j = 0; j < N; j++) c[j] = (c[j] as number) + (x[(mu * M + k) * N + j] as number) / M;
    const norm = Math.hypot(...c);
    const scale = norm > 0 ? 1 / norm : 1;
    const residuals = new Float64Array(M * N);
    for (let k = 0; k < M; k++) {
      let along = 0;
      for (let j = 0; j < N; j++) {
        const r = ((x[(mu * M + k) * N + j] as number) - (c[j] as number)) * scale;
        residuals[k * N + j] = r;
        along += r * (c[j] as number) * scale;
      }
      for (let j = 0; j < N; j++) residuals[k * N + j] = (residuals[k * N + j] as number) - along * (c[j] as number) * scale;
    }
    list.push({ centreNorm: norm, residuals });
  }
  return { P, M, N, list };
}

/**
 * The manifold's points in its own coordinates: s̃_k = (1, coordinates of r_k in an orthonormal basis of the residuals'
 * span), rows of length 1 + rank (Gram–Schmidt with a relative tolerance drops dependent residuals).
 */
export function manifoldCoordinates(m: CentredManifold, M: number, N: number): { points: Float64Array; k: number } {
  const basis: Float64Array[] = [];
  let largest = 0;
  for (let a = 0; a < M; a++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += (m.residuals[a * N + j] as number) ** 2;
    largest = Math.max(largest, Math.sqrt(s));
  }
  for (let a = 0; a < M; a++) {
    const v = Float64Array.from(m.residuals.subarray(a * N, (a + 1) * N));
    for (let pass = 0; pass < 2; pass++)
      for (const e of basis) {
        let dot = 0;
        for (let j = 0; j < N; j++) dot += (v[j] as number) * (e[j] as number);
        for (let j = 0; j < N; j++) v[j] = (v[j] as number) - dot * (e[j] as number);
      }
    const norm = Math.hypot(...v);
    if (norm > 1e-9 * Math.max(largest, 1e-300)) basis.push(v.map((value) => value / norm));
  }
  const k = basis.length + 1;
  const points = new Float64Array(M * k);
  for (let a = 0; a < M; a++) {
    points[a * k] = 1;
    basis.forEach((e, i) => {
      let dot = 0;
      for (let j = 0; j < N; j++) dot += (m.residuals[a * N + j] as number) * (e[j] as number);
      points[a * k + 1 + i] = dot;
    });
  }
  return { points, k };
}
