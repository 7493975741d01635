// Shown while a page's data loads (the loading.tsx files and the overview's Suspense fallback).
export function LoadingSkeleton() {
  return (
    <div className="animate-pulse space-y-4" aria-busy="true" aria-live="polite">
      <div className="h-7 w-64 rounded bg-slate-200" />
      <div className="h-4 w-96 rounded bg-slate-200" />
      <div className="h-48 rounded-lg bg-slate-200/70" />
      <span className="sr-only">Loading results…</span>
    </div>
  );
}
