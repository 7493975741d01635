// The worked example of /about/statistics: fixed scores, analysed by harness/statistics.ts when the page is built.
// Its reading on the page (A ~ B, C separated, D in C's group only after Holm) is pinned by harness/statistics.test.ts.

/** Four methods on the same twelve instances: A and B close, C below B on every instance, D just below C. */
export const STATISTICS_EXAMPLE: Record<string, number[]> = {
  "method A": [0.91, 0.84, 0.78, 0.95, 0.88, 0.72, 0.81, 0.9, 0.86, 0.77, 0.93, 0.8],
  "method B": [0.89, 0.86, 0.75, 0.94, 0.9, 0.7, 0.79, 0.91, 0.83, 0.78, 0.9, 0.79],
  "method C": [0.82, 0.77, 0.7, 0.88, 0.8, 0.66, 0.74, 0.83, 0.79, 0.69, 0.85, 0.72],
  "method D": [0.8, 0.79, 0.66, 0.87, 0.79, 0.63, 0.75, 0.8, 0.77, 0.7, 0.83, 0.7],
};
