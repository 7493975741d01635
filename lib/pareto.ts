// The Pareto front of cost vs score (pure): the points no other point beats on both at once.

export interface CostScore {
  /** Lower is better (e.g. median time per instance). */
  cost: number;
  /** Higher is better (e.g. mean normalized score). */
  score: number;
}

/** `a` dominates `b`: at least as cheap and at least as good, and strictly better in one of the two. */
export function dominates(a: CostScore, b: CostScore): boolean {
  return a.cost <= b.cost && a.score >= b.score && (a.cost < b.cost || a.score > b.score);
}

/**
 * The non-dominated points, cheapest first (then best). Equal points do not dominate each other, so both stay.
 * Quadratic, which is plenty for the few dozen methods of a task and obviously right.
 */
export function paretoFront<T extends CostScore>(points: readonly T[]): T[] {
  return points.filter((p) => !points.some((q) => dominates(q, p))).sort((a, b) => a.cost - b.cost || b.score - a.score);
}
