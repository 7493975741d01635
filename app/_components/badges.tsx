// Small labels: run/instance status, dataset domain, method role.
import type { ReactNode } from "react";
import type { Domain, RunStatus } from "@/harness/types.ts";

const STATUS_STYLE: Record<RunStatus, string> = {
  ok: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  running: "bg-sky-50 text-sky-700 ring-sky-600/20",
  queued: "bg-slate-100 text-slate-600 ring-slate-500/20",
  "invalid-output": "bg-amber-50 text-amber-800 ring-amber-600/30",
  error: "bg-rose-50 text-rose-700 ring-rose-600/20",
  timeout: "bg-orange-50 text-orange-700 ring-orange-600/20",
};

const DOMAIN_STYLE: Record<Domain, string> = {
  synthetic: "bg-violet-50 text-violet-700 ring-violet-600/20",
  artificial: "bg-sky-50 text-sky-700 ring-sky-600/20",
  biological: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
};

/** The label's shape (app/globals.css), shared by every badge. */
const BASE = "badge";

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`${BASE} ${STATUS_STYLE[status] ?? STATUS_STYLE.error}`} data-testid="status">
      {status}
    </span>
  );
}

export function DomainBadge({ domain }: { domain: Domain }) {
  return (
    <span className={`${BASE} ${DOMAIN_STYLE[domain]}`} data-testid="domain">
      {domain}
    </span>
  );
}

export function Tag({ children, tone = "slate" }: { children: ReactNode; tone?: "slate" | "amber" }) {
  const style = tone === "amber" ? "bg-amber-50 text-amber-800 ring-amber-600/20" : "bg-slate-100 text-slate-600 ring-slate-500/20";
  return <span className={`${BASE} ${style}`}>{children}</span>;
}
