// Non-negative least squares (Lawson & Hanson 1974, ch. 23): argmin_{λ ≥ 0} ‖Aλ − b‖², exact in finitely many steps.
// It is the one solver T7 needs: the mean-field capacity's per-sample quadratic program is an NNLS (a projection onto
// a polyhedral cone, theory.ts) and so is the linear-separability test (separability.ts).

/**
 * Cholesky factor of the passive columns' Gram matrix, grown one column at a time (O(p²) per column) and rebuilt
 * when columns leave (rarer).
 */
class PassiveFactor {
  readonly order: number[] = [];
  private l = new Float64Array(0);
  private cap = 0;

  constructor(private readonly column: (k: number) => Float64Array) {}

  get size(): number {
    return this.order.length;
  }

  add(k: number): void {
    const p = this.order.length;
    if (p + 1 > this.cap) {
      const cap = Math.max(8, 2 * (p + 1));
      const next = new Float64Array(cap * cap);
      for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) next[i * cap + j] = this.l[i * this.cap + j] as number;
      this.l = next;
      this.cap = cap;
    }
    const c = this.cap;
    const ck = this.column(k);
    for (let j = 0; j < p; j++) {
      let s = ck[this.order[j] as number] as number;
      for (let t = 0; t < j; t++) s -= (this.l[p * c + t] as number) * (this.l[j * c + t] as number);
      this.l[p * c + j] = s / (this.l[j * c + j] as number);
    }
    let d = ck[k] as number;
    for (let t = 0; t < p; t++) d -= (this.l[p * c + t] as number) ** 2;
    // Lawson–Hanson keeps the passive columns independent in exact arithmetic; the floor guards round-off.
    this.l[p * c + p] = Math.sqrt(Math.max(d, 1e-13 * Math.max(1, ck[k] as number)));
    this.order.push(k);
  }

  /** Keep only the columns for which `keep` holds, in order, refactoring from the first one removed. */
  retain(keep: (k: number) => boolean): void {
    const first = this.order.findIndex((k) => !keep(k));
    if (first < 0) return;
    const rest = this.order.slice(first).filter(keep);
    this.order.length = first;
    for (const k of rest) this.add(k);
  }

  /** z with (A_PᵀA_P) z = (Aᵀb)_P, in the order of `order`. */
  solve(atb: Float64Array): Float64Array {
    const p = this.order.length;
    const c = this.cap;
    const y = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = atb[this.order[i] as number] as number;
      for (let t = 0; t < i; t++) s -= (this.l[i * c + t] as number) * (y[t] as number);
      y[i] = s / (this.l[i * c + i] as number);
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = y[i] as number;
      for (let t = i + 1; t < p; t++) s -= (this.l[t * c + i] as number) * (y[t] as number);
      y[i] = s / (this.l[i * c + i] as number);
    }
    return y;
  }
}

/**
 * NNLS on columns given by their inner products: `column(k)[i]` = a_i·a_k (the k-th column of the Gram matrix) and
 * `atb[j]` = a_j·b, for n columns. Works for any number of rows, since only these products enter; only the columns
 * that enter the passive set are asked for, so the caller can compute them lazily.
 * Returns λ ≥ 0 with the KKT conditions met to `tol` (relative to the largest |a_j·b|).
 */
export function nnlsGram(column: (k: number) => Float64Array, atb: Float64Array, n: number, tol = 1e-10): Float64Array {
  const lambda = new Float64Array(n);
  const inPassive = new Uint8Array(n);
  const factor = new PassiveFactor(column);
  let scale = 0;
  for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(atb[j] as number));
  const threshold = tol * Math.max(scale, 1e-300);
  // w = Aᵀ(b − Aλ): the negative gradient; a zero-set column with w_j > 0 would lower the residual.
  const w = new Float64Array(n);
  for (let outer = 0; outer < 3 * n + 10; outer++) {
    w.set(atb);
    for (const k of factor.order) {
      const lk = lambda[k] as number;
      if (lk === 0) continue;
      const ck = column(k);
      for (let j = 0; j < n; j++) w[j] = (w[j] as number) - (ck[j] as number) * lk;
    }
    let best = -1;
    let bestW = threshold;
    for (let j = 0; j < n; j++) {
      if (!inPassive[j] && (w[j] as number) > bestW) {
        bestW = w[j] as number;
        best = j;
      }
    }
    if (best < 0) break;
    factor.add(best);
    inPassive[best] = 1;
    for (let inner = 0; inner < 3 * n + 10 && factor.size > 0; inner++) {
      const z = factor.solve(atb);
      const order = factor.order;
      let step = 1;
      for (let i = 0; i < z.length; i++) {
        const zi = z[i] as number;
        if (zi <= 0) {
          const lk = lambda[order[i] as number] as number;
          step = Math.min(step, lk / (lk - zi));
        }
      }
      if (step === 1 && z.every((v) => v > 0)) {
        for (let i = 0; i < z.length; i++) lambda[order[i] as number] = z[i] as number;
        break;
      }
      // Step from λ toward z until the first passive coefficient reaches 0, and drop those at 0.
      for (let i = 0; i < z.length; i++) {
        const k = order[i] as number;
        lambda[k] = (lambda[k] as number) + step * ((z[i] as number) - (lambda[k] as number));
      }
      factor.retain((k) => {
        if ((lambda[k] as number) > 1e-14) return true;
        lambda[k] = 0;
        inPassive[k] = 0;
        return false;
      });
    }
  }
  return lambda;
}
