// GET /api/runs/:runId: a run's export (versions, hashes, per-instance seeds and scores) for `cajal reproduce`.
import { getRun } from "@/harness/service/api.ts";
import { withService } from "@/lib/service.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }): Promise<Response> {
  const { runId } = await params;
  return withService((ctx) => getRun(ctx, request, runId));
}
