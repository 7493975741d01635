// Unknown task ids get their 404 here, in the layout: it renders before this segment's loading UI
// starts streaming, so the response still carries the 404 status (app/tasks/not-found.tsx).
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { load, taskExists } from "@/lib/data.ts";

export default async function TaskLayout({ children, params }: { children: ReactNode; params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  const exists = await load(() => taskExists(taskId));
  // A database failure is left to the page, which explains it.
  if (exists.ok && !exists.data) notFound();
  return children;
}
