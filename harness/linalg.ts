// Dense linear algebra in plain TypeScript on row-major Float64Array matrices: exact, deterministic
// (no dependence on a tfjs backend) and fast enough for the small square problems methods meet
// (d up to a few hundred). Heavy n×d work belongs in tfjs.

/** Eigen-decomposition of a symmetric matrix: values descending, vectors[i*n .. i*n+n) is the unit eigenvector of values[i]. */
export interface SymmetricEigen {
  values: Float64Array;
  /** Row i is the eigenvector of values[i] (row-major n×n; rows are orthonormal). */
  vectors: Float64Array;
}

/**
 * Symmetric eigen-decomposition by Householder tridiagonalisation and the implicit QL algorithm
 * (tred2/tql2 of EISPACK as in JAMA). O(n³), accurate to machine precision. Only the lower triangle
 * of `a` is read; `a` is not modified. Each eigenvector's sign is fixed so that its entry of largest
 * magnitude is positive, making the output a function of the matrix alone.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n * n} entries, got ${a.length}`);
  // V is kept transposed (vt[j*n + i] = V[i][j]) so that the hot loops run over contiguous memory.
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) vt[i * n + j] = a[i * n + j] as number;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) vt[j * n + i] = vt[i * n + j] as number;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tred2(vt, d, e, n);
    tql2(vt, d, e, n);
  }
  // Sort descending; row i of the result is column order[i] of V, i.e. row order[i] of vt.
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => (d[q] as number) - (d[p] as number) || p - q);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = order[i] as number;
    values[i] = d[src] as number;
    let big = 0;
    for (let c = 0; c < n; c++) {
      const v = vt[src * n + c] as number;
      if (Math.abs(v) > Math.abs(big)) big = v;
    }
    const sign = big < 0 ? -1 : 1;
    for (let c = 0; c < n; c++) vectors[i * n + c] = sign * (vt[src * n + c] as number);
  }
  return { values, vectors };
}

// Householder reduction to tridiagonal form. On entry vt holds the symmetric matrix; on exit it holds
// the accumulated orthogonal transform (transposed), d the diagonal and e the sub-diagonal (e[0] = 0).
// Ported from JAMA's tred2 with V[i][j] → vt[j*n + i].
function tred2(vt: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const V = (i: number, j: number) => vt[j * n + i] as number;
  for (let j = 0; j < n; j++) d[j] = V(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = V(i - 1, j);
        vt[j * n + i] = 0;
        vt[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = (d[k] as number) / scale;
        h += (d[k] as number) * (d[k] as number);
      }
      let f = d[i - 1] as number;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        vt[i * n + j] = f; // V[j][i] = f
        g = (e[j] as number) + V(j, j) * f;
        const col = j * n; // V[k][j] = vt[j*n + k]: contiguous in k
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = vt[col + k] as number;
          g += vkj * (d[k] as number);
          e[k] = (e[k] as number) + vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = (e[j] as number) / h;
        f += (e[j] as number) * (d[j] as number);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = (e[j] as number) - hh * (d[j] as number);
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        g = e[j] as number;
        const col = j * n;
        for (let k = j; k <= i - 1; k++) {
          vt[col + k] = (vt[col + k] as number) - (f * (e[k] as number) + g * (d[k] as number));
        }
        d[j] = V(i - 1, j);
        vt[col + i] = 0; // V[i][j] = 0
      }
    }
    d[i] = h;
  }
  // Accumulate transformations.
  for (let i = 0; i < n - 1; i++) {
    vt[i * n + (n - 1)] = V(i, i); // V[n-1][i] = V[i][i]
    vt[i * n + i] = 1;
    const h = d[i + 1] as number;
    const colI1 = (i + 1) * n; // V[k][i+1] = vt[(i+1)*n + k]
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = (vt[colI1 + k] as number) / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += (vt[colI1 + k] as number) * (vt[col + k] as number);
        for (let k = 0; k <= i; k++) vt[col + k] = (vt[col + k] as number) - g * (d[k] as number);
      }
    }
    for (let k = 0; k <= i; k++) vt[colI1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V(n - 1, j);
    vt[j * n + (n - 1)] = 0;
  }
  vt[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

// Symmetric tridiagonal QL with implicit shifts; rotations are applied to the rows of vt (= columns of V).
function tql2(vt: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m] as number) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60 * n) throw new Error("symmetricEigen: QL iteration did not converge");
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const dl1 = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
        f += h;
        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = Math.hypot(p, e[i] as number);
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          const ri = i * n;
          const ri1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = vt[ri1 + k] as number;
            const vk = vt[ri + k] as number;
            vt[ri1 + k] = s * vk + c * hk;
            vt[ri + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] as number) > eps * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
}

/** Solve the general square system M x = b by Gaussian elimination with partial pivoting; null when M is singular. */
export function solveGeneral(m: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array | null {
  const a = Float64Array.from(m);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col] as number) > Math.abs(a[pivot * n + col] as number)) pivot = r;
    if (Math.abs(a[pivot * n + col] as number) < 1e-12) return null;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        const t = a[col * n + c] as number;
        a[col * n + c] = a[pivot * n + c] as number;
        a[pivot * n + c] = t;
      }
      const t = x[col] as number;
      x[col] = x[pivot] as number;
      x[pivot] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const f = (a[r * n + col] as number) / (a[col * n + col] as number);
      for (let c = col; c < n; c++) a[r * n + c] = (a[r * n + c] as number) - f * (a[col * n + c] as number);
      x[r] = (x[r] as number) - f * (x[col] as number);
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r] as number;
    for (let c = r + 1; c < n; c++) s -= (a[r * n + c] as number) * (x[c] as number);
    x[r] = s / (a[r * n + r] as number);
  }
  return x;
}

/** Eigenvalues of a general real matrix: real parts `re`, imaginary parts `im` (conjugate pairs adjacent, + first). */
export interface GeneralEigenvalues {
  re: Float64Array;
  im: Float64Array;
}

/**
 * Eigenvalues of a general (non-symmetric) real n×n matrix, row-major: Householder reduction to upper Hessenberg
 * form, then the shifted QR algorithm with Francis double shifts and deflation (orthes/hqr of EISPACK as in JAMA,
 * eigenvalues only). O(n³); `a` is not modified. Throws when an eigenvalue has not converged in 30·n sweeps.
 */
export function eigenvalues(a: ArrayLike<number>, n: number): GeneralEigenvalues {
  if (a.length !== n * n) throw new Error(`eigenvalues: expected ${n * n} entries, got ${a.length}`);
  const h = Float64Array.from(a);
  hessenberg(h, n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  hqr(h, n, re, im);
  return { re, im };
}

/** Moduli |λ| of the eigenvalues of a general real n×n matrix (row-major), in the order of `eigenvalues`. */
export function eigenvalueModuli(a: ArrayLike<number>, n: number): number[] {
  const { re, im } = eigenvalues(a, n);
  return Array.from(re, (r, i) => Math.hypot(r, im[i] as number));
}

// Householder similarity reduction of h (row-major n×n, in place) to upper Hessenberg form (JAMA's orthes).
function hessenberg(h: Float64Array, n: number): void {
  const ort = new Float64Array(n);
  const high = n - 1;
  for (let m = 1; m < high; m++) {
    let scale = 0;
    for (let i = m; i <= high; i++) scale += Math.abs(h[i * n + m - 1] as number);
    if (scale === 0) continue;
    let hh = 0;
    for (let i = high; i >= m; i--) {
      ort[i] = (h[i * n + m - 1] as number) / scale;
      hh += (ort[i] as number) ** 2;
    }
    let g = Math.sqrt(hh);
    if ((ort[m] as number) > 0) g = -g;
    hh -= (ort[m] as number) * g;
    ort[m] = (ort[m] as number) - g;
    // H ← (I − u uᵀ/hh) H (I − u uᵀ/hh)
    for (let j = m; j < n; j++) {
      let f = 0;
      for (let i = high; i >= m; i--) f += (ort[i] as number) * (h[i * n + j] as number);
      f /= hh;
      for (let i = m; i <= high; i++) h[i * n + j] = (h[i * n + j] as number) - f * (ort[i] as number);
    }
    for (let i = 0; i <= high; i++) {
      let f = 0;
      for (let j = high; j >= m; j--) f += (ort[j] as number) * (h[i * n + j] as number);
      f /= hh;
      for (let j = m; j <= high; j++) h[i * n + j] = (h[i * n + j] as number) - f * (ort[j] as number);
    }
    ort[m] = scale * (ort[m] as number);
    h[m * n + m - 1] = scale * g;
  }
}

// Eigenvalues of an upper Hessenberg matrix (row-major, destroyed) by the shifted QR algorithm with Francis double
// shifts (JAMA's hqr2 without the eigenvectors; the exceptional shifts of iterations 10 and 30 included).
function hqr(h: Float64Array, nn: number, re: Float64Array, im: Float64Array): void {
  const H = (i: number, j: number) => h[i * nn + j] as number;
  const set = (i: number, j: number, v: number) => {
    h[i * nn + j] = v;
  };
  const eps = 2 ** -52;
  let norm = 0;
  for (let i = 0; i < nn; i++) for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(H(i, j));
  let n = nn - 1;
  let exshift = 0;
  let iter = 0;
  let p = 0;
  let q = 0;
  let r = 0;
  let s = 0;
  let z = 0;
  let w: number;
  let x: number;
  let y: number;
  while (n >= 0) {
    // Look for a single small sub-diagonal element.
    let l = n;
    while (l > 0) {
      s = Math.abs(H(l - 1, l - 1)) + Math.abs(H(l, l));
      if (s === 0) s = norm;
      if (Math.abs(H(l, l - 1)) < eps * s) break;
      l--;
    }
    if (l === n) {
      // One root found.
      re[n] = H(n, n) + exshift;
      im[n] = 0;
      n--;
      iter = 0;
    } else if (l === n - 1) {
      // Two roots found: the trailing 2×2 block.
      w = H(n, n - 1) * H(n - 1, n);
      p = (H(n - 1, n - 1) - H(n, n)) / 2;
      q = p * p + w;
      z = Math.sqrt(Math.abs(q));
      x = H(n, n) + exshift;
      if (q >= 0) {
        z = p >= 0 ? p + z : p - z;
        re[n - 1] = x + z;
        re[n] = z !== 0 ? x - w / z : x + z;
        im[n - 1] = 0;
        im[n] = 0;
      } else {
        re[n - 1] = x + p;
        re[n] = x + p;
        im[n - 1] = z;
        im[n] = -z;
      }
      n -= 2;
      iter = 0;
    } else {
      // No convergence yet: a Francis double-shift QR step on rows and columns l…n.
      x = H(n, n);
      y = H(n - 1, n - 1);
      w = H(n, n - 1) * H(n - 1, n);
      if (iter === 10) {
        // Wilkinson's exceptional shift.
        exshift += x;
        for (let i = 0; i <= n; i++) set(i, i, H(i, i) - x);
        s = Math.abs(H(n, n - 1)) + Math.abs(H(n - 1, n - 2));
        x = 0.75 * s;
        y = x;
        w = -0.4375 * s * s;
      }
      if (iter === 30) {
        // MATLAB's exceptional shift.
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = 0; i <= n; i++) set(i, i, H(i, i) - s);
          exshift += s;
          x = 0.964;
          y = x;
          w = x;
        }
      }
      iter++;
      if (iter > 30 * nn + 30) throw new Error("eigenvalues: the QR iteration did not converge");
      // Look for two consecutive small sub-diagonal elements.
      let m = n - 2;
      while (m >= l) {
        z = H(m, m);
        r = x - z;
        s = y - z;
        p = (r * s - w) / H(m + 1, m) + H(m, m + 1);
        q = H(m + 1, m + 1) - z - r - s;
        r = H(m + 2, m + 1);
        s = Math.abs(p) + Math.abs(q) + Math.abs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m === l) break;
        if (
          Math.abs(H(m, m - 1)) * (Math.abs(q) + Math.abs(r)) <
          eps * (Math.abs(p) * (Math.abs(H(m - 1, m - 1)) + Math.abs(z) + Math.abs(H(m + 1, m + 1))))
        )
          break;
        m--;
      }
      for (let i = m + 2; i <= n; i++) {
        set(i, i - 2, 0);
        if (i > m + 2) set(i, i - 3, 0);
      }
      for (let k = m; k <= n - 1; k++) {
        const notlast = k !== n - 1;
        if (k !== m) {
          p = H(k, k - 1);
          q = H(k + 1, k - 1);
          r = notlast ? H(k + 2, k - 1) : 0;
          x = Math.abs(p) + Math.abs(q) + Math.abs(r);
          if (x === 0) continue;
          p /= x;
          q /= x;
          r /= x;
        }
        s = Math.sqrt(p * p + q * q + r * r);
        if (p < 0) s = -s;
        if (s === 0) continue;
        if (k !== m) set(k, k - 1, -s * x);
        else if (l !== m) set(k, k - 1, -H(k, k - 1));
        p += s;
        x = p / s;
        y = q / s;
        z = r / s;
        q /= p;
        r /= p;
        // Row modification.
        for (let j = k; j < nn; j++) {
          p = H(k, j) + q * H(k + 1, j);
          if (notlast) {
            p += r * H(k + 2, j);
            set(k + 2, j, H(k + 2, j) - p * z);
          }
          set(k, j, H(k, j) - p * x);
          set(k + 1, j, H(k + 1, j) - p * y);
        }
        // Column modification.
        for (let i = 0; i <= Math.min(n, k + 3); i++) {
          p = x * H(i, k) + y * H(i, k + 1);
          if (notlast) {
            p += z * H(i, k + 2);
            set(i, k + 2, H(i, k + 2) - p * r);
          }
          set(i, k, H(i, k) - p);
          set(i, k + 1, H(i, k + 1) - p * q);
        }
      }
    }
  }
}

/** Column means of a row-major n×d matrix. */
export function columnMeans(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (x[s * d + c] as number);
  for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) / Math.max(1, n);
  return mean;
}

/**
 * The 4 × 2 block of dot products of rows a, a+1, a+2, a+3 of row-major `x` with rows b, b+1 of row-major `y` (the
 * same matrix or another), all rows `len` long (`a`, `b`: offsets of the first rows), into out[2·r + c]. Eight
 * independent sums over one pass keep the values in registers; each sum runs in index order, so results equal
 * plain dot products. Exact neighbours (a Gram block), the Gram matrix here and the SAE encoder use it.
 */
export function dotBlock4x2(x: Float64Array, a: number, y: Float64Array, b: number, len: number, out: Float64Array): void {
  const a1 = a + len;
  const a2 = a1 + len;
  const a3 = a2 + len;
  const b1 = b + len;
  let c00 = 0;
  let c01 = 0;
  let c10 = 0;
  let c11 = 0;
  let c20 = 0;
  let c21 = 0;
  let c30 = 0;
  let c31 = 0;
  for (let s = 0; s < len; s++) {
    const x0 = x[a + s] as number;
    const x1 = x[a1 + s] as number;
    const x2 = x[a2 + s] as number;
    const x3 = x[a3 + s] as number;
    const y0 = y[b + s] as number;
    const y1 = y[b1 + s] as number;
    c00 += x0 * y0;
    c01 += x0 * y1;
    c10 += x1 * y0;
    c11 += x1 * y1;
    c20 += x2 * y0;
    c21 += x2 * y1;
    c30 += x3 * y0;
    c31 += x3 * y1;
  }
  out[0] = c00;
  out[1] = c01;
  out[2] = c10;
  out[3] = c11;
  out[4] = c20;
  out[5] = c21;
  out[6] = c30;
  out[7] = c31;
}

/**
 * Covariance (1/n normalisation, the maximum-likelihood estimate that PCA and FastICA whitening use)
 * of the rows of a row-major n×d matrix, about `mean` (column means when omitted). Accumulated in
 * float64, so the result does not depend on any backend.
 *
 * Each entry is Σ_s (x_si − mean_i)(x_sj − mean_j) summed in sample order, computed as a dot product of
 * two centred columns (stored transposed, contiguous), 4 × 2 entries at a time with independent sums.
 */
export function covariance(x: ArrayLike<number>, n: number, d: number, mean: ArrayLike<number> = columnMeans(x, n, d)): Float64Array {
  const cov = new Float64Array(d * d);
  // Centred columns as rows (d×n), padded with zero rows to a multiple of 4 (their entries are not kept).
  const padded = Math.ceil(d / 4) * 4;
  const ct = new Float64Array(padded * n);
  for (let s = 0; s < n; s++) {
    const base = s * d;
    for (let c = 0; c < d; c++) ct[c * n + s] = (x[base + c] as number) - (mean[c] as number);
  }
  // Upper triangle only (j ≥ i); mirrored below.
  const sums = new Float64Array(8);
  for (let i0 = 0; i0 < d; i0 += 4) {
    for (let j = i0; j < padded; j += 2) {
      dotBlock4x2(ct, i0 * n, ct, j * n, n, sums);
      for (let t = 0; t < 8; t++) {
        const i = i0 + (t >> 1);
        const jj = j + (t & 1);
        if (i < d && jj < d && jj >= i) cov[i * d + jj] = sums[t] as number;
      }
    }
  }
  const scale = 1 / Math.max(1, n);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = (cov[i * d + j] as number) * scale;
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return cov;
}

/** Row-major (r×k) · (k×c) product. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const ro = i * c;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p] as number;
      if (aip === 0) continue;
      const rb = p * c;
      for (let j = 0; j < c; j++) out[ro + j] = (out[ro + j] as number) + aip * (b[rb + j] as number);
    }
  }
  return out;
}

/** Transpose of a row-major r×c matrix. */
export function transpose(a: ArrayLike<number>, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j] as number;
  return out;
}

/**
 * Symmetric decorrelation W ← (W Wᵀ)^(-1/2) W of a square m×m matrix, the step FastICA uses to keep
 * its unmixing rows orthonormal without favouring any row (Hyvärinen 1999).
 */
export function symmetricDecorrelation(w: ArrayLike<number>, m: number): Float64Array {
  const wwt = matMul(w, transpose(w, m, m), m, m, m);
  const { values, vectors } = symmetricEigen(wwt, m);
  // (W Wᵀ)^(-1/2) = Eᵀ diag(λ^(-1/2)) E with E's rows the eigenvectors.
  const floor = Math.max(Number.MIN_VALUE, (values[0] as number) * 1e-12);
  const scaled = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const f = 1 / Math.sqrt(Math.max(values[i] as number, floor));
    for (let j = 0; j < m; j++) scaled[i * m + j] = (vectors[i * m + j] as number) * f;
  }
  const invSqrt = matMul(transpose(vectors, m, m), scaled, m, m, m);
  return matMul(invSqrt, w, m, m, m);
}

/** Principal axes of the rows of a row-major n×d matrix: column means, covariance eigenvalues (descending) and eigenvectors (rows). */
export interface PrincipalAxes extends SymmetricEigen {
  mean: Float64Array;
}

export function principalAxes(x: ArrayLike<number>, n: number, d: number): PrincipalAxes {
  const mean = columnMeans(x, n, d);
  return { mean, ...symmetricEigen(covariance(x, n, d, mean), d) };
}

/**
 * Orthonormalise the columns of a row-major r×c matrix in place (r ≥ c): the Q factor of its thin QR
 * decomposition with R's diagonal positive (modified Gram–Schmidt, two passes, so Q is orthonormal to machine
 * precision). A column dependent on the previous ones (norm below `tol` relative to its original norm) is
 * returned as zeros, and the count of independent columns is returned.
 */
export function orthonormalizeColumns(a: Float64Array, r: number, c: number, tol = 1e-12): number {
  let rank = 0;
  for (let j = 0; j < c; j++) {
    let original = 0;
    for (let i = 0; i < r; i++) original += (a[i * c + j] as number) ** 2;
    for (let pass = 0; pass < 2; pass++)
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < r; i++) dot += (a[i * c + p] as number) * (a[i * c + j] as number);
        for (let i = 0; i < r; i++) a[i * c + j] = (a[i * c + j] as number) - dot * (a[i * c + p] as number);
      }
    let norm = 0;
    for (let i = 0; i < r; i++) norm += (a[i * c + j] as number) ** 2;
    norm = Math.sqrt(norm);
    const keep = norm > tol * Math.sqrt(original) && norm > 0;
    for (let i = 0; i < r; i++) a[i * c + j] = keep ? (a[i * c + j] as number) / norm : 0;
    if (keep) rank++;
  }
  return rank;
}
