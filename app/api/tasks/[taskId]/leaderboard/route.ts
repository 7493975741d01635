// GET /api/tasks/:taskId/leaderboard?format=json|csv: every leaderboard of the task (official split, current versions).
import { csvResponse } from "@/lib/csv.ts";
import { database } from "@/lib/data.ts";
import { leaderboardCsv, leaderboardExport, leaderboardFilename, parseFormat } from "@/lib/export.ts";
import { json, withDatabase } from "@/lib/service.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ taskId: string }> }): Promise<Response> {
  const { taskId } = await params;
  return withDatabase(async () => {
    const format = parseFormat(request.url);
    if (!format.ok) return json(400, { error: format.error });
    const data = await leaderboardExport(taskId);
    if (!data) {
      const tasks = (await database().task.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((t) => t.id);
      return json(404, { error: `unknown task "${taskId}"; tasks: ${tasks.join(", ") || "none registered yet"}`, tasks });
    }
    return format.format === "csv" ? csvResponse(leaderboardCsv(data), leaderboardFilename(data.task.id)) : json(200, data);
  });
}
