// Unknown run ids get their 404 here, in the layout: it renders before this segment's loading UI
// starts streaming, so the response still carries the 404 status (app/runs/not-found.tsx).
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { load, runExists } from "@/lib/data.ts";

export default async function RunLayout({ children, params }: { children: ReactNode; params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const exists = await load(() => runExists(runId));
  if (exists.ok && !exists.data) notFound();
  return children;
}
