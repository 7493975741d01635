// A dataset: what it is (card, licence, citation for real recordings), a plot of the data, its README,
// and the leaderboard restricted to it. Older dataset versions stay browsable with ?version= (never ranked together).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DomainBadge } from "@/app/_components/badges.tsx";
import { Breadcrumbs } from "@/app/_components/breadcrumbs.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { Leaderboard } from "@/app/_components/leaderboard.tsx";
import { DataPlot } from "@/app/_components/plots.tsx";
import type { DatasetCardView } from "@/harness/types.ts";
import { getDatasetPage, load } from "@/lib/data.ts";
import { formatDate, shortHash } from "@/lib/format.ts";
import { datasetMetadata } from "@/lib/metadata.ts";
import { parseTaskQuery } from "@/lib/task-query.ts";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ taskId: string; slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { taskId, slug } = await params;
  return datasetMetadata(taskId, slug);
}

export default async function DatasetPageView({ params, searchParams }: Props) {
  const { taskId, slug } = await params;
  // The task page's parser, for its one param that applies here: ?version= is the dataset version.
  const { query, notes } = parseTaskQuery({ version: (await searchParams).version });
  const result = await load(async () => {
    const at = query.version === undefined ? null : await getDatasetPage(taskId, slug, query.version);
    if (query.version !== undefined && !at) notes.push(`Ignored version=${query.version}: this dataset has no version ${query.version}.`);
    return at ?? getDatasetPage(taskId, slug);
  });
  if (!result.ok) return <DbError message={result.error} />;
  const page = result.data;
  if (!page) notFound();
  const { task, dataset, card, preview, readme, leaderboard } = page;
  const older = dataset.version !== page.latestVersion;
  return (
    <div className="space-y-8">
      <header>
        <Breadcrumbs
          trail={[
            { label: task.id, href: `/tasks/${task.id}`, mono: true },
            { label: dataset.slug, mono: true },
          ]}
        />
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="dataset-title">
            {dataset.title}
          </h1>
          <DomainBadge domain={dataset.domain} />
        </div>
        <p className="mt-3 max-w-3xl text-slate-700">{dataset.description}</p>
        <p className="mt-2 font-mono text-xs text-slate-400" title={dataset.contentHash}>
          {dataset.slug} v{dataset.version} · content {shortHash(dataset.contentHash)} · task {task.id} v{task.version}
        </p>
      </header>

      {older && (
        <div
          role="note"
          className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
          data-testid="version-banner"
        >
          <strong>Older version, not comparable with v{page.latestVersion}.</strong> These are the results on dataset version{" "}
          {dataset.version}: its instances differ from the current version&apos;s, so they are ranked only among themselves.{" "}
          <Link href={`/tasks/${task.id}/datasets/${dataset.slug}`} className="underline">
            Show v{page.latestVersion}
          </Link>
        </div>
      )}
      {notes.length > 0 && (
        <p
          role="status"
          className="rounded-lg border border-slate-300 bg-slate-50 px-4 py-3 text-sm text-slate-700"
          data-testid="query-notes"
        >
          {notes.join(" ")}
        </p>
      )}

      {card && <Card card={card} />}

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">The data</h2>
        {preview ? (
          <div className="mt-3">
            <h3 className="text-sm font-medium text-slate-700">{preview.title}</h3>
            <DataPlot preview={preview} />
          </div>
        ) : (
          <p className="mt-2 text-sm text-slate-500">No preview plot for this dataset.</p>
        )}
      </section>

      <Leaderboard task={task} board={leaderboard} linkTitle={false} />

      <section className="rounded-xl border border-slate-200 bg-white px-6 py-4 shadow-sm" data-testid="dataset-versions">
        <h2 className="text-lg font-semibold">Versions</h2>
        <p className="mt-1 text-sm text-slate-600">
          Official-split runs per dataset version on task version {task.version}; each version is ranked on its own.
        </p>
        <ul className="mt-2 space-y-1 text-sm">
          {page.versions.map((v) => (
            <li key={v.version} data-testid="version-item" data-version={v.version}>
              {v.version === dataset.version ? (
                <span className="font-medium" aria-current="page">
                  v{v.version} (shown)
                </span>
              ) : (
                <Link
                  href={`/tasks/${task.id}/datasets/${dataset.slug}${v.version === page.latestVersion ? "" : `?version=${v.version}`}`}
                  className="text-indigo-700 underline"
                >
                  v{v.version}
                </Link>
              )}{" "}
              <span className="text-slate-500">
                · {v.runs} official run{v.runs === 1 ? "" : "s"} · registered {formatDate(v.createdAt)} ·{" "}
                <span className="font-mono text-xs" title={v.contentHash}>
                  {shortHash(v.contentHash)}
                </span>
              </span>
            </li>
          ))}
        </ul>
      </section>

      {readme && (
        <details className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="dataset-readme">
          <summary className="cursor-pointer text-lg font-semibold">README</summary>
          <pre className="mt-4 whitespace-pre-wrap font-sans text-sm leading-relaxed text-slate-700">{readme}</pre>
        </details>
      )}
    </div>
  );
}

function Card({ card }: { card: DatasetCardView }) {
  const fields: [string, string][] = [
    ["Species", card.species],
    ["Area", card.area],
    ["Modality", card.modality],
    ["Ground truth", card.groundTruth],
    ["Licence and terms", card.licence],
    ["Preprocessing", `${card.preprocessing} (version ${card.preprocessingVersion})`],
  ];
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="dataset-card">
      <h2 className="text-lg font-semibold">Recording: {card.title}</h2>
      <dl className="mt-3 grid max-w-4xl grid-cols-[10rem_1fr] gap-x-4 gap-y-2 text-sm">
        {fields.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500">{label}</dt>
            <dd className="text-slate-800">{value}</dd>
          </div>
        ))}
        <dt className="text-slate-500">Citation</dt>
        <dd className="text-slate-800">
          {card.citation}{" "}
          {card.doi && (
            <a href={`https://doi.org/${card.doi}`} className="text-indigo-600 hover:underline">
              doi:{card.doi}
            </a>
          )}
        </dd>
      </dl>
      <h3 className="mt-5 text-sm font-medium text-slate-700">BibTeX</h3>
      <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-3 text-xs text-slate-700" data-testid="bibtex">
        {card.bibtex}
      </pre>
      <h3 className="mt-5 text-sm font-medium text-slate-700">Original files</h3>
      <table className="mt-1 min-w-full text-xs">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1 pr-3 font-medium">File</th>
            <th className="py-1 pr-3 text-right font-medium">Size</th>
            <th className="py-1 font-medium">sha256</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {card.files.map((f) => (
            <tr key={f.name}>
              <td className="py-1 pr-3">
                <a href={f.url} className="font-mono text-indigo-600 hover:underline">
                  {f.name}
                </a>
              </td>
              <td className="py-1 pr-3 text-right tabular-nums">{(f.bytes / 1e6).toFixed(2)} MB</td>
              <td className="py-1 font-mono text-slate-500" title={f.sha256}>
                {shortHash(f.sha256)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-3 text-xs text-slate-500">
        Get them with <code className="font-mono">npx cajal datasets fetch {card.id}</code> (verified against these hashes).
      </p>
    </section>
  );
}
