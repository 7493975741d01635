// Vietoris–Rips persistent homology with Z/2 coefficients up to dimension 2, computed as persistent
// cohomology with the clearing (twist) optimization, in the way of Ripser (Bauer 2021):
// - simplices are indexed by the combinatorial number system and never stored all at once; coboundaries
//   are enumerated on the fly from a simplex's vertices;
// - the filtration is truncated at the enclosing radius (min over points of the max distance), beyond which
//   the complex is a cone, so no finite bar is lost;
// - H0 by union–find; in dimension k ≥ 1 the columns are the k-simplices that were not pivots of the
//   dimension k−1 reduction (clearing), processed from the last to the first in the filtration;
// - a column whose smallest cofacet is not yet a pivot is paired without building its coboundary (this
//   covers most columns, including Ripser's apparent pairs); only the others are reduced explicitly, with
//   the working column as a heap of cofacets and, for each reduced column, the columns added to it stored
//   rather than its reduced coboundary (whose fill-in can make a single instance take seconds).
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
  /** C(i, j) at table[i * stride + j] (0 when j > i), for the hot loops. */
  readonly table: Float64Array;
  readonly stride: number;
  constructor(
    private readonly n: number,
    private readonly k: number,
  ) {
    this.stride = k + 1;
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

/**
 * Open-addressing hash map from non-negative int32 keys to int32 values (much faster than Map here). Slots
 * are [key, value] pairs side by side (one cache line per probe), and the slot of a key comes from the high
 * bits of a multiplicative (Fibonacci) hash: the low bits of a product depend only on the low bits of the
 * key, which cluster for the simplex indices stored here.
 */
class IntMap {
  private slots: Int32Array;
  private shift: number;
  private mask: number;
  private count = 0;
  constructor(expected: number) {
    let bits = 4;
    while (2 ** bits < 2 * expected) bits++;
    this.slots = new Int32Array(2 ** (bits + 1)).fill(-1);
    this.shift = 32 - bits;
    this.mask = 2 ** bits - 1;
  }
  /** Position in `slots` of `key`, or of the empty slot where it would go. */
  private slot(key: number): number {
    const slots = this.slots;
    let h = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const at = h << 1;
      const held = slots[at] as number;
      if (held === key || held === -1) return at;
      h = (h + 1) & this.mask;
    }
  }
  /** The value of `key`, or −1. */
  get(key: number): number {
    const at = this.slot(key);
    return this.slots[at] === key ? (this.slots[at + 1] as number) : -1;
  }
  set(key: number, value: number): void {
    if (4 * (this.count + 1) > this.slots.length) this.grow();
    const at = this.slot(key);
    if (this.slots[at] !== key) {
      this.slots[at] = key;
      this.count++;
    }
    this.slots[at + 1] = value;
  }
  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length).fill(-1);
    this.shift--;
    this.mask = 2 * this.mask + 1;
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) if ((old[at] as number) >= 0) this.set(old[at] as number, old[at + 1] as number);
  }
}

/** A typed array twice as long (at least `atLeast`), with the same contents. */
function grown(a: Int32Array, atLeast = 0): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(2 * a.length, atLeast));
  out.set(a);
  return out;
}

/**
 * Binary min-heap of filtration keys: the working column of a reduction over Z/2, where a key pushed twice
 * cancels. Only the pivot (the smallest key left after cancellation) is ever read, so cancelled pairs are
 * removed lazily, when they reach the top.
 */
class KeyHeap {
  private data = new Float64Array(1024);
  private size = 0;
  clear(): void {
    this.size = 0;
  }
  push(key: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(2 * this.data.length);
      bigger.set(this.data);
      this.data = bigger;
    }
    const data = this.data;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = data[parent] as number;
      if (above <= key) break;
      data[i] = above;
      i = parent;
    }
    data[i] = key;
  }
  /** The smallest key present an odd number of times (∞ when none); cancelled pairs above it are dropped. */
  pivot(): number {
    const data = this.data;
    for (;;) {
      if (this.size === 0) return Number.POSITIVE_INFINITY;
      const top = data[0] as number;
      // A second copy of the minimum is a child of the root (every key on its path equals it).
      if (!(this.size > 1 && data[1] === top) && !(this.size > 2 && data[2] === top)) return top;
      this.removeTop();
      this.removeTop();
    }
  }
  private removeTop(): void {
    const data = this.data;
    const size = --this.size;
    if (size === 0) return;
    const key = data[size] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && (data[child + 1] as number) < (data[child] as number)) child++;
      const below = data[child] as number;
      if (below >= key) break;
      data[i] = below;
      i = child;
    }
    data[i] = key;
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
  if (maxDim > 2) throw new Error("ripsBarcode supports maxDim ≤ 2");
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
  const sorted = new Float64Array((L * (L - 1)) / 2);
  for (let i = 1, e = 0; i < L; i++) for (let j = 0; j < i; j++) sorted[e++] = dist[i * L + j] as number;
  sorted.sort();
  let distinct = 0;
  for (let e = 0; e < sorted.length; e++) if (e === 0 || sorted[e] !== sorted[e - 1]) sorted[distinct++] = sorted[e] as number;
  const unique = sorted.subarray(0, distinct);
  /** Position of `v` in `unique` (binary search). */
  const rankOf = (v: number) => {
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((unique[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Symmetric (the lower triangle mirrored), so that rank[v * L + w] runs over w contiguously.
  const rank = new Int32Array(L * L);
  for (let i = 1; i < L; i++) {
    for (let j = 0; j < i; j++) {
      const r = rankOf(dist[i * L + j] as number);
      rank[i * L + j] = r;
      rank[j * L + i] = r;
    }
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
  const pivotVertices = new Int32Array(maxDim + 2);
  const table = binom.table;
  const stride = binom.stride;
  const decode = (idx: number, k: number, out: Int32Array) => {
    // Vertices of a k-simplex (k+1 vertices), descending: the m-th is the largest v with C(v, m) ≤ the rest
    // (binary search; C(·, m) is non-decreasing and C(m − 1, m) = 0).
    let rest = idx;
    let top = L - 1;
    for (let m = k + 1; m >= 1; m--) {
      let lo = m - 1;
      let hi = top;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((table[mid * stride + m] as number) <= rest) lo = mid;
        else hi = mid - 1;
      }
      out[k + 1 - m] = lo;
      rest -= table[lo * stride + m] as number;
      top = lo - 1;
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

  // ---- Dimensions 1…maxDim: cohomology with clearing. Columns are processed in decreasing key order, and
  // each column's vertices (descending) are kept beside its key so that it is decoded only once. The
  // dimension-1 columns are a subsequence of the sorted edges: reversed, they are in that order.
  let columnKeys = new Float64Array(columns.length);
  let columnVerts = new Int32Array(2 * columns.length);
  for (let t = 0; t < columns.length; t++) {
    const key = columns[columns.length - 1 - t] as number;
    columnKeys[t] = key;
    decode(idxOfKey(key), 1, vertices);
    columnVerts[2 * t] = vertices[0] as number;
    columnVerts[2 * t + 1] = vertices[1] as number;
  }
  for (let k = 1; k <= maxDim; k++) {
    const keys = columnKeys;
    const verts = columnVerts;
    const nv = k + 1; // vertices of a column
    // Pivots ((k+1)-simplices). Whether a simplex is one is asked for every column and by clearing: one bit
    // per simplex answers from cache. Which column holds a pivot is asked only in explicit reductions: a
    // column paired without reduction has its pivot among its cofacets, so it is one of the pivot's facets;
    // the explicitly reduced columns are few and hashed.
    const isPivot = new Int32Array(Math.ceil(binom.get(L, k + 2) / 32));
    const hasPivot = (idx: number) => (((isPivot[idx >>> 5] as number) >>> (idx & 31)) & 1) === 1;
    const pivotOf = new Int32Array(keys.length).fill(-1); // simplex index of each paired column's pivot
    const reducedWithPivot = new IntMap(64);
    /** Position of the column with key `key` (keys decrease along the columns), or −1. */
    const columnWithKey = (key: number): number => {
      let lo = 0;
      let hi = keys.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((keys[mid] as number) > key) lo = mid + 1;
        else hi = mid;
      }
      return keys[lo] === key ? lo : -1;
    };
    const setPivot = (idx: number, pos: number) => {
      isPivot[idx >>> 5] = (isPivot[idx >>> 5] as number) | (1 << (idx & 31));
      pivotOf[pos] = idx;
    };
    /** The column whose pivot is the (k+1)-simplex `idx`, or −1. */
    const columnWithPivot = (idx: number): number => {
      if (!hasPivot(idx)) return -1;
      const reducedColumn = reducedWithPivot.get(idx);
      if (reducedColumn >= 0) return reducedColumn;
      decode(idx, k + 1, pivotVertices);
      for (let q = 0; q <= k + 1; q++) {
        // The facet without vertex q: the vertices before q keep their binomial, those after it shift down;
        // its diameter is the largest rank among its edges.
        let facet = 0;
        let diam = 0;
        for (let m = 0; m <= k + 1; m++) {
          if (m === q) continue;
          const v = pivotVertices[m] as number;
          facet += table[v * stride + (m < q ? k + 1 - m : k + 2 - m)] as number;
          for (let m2 = m + 1; m2 <= k + 1; m2++)
            if (m2 !== q) diam = Math.max(diam, rank[v * L + (pivotVertices[m2] as number)] as number);
        }
        const pos = columnWithKey(keyOf(diam, facet));
        if (pos >= 0 && pivotOf[pos] === idx) return pos;
      }
      throw new Error(`ripsBarcode: no column holds pivot ${idx}`);
    };

    // Cofacets of column `pos` (with diameter ≤ threshold), pushed on `out` as keys. Inserting w at
    // position p of the descending vertex list gives the index
    // Σ_{m<p} C(v_m, k+2−m) + C(w, k+2−p) + Σ_{m≥p} C(v_m, k+1−m). rank is symmetric, so rank[v·L + w] runs
    // over w contiguously.
    const cofacets = (pos: number, out: KeyHeap) => {
      const vo = pos * nv;
      const diam = diamOfKey(keys[pos] as number);
      let below = 0; // Σ over the vertices below w with their binomial
      for (let m = 0; m <= k; m++) below += table[(verts[vo + m] as number) * stride + k + 1 - m] as number;
      let above = 0; // Σ over the vertices above w with their shifted binomial
      let p = 0; // vertices with index > w
      for (let w = L - 1; w >= 0; w--) {
        if (p <= k && verts[vo + p] === w) {
          // move vertex p from "below" to "above"
          below -= table[w * stride + k + 1 - p] as number;
          above += table[w * stride + k + 2 - p] as number;
          p++;
          continue;
        }
        let r = diam;
        for (let m = 0; m <= k; m++) {
          const e = rank[(verts[vo + m] as number) * L + w] as number;
          if (e > r) r = e;
        }
        if (r > thresholdRank) continue;
        out.push(keyOf(r, above + (table[w * stride + k + 2 - p] as number) + below));
      }
    };
    // Smallest cofacet key of column `pos` (∞ when none is within the threshold), without materializing the
    // coboundary. k ≤ 2: the rank rows of up to three vertices (a 1-simplex repeats its second row).
    const minCofacet = (pos: number): number => {
      const vo = pos * nv;
      const diam = diamOfKey(keys[pos] as number);
      const v0 = verts[vo] as number;
      const v1 = verts[vo + 1] as number;
      const v2 = k >= 2 ? (verts[vo + 2] as number) : -1;
      const r0 = v0 * L;
      const r1 = v1 * L;
      const r2 = k >= 2 ? v2 * L : r1;
      let below = 0;
      for (let m = 0; m <= k; m++) below += table[(verts[vo + m] as number) * stride + k + 1 - m] as number;
      let above = 0;
      let p = 0;
      let bestRank = thresholdRank + 1;
      let bestIdx = -1;
      for (let w = L - 1; w >= 0; w--) {
        if (w === v0 || w === v1 || w === v2) {
          below -= table[w * stride + k + 1 - p] as number;
          above += table[w * stride + k + 2 - p] as number;
          p++;
          continue;
        }
        let r = diam;
        const e0 = rank[r0 + w] as number;
        if (e0 > r) r = e0;
        const e1 = rank[r1 + w] as number;
        if (e1 > r) r = e1;
        const e2 = rank[r2 + w] as number;
        if (e2 > r) r = e2;
        // Smaller diameter first; among equal diameters the larger index (w descends, so the first seen).
        if (r < bestRank) {
          bestRank = r;
          bestIdx = above + (table[w * stride + k + 2 - p] as number) + below;
          // No cofacet can be born before the simplex itself: this one is the minimum.
          if (r === diam) break;
        }
      }
      return bestIdx < 0 ? Number.POSITIVE_INFINITY : keyOf(bestRank, bestIdx);
    };
    // Explicit reduction in the way of Ripser: the working column is a heap of cofacet keys (repeated
    // until cancelled), and an explicitly reduced column stores its reduction — the earlier columns added to
    // it — rather than its reduced coboundary, which can grow to tens of thousands of entries in dimension 2.
    // Adding a column pushes the coboundaries of that column and of its reduction. The pairing does not
    // depend on how a column is reduced, so the bars are the ones of a reduction by stored coboundaries.
    const heap = new KeyHeap();
    const reductionStart = new Int32Array(keys.length);
    const reductionLength = new Int32Array(keys.length); // 0 for columns paired without reduction
    let reductions = new Int32Array(1024); // stored reductions, back to back
    let reductionsUsed = 0;
    let working = new Int32Array(256); // columns added to the current one (with repeats)
    let workingUsed = 0;
    const addToWorking = (column: number) => {
      if (workingUsed === working.length) working = grown(working);
      working[workingUsed++] = column;
      cofacets(column, heap);
    };

    for (let pos = 0; pos < keys.length; pos++) {
      const sigma = keys[pos] as number;
      const birth = valueAt(diamOfKey(sigma));
      let pivot = minCofacet(pos);
      if (pivot !== Number.POSITIVE_INFINITY && !hasPivot(idxOfKey(pivot))) {
        setPivot(idxOfKey(pivot), pos);
        const death = valueAt(diamOfKey(pivot));
        if (death > birth) bars.push({ dim: k, birth, death });
        continue;
      }
      if (pivot === Number.POSITIVE_INFINITY) {
        bars.push({ dim: k, birth, death: Number.POSITIVE_INFINITY });
        continue;
      }
      // Add earlier columns with the same pivot until the pivot is new (or none is left).
      heap.clear();
      cofacets(pos, heap);
      workingUsed = 0;
      for (;;) {
        pivot = heap.pivot();
        if (pivot === Number.POSITIVE_INFINITY) break;
        const other = columnWithPivot(idxOfKey(pivot));
        if (other < 0) break;
        addToWorking(other);
        const from = reductionStart[other] as number;
        const to = from + (reductionLength[other] as number);
        for (let e = from; e < to; e++) addToWorking(reductions[e] as number);
      }
      if (pivot === Number.POSITIVE_INFINITY) {
        bars.push({ dim: k, birth, death: Number.POSITIVE_INFINITY });
        continue;
      }
      setPivot(idxOfKey(pivot), pos);
      reducedWithPivot.set(idxOfKey(pivot), pos);
      // Store the reduction mod 2: sorted, pairs of repeats cancelled.
      const added = working.subarray(0, workingUsed).sort();
      if (reductions.length < reductionsUsed + workingUsed) reductions = grown(reductions, reductionsUsed + workingUsed);
      reductionStart[pos] = reductionsUsed;
      for (let e = 0; e < workingUsed; ) {
        const column = added[e] as number;
        let repeats = 1;
        while (e + repeats < workingUsed && added[e + repeats] === column) repeats++;
        if (repeats % 2 === 1) reductions[reductionsUsed++] = column;
        e += repeats;
      }
      reductionLength[pos] = reductionsUsed - (reductionStart[pos] as number);
      const death = valueAt(diamOfKey(pivot));
      if (death > birth) bars.push({ dim: k, birth, death });
    }
    if (k === maxDim) break;
    // Next dimension's columns: (k+1)-simplices within the threshold that were not pivots here, in
    // decreasing key order (diameter descending, then index ascending). They are enumerated by increasing
    // index, so a counting sort on the diameter rank orders them without comparisons: one pass counts the
    // simplices of each rank, a second one writes each where its rank's run continues.
    const start = new Int32Array(thresholdRank + 2);
    let offset = 0;
    for (let pass = 0; pass < 2; pass++) {
      if (pass === 1) {
        // Start of each rank's run, highest rank first.
        for (let r = thresholdRank; r >= 0; r--) {
          const c = start[r] as number;
          start[r] = offset;
          offset += c;
        }
        columnKeys = new Float64Array(offset);
        columnVerts = new Int32Array(3 * offset);
      }
      for (let i = 2; i < L; i++) {
        const ri = i * L;
        const ci = table[i * stride + 3] as number;
        for (let j = 1; j < i; j++) {
          const rij = rank[ri + j] as number;
          if (rij > thresholdRank) continue;
          const rj = j * L;
          const cij = ci + (table[j * stride + 2] as number);
          for (let l = 0; l < j; l++) {
            const r = Math.max(rij, rank[ri + l] as number, rank[rj + l] as number);
            if (r > thresholdRank) continue;
            const idx = cij + l;
            if (hasPivot(idx)) continue;
            const at = start[r] as number;
            start[r] = at + 1;
            if (pass === 0) continue;
            columnKeys[at] = keyOf(r, idx);
            columnVerts[3 * at] = i;
            columnVerts[3 * at + 1] = j;
            columnVerts[3 * at + 2] = l;
          }
        }
      }
    }
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
