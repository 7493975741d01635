// GET /api/submissions/:id: the submission's live status (the submission page polls it).
import { getSubmission } from "@/harness/service/api.ts";
import { withService } from "@/lib/service.ts";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withService((ctx) => getSubmission(ctx, id));
}
