// One method: what it is (README as Markdown, citation, language, versions) and its profile over every task and
// domain, from the same rows as the leaderboards and the overview.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DomainBadge, StatusBadge, Tag } from "@/app/_components/badges.tsx";
import { Breadcrumbs } from "@/app/_components/breadcrumbs.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { Markdown } from "@/app/_components/markdown.tsx";
import { compareHref } from "@/lib/compare.ts";
import { DOMAIN_ORDER, load } from "@/lib/data.ts";
import { formatCi, formatDate, formatMb, formatMs, formatScore, shortHash } from "@/lib/format.ts";
import { methodMetadata } from "@/lib/metadata.ts";
import { getMethodPage, type MethodPage, type ProfileCell, type ProfileTask } from "@/lib/methods.ts";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ methodId: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { methodId } = await params;
  return methodMetadata(methodId);
}

export default async function MethodPageView({ params }: Props) {
  const { methodId } = await params;
  const result = await load(() => getMethodPage(methodId));
  if (!result.ok) return <DbError message={result.error} />;
  const page = result.data;
  if (!page) notFound();
  return (
    <div className="space-y-8">
      <header>
        <Breadcrumbs
          trail={[
            { label: "Methods", href: "/methods" },
            { label: page.id, mono: true },
          ]}
        />
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="method-title">
            {page.name}
          </h1>
          <Tag>{page.kind}</Tag>
          <Tag>{page.builtIn ? "built-in" : "submitted"}</Tag>
        </div>
        <p className="mt-3 max-w-3xl text-slate-700">{page.description}</p>
        <About page={page} />
      </header>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="profile-heading">
        <h2 id="profile-heading" className="text-lg font-semibold">
          Profile
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Normalized score (0 = best of random and the floors, 1 = oracle) on each dataset of the official split, with its 95% CI, and the
          domain mean the overview shows. Transfer gap: synthetic − biological domain score.
        </p>
        {page.profile.length === 0 ? (
          <p className="mt-4 text-sm text-slate-500">No official-split runs of this method yet.</p>
        ) : (
          <>
            <Heatmap methodId={page.id} profile={page.profile} />
            <Totals page={page} />
            <RunsTable profile={page.profile} />
          </>
        )}
      </section>

      {page.readme ? (
        <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="method-readme">
          <Markdown source={page.readme} />
        </section>
      ) : (
        !page.builtIn && (
          <p className="text-sm text-slate-500">
            External methods are shown by their manifest&apos;s description; their README stays in the submitted folder.
          </p>
        )
      )}

      {(page.citation || page.bibtex) && (
        <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="method-citation">
          <h2 className="text-lg font-semibold">How to cite</h2>
          {page.citation && <Markdown className="mt-2 text-sm text-slate-700" source={page.citation} />}
          {page.bibtex && <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-50 p-3 text-xs">{page.bibtex}</pre>}
        </section>
      )}

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Version history</h2>
        <table className="mt-3 text-left text-sm" data-testid="method-versions">
          <thead className="text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="pr-6 py-1">Version</th>
              <th className="pr-6 py-1">Source hash</th>
              <th className="py-1">Registered</th>
            </tr>
          </thead>
          <tbody>
            {page.versionHistory.map((v) => (
              <tr key={`${v.version}:${v.sourceHash}`} className="border-t border-slate-100">
                <td className="pr-6 py-1 font-mono">{v.version}</td>
                <td className="pr-6 py-1 font-mono text-slate-600" title={v.sourceHash}>
                  {shortHash(v.sourceHash)}
                </td>
                <td className="py-1 text-slate-600">{formatDate(v.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function About({ page }: { page: MethodPage }) {
  return (
    <dl className="mt-4 grid max-w-3xl grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
      <dt className="text-slate-500">Language</dt>
      <dd data-testid="method-language">
        {page.builtIn ? (
          <>
            TypeScript, in-process (<code className="font-mono">methods/{page.id}/method.ts</code>)
          </>
        ) : page.command ? (
          <>
            external command <code className="font-mono">{page.command.join(" ")}</code>
          </>
        ) : (
          "external command (PROTOCOL.md)"
        )}
      </dd>
      {page.authors.length > 0 && (
        <>
          <dt className="text-slate-500">Authors</dt>
          <dd>{page.authors.join(", ")}</dd>
        </>
      )}
      {page.url && (
        <>
          <dt className="text-slate-500">Link</dt>
          <dd>
            <a href={page.url} className="text-indigo-700 underline" rel="noopener noreferrer nofollow">
              {page.url}
            </a>
          </dd>
        </>
      )}
      <dt className="text-slate-500">Latest version</dt>
      <dd className="font-mono">{page.latestVersion ?? "—"}</dd>
    </dl>
  );
}

/** Indigo at the score's strength; the number is always written in the cell, the colour only repeats it. */
function heat(normalized: number | null): { backgroundColor: string; color: string } {
  if (normalized === null) return { backgroundColor: "rgb(241 245 249)", color: "rgb(71 85 105)" };
  const a = Math.min(1, Math.max(0, normalized));
  return { backgroundColor: `rgb(79 70 229 / ${(0.08 + 0.82 * a).toFixed(3)})`, color: a > 0.55 ? "white" : "rgb(15 23 42)" };
}

function Heatmap({ methodId, profile }: { methodId: string; profile: ProfileTask[] }) {
  return (
    <div className="mt-4 overflow-x-auto">
      <table className="min-w-full border-separate border-spacing-1 text-left text-sm" data-testid="method-heatmap">
        <caption className="sr-only">Normalized score per task and domain</caption>
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-1">
              Task
            </th>
            {DOMAIN_ORDER.map((d) => (
              <th key={d} scope="col" className="px-2 py-1">
                {d}
              </th>
            ))}
            <th scope="col" className="px-2 py-1">
              Transfer gap
            </th>
          </tr>
        </thead>
        <tbody>
          {profile.map((t) => (
            <tr key={t.id}>
              <th scope="row" className="px-2 py-1 align-top font-normal">
                <Link href={`/tasks/${t.id}`} className="font-mono text-indigo-700 hover:underline">
                  {t.id}
                </Link>
                <div className="text-xs text-slate-500">{t.title}</div>
                {t.rival && (
                  <Link
                    href={compareHref(t.id, [methodId, t.rival.method])}
                    className="mt-1 block text-xs text-indigo-700 hover:underline"
                    data-testid="compare-link"
                    data-rival={t.rival.method}
                  >
                    compare with {t.rival.methodName} ({t.rival.leader ? "leader" : "runner-up"}) →
                  </Link>
                )}
              </th>
              {DOMAIN_ORDER.map((d) => {
                const cell = t.domains[d];
                return (
                  <td key={d} className="min-w-44 rounded-md bg-slate-50 p-1 align-top" data-domain={d}>
                    {cell.datasets === 0 ? (
                      <span className="px-1 text-xs text-slate-400">no datasets</span>
                    ) : (
                      <>
                        <div className="px-1 text-xs text-slate-600">
                          mean <span className="font-mono">{formatScore(cell.mean?.mean ?? null)}</span>
                          {cell.mean && cell.mean.count < cell.mean.of && (
                            <span className="text-slate-400">
                              {" "}
                              ({cell.mean.count} of {cell.mean.of})
                            </span>
                          )}
                        </div>
                        <ul className="mt-1 space-y-1">
                          {cell.cells.map((c) => (
                            <HeatCell key={c.dataset} cell={c} />
                          ))}
                        </ul>
                      </>
                    )}
                  </td>
                );
              })}
              <td className="px-2 py-1 align-top font-mono" data-testid="transfer-gap">
                {formatScore(t.transferGap)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HeatCell({ cell }: { cell: ProfileCell }) {
  return (
    <li
      className="rounded px-2 py-1"
      style={heat(cell.normalized)}
      data-testid="heat-cell"
      data-task={cell.task}
      data-dataset={cell.dataset}
      title={`${cell.datasetTitle}: raw score ${formatScore(cell.score)} ${formatCi(cell.ciLow, cell.ciHigh)}`}
    >
      <Link href={`/runs/${cell.runId}`} className="block">
        <span className="block truncate font-mono text-xs">{cell.dataset}</span>
        <span className="font-mono font-semibold" data-testid="heat-value">
          {formatScore(cell.normalized)}
        </span>{" "}
        <span className="font-mono text-xs opacity-80">{formatCi(cell.normalizedCiLow, cell.normalizedCiHigh, 2)}</span>
        {cell.failedInstances > 0 && (
          <span className="block text-xs">
            {cell.failedInstances} of {cell.instances} failed
          </span>
        )}
      </Link>
    </li>
  );
}

function Totals({ page }: { page: MethodPage }) {
  const t = page.totals;
  return (
    <dl className="mt-4 flex flex-wrap gap-x-8 gap-y-1 text-sm" data-testid="method-totals">
      <div>
        <dt className="inline text-slate-500">Runs </dt>
        <dd className="inline font-mono">{t.runs}</dd>
      </div>
      <div>
        <dt className="inline text-slate-500">Median runtime per instance </dt>
        <dd className="inline font-mono">{formatMs(t.medianWallMs)}</dd>
      </div>
      <div>
        <dt className="inline text-slate-500">Median peak memory per instance </dt>
        <dd className="inline font-mono">{formatMb(t.medianPeakRssMb)}</dd>
      </div>
      <div>
        <dt className="inline text-slate-500">Failed instances </dt>
        <dd className="inline font-mono" data-testid="failed-instances">
          {t.failedInstances} of {t.instances}
        </dd>
      </div>
    </dl>
  );
}

function RunsTable({ profile }: { profile: ProfileTask[] }) {
  const cells = profile.flatMap((t) => DOMAIN_ORDER.flatMap((d) => t.domains[d].cells));
  return (
    <details className="mt-4">
      <summary className="cursor-pointer text-sm font-medium text-slate-700">Every run ({cells.length})</summary>
      <div className="mt-2 overflow-x-auto">
        <table className="min-w-full text-left text-sm">
          <thead className="text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-2 py-1">Task / dataset</th>
              <th className="px-2 py-1">Domain</th>
              <th className="px-2 py-1">Status</th>
              <th className="px-2 py-1">Score (95% CI)</th>
              <th className="px-2 py-1">Normalized</th>
              <th className="px-2 py-1">Runtime / instance</th>
              <th className="px-2 py-1">Peak memory / instance</th>
              <th className="px-2 py-1">Failed</th>
            </tr>
          </thead>
          <tbody>
            {cells.map((c) => (
              <tr key={`${c.task}/${c.dataset}`} className="border-t border-slate-100">
                <td className="px-2 py-1 font-mono text-xs">
                  <Link href={`/runs/${c.runId}`} className="text-indigo-700 hover:underline">
                    {c.task}/{c.dataset}
                  </Link>
                </td>
                <td className="px-2 py-1">
                  <DomainBadge domain={c.domain} />
                </td>
                <td className="px-2 py-1">
                  <StatusBadge status={c.status} />
                </td>
                <td className="px-2 py-1 font-mono text-xs">
                  {formatScore(c.score)} <span className="text-slate-400">{formatCi(c.ciLow, c.ciHigh)}</span>
                </td>
                <td className="px-2 py-1 font-mono text-xs">{formatScore(c.normalized)}</td>
                <td className="px-2 py-1 font-mono text-xs">{formatMs(c.medianWallMs)}</td>
                <td className="px-2 py-1 font-mono text-xs">{formatMb(c.medianPeakRssMb)}</td>
                <td className="px-2 py-1 font-mono text-xs">
                  {c.failedInstances} of {c.instances}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
