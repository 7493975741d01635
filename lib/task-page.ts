// The task leaderboard page's data (server only): the task at the requested version, filtered and sorted as its URL
// asks (lib/task-query.ts), the origin and language of its methods, and the task's changelog.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { database, getTask, type TaskPage } from "./data.ts";
import { markdownSection } from "./markdown.ts";
import { methodOrigins } from "./methods.ts";
import { applyTaskQuery, parseTaskQuery, type SearchParams, type TaskQuery, type TaskView } from "./task-query.ts";

if (typeof window !== "undefined") throw new Error("lib/task-page.ts is server-only");

const TASK_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface TaskPageView extends TaskView {
  task: TaskPage;
  query: TaskQuery;
  /** The dated "Changelog" section of tasks/<id>/README.md (Markdown), when there is one. */
  changelog: string | null;
}

/** The "## Changelog" section of the task's README (next start and vitest both run from the repository root). */
export async function taskChangelog(taskId: string): Promise<string | null> {
  if (!TASK_ID.test(taskId)) return null;
  try {
    const readme = await readFile(path.join(process.cwd(), "tasks", taskId, "README.md"), "utf8");
    return markdownSection(readme, /^#{2,3}\s+changelog\b/i);
  } catch {
    return null;
  }
}

/** The task page for its URL's search params; null for an unknown task. Invalid params are ignored with a note. */
export async function getTaskPage(taskId: string, params: SearchParams): Promise<TaskPageView | null> {
  const { query, notes } = parseTaskQuery(params);
  if (query.version !== undefined && (await database().taskVersion.count({ where: { taskId, version: query.version } })) === 0) {
    notes.push(`Ignored version=${query.version}: this task has no version ${query.version}.`);
    query.version = undefined;
  }
  const [task, changelog] = await Promise.all([
    getTask(taskId, {
      at: query.version === undefined ? {} : { task: query.version },
      costScope: { domain: query.domain, dataset: query.dataset },
    }),
    taskChangelog(taskId),
  ]);
  if (!task) return null;
  // The latest version is the default view: ?version=<latest> is the same page.
  if (query.version === task.latestVersion) query.version = undefined;
  const facts = await methodOrigins([...task.leaderboards.flatMap((b) => b.entries), ...task.costs]);
  const view = applyTaskQuery(task, query, facts);
  return { ...view, notes: [...notes, ...view.notes], task, query, changelog };
}
