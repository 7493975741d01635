// Vietoris–Rips persistent homology with Z/2 coefficients up to dimension 2, computed as persistent
// cohomology with the clearing (twist) optimization, in the way of Ripser (Bauer 2021):
// - simplices are indexed by the combinatorial number system and never stored all at once; coboundaries
//   are enumerated on the fly from a simplex's vertices;
// - the filtration is truncated at the enclosing radius (min over points of the max distance), beyond which
//   the complex is a cone, so no finite bar is lost;
// - H0 by union–find; in dimension k ≥ 1 the columns are the k-simplices that were not pivots of the
//   dimension k−1 reduction (clearing), processed from the last to the first in the filtration;
// - a column whose smallest cofacet is not yet a pivot is paired without building its coboundary (this
//   covers most columns, including Ripser's apparent pairs); only the others are reduced explicitly.
// Filtration order: diameter, then (among equal diameters) larger combinatorial index first, as in Ripser.

export interface Bar {
  dim: number;
  birth: number;
  /** Infinity for an essential class. */
  death: number;
}

/** Combinatorial index range per dimension must fit IDX (2^26) so that keys stay exact doubles. */
const IDX = 2 ** 26;
export const MAX_POINTS = 200;

class Binomial {
  private readonly table: Float64Array;
  constructor(
    private readonly n: number,
    private readonly k: number,
  ) {
    this.table = new Float64Array((n + 1) * (k + 1));
    for (let i = 0; i <= n; i++) {
      this.table[i * (k + 1)] = 1;
      for (let j = 1; j <= Math.min(i, k); j++) {
        this.table[i * (k + 1) + j] =
          (this.table[(i - 1) * (k + 1) + j - 1] as number) + (j <= i - 1 ? (this.table[(i - 1) * (k + 1) + j] as number) : 0);
      }
    }
  }
  /** C(i, j), 0 when j > i. */
  get(i: number, j: number): number {
    if (j > i || i < 0) return 0;
    return this.table[i * (this.k + 1) + j] as number;
  }
  get size() {
    return this.n;
  }
}

/** Open-addressing hash map from non-negative int32 keys to int32 values (much faster than Map here). */
class IntMap {
  private keys: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;
  constructor(expected: number) {
    let cap = 16;
    while (cap < 2 * expected) cap *= 2;
    this.keys = new Int32Array(cap).fill(-1);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }
  private slot(key: number): number {
    let h = Math.imul(key, 0x9e3779b1) & this.mask;
    while (this.keys[h] !== -1 && this.keys[h] !== key) h = (h + 1) & this.mask;
    return h;
  }
  /** The value of `key`, or −1. */
  get(key: number): number {
    const h = this.slot(key);
    return this.keys[h] === key ? (this.values[h] as number) : -1;
  }
  set(key: number, value: number): void {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    const h = this.slot(key);
    if (this.keys[h] !== key) {
      this.keys[h] = key;
      this.count++;
    }
    this.values[h] = value;
  }
  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Int32Array(oldKeys.length * 2).fill(-1);
    this.values = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) if ((oldKeys[i] as number) >= 0) this.set(oldKeys[i] as number, oldValues[i] as number);
  }
}

export interface RipsOptions {
  maxDim?: number;
  /** Filtration threshold; defaults to the enclosing radius. */
  threshold?: number;
}

/**
 * Barcode of the Vietoris–Rips filtration of a finite metric space given by its full distance matrix
 * (row-major L×L, symmetric, zero diagonal). Zero-length bars are omitted.
 */
export function ripsBarcode(dist: ArrayLike<number>, L: number, options: RipsOptions = {}): Bar[] {
  const maxDim = options.maxDim ?? 2;
  if (L > MAX_POINTS) throw new Error(`ripsBarcode supports at most ${MAX_POINTS} points, got ${L}`);
  if (L === 0) return [];
  let threshold = options.threshold;
  if (threshold === undefined) {
    threshold = Number.POSITIVE_INFINITY;
    for (let i = 0; i < L; i++) {
      let m = 0;
      for (let j = 0; j < L; j++) m = Math.max(m, dist[i * L + j] as number);
      threshold = Math.min(threshold, m);
    }
  }
  const binom = new Binomial(L, maxDim + 2);

  // Distance ranks: edges are compared by rank, so every key is an exact integer.
  const values: number[] = [];
  for (let i = 1; i < L; i++) for (let j = 0; j < i; j++) values.push(dist[i * L + j] as number);
  const unique = Float64Array.from(new Set(values)).sort();
  const rankOf = new Map<number, number>();
  for (const [r, v] of unique.entries()) rankOf.set(v, r);
  const rank = new Int32Array(L * L);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) rank[i * L + j] = i === j ? 0 : (rankOf.get(dist[i * L + j] as number) as number);
  }
  let thresholdRank = -1;
  for (let r = 0; r < unique.length; r++) if ((unique[r] as number) <= threshold) thresholdRank = r;
  const valueAt = (r: number) => (L === 1 ? 0 : (unique[r] as number));
  const keyOf = (diamRank: number, idx: number) => diamRank * IDX + (IDX - 1 - idx);
  const diamOfKey = (key: number) => Math.floor(key / IDX);
  const idxOfKey = (key: number) => IDX - 1 - (key - diamOfKey(key) * IDX);

  const bars: Bar[] = [];

  // ---- Dimension 0: union–find over edges in filtration order.
  const edgeKeys: number[] = [];
  for (let i = 1; i < L; i++) {
    for (let j = 0; j < i; j++) {
      const r = rank[i * L + j] as number;
      if (r <= thresholdRank) edgeKeys.push(keyOf(r, binom.get(i, 2) + j));
    }
  }
  const sortedEdges = Float64Array.from(edgeKeys).sort();
  const parent = Int32Array.from({ length: L }, (_, i) => i);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const vertices = new Int32Array(maxDim + 2);
  const decode = (idx: number, k: number, out: Int32Array) => {
    // Vertices of a k-simplex (k+1 vertices), descending.
    let rest = idx;
    let v = L - 1;
    for (let m = k + 1; m >= 1; m--) {
      while (binom.get(v, m) > rest) v--;
      out[k + 1 - m] = v;
      rest -= binom.get(v, m);
      v--;
    }
  };
  const columns: number[] = [];
  for (const key of sortedEdges) {
    decode(idxOfKey(key), 1, vertices);
    const a = find(vertices[0] as number);
    const b = find(vertices[1] as number);
    if (a !== b) {
      parent[Math.max(a, b)] = Math.min(a, b);
      const death = valueAt(diamOfKey(key));
      if (death > 0) bars.push({ dim: 0, birth: 0, death });
    } else {
      columns.push(key);
    }
  }
  for (let v = 0; v < L; v++) if (find(v) === v) bars.push({ dim: 0, birth: 0, death: Number.POSITIVE_INFINITY });
  if (maxDim < 1) return bars;

  // ---- Dimensions 1…maxDim: cohomology with clearing.
  let columnKeys = Float64Array.from(columns).sort().reverse();
  const simplexVerts = new Int32Array(maxDim + 2);
  for (let k = 1; k <= maxDim; k++) {
    const pivots = new IntMap(columnKeys.length); // (k+1)-simplex index → column position

    // Cofacets of the k-simplex `key` (with diameter ≤ threshold), appended to `out` as keys.
    const cofacets = (key: number, out: number[]) => {
      decode(idxOfKey(key), k, simplexVerts);
      const diam = diamOfKey(key);
      // Insert w at position p of the descending vertex list: index = Σ_{m<p} C(v_m, k+2−m) + C(w, k+2−p) + Σ_{m≥p} C(v_m, k+1−m).
      let above = 0; // Σ over vertices above w with their shifted binomial
      let below = 0;
      for (let m = 0; m <= k; m++) below += binom.get(simplexVerts[m] as number, k + 1 - m);
      let p = 0; // vertices with index > w
      for (let w = L - 1; w >= 0; w--) {
        if (p <= k && simplexVerts[p] === w) {
          // move vertex p from "below" to "above"
          below -= binom.get(w, k + 1 - p);
          above += binom.get(w, k + 2 - p);
          p++;
          continue;
        }
        let r = diam;
        for (let m = 0; m <= k; m++) {
          const e = rank[w * L + (simplexVerts[m] as number)] as number;
          if (e > r) r = e;
        }
        if (r > thresholdRank) continue;
        const idx = above + binom.get(w, k + 2 - p) + below;
        out.push(keyOf(r, idx));
      }
    };
    // Smallest cofacet key (∞ when none is within the threshold), without materializing the coboundary.
    const minCofacet = (key: number): number => {
      decode(idxOfKey(key), k, simplexVerts);
      const diam = diamOfKey(key);
      let above = 0;
      let below = 0;
      for (let m = 0; m <= k; m++) below += binom.get(simplexVerts[m] as number, k + 1 - m);
      let p = 0;
      let bestRank = thresholdRank + 1;
      let bestIdx = -1;
      for (let w = L - 1; w >= 0; w--) {
        if (p <= k && simplexVerts[p] === w) {
          below -= binom.get(w, k + 1 - p);
          above += binom.get(w, k + 2 - p);
          p++;
          continue;
        }
        let r = diam;
        const row = w * L;
        for (let m = 0; m <= k; m++) {
          const e = rank[row + (simplexVerts[m] as number)] as number;
          if (e > r) r = e;
        }
        // Smaller diameter first; among equal diameters the larger index (w descends, so the first seen).
        if (r < bestRank) {
          bestRank = r;
          bestIdx = above + binom.get(w, k + 2 - p) + below;
          // No cofacet can be born before the simplex itself: this one is the minimum.
          if (r === diam) break;
        }
      }
      return bestIdx < 0 ? Number.POSITIVE_INFINITY : keyOf(bestRank, bestIdx);
    };
    // Sorted coboundary of one k-simplex (a simplex's cofacets are distinct).
    const scratch: number[] = [];
    const coboundary = (key: number): Float64Array => {
      scratch.length = 0;
      cofacets(key, scratch);
      return Float64Array.from(scratch).sort();
    };
    const symmetricDifference = (a: Float64Array, b: Float64Array): Float64Array => {
      const out = new Float64Array(a.length + b.length);
      let i = 0;
      let j = 0;
      let o = 0;
      while (i < a.length && j < b.length) {
        const x = a[i] as number;
        const y = b[j] as number;
        if (x < y) {
          out[o++] = x;
          i++;
        } else if (y < x) {
          out[o++] = y;
          j++;
        } else {
          i++;
          j++;
        }
      }
      while (i < a.length) out[o++] = a[i++] as number;
      while (j < b.length) out[o++] = b[j++] as number;
      return out.subarray(0, o);
    };
    // Reduced coboundary column of an earlier column: stored for explicitly reduced columns, and
    // computed (then cached) for columns that were paired without reduction.
    const reduced = new Map<number, Float64Array>();
    const reducedOf = (pos: number): Float64Array => {
      let column = reduced.get(pos);
      if (!column) {
        column = coboundary(columnKeys[pos] as number);
        reduced.set(pos, column);
      }
      return column;
    };

    for (let pos = 0; pos < columnKeys.length; pos++) {
      const sigma = columnKeys[pos] as number;
      const birth = valueAt(diamOfKey(sigma));
      let pivot = minCofacet(sigma);
      if (pivot !== Number.POSITIVE_INFINITY && pivots.get(idxOfKey(pivot)) < 0) {
        pivots.set(idxOfKey(pivot), pos);
        const death = valueAt(diamOfKey(pivot));
        if (death > birth) bars.push({ dim: k, birth, death });
        continue;
      }
      if (pivot === Number.POSITIVE_INFINITY) {
        bars.push({ dim: k, birth, death: Number.POSITIVE_INFINITY });
        continue;
      }
      // Explicit reduction: add earlier columns with the same pivot until the pivot is new (or none is left).
      let working = coboundary(sigma);
      for (;;) {
        pivot = working.length ? (working[0] as number) : Number.POSITIVE_INFINITY;
        if (pivot === Number.POSITIVE_INFINITY) break;
        const other = pivots.get(idxOfKey(pivot));
        if (other < 0) break;
        working = symmetricDifference(working, reducedOf(other));
      }
      if (pivot === Number.POSITIVE_INFINITY) {
        bars.push({ dim: k, birth, death: Number.POSITIVE_INFINITY });
        continue;
      }
      pivots.set(idxOfKey(pivot), pos);
      reduced.set(pos, working);
      const death = valueAt(diamOfKey(pivot));
      if (death > birth) bars.push({ dim: k, birth, death });
    }

    if (k === maxDim) break;
    // Next dimension's columns: (k+1)-simplices within the threshold that were not pivots here.
    const next: number[] = [];
    const m = k + 2; // vertices of a (k+1)-simplex
    if (m === 3) {
      for (let i = 2; i < L; i++) {
        for (let j = 1; j < i; j++) {
          const rij = rank[i * L + j] as number;
          if (rij > thresholdRank) continue;
          for (let l = 0; l < j; l++) {
            const r = Math.max(rij, rank[i * L + l] as number, rank[j * L + l] as number);
            if (r > thresholdRank) continue;
            const idx = binom.get(i, 3) + binom.get(j, 2) + l;
            if (pivots.get(idx) < 0) next.push(keyOf(r, idx));
          }
        }
      }
    } else {
      throw new Error("ripsBarcode supports maxDim ≤ 2");
    }
    columnKeys = Float64Array.from(next).sort().reverse();
  }
  return bars;
}

/** Full Euclidean distance matrix of the rows of an n×d matrix. */
export function distanceMatrix(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += ((x[i * d + c] as number) - (x[j * d + c] as number)) ** 2;
      const v = Math.sqrt(s);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}
