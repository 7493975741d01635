// GET /api/runs/:runId/instances?format=json|csv: a run's per-instance results, as its run page lists them.
import { csvResponse } from "@/lib/csv.ts";
import { instancesCsv, instancesExport, instancesFilename, parseFormat } from "@/lib/export.ts";
import { json, withDatabase } from "@/lib/service.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }): Promise<Response> {
  const { runId } = await params;
  return withDatabase(async () => {
    const format = parseFormat(request.url);
    if (!format.ok) return json(400, { error: format.error });
    const data = await instancesExport(runId);
    if (!data) return json(404, { error: `run ${runId} does not exist` });
    return format.format === "csv" ? csvResponse(instancesCsv(data), instancesFilename(data.run.id)) : json(200, data);
  });
}
