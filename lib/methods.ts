// Method pages' data (server only): a method's README, versions, how it runs, and its profile over every task and
// dataset. The profile is built from the same rows as the leaderboards and the overview (lib/data.ts over
// harness/results.ts's loadResults), so a method page can never disagree with them.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ResultRow } from "@/harness/results.ts";
import { normalizedScore } from "@/harness/scoring.ts";
import type { Domain, RunStatus } from "@/harness/types.ts";
import { DOMAIN_ORDER, type DomainMean, database, getCurrentTasks, median, ORACLE_METHOD, toEntry } from "./data.ts";
import { markdownSection } from "./markdown.ts";

if (typeof window !== "undefined") throw new Error("lib/methods.ts is server-only");

/** Method ids as the harness allows them; anything else is unknown without asking the database (and never a path). */
export const METHOD_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export type MethodKind = ResultRow["methodKind"];

export interface MethodSummary {
  id: string;
  name: string;
  kind: MethodKind;
  description: string;
  /** Built-in methods live in methods/<id>/ (TypeScript); external ones were submitted or run from a folder. */
  builtIn: boolean;
  language: string;
  latestVersion: string | null;
  versions: number;
}

export interface MethodVersionView {
  version: string;
  sourceHash: string;
  createdAt: string;
}

/** One dataset of the profile: the method's leaderboard entry there (official split, current versions). */
export interface ProfileCell {
  task: string;
  dataset: string;
  datasetTitle: string;
  domain: Domain;
  runId: number;
  status: RunStatus;
  /** What the leaderboard ranks the run by (an ok run's score, or a finished failed run's counted score). */
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  normalized: number | null;
  /** The CI bounds on the normalized scale: the same floor and oracle as the normalized score. */
  normalizedCiLow: number | null;
  normalizedCiHigh: number | null;
  failedInstances: number;
  instances: number;
  /** Medians over the run's instances. */
  medianWallMs: number | null;
  medianPeakRssMb: number | null;
}

export interface ProfileTask {
  id: string;
  title: string;
  version: number;
  /** Per domain: the overview's mean normalized score and the cells it is the mean of. */
  domains: Record<Domain, { mean: DomainMean | null; cells: ProfileCell[]; datasets: number }>;
  /** Synthetic − biological domain score, as on the overview. */
  transferGap: number | null;
  /** Whom the compare view pits this method against here: the task's leader, or its runner-up when this method leads. */
  rival: { method: string; methodName: string; leader: boolean } | null;
}

export interface MethodPage extends MethodSummary {
  url: string | null;
  /** README.md of a built-in method; null for external methods (their manifest's description is shown). */
  readme: string | null;
  /** The README's "Citation" section (Markdown) and any ```bibtex block in it. */
  citation: string | null;
  bibtex: string | null;
  /** An external method's command from its latest submitted manifest. */
  command: string[] | null;
  authors: string[];
  versionHistory: MethodVersionView[];
  profile: ProfileTask[];
  totals: { runs: number; instances: number; failedInstances: number; medianWallMs: number | null; medianPeakRssMb: number | null };
}

export { median };

/** The README's "## Citation" (or "References") section, and its first ```bibtex block when it has one. */
export function citationOf(readme: string): { citation: string | null; bibtex: string | null } {
  const bibtex = /```bibtex\n([\s\S]*?)```/i.exec(readme)?.[1]?.trim() ?? null;
  return { citation: markdownSection(readme, /^#{2,3}\s+(citations?|references?|how to cite)\b/i), bibtex };
}

const isBuiltIn = (kind: MethodKind) => kind !== "external";
const languageOf = (kind: MethodKind, command: string[] | null) =>
  isBuiltIn(kind) ? "TypeScript (built-in)" : command?.length ? `external: ${command[0]}` : "external (PROTOCOL.md)";

/** A built-in method's README from methods/<id>/ (next start and vitest both run from the repository root). */
async function builtInReadme(id: string): Promise<string | null> {
  if (!METHOD_ID.test(id)) return null;
  try {
    return await readFile(path.join(process.cwd(), "methods", id, "README.md"), "utf8");
  } catch {
    return null;
  }
}

interface ManifestView {
  command: string[] | null;
  authors: string[];
}

function manifestView(manifest: unknown): ManifestView {
  const m = (manifest ?? {}) as { command?: unknown; authors?: unknown };
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const command = strings(m.command);
  return { command: command.length ? command : null, authors: strings(m.authors) };
}

/** The language a method is written in, for filtering: TypeScript for built-ins, else its command's program (e.g. "python3"). */
export function methodLanguage(kind: MethodKind, command: string[] | null): string {
  if (isBuiltIn(kind)) return "TypeScript";
  return command?.[0] ? path.posix.basename(command[0]) : "unknown";
}

/** Built-in or submitted, and the language, of each method (by id); external ones from their latest submitted manifest. */
export async function methodOrigins(
  methods: readonly { method: string; methodKind: MethodKind }[],
): Promise<Map<string, { builtIn: boolean; language: string }>> {
  const external = [...new Set(methods.filter((m) => !isBuiltIn(m.methodKind)).map((m) => m.method))];
  const submissions = external.length
    ? await database().submission.findMany({
        where: { methodId: { in: external } },
        select: { methodId: true, manifest: true },
        orderBy: { id: "asc" },
      })
    : [];
  // Later submissions overwrite earlier ones: the latest manifest wins.
  const commands = new Map(submissions.map((s) => [s.methodId, manifestView(s.manifest).command]));
  return new Map(
    methods.map((m) => [
      m.method,
      { builtIn: isBuiltIn(m.methodKind), language: methodLanguage(m.methodKind, commands.get(m.method) ?? null) },
    ]),
  );
}

/** Every method in the results database, built-ins first, then by id. */
export async function listMethods(): Promise<MethodSummary[]> {
  const db = database();
  const [methods, submissions] = await Promise.all([
    db.method.findMany({ include: { versions: { orderBy: { id: "asc" } } }, orderBy: { id: "asc" } }),
    db.submission.findMany({ select: { methodId: true, manifest: true }, orderBy: { id: "asc" } }),
  ]);
  const manifests = new Map(submissions.map((s) => [s.methodId, manifestView(s.manifest)]));
  return methods
    .map((m) => ({
      id: m.id,
      name: m.name,
      kind: m.kind,
      description: m.description,
      builtIn: isBuiltIn(m.kind),
      language: languageOf(m.kind, manifests.get(m.id)?.command ?? null),
      latestVersion: m.versions.at(-1)?.version ?? null,
      versions: m.versions.length,
    }))
    .sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.id.localeCompare(b.id));
}

export async function methodExists(id: string): Promise<boolean> {
  return METHOD_ID.test(id) && (await database().method.count({ where: { id } })) > 0;
}

/** A method with its README, versions and profile; null for an unknown id. */
export async function getMethodPage(id: string): Promise<MethodPage | null> {
  if (!METHOD_ID.test(id)) return null;
  const db = database();
  const method = await db.method.findUnique({ where: { id }, include: { versions: { orderBy: { id: "asc" } } } });
  if (!method) return null;
  const [current, submission, readme] = await Promise.all([
    getCurrentTasks(),
    db.submission.findFirst({ where: { methodId: id }, orderBy: { id: "desc" }, select: { manifest: true } }),
    isBuiltIn(method.kind) ? builtInReadme(id) : Promise.resolve(null),
  ]);
  const manifest = manifestView(submission?.manifest);

  const profile: ProfileTask[] = [];
  const runIds: number[] = [];
  for (const { task, byDataset, summary: taskSummary } of current) {
    const cells: ProfileCell[] = [];
    for (const dataset of task.datasets) {
      const dsRows = byDataset.get(dataset.slug) ?? [];
      const row = dsRows.find((r) => r.method === id);
      if (!row) continue;
      // The leaderboard's own entry, so the score and normalized score are the ones ranked there.
      const entry = toEntry(row);
      const oracle = dsRows.find((r) => r.method === ORACLE_METHOD && r.status === "ok");
      const normalizeCi = (v: number | null) => (entry.normalized === null ? null : normalizedScore(v, row.floor, oracle?.score ?? null));
      runIds.push(row.runId);
      cells.push({
        task: task.id,
        dataset: dataset.slug,
        datasetTitle: dataset.title,
        domain: dataset.domain,
        runId: entry.runId,
        status: entry.status,
        score: entry.score,
        ciLow: entry.ciLow,
        ciHigh: entry.ciHigh,
        normalized: entry.normalized,
        normalizedCiLow: normalizeCi(entry.ciLow),
        normalizedCiHigh: normalizeCi(entry.ciHigh),
        failedInstances: entry.failedInstances,
        instances: entry.instances,
        medianWallMs: null,
        medianPeakRssMb: null,
      });
    }
    if (cells.length === 0) continue;
    // The overview's domain means and transfer gap for this method, computed by the overview's own function.
    const ranking = taskSummary.methods;
    const summary = ranking.find((m) => m.method === id);
    const domains = Object.fromEntries(
      DOMAIN_ORDER.map((d) => [
        d,
        {
          mean: summary?.domainMeans[d] ?? null,
          cells: cells.filter((c) => c.domain === d),
          datasets: task.datasets.filter((x) => x.domain === d).length,
        },
      ]),
    ) as ProfileTask["domains"];
    // The overview's order: methods (not chance or floors) with a mean normalized score on every dataset, best first.
    const ranked = ranking.filter((m) => !m.isChance && !m.isFloor && m.meanNormalized !== null);
    const rival = ranked[0]?.method === id ? ranked[1] : ranked[0];
    profile.push({
      id: task.id,
      title: task.title,
      version: task.version,
      domains,
      transferGap: summary?.transferGap ?? null,
      rival: rival ? { method: rival.method, methodName: rival.methodName, leader: rival === ranked[0] } : null,
    });
  }

  // Runtime and peak memory per instance: medians over the profile's runs (what the leaderboards show).
  const instances =
    runIds.length > 0
      ? await db.instanceResult.findMany({ where: { runId: { in: runIds } }, select: { runId: true, wallMs: true, peakRssMb: true } })
      : [];
  const byRun = new Map<number, { wall: number[]; rss: number[] }>();
  for (const i of instances) {
    const e = byRun.get(i.runId) ?? { wall: [], rss: [] };
    e.wall.push(i.wallMs);
    if (i.peakRssMb !== null) e.rss.push(i.peakRssMb);
    byRun.set(i.runId, e);
  }
  const allCells = profile.flatMap((t) => DOMAIN_ORDER.flatMap((d) => t.domains[d].cells));
  for (const c of allCells) {
    const e = byRun.get(c.runId);
    c.medianWallMs = median(e?.wall ?? []);
    c.medianPeakRssMb = median(e?.rss ?? []);
  }

  const text = readme ?? "";
  const { citation, bibtex } = citationOf(text);
  return {
    id: method.id,
    name: method.name,
    kind: method.kind,
    description: method.description,
    url: method.url,
    builtIn: isBuiltIn(method.kind),
    language: languageOf(method.kind, manifest.command),
    latestVersion: method.versions.at(-1)?.version ?? null,
    versions: method.versions.length,
    readme,
    citation,
    bibtex,
    command: manifest.command,
    authors: manifest.authors,
    versionHistory: method.versions.map((v) => ({ version: v.version, sourceHash: v.sourceHash, createdAt: v.createdAt.toISOString() })),
    profile,
    totals: {
      runs: allCells.length,
      instances: instances.length,
      failedInstances: allCells.reduce((s, c) => s + c.failedInstances, 0),
      medianWallMs: median(instances.map((i) => i.wallMs)),
      medianPeakRssMb: median(instances.flatMap((i) => (i.peakRssMb === null ? [] : [i.peakRssMb]))),
    },
  };
}
