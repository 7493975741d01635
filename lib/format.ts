// How the site writes numbers, times and hashes. Pure functions (no server imports), shared by the
// pages and by tests that compare page text with database values.

export const SCORE_DIGITS = 3;

/** A score or metric value, e.g. "0.512"; an em dash when there is none. */
export function formatScore(value: number | null | undefined, digits = SCORE_DIGITS): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const text = value.toFixed(digits);
  // -0.000 reads like a real negative value.
  return /^-0\.0+$/.test(text) ? text.slice(1) : text;
}

/** A 95% confidence interval, e.g. "[0.498, 0.527]". */
export function formatCi(low: number | null | undefined, high: number | null | undefined, digits = SCORE_DIGITS): string {
  if (low === null || low === undefined || high === null || high === undefined) return "";
  return `[${formatScore(low, digits)}, ${formatScore(high, digits)}]`;
}

/** A fraction as a percentage, e.g. "83%". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${Math.round(value * 100)}%`;
}

/** A duration: "850 ms", "12.3 s", "4 min 05 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

export function formatMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined || !Number.isFinite(mb)) return "—";
  return `${Math.round(mb)} MiB`;
}

/** An ISO timestamp as "2026-11-27 22:12 UTC". */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The first characters of a hash, for display (the full hash goes in a title attribute). */
export function shortHash(hash: string | null | undefined, length = 12): string {
  if (!hash) return "—";
  return hash.length > length ? hash.slice(0, length) : hash;
}

/** A signed difference with a real minus sign, e.g. "−0.031" or "+0.004". */
export function formatSigned(value: number | null | undefined, digits = SCORE_DIGITS): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const text = formatScore(Math.abs(value), digits);
  return /^0\.0+$/.test(text) ? text : `${value < 0 ? "−" : "+"}${text}`;
}

/** A p-value: "p = 0.02", "p = 0.004", "p < 0.001", "p = 1". */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "p = —";
  if (p < 0.001) return "p < 0.001";
  if (p >= 0.995) return "p = 1";
  return `p = ${p.toFixed(p < 0.01 ? 3 : 2)}`;
}

/** A paired difference and its CI, e.g. "Δ −0.031 [−0.060, −0.010]". */
export function formatDelta(mean: number, low: number, high: number, digits = SCORE_DIGITS): string {
  return `Δ ${formatSigned(mean, digits)} [${formatSigned(low, digits)}, ${formatSigned(high, digits)}]`;
}

/** A rank interval, e.g. "1–2", or "3" when it is a single rank. */
export function formatRankInterval(low: number, high: number): string {
  return low === high ? `${low}` : `${low}–${high}`;
}
