// T6 scores: AUROC of importance against the binary truth (ties share their average rank), and precision at k
// (k = number of causal units; ties at the cut-off share the remaining places in expectation).

/** Average ranks (1-based) of `values`, ties sharing the mean of the ranks they span. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1] as number] === values[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Area under the ROC curve of `scores` for the positives in `labels` (non-zero = positive), by the Mann–Whitney
 * statistic with average ranks: the probability that a random positive outranks a random negative, ties counting
 * one half. With no positives or no negatives the AUROC is undefined; 0.5 is returned.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const ranks = averageRanks(scores);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if ((labels[i] as number) !== 0) {
      positives++;
      rankSum += ranks[i] as number;
    }
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Expected fraction of causal units among the k highest-scored units, k = number of causal units, breaking ties
 * at the cut-off uniformly at random. 1 for a perfect ranking; k/H in expectation for a random one.
 */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  let k = 0;
  for (let i = 0; i < n; i++) if ((labels[i] as number) !== 0) k++;
  if (k === 0) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let hits = 0;
  let taken = 0;
  let i = 0;
  while (i < n && taken < k) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const size = j - i + 1;
    let positives = 0;
    for (let t = i; t <= j; t++) if ((labels[order[t] as number] as number) !== 0) positives++;
    const places = Math.min(size, k - taken);
    hits += (positives * places) / size;
    taken += places;
    i = j + 1;
  }
  return hits / k;
}
