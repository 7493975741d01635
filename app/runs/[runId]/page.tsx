// One run: its result, full provenance (how to reproduce it) and every instance's outcome.
import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { DomainBadge, StatusBadge, Tag } from "@/app/_components/badges.tsx";
import { Breadcrumbs } from "@/app/_components/breadcrumbs.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { Downloads } from "@/app/_components/downloads.tsx";
import { StripPlot } from "@/app/_components/plots.tsx";
import { CHANCE_METHOD, getRun, load, ORACLE_METHOD, type RunPage } from "@/lib/data.ts";
import { formatCi, formatDate, formatMb, formatMs, formatScore, shortHash } from "@/lib/format.ts";
import { runMetadata } from "@/lib/metadata.ts";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ runId: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { runId } = await params;
  return runMetadata(runId);
}

export default async function RunDetailPage({ params }: Props) {
  const { runId } = await params;
  const result = await load(() => getRun(runId));
  if (!result.ok) return <DbError message={result.error} />;
  const run = result.data;
  if (!run) notFound();
  const failedInstances = run.instanceResults.filter((r) => r.status !== "ok").length;
  const server = await siteUrl();
  return (
    <div className="space-y-8">
      <header>
        <Breadcrumbs trail={[{ label: run.task.title, href: `/tasks/${run.task.id}` }, { label: `run ${run.id}` }]} />
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="run-title">
            {run.method.name} <span className="font-normal text-slate-400">on</span> {run.dataset.title}
          </h1>
          <StatusBadge status={run.status} />
          <DomainBadge domain={run.dataset.domain} />
          <Tag>{run.split} split</Tag>
        </div>
        <p className="mt-2 max-w-3xl text-sm text-slate-600">{run.method.description}</p>
        {run.method.id === ORACLE_METHOD && (
          <p className="mt-2 text-sm text-amber-800">
            The oracle reads the ground truth. It is the upper reference of normalized scores and is never ranked.
          </p>
        )}
        {run.method.id === CHANCE_METHOD && (
          <p className="mt-2 text-sm text-slate-600">
            Random outputs of the right shape, each instance&apos;s score the mean of 8 draws: the chance level. The normalized score&apos;s
            0 is the best of it and the floor rows.
          </p>
        )}
        {run.method.kind === "floor" && (
          <p className="mt-2 text-sm text-amber-800" data-testid="floor-explanation">
            A floor reference: a trivial answer every method must beat. It is a row to beat, never ranked; the normalized score&apos;s 0 is
            the best of random and the floor references on the same instances.
          </p>
        )}
      </header>

      {run.message && (
        <div className="rounded-lg border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800" data-testid="run-message">
          <span className="font-medium">{run.status}:</span> {run.message}
        </div>
      )}

      <section className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label={run.task.mainScore.label} testId="run-score">
          {formatScore(run.score)} <span className="text-sm font-normal text-slate-400">{formatCi(run.ciLow, run.ciHigh)}</span>
        </Stat>
        <Stat label="Normalized">{formatScore(run.normalized)}</Stat>
        {run.countedScore !== null && (
          <Stat label="Ranked as" testId="run-counted">
            {formatScore(run.countedScore)}{" "}
            <span className="text-sm font-normal text-rose-700">
              {run.failedInstances} of {run.instances} failed, counted as lowest (normalized {formatScore(run.countedNormalized)})
            </span>
          </Stat>
        )}
        {run.task.metrics.map((m) => (
          <Stat key={m.id} label={m.label}>
            {formatScore(run.metrics?.[m.id])}
          </Stat>
        ))}
        <Stat label="Instances">
          {run.instancesDone}/{run.instances}
          {failedInstances > 0 && <span className="ml-2 text-sm font-normal text-rose-700">{failedInstances} failed</span>}
        </Stat>
      </section>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="provenance">
        <h2 className="text-base font-semibold">Provenance</h2>
        <dl className="mt-3 grid grid-cols-1 gap-x-10 gap-y-2 text-sm md:grid-cols-2">
          <Field label="Method">
            {run.method.id} v{run.method.version} <Hash value={run.method.sourceHash} title="sha256 of the method's source folder" />
            {run.method.url && (
              <a href={run.method.url} className="ml-2 text-indigo-600 hover:underline">
                source
              </a>
            )}
          </Field>
          <Field label="Task">
            <Link href={`/tasks/${run.task.id}`} className="hover:underline">
              {run.task.id}
            </Link>{" "}
            v{run.task.version} <Hash value={run.task.contractHash} title="sha256 of the task contract" />
          </Field>
          <Field label="Dataset">
            {run.dataset.slug} v{run.dataset.version}{" "}
            <Hash value={run.dataset.contentHash} title="sha256 of the generator config and official instances" />
          </Field>
          <Field label="Split · seed">
            {run.split} · <span className="font-mono">{run.seed}</span>
          </Field>
          <Field label="Harness">
            {run.provenance.harnessVersion} · git <Hash value={run.provenance.gitSha} title="git commit of the harness" />
          </Field>
          <Field label="Backend">{run.provenance.backend ?? "—"}</Field>
          {run.provenance.notes.length > 0 && (
            <Field label="Notes">
              <span className="font-medium text-amber-700" data-testid="run-notes">
                {run.provenance.notes.join(", ")}
              </span>
            </Field>
          )}
          <Field label="Hardware">
            {Object.keys(run.provenance.hardware).length === 0
              ? "—"
              : Object.entries(run.provenance.hardware).map(([k, v]) => (
                  <span key={k} className="mr-3 inline-block">
                    <span className="text-slate-400">{k}</span> {v}
                  </span>
                ))}
          </Field>
          <Field label="Hardware class">
            <span data-testid="hardware-class">{run.provenance.hardwareClass}</span>
            {run.provenance.gpu && (
              <span className="ml-2 text-slate-500">
                driver {run.provenance.gpu.driver ?? "—"} · CUDA {run.provenance.gpu.cudaVersion ?? "—"}
              </span>
            )}
          </Field>
          {run.provenance.gpu && (
            <Field label="GPU busy · peak GPU memory">
              <span title="Busy time is estimated from nvidia-smi's utilization samples (utilization × interval)">
                {formatMs(run.provenance.gpu.busyMs)} · {formatMb(run.provenance.gpu.peakMemMb)}
              </span>
            </Field>
          )}
          <Field label="Wall · CPU · peak RSS">
            {formatMs(run.provenance.wallMs)} · {formatMs(run.provenance.cpuMs)} · {formatMb(run.provenance.peakRssMb)}
          </Field>
          <Field label="Started · finished">
            {formatDate(run.provenance.startedAt)} · {formatDate(run.provenance.finishedAt)}
          </Field>
          <Field label="Reproduce">
            {run.split === "private" ? (
              <span className="text-slate-500">
                Private-split runs are scored only by the server (their instances are secret); reproduce the official run.
              </span>
            ) : (
              <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs" data-testid="reproduce-command">
                npx cajal reproduce {run.id} --server {server}
              </code>
            )}
          </Field>
          <Field label="References">
            {run.references.random ? (
              <Link href={`/runs/${run.references.random.runId}`} className="hover:underline">
                random = {formatScore(run.references.random.score)}
              </Link>
            ) : (
              "random: not run"
            )}{" "}
            ·{" "}
            {run.references.oracle ? (
              <Link href={`/runs/${run.references.oracle.runId}`} className="hover:underline">
                oracle = {formatScore(run.references.oracle.score)}
              </Link>
            ) : (
              "oracle: not run"
            )}
            {run.references.floors.map((f) => (
              <span key={f.method}>
                {" "}
                ·{" "}
                <Link href={`/runs/${f.runId}`} className="hover:underline">
                  {f.method} = {formatScore(f.score)}
                </Link>
              </span>
            ))}
            {run.references.floor && (
              <span className="block text-xs text-slate-500" data-testid="run-floor">
                Normalized with 0 at the floor, {run.references.floor.method} = {formatScore(run.references.floor.score)} (the best of
                random and the floor references), and 1 at the oracle.
              </span>
            )}
          </Field>
        </dl>
      </section>

      <Instances run={run} />
    </div>
  );
}

function Instances({ run }: { run: RunPage }) {
  const metricIds = run.task.metrics;
  return (
    <section className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="instances">
      <div className="px-6 pt-5">
        <h2 className="text-base font-semibold">Instances</h2>
        <p className="mt-1 text-sm text-slate-500">
          {run.task.mainScore.label} of each instance; the vertical bar is the mean. Each instance is deterministic in its seed; the input
          hash lets a reproduction check it saw the same data.
        </p>
        <div className="mt-2">
          <Downloads href={`/api/runs/${run.id}/instances`} label="Per-instance scores" testId="instance-downloads" />
        </div>
        <div className="mt-3">
          <StripPlot
            label={run.task.mainScore.label}
            range={run.task.mainScore}
            mean={run.score}
            values={run.instanceResults.map((r) => ({ index: r.index, value: r.score, failed: r.status !== "ok" }))}
          />
        </div>
      </div>
      {run.instanceResults.length === 0 ? (
        <p className="px-6 py-5 text-sm text-slate-500">
          {run.status === "queued" || run.status === "running"
            ? "No instance has finished yet."
            : "No instance results are stored for this run."}
        </p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="min-w-full text-sm">
            <thead className="text-left text-xs text-slate-500">
              <tr className="border-y border-slate-200">
                <th className="px-6 py-2 text-right font-medium">#</th>
                <th className="px-3 py-2 font-medium">Instance</th>
                <th className="px-3 py-2 font-medium">Status</th>
                <th className="px-3 py-2 text-right font-medium">{run.task.mainScore.label}</th>
                {metricIds.map((m) => (
                  <th key={m.id} className="px-3 py-2 text-right font-medium">
                    {m.label}
                  </th>
                ))}
                <th className="px-3 py-2 text-right font-medium">Seed</th>
                <th className="px-3 py-2 font-medium">Input hash</th>
                <th className="px-3 py-2 text-right font-medium">Wall</th>
                <th className="px-3 py-2 text-right font-medium">CPU</th>
                <th className="px-3 py-2 text-right font-medium" title="Peak memory of the method (its process tree for external methods)">
                  Peak mem
                </th>
                {run.provenance.gpu && (
                  <th
                    className="px-3 py-2 text-right font-medium"
                    title="Estimated GPU busy time · peak GPU memory of the method's processes"
                  >
                    GPU
                  </th>
                )}
                <th className="px-3 py-2 font-medium">Message</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {run.instanceResults.map((r) => (
                <tr key={r.index} data-testid="instance-row" data-status={r.status} className={r.status === "ok" ? "" : "bg-rose-50/30"}>
                  <td className="px-6 py-1.5 text-right tabular-nums text-slate-500">{r.index}</td>
                  <td className="px-3 py-1.5 font-mono text-xs">{r.instanceKey}</td>
                  <td className="px-3 py-1.5">
                    <StatusBadge status={r.status} />
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{formatScore(r.score)}</td>
                  {metricIds.map((m) => (
                    <td key={m.id} className="px-3 py-1.5 text-right tabular-nums">
                      {formatScore(r.metrics?.[m.id])}
                    </td>
                  ))}
                  <td className="px-3 py-1.5 text-right font-mono text-xs text-slate-600">{r.seed ?? "secret"}</td>
                  <td className="px-3 py-1.5">
                    <Hash value={r.inputHash} title="sha256 of the instance's inputs" />
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums text-slate-600">{formatMs(r.wallMs)}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums text-slate-600">{formatMs(r.cpuMs)}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums text-slate-600">
                    {r.peakRssMb === null ? "—" : `${Math.round(r.peakRssMb)} MiB`}
                  </td>
                  {run.provenance.gpu && (
                    <td className="px-3 py-1.5 text-right tabular-nums text-slate-600">
                      {r.gpuBusyMs === null ? "—" : `${formatMs(r.gpuBusyMs)} · ${formatMb(r.gpuPeakMemMb)}`}
                    </td>
                  )}
                  <td className="max-w-md px-3 py-1.5 text-xs text-rose-700">
                    {r.message}
                    {r.logTail && (
                      <details className="mt-1 text-slate-600">
                        <summary className="cursor-pointer text-slate-500">output (last 64 KiB)</summary>
                        <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-900 p-2 text-[11px] leading-snug text-slate-100">
                          {r.logTail}
                        </pre>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Stat({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
      <div className="text-xs text-slate-500">{label}</div>
      <div className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex gap-3">
      <dt className="w-40 shrink-0 text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

function Hash({ value, title }: { value: string; title: string }) {
  return (
    <span className="font-mono text-xs text-slate-500" title={`${title}: ${value}`}>
      {shortHash(value)}
    </span>
  );
}

/** This site's public address, for commands shown on the page: CAJAL_PUBLIC_URL, else what the request came to. */
async function siteUrl(): Promise<string> {
  if (process.env.CAJAL_PUBLIC_URL) return process.env.CAJAL_PUBLIC_URL.replace(/\/+$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  return `${h.get("x-forwarded-proto") ?? "http"}://${host}`;
}
