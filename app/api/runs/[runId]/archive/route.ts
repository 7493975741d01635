// GET /api/runs/:runId/archive: the submitted method folder (.tar.gz) the run used.
import { getRunArchive } from "@/harness/service/api.ts";
import { withService } from "@/lib/service.ts";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }): Promise<Response> {
  const { runId } = await params;
  return withService((ctx) => getRunArchive(ctx, runId));
}
