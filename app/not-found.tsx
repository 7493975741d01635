import type { Metadata } from "next";
import { NotFoundPage } from "@/app/_components/not-found-page.tsx";
import { pageMetadata } from "@/lib/metadata.ts";

export const metadata: Metadata = pageMetadata("Page not found", "There is nothing at this address on Cajal.");

export default function NotFound() {
  return <NotFoundPage title="Page not found" message="There is nothing at this address." href="/" linkText="Back to the overview" />;
}
