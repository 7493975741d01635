// Every method in the results database: kind, language, built-in or submitted, versions.
import type { Metadata } from "next";
import { Tag } from "@/app/_components/badges.tsx";
import { DbError } from "@/app/_components/db-error.tsx";
import { load } from "@/lib/data.ts";
import { pageMetadata } from "@/lib/metadata.ts";
import { listMethods } from "@/lib/methods.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = pageMetadata(
  "Methods",
  "Every method on Cajal: built-in baselines, references, floors and submitted methods, with their language and versions.",
);

export default async function MethodsIndex() {
  const result = await load(listMethods);
  if (!result.ok) return <DbError message={result.error} />;
  const methods = result.data;
  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Methods</h1>
        <p className="mt-2 max-w-3xl text-slate-600">
          Built-in methods are TypeScript folders in <code className="font-mono">methods/</code>; external ones are submitted folders run
          through the protocol. The references (oracle, random) and floors set each score&apos;s scale and are never ranked.
        </p>
      </header>
      {methods.length === 0 ? (
        <p className="text-slate-500">No methods registered yet: run the suite (`npx cajal run`).</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full text-left text-sm" data-testid="methods-table">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Method
                </th>
                <th scope="col" className="px-4 py-2">
                  Kind
                </th>
                <th scope="col" className="px-4 py-2">
                  Language
                </th>
                <th scope="col" className="px-4 py-2">
                  Source
                </th>
                <th scope="col" className="px-4 py-2">
                  Version
                </th>
              </tr>
            </thead>
            <tbody>
              {methods.map((m) => (
                <tr key={m.id} className="border-t border-slate-100" data-testid="method-row" data-method={m.id}>
                  <td className="px-4 py-2">
                    {/* A plain anchor: a server's hundreds of methods would each be a next/link client component. */}
                    <a href={`/methods/${m.id}`} className="font-medium text-indigo-700 hover:underline">
                      {m.name}
                    </a>{" "}
                    <span className="font-mono text-xs text-slate-400">{m.id}</span>
                  </td>
                  <td className="px-4 py-2">
                    <Tag>{m.kind}</Tag>
                  </td>
                  <td className="px-4 py-2 text-slate-600">{m.language}</td>
                  <td className="px-4 py-2 text-slate-600">{m.builtIn ? "built-in" : "submitted"}</td>
                  <td className="px-4 py-2 font-mono text-xs text-slate-600">
                    {m.latestVersion ?? "—"}
                    {m.versions > 1 && <span className="text-slate-400"> ({m.versions} versions)</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
