// A submission: where it stands (queued with its position, running with instances done, finished, failed and why),
// its runs on the official and private splits, and the logs of failed instances. Rendered on the server, then kept
// current by <LiveStatus>, which polls GET /api/submissions/:id until the submission has ended.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { getSubmission, load } from "@/lib/data.ts";
import { submissionMetadata } from "@/lib/metadata.ts";
import { LiveStatus } from "./live-status.tsx";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return submissionMetadata(id);
}

export default async function SubmissionPage({ params }: Props) {
  const { id } = await params;
  const result = await load(() => getSubmission(id));
  if (!result.ok) return <DbError message={result.error} />;
  if (!result.data) notFound();
  return (
    <div className="space-y-6">
      <Breadcrumbs trail={[{ label: `submission ${result.data.id}` }]} />
      <LiveStatus initial={result.data} />
    </div>
  );
}
