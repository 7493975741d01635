// What the normalized score's 0 is, how floor rows and failures count: shown wherever normalized scores appear.
import type { ReactNode } from "react";

/** The explanation of normalized scores, floor rows and failures (issue 10), as one short paragraph. */
export function ScoringNote({ className = "", children }: { className?: string; children?: ReactNode }) {
  return (
    <p className={`text-xs text-slate-500 ${className}`} data-testid="scoring-note">
      Normalized = (score − floor) / (oracle − floor): 1 is the oracle (reads the ground truth) and 0 the <em>floor</em>, the best of random
      (mean of 8 draws per instance) and the <span className="font-medium text-amber-800">floor rows</span> on the same instances — the best
      constant answer, a shape-only predictor and the task&apos;s shortcut. Floor rows are rows to beat, never ranked: above 0 means better
      than every trivial answer. A failed instance counts as the task&apos;s lowest score (marked “k of n failed”), so failing never helps;
      a method without a finished run on every dataset of a domain gets no score for that domain.
      {children}
    </p>
  );
}

/** The mark of a run whose failed instances were counted at the task's lowest score. */
export function FailedMark({ failed, of }: { failed: number; of: number }) {
  if (failed <= 0) return null;
  return (
    <span
      className="badge ml-1 bg-rose-50 text-rose-700 ring-rose-600/20"
      title="Failed instances are counted at the task's lowest score: failing never scores better than answering"
      data-testid="failed-mark"
    >
      {failed} of {of} failed, counted as lowest
    </span>
  );
}
