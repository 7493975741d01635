// GET /api/methods/:methodId: the method page's data (profile over every task and dataset, versions, README).
import { getMethodPage } from "@/lib/methods.ts";
import { json, withDatabase } from "@/lib/service.ts";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ methodId: string }> }): Promise<Response> {
  const { methodId } = await params;
  return withDatabase(async () => {
    const method = await getMethodPage(methodId);
    if (!method) return json(404, { error: `unknown method "${methodId}": the page /methods lists every method` });
    return json(200, method);
  });
}
