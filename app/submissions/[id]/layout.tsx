// Unknown submission ids get their 404 here, before the loading UI streams (as app/runs/[runId]/layout.tsx does).
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { load, submissionExists } from "@/lib/data.ts";

export default async function SubmissionLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const { id } = await params;
  const exists = await load(() => submissionExists(id));
  if (exists.ok && !exists.data) notFound();
  return children;
}
