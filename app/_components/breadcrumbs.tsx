// The trail at the top of every page below the overview: "Overview / task / dataset".
import Link from "next/link";
import type { ReactNode } from "react";

export interface Crumb {
  label: ReactNode;
  /** A link to that page; the last crumb (this page) has none. */
  href?: string;
  /** Ids (task, dataset, method) are shown in monospace. */
  mono?: boolean;
}

export function Breadcrumbs({ trail }: { trail: Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
      <Link href="/" className="hover:underline">
        Overview
      </Link>
      {trail.map((crumb, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a trail is fixed per page; its position is its identity
        <span key={i}>
          {" / "}
          {crumb.href ? (
            <Link href={crumb.href} className={`hover:underline${crumb.mono ? " font-mono" : ""}`}>
              {crumb.label}
            </Link>
          ) : (
            <span className={crumb.mono ? "font-mono" : undefined}>{crumb.label}</span>
          )}
        </span>
      ))}
    </nav>
  );
}
