// Chance level of T3: the `random` reference draws d̂ uniformly from {1, …, D} (D the ambient dimension),
// so its expected score on an instance with true dimension d* is (1/D) Σ_{k=1..D} max(0, 1 − |k − d*| / d*).

export function expectedRandomScore(trueDim: number, upper: number): number {
  let total = 0;
  for (let k = 1; k <= upper; k++) total += Math.max(0, 1 - Math.abs(k - trueDim) / trueDim);
  return total / upper;
}

/** Variance of the `random` reference's score on one instance (for tolerance of chance-level tests). */
export function randomScoreVariance(trueDim: number, upper: number): number {
  const mean = expectedRandomScore(trueDim, upper);
  let second = 0;
  for (let k = 1; k <= upper; k++) second += Math.max(0, 1 - Math.abs(k - trueDim) / trueDim) ** 2;
  return second / upper - mean * mean;
}
