// The evaluation queue across all submissions: jobs waiting for a worker and jobs held by one, with their ages. A job
// held past its limit is shown as stuck (its worker died or hangs), never as running.
import type { Metadata } from "next";
import Link from "next/link";
import { Tag } from "@/app/_components/badges.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { database, load } from "@/lib/data.ts";
import { formatDate, formatMs } from "@/lib/format.ts";
import { loadQueue, QUEUE_JOBS_SHOWN, type QueueJob, type QueueJobState } from "@/lib/queue.ts";

export const dynamic = "force-dynamic";

const DESCRIPTION = "Evaluation jobs of Cajal's submission service that wait for a worker or run now, with their ages; stuck jobs marked.";
export const metadata: Metadata = {
  title: "Queue",
  description: DESCRIPTION,
  openGraph: { title: "Queue · Cajal", description: DESCRIPTION },
};

const STATE_STYLE: Record<QueueJobState, string> = {
  waiting: "bg-slate-100 text-slate-700 ring-slate-500/20",
  running: "bg-sky-50 text-sky-700 ring-sky-600/20",
  stuck: "bg-rose-50 text-rose-700 ring-rose-600/20",
};

export default async function QueuePage() {
  const result = await load(() => loadQueue(database()));
  if (!result.ok) return <DbError message={result.error} />;
  const queue = result.data;
  const total = queue.counts.waiting + queue.counts.running + queue.counts.stuck;
  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Queue</h1>
        <p className="mt-2 max-w-3xl text-slate-600">
          Jobs of the submission service: a <em>plan</em> job validates a submission and queues its runs; an <em>instance</em> job scores
          one instance of a run. A job held longer than its limit (the method&apos;s time limit plus a grace) is <em>stuck</em>: its worker
          died or hangs, and a live worker will fail and retry it.
        </p>
        <p className="mt-2 text-sm text-slate-500" data-testid="queue-counts">
          {queue.counts.waiting} waiting · {queue.counts.running} running · {queue.counts.stuck} stuck · as of{" "}
          {formatDate(queue.generatedAt)}
        </p>
      </header>
      {!queue.available ? (
        <p className="text-slate-500" data-testid="queue-empty">
          No queue yet: it is created when the submission service first starts (`npx cajal serve` or `npx cajal worker`).
        </p>
      ) : total === 0 ? (
        <p className="text-slate-500" data-testid="queue-empty">
          Nothing is waiting or running.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full text-left text-sm" data-testid="queue-table">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">
                  State
                </th>
                <th scope="col" className="px-4 py-2 text-right">
                  Age
                </th>
                <th scope="col" className="px-4 py-2">
                  Job
                </th>
                <th scope="col" className="px-4 py-2">
                  Submission
                </th>
                <th scope="col" className="px-4 py-2">
                  Method
                </th>
                <th scope="col" className="px-4 py-2">
                  Task / dataset
                </th>
                <th scope="col" className="px-4 py-2 text-right">
                  Attempts
                </th>
              </tr>
            </thead>
            <tbody>
              {queue.jobs.map((job) => (
                <JobRow key={job.id} job={job} />
              ))}
            </tbody>
          </table>
          {total > queue.jobs.length && (
            <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
              The first {QUEUE_JOBS_SHOWN} of {total} jobs are listed (stuck, then running, then the oldest waiting).
            </p>
          )}
        </div>
      )}
    </div>
  );
}

function JobRow({ job }: { job: QueueJob }) {
  return (
    <tr className="border-t border-slate-100" data-testid="queue-job" data-job={job.id} data-state={job.state}>
      <td className="px-4 py-2">
        <span
          className={`inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STATE_STYLE[job.state]}`}
          data-testid="job-state"
        >
          {job.state}
        </span>
        {job.retry && <span className="ml-2 text-xs text-amber-700">retry</span>}
        {job.gpu && job.state === "waiting" && (
          <span className="block text-xs text-slate-500" data-testid="job-gpu-wait">
            waiting for a GPU worker
          </span>
        )}
        {job.overMs !== null && (
          <span className="block text-xs text-rose-700" data-testid="job-over">
            {formatMs(job.overMs)} over its {formatMs(job.limitMs)} limit
          </span>
        )}
      </td>
      <td className="px-4 py-2 text-right tabular-nums" data-testid="job-age" title={job.startedAt ?? job.createdAt}>
        {formatMs(job.ageMs)}
        <span className="block text-xs text-slate-400">{job.state === "waiting" ? "since queued" : "since started"}</span>
      </td>
      <td className="px-4 py-2">
        <Tag>{job.kind}</Tag>
        {job.gpu && <Tag>GPU</Tag>}
        {job.runId !== null && (
          <Link href={`/runs/${job.runId}`} className="ml-2 text-xs text-indigo-700 hover:underline">
            run {job.runId} #{job.instanceIndex}
          </Link>
        )}
      </td>
      <td className="px-4 py-2" data-testid="job-submissions">
        {job.submissionIds.length === 0
          ? "—"
          : job.submissionIds.map((id, i) => (
              <span key={id}>
                {i > 0 && ", "}
                <Link href={`/submissions/${id}`} className="text-indigo-700 hover:underline">
                  #{id}
                </Link>
              </span>
            ))}
      </td>
      <td className="px-4 py-2 font-mono text-xs" data-testid="job-method">
        {job.method ? `${job.method.id} v${job.method.version}` : "—"}
      </td>
      <td className="px-4 py-2 text-xs text-slate-600" data-testid="job-target">
        {job.task ? `${job.task} / ${job.dataset} (${job.split})` : "plans the runs"}
      </td>
      <td className="px-4 py-2 text-right tabular-nums" data-testid="job-attempts">
        {job.attempts} of {job.maxAttempts}
      </td>
    </tr>
  );
}
