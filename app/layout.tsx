import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { SITE_DESCRIPTION, SITE_NAME } from "@/lib/metadata.ts";
import "./globals.css";

const HOME_TITLE = "Cajal — interpretability benchmark";
// The overview's title and card; every other page sets its own (lib/metadata.ts), the template appends " · Cajal".
export const metadata: Metadata = {
  title: { default: HOME_TITLE, template: `%s · ${SITE_NAME}` },
  description: SITE_DESCRIPTION,
  openGraph: { title: HOME_TITLE, description: SITE_DESCRIPTION, type: "website", siteName: SITE_NAME },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-6xl items-center gap-8 px-6 py-3">
            <Link href="/" className="flex items-baseline gap-2">
              <span className="text-lg font-semibold tracking-tight text-slate-900">Cajal</span>
              <span className="hidden text-xs text-slate-500 sm:inline">interpretability with ground truth</span>
            </Link>
            <nav className="flex gap-5 text-sm text-slate-600">
              <Link href="/" className="hover:text-slate-900">
                Overview
              </Link>
              <Link href="/#tasks" className="hover:text-slate-900">
                Tasks
              </Link>
              <Link href="/methods" className="hover:text-slate-900">
                Methods
              </Link>
              <Link href="/queue" className="hover:text-slate-900">
                Queue
              </Link>
            </nav>
          </div>
        </header>
        <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
        <footer className="mx-auto max-w-6xl px-6 pb-10 text-xs text-slate-500">
          Scores are on the official split. Normalized score = (score − floor) / (oracle − floor) on the same instances, where the floor is
          the best of random and the floor references. A failed instance counts at the task's lowest score; a run that failed as a whole has
          no score.
        </footer>
      </body>
    </html>
  );
}
