"use client";
// The submission's status, polled every few seconds from GET /api/submissions/:id while it is queued or running.
import Link from "next/link";
import { useEffect, useState } from "react";
import { StatusBadge, Tag } from "@/app/_components/badges.tsx";
import type { SubmissionRunStatus, SubmissionStatusView } from "@/harness/service/runs.ts";
import { formatCi, formatScore } from "@/lib/format.ts";

const POLL_MS = 2000;

const STATE_STYLE: Record<SubmissionStatusView["status"], string> = {
  queued: "bg-slate-100 text-slate-700 ring-slate-500/20",
  running: "bg-sky-50 text-sky-700 ring-sky-600/20",
  finished: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  failed: "bg-rose-50 text-rose-700 ring-rose-600/20",
};

export function LiveStatus({ initial }: { initial: SubmissionStatusView }) {
  const [view, setView] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const live = view.status === "queued" || view.status === "running";

  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(async () => {
      try {
        const response = await fetch(`/api/submissions/${view.id}`, { cache: "no-store" });
        const body = (await response.json()) as SubmissionStatusView & { error?: string };
        if (!response.ok) setProblem(body.error ?? `HTTP ${response.status}`);
        else {
          setProblem(null);
          setView(body);
        }
      } catch (error) {
        setProblem(`cannot reach the server: ${(error as Error).message}`);
        setView((v) => ({ ...v })); // poll again
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [view, live]);

  const own = view.runs.filter((r) => r.role === "method");
  const references = view.runs.filter((r) => r.role === "reference");
  return (
    <div className="space-y-6" data-testid="submission" data-status={view.status}>
      <header>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">
            {view.method.name ?? view.method.id}{" "}
            <span className="font-mono text-base font-normal text-slate-400">v{view.method.version}</span>
          </h1>
          <span
            className={`inline-flex items-center rounded-md px-2 py-0.5 text-sm font-medium ring-1 ring-inset ${STATE_STYLE[view.status]}`}
            data-testid="submission-status"
          >
            {view.status}
          </span>
          {live && <span className="text-xs text-slate-400">updates every {POLL_MS / 1000} s</span>}
        </div>
        <p className="mt-2 text-sm text-slate-600" data-testid="submission-summary">
          {summary(view)}
        </p>
        {problem && <p className="mt-1 text-sm text-amber-700">Status update failed: {problem}</p>}
      </header>

      {view.message && (
        <div
          className={`rounded-lg border px-4 py-3 text-sm ${view.status === "failed" ? "border-rose-200 bg-rose-50 text-rose-800" : "border-amber-200 bg-amber-50 text-amber-900"}`}
          data-testid="submission-message"
        >
          {view.message}
        </div>
      )}

      {view.status === "running" && (
        <progress className="h-2 w-full accent-sky-500" value={view.progress.done} max={Math.max(1, view.progress.total)}>
          {view.progress.done}/{view.progress.total}
        </progress>
      )}

      {own.length > 0 && <Runs title="Runs of the method" runs={own} />}
      {references.length > 0 && (
        <Runs
          title="Reference runs (random, oracle and the floor references): the normalized scores need them on the same instances"
          runs={references}
        />
      )}

      <p className="text-xs text-slate-500">
        Archive sha256 <span className="font-mono">{view.archive.sha256}</span> ({view.archive.bytes} bytes) · submitted{" "}
        {new Date(view.createdAt).toUTCString()}
        {view.finishedAt && <> · ended {new Date(view.finishedAt).toUTCString()}</>}
      </p>
    </div>
  );
}

function summary(view: SubmissionStatusView): string {
  switch (view.status) {
    case "queued":
      return view.queue
        ? `Queued: position ${view.queue.position} (${view.queue.ahead} submission${view.queue.ahead === 1 ? "" : "s"} ahead). A worker will validate the method and queue its runs.`
        : "Queued.";
    case "running":
      return `Running: ${view.progress.done} of ${view.progress.total} instances done.${view.waitingForGpuWorker ? " The method asks for a GPU: its runs are waiting for a GPU worker (cajal worker --gpus on a machine with an NVIDIA GPU)." : ""}`;
    case "finished":
      return `Finished: ${view.runs.filter((r) => r.role === "method" && r.status === "ok").length} of ${view.runs.filter((r) => r.role === "method").length} runs scored.`;
    case "failed":
      return "Failed: the submission could not be scored (see why below).";
  }
}

function Runs({ title, runs }: { title: string; runs: SubmissionRunStatus[] }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 className="border-b border-slate-100 px-6 py-3 text-base font-semibold">{title}</h2>
      <table className="min-w-full text-sm">
        <thead className="text-left text-xs text-slate-500">
          <tr className="border-b border-slate-200">
            <th className="px-6 py-2 font-medium">Run</th>
            <th className="px-3 py-2 font-medium">Dataset</th>
            <th className="px-3 py-2 font-medium">Split</th>
            <th className="px-3 py-2 font-medium">Status</th>
            <th className="px-3 py-2 text-right font-medium">Instances</th>
            <th className="px-3 py-2 text-right font-medium">Score [95% CI]</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {runs.map((r) => (
            <RunRow key={r.runId} run={r} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RunRow({ run: r }: { run: SubmissionRunStatus }) {
  return (
    <>
      <tr data-testid="submission-run" data-run={r.runId} data-status={r.status} data-split={r.split}>
        <td className="px-6 py-2">
          <Link href={`/runs/${r.runId}`} className="hover:underline">
            {r.method} #{r.runId}
          </Link>
        </td>
        <td className="px-3 py-2 font-mono text-xs">
          {r.task}/{r.dataset}
        </td>
        <td className="px-3 py-2">{r.split === "private" ? <Tag tone="amber">private</Tag> : <Tag>{r.split}</Tag>}</td>
        <td className="px-3 py-2">
          <StatusBadge status={r.status} />
        </td>
        <td className="px-3 py-2 text-right tabular-nums" data-testid="run-progress">
          {r.instancesDone}/{r.instances}
        </td>
        <td className="px-3 py-2 text-right tabular-nums">
          {formatScore(r.score)} <span className="text-xs text-slate-400">{formatCi(r.ciLow, r.ciHigh)}</span>
        </td>
      </tr>
      {(r.message || r.failed.length > 0) && (
        <tr>
          <td colSpan={6} className="bg-rose-50/40 px-6 py-2 text-xs text-rose-800">
            {r.message && <p>{r.message}</p>}
            {r.failed.map((f) => (
              <details key={f.index} className="mt-1" data-testid="failed-instance">
                <summary className="cursor-pointer">
                  {f.instanceKey}: {f.status}
                  {f.message ? ` — ${f.message}` : ""}
                </summary>
                {f.log && (
                  <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-900 p-2 text-[11px] leading-snug text-slate-100">
                    {f.log}
                  </pre>
                )}
              </details>
            ))}
          </td>
        </tr>
      )}
    </>
  );
}
