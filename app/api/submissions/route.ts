// POST /api/submissions: upload a method folder (.tar.gz) with `Authorization: Bearer <token>`.
import { postSubmission } from "@/harness/service/api.ts";
import { withService } from "@/lib/service.ts";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return withService((ctx) => postSubmission(ctx, request));
}
