// Dot products and squared distances of many rows against one vector: the inner loops several numeric methods share.

/**
 * out[oo + j] = row_j · v for rows j = j0 … k − 1 of `rows` (k × d). Four rows per pass over v: independent sums,
 * so the additions overlap instead of waiting on one another; each sum still runs in coordinate order, so every
 * value is the same float as a plain dot product. The hottest loop of dictionary learning (Dr for every sample, the
 * Gram matrix) and of k-nearest neighbours (a query against every reference).
 */
export function rowDots(rows: Float64Array, k: number, d: number, v: Float64Array, out: Float64Array, j0 = 0, oo = 0): void {
  let j = j0;
  for (; j + 4 <= k; j += 4) {
    const o0 = j * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < d; i++) {
      const vi = v[i] as number;
      s0 += (rows[o0 + i] as number) * vi;
      s1 += (rows[o1 + i] as number) * vi;
      s2 += (rows[o2 + i] as number) * vi;
      s3 += (rows[o3 + i] as number) * vi;
    }
    out[oo + j] = s0;
    out[oo + j + 1] = s1;
    out[oo + j + 2] = s2;
    out[oo + j + 3] = s3;
  }
  for (; j < k; j++) {
    let s = 0;
    const o = j * d;
    for (let i = 0; i < d; i++) s += (rows[o + i] as number) * (v[i] as number);
    out[oo + j] = s;
  }
}

/**
 * out[oo + j − j0] = ‖row_i − row_j‖² for rows j = j0 … n − 1 of `rows` (n × d), four rows per pass as rowDots (each
 * sum in coordinate order, so every value is the same float as one computed alone). The hottest loop of the
 * correlation integral and of persistent homology's neighbour smoothing.
 */
export function rowSquaredDistances(rows: Float64Array, n: number, d: number, i: number, out: Float64Array, j0 = 0, oo = 0): void {
  const bi = i * d;
  let j = j0;
  for (; j + 4 <= n; j += 4) {
    const o0 = j * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let c = 0; c < d; c++) {
      const v = rows[bi + c] as number;
      const d0 = v - (rows[o0 + c] as number);
      const d1 = v - (rows[o1 + c] as number);
      const d2 = v - (rows[o2 + c] as number);
      const d3 = v - (rows[o3 + c] as number);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    const o = oo + j - j0;
    out[o] = s0;
    out[o + 1] = s1;
    out[o + 2] = s2;
    out[o + 3] = s3;
  }
  for (; j < n; j++) {
    const bj = j * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const diff = (rows[bi + c] as number) - (rows[bj + c] as number);
      s += diff * diff;
    }
    out[oo + j - j0] = s;
  }
}
