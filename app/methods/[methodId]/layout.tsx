// Unknown method ids get their 404 here, in the layout: it renders before this segment's loading UI
// starts streaming, so the response still carries the 404 status (app/methods/not-found.tsx).
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { load } from "@/lib/data.ts";
import { methodExists } from "@/lib/methods.ts";

export default async function MethodLayout({ children, params }: { children: ReactNode; params: Promise<{ methodId: string }> }) {
  const { methodId } = await params;
  const exists = await load(() => methodExists(methodId));
  // A database failure is left to the page, which explains it.
  if (exists.ok && !exists.data) notFound();
  return children;
}
