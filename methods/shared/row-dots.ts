// Dot products of many rows with one vector, the inner loop several numeric methods share.

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
