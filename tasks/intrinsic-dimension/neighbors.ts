// Exact k-nearest-neighbour distances by brute force (n ≤ 5000), shared by T3's neighbour-based
// baselines (TwoNN, MLE) and the tests. Each pair is visited once; distances are Euclidean, in float64.
// Exact duplicates (distance 0) are not neighbours: every neighbour-based estimator divides by or takes
// the log of neighbour distances, and a duplicate carries no information about dimension.

export interface Neighbours {
  k: number;
  /** n×k ascending distances to the k nearest distinct points (Infinity where fewer exist). */
  dist: Float64Array;
}

export function nearestNeighbours(x: ArrayLike<number>, n: number, d: number, k: number): Neighbours {
  const dist = new Float64Array(n * k).fill(Number.POSITIVE_INFINITY);
  // Copy to float64 once (inputs are float32) and precompute squared norms.
  const xs = Float64Array.from(x as ArrayLike<number>);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (xs[i * d + c] as number) ** 2;
    norms[i] = s;
  }
  const insert = (i: number, v: number) => {
    const base = i * k;
    if (v >= (dist[base + k - 1] as number)) return;
    let p = k - 1;
    while (p > 0 && (dist[base + p - 1] as number) > v) {
      dist[base + p] = dist[base + p - 1] as number;
      p--;
    }
    dist[base + p] = v;
  };
  for (let i = 0; i < n; i++) {
    const bi = i * d;
    const ni = norms[i] as number;
    for (let j = i + 1; j < n; j++) {
      const bj = j * d;
      let dot = 0;
      for (let c = 0; c < d; c++) dot += (xs[bi + c] as number) * (xs[bj + c] as number);
      let sq = ni + (norms[j] as number) - 2 * dot;
      // The Gram expansion loses precision for very close points: recompute those directly.
      if (sq < 1e-6 * (ni + (norms[j] as number))) {
        sq = 0;
        for (let c = 0; c < d; c++) sq += ((xs[bi + c] as number) - (xs[bj + c] as number)) ** 2;
      }
      if (sq <= 0) continue;
      // Compare squared distances; take roots at the end.
      if (sq < (dist[i * k + k - 1] as number)) insert(i, sq);
      if (sq < (dist[j * k + k - 1] as number)) insert(j, sq);
    }
  }
  for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i] as number);
  return { k, dist };
}
