// Analytic chance level of MMCS for a dictionary of `rows` independent directions drawn uniformly on
// the unit sphere in R^d (what the `random` reference does): for each true feature,
// E[max_j |cos|] = ∫_0^1 (1 − F(x)^rows) dx, where |cos| has density ∝ (1 − t²)^((d−3)/2) on [0, 1].

export function expectedRandomMmcs(d: number, rows: number, steps = 20000): number {
  // CDF of |cos| by trapezoidal integration of the density on a fine grid.
  const density = (t: number) => (d === 2 ? 1 / Math.sqrt(Math.max(1e-300, 1 - t * t)) : (1 - t * t) ** ((d - 3) / 2));
  const h = 1 / steps;
  const cdf = new Float64Array(steps + 1);
  for (let i = 1; i <= steps; i++) {
    const a = (i - 1) * h;
    const b = i * h;
    // midpoint rule avoids the integrable singularity at t = 1 when d = 2
    cdf[i] = (cdf[i - 1] as number) + density((a + b) / 2) * h;
  }
  const total = cdf[steps] as number;
  let expected = 0;
  for (let i = 1; i <= steps; i++) {
    const f = ((cdf[i - 1] as number) + (cdf[i] as number)) / 2 / total;
    expected += (1 - f ** rows) * h;
  }
  return expected;
}
