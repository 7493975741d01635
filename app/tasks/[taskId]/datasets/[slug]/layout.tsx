// Unknown datasets get their 404 in the layout, before the loading UI streams (see tasks/[taskId]/layout.tsx).
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { datasetExists, load } from "@/lib/data.ts";

export default async function DatasetLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ taskId: string; slug: string }>;
}) {
  const { taskId, slug } = await params;
  const exists = await load(() => datasetExists(taskId, slug));
  if (exists.ok && !exists.data) notFound();
  return children;
}
