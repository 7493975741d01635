// Chance level of T7: the `random` reference draws log2 α̂ uniformly on [log2 a, log2 b] (capacityBounds(M)), so its
// expected score on an instance with truth α* is the triangle 1 − |x − log2 α*| (clipped at 0) averaged over that
// interval: (1/L) ∫ max(0, 1 − |x − x*|) dx, L = log2(b/a).

/** ∫_lo^hi (1 − |u|) du for −1 ≤ lo ≤ hi ≤ 1. */
function triangleArea(lo: number, hi: number): number {
  const g = (u: number) => u - (Math.sign(u) * u * u) / 2;
  return g(hi) - g(lo);
}

export function expectedRandomScore(truth: number, lower: number, upper: number): number {
  const x = Math.log2(truth);
  const a = Math.log2(lower);
  const b = Math.log2(upper);
  const lo = Math.max(a, x - 1) - x;
  const hi = Math.min(b, x + 1) - x;
  return hi > lo ? triangleArea(lo, hi) / (b - a) : 0;
}
