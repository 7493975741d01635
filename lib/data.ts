// The site's one data layer (server only). Everything the pages show comes from here, built on the
// harness's query layer (`loadResults`), so scores and normalized scores on the site are exactly
// those of `cajal run --json`. Functions return plain, serializable objects (no Dates, no Prisma
// types) and throw only for database failures, which `load()` turns into a readable message.
import { createDb, type Db, describeDbError, publicServerError } from "@/harness/db/client.ts";
import { countRuns, hardwareClass, loadResults, type ResultRow, toStatus } from "@/harness/results.ts";
import { PRIVATE_WITHHELD, parseId, type SubmissionStatusView, submissionStatus } from "@/harness/service/runs.ts";
import type { DatasetCardView, DatasetPreview, Domain, RunStatus, Split } from "@/harness/types.ts";
import { processCache } from "@/lib/process-cache.ts";
import { type RowSignificance, significanceOfRuns } from "@/lib/significance.ts";

if (typeof window !== "undefined") throw new Error("lib/data.ts is server-only");

/** The leaderboard split. dev results are for development; private ones are a server's. */
export const LEADERBOARD_SPLIT: Split = "official";
export const DOMAIN_ORDER: readonly Domain[] = ["synthetic", "artificial", "biological"];
/** Lower reference (chance): shown on the leaderboard as the chance row, never ranked. */
export const CHANCE_METHOD = "random";
/** Upper reference: reads the ground truth, so it is never shown as a leaderboard entry. */
export const ORACLE_METHOD = "oracle";
/** Method kind of the floor references (floor-constant, floor-shape, floor-shortcut): rows to beat, never ranked. */
export const FLOOR_KIND = "floor";
// The stored log is already capped at the method's last 64 KiB (PROTOCOL.md); the page shows all of it.
const LOG_TAIL_LINES = 2000;
const LOG_TAIL_CHARS = 65536;

// ---------------------------------------------------------------------------------------------
// Connection

class SiteDataError extends Error {
  override name = "SiteDataError";
}

declare global {
  // Reused across hot reloads (next dev) and requests: one connection pool per server process.
  var __cajalSiteDb: { url: string; db: Db } | undefined;
}

export function database(): Db {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new SiteDataError(
      "DATABASE_URL is not set: start the site with `npx cajal start`, or set DATABASE_URL to the Cajal results database",
    );
  }
  const cached = globalThis.__cajalSiteDb;
  if (cached && cached.url === url) return cached.db;
  const db = createDb(url);
  globalThis.__cajalSiteDb = { url, db };
  return db;
}

export type Loaded<T> = { ok: true; data: T } | { ok: false; error: string };

/** Run a data function; a database failure becomes `{ ok: false, error }` with a one-line explanation. */
export async function load<T>(fn: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    // Visitors learn what failed; the database's address and the driver's words stay in the server log.
    const message = error instanceof SiteDataError ? error.message : publicServerError(error).message;
    console.error(`[cajal site] ${describeDbError(error, process.env.DATABASE_URL)}`, error);
    return { ok: false, error: message };
  }
}

// ---------------------------------------------------------------------------------------------
// Shared shapes

export interface ScoreSpec {
  id: string;
  label: string;
  min: number;
  max: number;
}

export interface MetricSpec {
  id: string;
  label: string;
}

export interface DatasetInfo {
  slug: string;
  title: string;
  domain: Domain;
  description: string;
  /** Current (latest registered) version; only its results are shown. */
  version: number;
  contentHash: string;
}

export interface TaskInfo {
  id: string;
  title: string;
  question: string;
  description: string;
  version: number;
  contractHash: string;
  mainScore: ScoreSpec;
  metrics: MetricSpec[];
  datasets: DatasetInfo[];
  /** Why a domain has no datasets (e.g. no ground truth available), by domain. */
  domainNotes: Partial<Record<Domain, string>>;
}

export interface ReferenceScore {
  runId: number;
  status: RunStatus;
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}

export interface References {
  random: ReferenceScore | null;
  oracle: ReferenceScore | null;
  /** The floor references' runs (floor-constant, floor-shape, floor-shortcut), by method id. */
  floors: (ReferenceScore & { method: string; methodName: string })[];
  /** The normalized score's 0: the best of random and the floors on these instances, and which one it is. */
  floor: { method: string; score: number } | null;
}

// ---------------------------------------------------------------------------------------------
// Internals

function contractSpecs(contract: unknown, fallbackLabel: string): { mainScore: ScoreSpec; metrics: MetricSpec[] } {
  const c = (contract ?? {}) as { mainScore?: Partial<ScoreSpec>; metrics?: Partial<MetricSpec>[] };
  const mainScore: ScoreSpec = {
    id: String(c.mainScore?.id ?? "score"),
    label: String(c.mainScore?.label ?? fallbackLabel),
    min: typeof c.mainScore?.min === "number" ? c.mainScore.min : 0,
    max: typeof c.mainScore?.max === "number" ? c.mainScore.max : 1,
  };
  const metrics = (Array.isArray(c.metrics) ? c.metrics : [])
    .filter((m) => typeof m?.id === "string")
    .map((m) => ({ id: String(m.id), label: String(m.label ?? m.id) }));
  return { mainScore, metrics };
}

/** Which versions a page shows: the latest task and dataset versions unless given. Versions are never mixed in a ranking. */
export interface VersionChoice {
  task?: number;
  /** Dataset versions by slug. */
  datasets?: Record<string, number>;
}

export async function loadTaskInfos(db: Db, taskId?: string, at: VersionChoice = {}): Promise<TaskInfo[]> {
  const tasks = await db.task.findMany({
    where: taskId ? { id: taskId } : {},
    orderBy: { createdAt: "asc" },
    include: {
      versions: { where: at.task === undefined ? {} : { version: at.task }, orderBy: { version: "desc" }, take: 1 },
      datasets: {
        orderBy: { id: "asc" },
        include: {
          versions: { select: { version: true, contentHash: true }, orderBy: { version: "desc" }, ...(at.datasets ? {} : { take: 1 }) },
        },
      },
    },
  });
  return tasks.flatMap((t) => {
    const version = t.versions[0];
    if (!version) return [];
    const { mainScore, metrics } = contractSpecs(version.contract, t.mainScore);
    const datasets = t.datasets.flatMap((d) => {
      const wanted = at.datasets?.[d.slug];
      const dv = wanted === undefined ? d.versions[0] : d.versions.find((v) => v.version === wanted);
      if (!dv) return [];
      return [
        { slug: d.slug, title: d.title, domain: d.domain, description: d.description, version: dv.version, contentHash: dv.contentHash },
      ];
    });
    return [
      {
        id: t.id,
        title: t.title,
        question: t.question,
        description: t.description,
        version: version.version,
        contractHash: version.contractHash,
        mainScore,
        metrics,
        datasets,
        domainNotes: Object.fromEntries(
          DOMAIN_ORDER.filter((d) => !datasets.some((x) => x.domain === d)).map((d) => [
            d,
            (version.contract as { noGroundTruth?: Record<string, string> } | null)?.noGroundTruth?.[d] ??
              "No datasets in this domain yet.",
          ]),
        ),
      },
    ];
  });
}

/** Official-split rows of the task's current version and each dataset's current version, latest run per method. */
export function currentRows(
  task: TaskInfo,
  rows: ResultRow[],
  split: Split = LEADERBOARD_SPLIT,
): { byDataset: Map<string, ResultRow[]>; superseded: Map<string, number> } {
  const byDataset = new Map<string, ResultRow[]>();
  const superseded = new Map<string, number>();
  for (const dataset of task.datasets) {
    const latest = new Map<string, ResultRow>();
    let old = 0;
    for (const r of rows) {
      if (r.task !== task.id || r.dataset !== dataset.slug || r.split !== split) continue;
      if (r.taskVersion !== task.version || r.datasetVersion !== dataset.version) {
        old++;
        continue;
      }
      const previous = latest.get(r.method);
      if (!previous || r.runId > previous.runId) {
        if (previous) old++;
        latest.set(r.method, r);
      } else old++;
    }
    byDataset.set(dataset.slug, [...latest.values()]);
    superseded.set(dataset.slug, old);
  }
  return { byDataset, superseded };
}

function referenceOf(rows: ResultRow[], method: string): ReferenceScore | null {
  const r = rows.find((x) => x.method === method);
  return r ? { runId: r.runId, status: r.status, score: r.score, ciLow: r.ciLow, ciHigh: r.ciHigh } : null;
}

/** The references of one dataset's rows: random, oracle, the floors and the level the normalized score's 0 is at. */
function referencesOf(rows: ResultRow[]): References {
  const floors = rows
    .filter((r) => r.methodKind === FLOOR_KIND)
    .sort((a, b) => a.method.localeCompare(b.method))
    .map((r) => ({ ...(referenceOf([r], r.method) as ReferenceScore), method: r.method, methodName: r.methodName }));
  const withFloor = rows.find((r) => r.floor !== null && r.floorMethod !== null);
  return {
    random: referenceOf(rows, CHANCE_METHOD),
    oracle: referenceOf(rows, ORACLE_METHOD),
    floors,
    floor: withFloor ? { method: withFloor.floorMethod as string, score: withFloor.floor as number } : null,
  };
}

/**
 * What a run counts for on leaderboards: an ok run its score; a failed run whose instances all have results the
 * mean with its failed instances at the task's lowest score (marked "k of n failed"); anything else nothing.
 */
function rankedValue(r: ResultRow): { score: number; normalized: number | null } | null {
  if (r.status === "ok" && r.score !== null) return { score: r.score, normalized: r.normalized };
  if (r.countedScore !== null) return { score: r.countedScore, normalized: r.countedNormalized };
  return null;
}

/** A dataset can rank methods when its oracle is above its floor (otherwise no normalized score exists there). */
function normalizable(rows: ResultRow[]): boolean {
  const oracle = rows.find((r) => r.method === ORACLE_METHOD);
  return !!oracle && oracle.status === "ok" && oracle.normalized !== null;
}

const isOk = (r: { status: RunStatus; score: number | null }) => r.status === "ok" && r.score !== null;

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

// ---------------------------------------------------------------------------------------------
// Overview

export interface OverviewCell {
  runId: number;
  status: RunStatus;
  message: string | null;
  /** The score the cell counts for: an ok run's score, or a finished failed run's with failed instances at the lowest score. */
  score: number | null;
  normalized: number | null;
  /** Instances that failed (counted at the task's lowest score), of `instances`. */
  failedInstances: number;
  instances: number;
}

export interface DomainMean {
  /**
   * Mean normalized score over the domain's datasets; null unless the method has a finished run on every one of
   * them that can be normalized (a missing run is never left out of the mean: leaving it out would reward it).
   */
  mean: number | null;
  /** How many of the domain's normalizable datasets the method has a score on… */
  count: number;
  /** …of how many. */
  of: number;
  /** Instances of the domain's runs that failed and were counted at the task's lowest score. */
  failedInstances: number;
}

export interface OverviewMethod {
  method: string;
  methodName: string;
  methodKind: ResultRow["methodKind"];
  /** The random reference: shown as chance, never ranked. */
  isChance: boolean;
  /** A floor reference (floor-constant, floor-shape, floor-shortcut): a row to beat, never ranked. */
  isFloor: boolean;
  cells: Record<string, OverviewCell>;
  domainMeans: Partial<Record<Domain, DomainMean>>;
  /** Mean normalized score over all normalizable datasets; null unless the method has a score on every one (sort key). */
  meanNormalized: number | null;
  /** Synthetic − biological domain score: how much of the method's synthetic performance fails to transfer. */
  transferGap: number | null;
}

export interface OverviewTask extends TaskInfo {
  domains: Domain[];
  methods: OverviewMethod[];
  references: Record<string, References>;
  runCount: number;
}

export interface Overview {
  tasks: OverviewTask[];
  totalRuns: number;
}

/**
 * Per method: the official-split cell of every dataset, the mean normalized score per domain and the
 * transfer gap (synthetic − biological domain score), best mean normalized score first.
 */
export function summarizeTask(task: TaskInfo, byDataset: Map<string, ResultRow[]>) {
  const methods = new Map<string, OverviewMethod>();
  const references: Record<string, References> = {};
  const ranks = new Set<string>();
  let runCount = 0;
  for (const dataset of task.datasets) {
    const dsRows = byDataset.get(dataset.slug) ?? [];
    references[dataset.slug] = referencesOf(dsRows);
    if (normalizable(dsRows)) ranks.add(dataset.slug);
    for (const r of dsRows) {
      if (r.method === ORACLE_METHOD) continue;
      runCount++;
      let m = methods.get(r.method);
      if (!m) {
        m = {
          method: r.method,
          methodName: r.methodName,
          methodKind: r.methodKind,
          isChance: r.method === CHANCE_METHOD,
          isFloor: r.methodKind === FLOOR_KIND,
          cells: {},
          domainMeans: {},
          meanNormalized: null,
          transferGap: null,
        };
        methods.set(r.method, m);
      }
      const value = rankedValue(r);
      m.cells[dataset.slug] = {
        runId: r.runId,
        status: r.status,
        message: r.message,
        score: value?.score ?? null,
        normalized: value?.normalized ?? null,
        failedInstances: r.failedInstances,
        instances: r.instances,
      };
    }
  }
  for (const m of methods.values()) {
    const all: number[] = [];
    let complete = true;
    for (const domain of DOMAIN_ORDER) {
      // Datasets whose oracle is not above their floor rank nobody; every other dataset needs a score.
      const ds = task.datasets.filter((d) => d.domain === domain && ranks.has(d.slug));
      const cells = ds.map((d) => m.cells[d.slug]).filter((c): c is OverviewCell => !!c && c.normalized !== null);
      const values = cells.map((c) => c.normalized as number);
      all.push(...values);
      if (values.length < ds.length) complete = false;
      m.domainMeans[domain] = {
        mean: values.length === ds.length ? mean(values) : null,
        count: values.length,
        of: ds.length,
        failedInstances: cells.reduce((s, c) => s + c.failedInstances, 0),
      };
    }
    m.meanNormalized = complete ? mean(all) : null;
    m.transferGap = transferGap(m.domainMeans);
  }
  const sorted = [...methods.values()].sort((a, b) => {
    const x = a.meanNormalized ?? Number.NEGATIVE_INFINITY;
    const y = b.meanNormalized ?? Number.NEGATIVE_INFINITY;
    if (x !== y) return y - x;
    return a.method.localeCompare(b.method);
  });
  return { methods: sorted, references, runCount };
}

/** Synthetic minus biological domain score (TASKS.md); null unless both domains have a score. */
export function transferGap(domainMeans: Partial<Record<Domain, DomainMean>>): number | null {
  const synthetic = domainMeans.synthetic?.mean;
  const biological = domainMeans.biological?.mean;
  return synthetic === null || synthetic === undefined || biological === null || biological === undefined ? null : synthetic - biological;
}

/** A task's current official-split rows per dataset and their summary (what the overview and method pages read). */
export interface CurrentTask {
  task: TaskInfo;
  byDataset: Map<string, ResultRow[]>;
  summary: ReturnType<typeof summarizeTask>;
}

const currentTasks = processCache<CurrentTask[]>("current-tasks", 4);

/**
 * Every task at its current versions with its current official-split rows and summary, computed once per state of
 * the results database (resultsStamp over every task). Shared between requests: callers must not modify it.
 */
export async function getCurrentTasks(): Promise<CurrentTask[]> {
  const db = database();
  const key = await resultsStamp(db, null);
  const cached = currentTasks.get(key);
  if (cached) return cached;
  const [tasks, rows] = await Promise.all([loadTaskInfos(db), loadResults(db, { split: LEADERBOARD_SPLIT, current: true })]);
  const current = tasks.map((task) => {
    const { byDataset } = currentRows(task, rows);
    return { task, byDataset, summary: summarizeTask(task, byDataset) };
  });
  currentTasks.set(key, current);
  return current;
}

/** Tasks × methods: per method the official-split score per dataset and the mean normalized score per domain. */
export async function getOverview(): Promise<Overview> {
  const out: OverviewTask[] = (await getCurrentTasks()).map(({ task, summary }) => {
    // Every domain gets a column, so what is missing (no datasets, no ground truth) is shown, not hidden.
    return { ...task, domains: [...DOMAIN_ORDER], ...summary };
  });
  return { tasks: out, totalRuns: out.reduce((s, t) => s + t.runCount, 0) };
}

// ---------------------------------------------------------------------------------------------
// Task leaderboard

/** A run as its dataset's leaderboard shows it: the result row (minus what the table groups by) and its place. */
export interface LeaderboardEntry
  extends Omit<ResultRow, "task" | "taskVersion" | "dataset" | "datasetVersion" | "domain" | "split" | "finishedAt"> {
  /**
   * ranked: competes on the leaderboard (a failed run whose instances all have results too, its failed instances
   * counted at the task's lowest score); chance: the random reference row; floor: a floor reference, a row to beat;
   * pending: queued or running; failed: no score (unfinished).
   */
  role: "ranked" | "chance" | "floor" | "pending" | "failed";
  /** Competition rank (ties share a rank) among ranked entries; null for every other role. */
  rank: number | null;
  finishedAt: string | null;
  /** The same method version on the private split (scored by the server's workers), shown beside the official score. */
  private: PrivateScore | null;
  /** Ranked entries on a task's leaderboard: rank group, rank interval, paired comparison with the ranked row above. */
  significance: RowSignificance | null;
  /** Median wall time per instance (the cost plot's x axis). */
  medianInstanceMs: number | null;
  /** The run's peak resident memory: the largest of its instances'. */
  peakRssMb: number | null;
  /** Where the run ran, e.g. "AMD EPYC 7B13 (2 cores)". */
  hardware: string | null;
}

export interface PrivateScore {
  runId: number;
  status: RunStatus;
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  normalized: number | null;
}

export interface DatasetLeaderboard extends DatasetInfo {
  /** Scored entries (ranked and chance) by score, then pending, then failed runs. The oracle is never here. */
  entries: LeaderboardEntry[];
  references: References;
  /** Runs of this dataset on superseded task/dataset/method versions, not shown. */
  supersededRuns: number;
  /** Method rows left out of a long table (the task page shows the first ones unless ?rows=all). */
  hiddenRows?: number;
}

export interface TaskVersionView {
  version: number;
  contractHash: string;
  createdAt: string;
  /** Official-split runs recorded on this task version (any dataset version). */
  runs: number;
}

/** One method on the cost-vs-score plot, over the datasets in scope. */
export interface MethodCost {
  method: string;
  methodName: string;
  methodKind: ResultRow["methodKind"];
  role: "method" | "chance" | "floor";
  /** Mean normalized score over the scope's normalizable datasets (summarizeTask's rule: a score on every one). */
  normalized: number;
  /** Median wall time per instance, pooled over the method's instances in scope. */
  medianInstanceMs: number;
  backends: string[];
  hardware: string[];
}

export interface TaskPage extends TaskInfo {
  split: Split;
  leaderboards: DatasetLeaderboard[];
  /** Per method: normalized score per domain and the transfer gap. */
  domainSummary: OverviewMethod[];
  /** The task's newest version; when `version` is older, its scores are not comparable with this one's. */
  latestVersion: number;
  /** Every task version, newest first. */
  versions: TaskVersionView[];
  /** Cost vs score per method (oracle excluded) over the datasets in `costScope`. */
  costs: MethodCost[];
}

export interface TaskOptions {
  /** Versions to show (default: the latest task version and each dataset's latest version). */
  at?: VersionChoice;
  /** Datasets the cost plot averages over (default: all of them). */
  costScope?: { domain?: Domain; dataset?: string };
}

export function toEntry(r: ResultRow): LeaderboardEntry {
  const value = rankedValue(r);
  const role: LeaderboardEntry["role"] =
    r.status === "queued" || r.status === "running"
      ? "pending"
      : !value
        ? "failed"
        : r.method === CHANCE_METHOD
          ? "chance"
          : r.methodKind === FLOOR_KIND
            ? "floor"
            : "ranked";
  return {
    runId: r.runId,
    method: r.method,
    methodName: r.methodName,
    methodKind: r.methodKind,
    methodVersion: r.methodVersion,
    role,
    rank: null,
    status: r.status,
    message: r.message,
    score: value?.score ?? null,
    ciLow: r.ciLow,
    ciHigh: r.ciHigh,
    normalized: value?.normalized ?? null,
    floor: r.floor,
    floorMethod: r.floorMethod,
    failedInstances: r.failedInstances,
    countedScore: r.countedScore,
    countedNormalized: r.countedNormalized,
    metrics: r.metrics,
    instances: r.instances,
    instancesDone: r.instancesDone,
    runtimeMs: r.runtimeMs,
    backend: r.backend,
    gpuModel: r.gpuModel,
    hardwareClass: r.hardwareClass,
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
    private: null,
    significance: null,
    medianInstanceMs: null,
    peakRssMb: null,
    hardware: null,
  };
}

/** The entry with its method version's private-split run, when there is one. */
function withPrivate(entry: LeaderboardEntry, privateRows: ResultRow[] | undefined): LeaderboardEntry {
  const p = privateRows?.find((r) => r.method === entry.method && r.methodVersion === entry.methodVersion);
  if (!p) return entry;
  const ok = isOk(p);
  return {
    ...entry,
    private: {
      runId: p.runId,
      status: p.status,
      score: ok ? p.score : null,
      ciLow: p.ciLow,
      ciHigh: p.ciHigh,
      normalized: ok ? p.normalized : null,
    },
  };
}

/** Rank scored entries (highest score first); ties share a rank, the chance and floor rows take none. */
export function rankEntries(entries: LeaderboardEntry[]): LeaderboardEntry[] {
  const scored = entries
    .filter((e) => e.role === "ranked" || e.role === "chance" || e.role === "floor")
    .sort((a, b) => (b.score as number) - (a.score as number) || a.method.localeCompare(b.method));
  let rank = 0;
  let seen = 0;
  let previous: number | null = null;
  for (const e of scored) {
    if (e.role !== "ranked") continue;
    seen++;
    if (e.score !== previous) rank = seen;
    previous = e.score;
    e.rank = rank;
  }
  const byName = (a: LeaderboardEntry, b: LeaderboardEntry) => a.method.localeCompare(b.method);
  return [
    ...scored,
    ...entries.filter((e) => e.role === "pending").sort(byName),
    ...entries.filter((e) => e.role === "failed").sort(byName),
  ];
}

/** Ranked entries (in leaderboard order) with their paired significance; failed instances at the task's lowest score. */
async function withSignificance(db: Db, entries: LeaderboardEntry[], lowest: number): Promise<LeaderboardEntry[]> {
  const ranked = entries.filter((e) => e.role === "ranked");
  const significance = await significanceOfRuns(db, ranked, lowest);
  return entries.map((e) => ({ ...e, significance: significance.find((s) => s.runId === e.runId) ?? null }));
}

interface RunCost {
  wallMs: number[];
  peakRssMb: number | null;
  backend: string | null;
  hardware: string | null;
}

/** "CPU model (n cores)" from a run's recorded hardware (harness/provenance.ts). */
export function hardwareLabel(hardware: unknown): string | null {
  const h = (hardware ?? {}) as { cpu?: unknown; cores?: unknown };
  if (typeof h.cpu !== "string") return null;
  return typeof h.cores === "number" ? `${h.cpu} (${h.cores} cores)` : h.cpu;
}

/** Per run: its instances' wall times, peak memory, backend and hardware. */
async function runCosts(db: Db, runIds: number[]): Promise<Map<number, RunCost>> {
  if (runIds.length === 0) return new Map();
  const runs = await db.run.findMany({
    where: { id: { in: runIds } },
    select: { id: true, peakRssMb: true, backend: true, hardware: true, results: { select: { wallMs: true } } },
  });
  return new Map(
    runs.map((r) => [
      r.id,
      { wallMs: r.results.map((i) => i.wallMs), peakRssMb: r.peakRssMb, backend: r.backend, hardware: hardwareLabel(r.hardware) },
    ]),
  );
}

/** The entry with its run's median time per instance, peak memory and hardware. */
function withCost(entry: LeaderboardEntry, cost: RunCost | undefined): LeaderboardEntry {
  if (!cost) return entry;
  return { ...entry, medianInstanceMs: median(cost.wallMs), peakRssMb: cost.peakRssMb, hardware: cost.hardware };
}

/** Cost vs score per method over the scope's datasets: the mean normalized score and the median time per instance. */
function methodCosts(
  task: TaskInfo,
  byDataset: Map<string, ResultRow[]>,
  costs: Map<number, RunCost>,
  scope: TaskOptions["costScope"] = {},
): MethodCost[] {
  // An unknown dataset is no filter (the page says it ignored it).
  const only = task.datasets.some((d) => d.slug === scope.dataset) ? scope.dataset : undefined;
  const datasets = task.datasets.filter((d) => (!scope.domain || d.domain === scope.domain) && (!only || d.slug === only));
  // The overview's own mean: a method needs a score on every normalizable dataset in scope, or it has no point.
  return summarizeTask({ ...task, datasets }, byDataset).methods.flatMap((m) => {
    if (m.meanNormalized === null) return [];
    const runs = datasets.flatMap((d) => {
      const cost = m.cells[d.slug] ? costs.get(m.cells[d.slug]?.runId as number) : undefined;
      return cost ? [cost] : [];
    });
    const time = median(runs.flatMap((r) => r.wallMs));
    if (time === null) return [];
    const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))].sort();
    return [
      {
        method: m.method,
        methodName: m.methodName,
        methodKind: m.methodKind,
        role: m.isChance ? "chance" : m.isFloor ? "floor" : "method",
        normalized: m.meanNormalized,
        medianInstanceMs: time,
        backends: distinct(runs.map((r) => r.backend)),
        hardware: distinct(runs.map((r) => r.hardware)),
      },
    ];
  });
}

/** Per dataset, the newest dataset version with official runs on task version `taskVersion`. */
function datasetVersionsWithRuns(rows: ResultRow[], taskVersion: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    if (r.taskVersion === taskVersion && r.datasetVersion > (out[r.dataset] ?? 0)) out[r.dataset] = r.datasetVersion;
  }
  return out;
}

/**
 * Task info and the official-split leaderboard of each of its datasets; null for an unknown task (or task version).
 * By default the latest task version; an older one (`at.task`) shows each dataset at its newest version with runs on it.
 */
export async function getTask(taskId: string, options: TaskOptions = {}): Promise<TaskPage | null> {
  const db = database();
  // A task page reads hundreds of runs and their instance times: computed once per state of the task's runs.
  const key = `${taskId}|${JSON.stringify(options)}|${await resultsStamp(db, taskId)}`;
  const cached = taskPages.get(key);
  if (cached !== undefined) return cached;
  const page = await computeTask(db, taskId, options);
  taskPages.set(key, page);
  return page;
}

const taskPages = processCache<TaskPage | null>("task-pages", 64);

/**
 * What a task's pages (or, for null, every task's) are computed from, in one cheap query: the task, its task and dataset
 * versions, the methods and their versions, and every run of the task (the count and sum of their revisions, a new one on every
 * insert and update of a run, so a new, retried, progressing, finished or deleted run changes it; read from an index
 * alone: prisma/migrations/20261211000000_run_revision). Equal stamps mean equal pages, so cached ones are never stale.
 */
async function resultsStamp(db: Db, taskId: string | null): Promise<string> {
  const [row] = await db.$queryRaw<{ stamp: string }[]>`
    SELECT concat_ws(':',
      (SELECT concat_ws(':', count(*), max("updatedAt")) FROM "Task" WHERE ${taskId}::text IS NULL OR id = ${taskId}),
      (SELECT count(*) FROM "TaskVersion" WHERE ${taskId}::text IS NULL OR "taskId" = ${taskId}),
      (SELECT concat_ws(':', count(*), max(d."updatedAt")) FROM "DatasetVersion" dv JOIN "Dataset" d ON d.id = dv."datasetId"
         WHERE ${taskId}::text IS NULL OR d."taskId" = ${taskId}),
      (SELECT count(*) FROM "Method"), (SELECT max(id) FROM "MethodVersion"), (SELECT max("updatedAt") FROM "Method"),
      (SELECT concat_ws(':', count(*), sum(r.revision)) FROM "Run" r
         WHERE r."taskVersionId" IN (SELECT id FROM "TaskVersion" WHERE ${taskId}::text IS NULL OR "taskId" = ${taskId}))
    ) AS stamp`;
  return row?.stamp ?? "";
}

async function computeTask(db: Db, taskId: string, options: TaskOptions): Promise<TaskPage | null> {
  const at: VersionChoice = { ...options.at };
  const versionsQuery = db.taskVersion.findMany({
    where: { taskId },
    orderBy: { version: "desc" },
    select: { version: true, contractHash: true, createdAt: true, _count: { select: { runs: { where: { split: LEADERBOARD_SPLIT } } } } },
  });
  let task: TaskInfo | undefined;
  let privateRows: ResultRow[];
  let byDataset: Map<string, ResultRow[]>;
  let superseded: Map<string, number>;
  if (at.task === undefined && at.datasets === undefined) {
    // The leaderboard as it stands: only the current rows, selected in SQL (what keeps the page fast at 100 000 runs).
    const [infos, rows, privates, runCounts] = await Promise.all([
      loadTaskInfos(db, taskId),
      loadResults(db, { task: taskId, split: LEADERBOARD_SPLIT, current: true }),
      loadResults(db, { task: taskId, split: "private", current: true }),
      countRuns(db, { task: taskId, split: LEADERBOARD_SPLIT }),
    ]);
    task = infos[0];
    if (!task) return null;
    privateRows = privates;
    byDataset = currentRows(task, rows).byDataset;
    // Only current rows were loaded: every other run of the dataset on this split is superseded.
    superseded = new Map(task.datasets.map((d) => [d.slug, (runCounts.get(d.slug) ?? 0) - (byDataset.get(d.slug)?.length ?? 0)]));
  } else {
    // An older task or dataset version (browsed, never ranked with the current one): every run of the task is read.
    const [rows, privates] = await Promise.all([
      loadResults(db, { task: taskId, split: LEADERBOARD_SPLIT }),
      loadResults(db, { task: taskId, split: "private" }),
    ]);
    if (at.task !== undefined && !at.datasets) at.datasets = datasetVersionsWithRuns(rows, at.task);
    task = (await loadTaskInfos(db, taskId, at))[0];
    if (!task) return null;
    privateRows = privates;
    ({ byDataset, superseded } = currentRows(task, rows));
  }
  const versions = await versionsQuery;
  const privateByDataset = currentRows(task, privateRows, "private").byDataset;
  const costs = await runCosts(
    db,
    [...byDataset.values()].flatMap((dsRows) => dsRows.map((r) => r.runId)),
  );
  const leaderboards = await Promise.all(
    task.datasets.map(async (dataset) => {
      const dsRows = byDataset.get(dataset.slug) ?? [];
      const entries = dsRows
        .filter((r) => r.method !== ORACLE_METHOD)
        .map((r) => withCost(withPrivate(toEntry(r), privateByDataset.get(dataset.slug)), costs.get(r.runId)));
      return {
        ...dataset,
        entries: await withSignificance(db, rankEntries(entries), task.mainScore.min),
        references: referencesOf(dsRows),
        supersededRuns: superseded.get(dataset.slug) ?? 0,
      };
    }),
  );
  return {
    ...task,
    split: LEADERBOARD_SPLIT,
    leaderboards,
    domainSummary: summarizeTask(task, byDataset).methods,
    latestVersion: versions[0]?.version ?? task.version,
    versions: versions.map((v) => ({
      version: v.version,
      contractHash: v.contractHash,
      createdAt: v.createdAt.toISOString(),
      runs: v._count.runs,
    })),
    costs: methodCosts(task, byDataset, costs, options.costScope),
  };
}

// ---------------------------------------------------------------------------------------------
// Dataset page

export interface DatasetPage {
  task: Pick<TaskInfo, "id" | "title" | "version" | "mainScore" | "metrics">;
  dataset: DatasetInfo;
  readme: string;
  card: DatasetCardView | null;
  preview: DatasetPreview | null;
  config: unknown;
  leaderboard: DatasetLeaderboard;
  /** The dataset's newest version; an older `dataset.version` is browsable, never ranked with it. */
  latestVersion: number;
  /** Every version of the dataset, newest first, with its official-split runs on the task's current version. */
  versions: { version: number; contentHash: string; createdAt: string; runs: number }[];
}

/**
 * One dataset: its card, README, data preview and the leaderboard restricted to it (at dataset version `version`,
 * default the newest, on the task's current version); null when unknown.
 */
export async function getDatasetPage(taskId: string, slug: string, version?: number): Promise<DatasetPage | null> {
  const db = database();
  const task = await getTask(taskId, version === undefined ? {} : { at: { datasets: { [slug]: version } } });
  const leaderboard = task?.leaderboards.find((b) => b.slug === slug);
  if (!task || !leaderboard) return null;
  const row = await db.dataset.findUnique({
    where: { taskId_slug: { taskId, slug } },
    include: {
      versions: {
        orderBy: { version: "desc" },
        include: { _count: { select: { runs: { where: { split: LEADERBOARD_SPLIT, taskVersion: { version: task.version } } } } } },
      },
    },
  });
  if (!row) return null;
  const shown = row.versions.find((v) => v.version === leaderboard.version);
  const { leaderboards: _boards, domainSummary: _summary, costs: _costs, versions: _versions, ...info } = task;
  const { entries: _entries, references: _references, supersededRuns: _superseded, ...dataset } = leaderboard;
  return {
    task: { id: info.id, title: info.title, version: info.version, mainScore: info.mainScore, metrics: info.metrics },
    dataset,
    readme: row.readme,
    card: (row.card as DatasetCardView | null) ?? null,
    preview: (shown?.preview as DatasetPreview | null | undefined) ?? null,
    config: shown?.config ?? null,
    leaderboard,
    latestVersion: row.versions[0]?.version ?? leaderboard.version,
    versions: row.versions.map((v) => ({
      version: v.version,
      contentHash: v.contentHash,
      createdAt: v.createdAt.toISOString(),
      runs: v._count.runs,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Run page

export interface InstanceRow {
  index: number;
  instanceKey: string;
  /** null on the private split: its seeds derive from the server's secret and would reveal the instances. */
  seed: number | null;
  inputHash: string;
  status: RunStatus;
  score: number | null;
  metrics: Record<string, number> | null;
  message: string | null;
  /** The last lines of the instance's log (stack trace, method output), if any. */
  logTail: string | null;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number | null;
  /** Estimated GPU busy time and peak GPU memory of the method's processes; null without a GPU. */
  gpuBusyMs: number | null;
  gpuPeakMemMb: number | null;
}

export interface RunPage {
  id: number;
  split: Split;
  status: RunStatus;
  message: string | null;
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  normalized: number | null;
  metrics: Record<string, number> | null;
  instances: number;
  instancesDone: number;
  seed: number;
  method: {
    id: string;
    name: string;
    kind: ResultRow["methodKind"];
    description: string;
    url: string | null;
    version: string;
    sourceHash: string;
  };
  task: { id: string; title: string; version: number; contractHash: string; mainScore: ScoreSpec; metrics: MetricSpec[] };
  dataset: { slug: string; title: string; domain: Domain; version: number; contentHash: string };
  provenance: {
    harnessVersion: string;
    /** Deviations from the defaults, e.g. "no-sandbox". */
    notes: string[];
    gitSha: string;
    backend: string | null;
    hardware: Record<string, string>;
    /** "CPU-only" or the GPU model the run's instances used. */
    hardwareClass: string;
    /** The run's GPU (PROTOCOL 1.1), null for CPU-only runs. */
    gpu: { model: string; driver: string | null; cudaVersion: string | null; busyMs: number | null; peakMemMb: number | null } | null;
    wallMs: number | null;
    cpuMs: number | null;
    peakRssMb: number | null;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
  };
  /** The oracle, random and floor runs this run's normalized score uses (same task, dataset version and split). */
  references: References;
  /** Instances that failed; for a failed run whose instances all have results, the score it is ranked by (failed instances at the task's lowest score). */
  failedInstances: number;
  countedScore: number | null;
  countedNormalized: number | null;
  instanceResults: InstanceRow[];
}

function logTail(log: string | null): string | null {
  if (!log) return null;
  const lines = log.trimEnd().split("\n");
  const tail = lines.slice(-LOG_TAIL_LINES).join("\n");
  return tail.length > LOG_TAIL_CHARS ? `…${tail.slice(-LOG_TAIL_CHARS)}` : tail;
}

function plainRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function numberRecord(value: unknown): Record<string, number> | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number"),
  );
}

/** A run with its provenance and per-instance results; null for an unknown (or malformed) run id. */
export async function getRun(runId: string | number): Promise<RunPage | null> {
  const id = typeof runId === "number" ? runId : /^\d{1,9}$/.test(runId) ? Number(runId) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const db = database();
  const run = await db.run.findUnique({
    where: { id },
    include: {
      methodVersion: { include: { method: true } },
      taskVersion: { include: { task: true } },
      datasetVersion: { include: { dataset: true } },
      results: { orderBy: { index: "asc" } },
    },
  });
  if (!run) return null;
  const [row] = await loadResults(db, { runIds: [id] });
  const refRows = await loadResults(db, {
    task: run.taskVersion.taskId,
    dataset: run.datasetVersion.dataset.slug,
    split: run.split,
    methodKinds: ["reference", "floor"],
  });
  const sameData = refRows.filter((r) => r.taskVersion === run.taskVersion.version && r.datasetVersion === run.datasetVersion.version);
  // loadResults normalizes with the latest ok reference runs; show those.
  const latestOk = (method: string) => {
    const candidates = sameData.filter((r) => r.method === method);
    const ok = candidates.filter((r) => r.status === "ok");
    const pick = (ok.length ? ok : candidates).at(-1);
    return pick ? referenceOf([pick], method) : null;
  };
  const { mainScore, metrics } = contractSpecs(run.taskVersion.contract, run.taskVersion.task.mainScore);
  const m = run.methodVersion.method;
  // Private instances are secret: a method's messages and output could print their data.
  const secret = run.split === "private";
  return {
    id: run.id,
    split: run.split,
    status: toStatus(run.status),
    message: secret && run.message ? `${run.message.split(";")[0]}; ${PRIVATE_WITHHELD}` : run.message,
    score: run.status === "ok" ? run.score : null,
    ciLow: run.ciLow,
    ciHigh: run.ciHigh,
    normalized: row?.normalized ?? null,
    metrics: numberRecord(run.metrics),
    instances: run.instances,
    instancesDone: run.instancesDone,
    seed: run.seed,
    method: {
      id: m.id,
      name: m.name,
      kind: m.kind,
      description: m.description,
      url: m.url,
      version: run.methodVersion.version,
      sourceHash: run.methodVersion.sourceHash,
    },
    task: {
      id: run.taskVersion.taskId,
      title: run.taskVersion.task.title,
      version: run.taskVersion.version,
      contractHash: run.taskVersion.contractHash,
      mainScore,
      metrics,
    },
    dataset: {
      slug: run.datasetVersion.dataset.slug,
      title: run.datasetVersion.dataset.title,
      domain: run.datasetVersion.dataset.domain,
      version: run.datasetVersion.version,
      contentHash: run.datasetVersion.contentHash,
    },
    provenance: {
      harnessVersion: run.harnessVersion,
      notes: run.notes,
      gitSha: run.gitSha,
      backend: run.backend,
      hardware: plainRecord(run.hardware),
      hardwareClass: hardwareClass(run.gpuModel),
      gpu: run.gpuModel
        ? { model: run.gpuModel, driver: run.gpuDriver, cudaVersion: run.cudaVersion, busyMs: run.gpuBusyMs, peakMemMb: run.gpuPeakMemMb }
        : null,
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      peakRssMb: run.peakRssMb,
      createdAt: run.createdAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
    },
    references: {
      random: latestOk(CHANCE_METHOD),
      oracle: latestOk(ORACLE_METHOD),
      floors: [...new Set(sameData.filter((r) => r.methodKind === FLOOR_KIND).map((r) => r.method))].sort().map((method) => {
        const ref = latestOk(method) as ReferenceScore;
        return { ...ref, method, methodName: sameData.find((r) => r.method === method)?.methodName ?? method };
      }),
      floor: row?.floor !== null && row?.floor !== undefined && row.floorMethod ? { method: row.floorMethod, score: row.floor } : null,
    },
    failedInstances: row?.failedInstances ?? 0,
    countedScore: row?.countedScore ?? null,
    countedNormalized: row?.countedNormalized ?? null,
    instanceResults: run.results.map((r) => ({
      index: r.index,
      instanceKey: r.instanceKey,
      seed: secret ? null : r.seed,
      inputHash: r.inputHash,
      status: toStatus(r.status),
      score: r.score,
      metrics: numberRecord(r.metrics),
      message: secret && r.message ? PRIVATE_WITHHELD : r.message,
      logTail: secret ? null : logTail(r.log),
      wallMs: r.wallMs,
      cpuMs: r.cpuMs,
      peakRssMb: r.peakRssMb,
      gpuBusyMs: r.gpuBusyMs,
      gpuPeakMemMb: r.gpuPeakMemMb,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Existence checks (cheap; used by segment layouts so that unknown ids get a real HTTP 404 before
// any loading UI streams)

export async function taskExists(taskId: string): Promise<boolean> {
  return (await database().task.count({ where: { id: taskId } })) > 0;
}

export async function datasetExists(taskId: string, slug: string): Promise<boolean> {
  return (await database().dataset.count({ where: { taskId, slug } })) > 0;
}

export async function runExists(runId: string): Promise<boolean> {
  if (!/^\d{1,9}$/.test(runId) || Number(runId) <= 0) return false;
  return (await database().run.count({ where: { id: Number(runId) } })) > 0;
}

// ---------------------------------------------------------------------------------------------
// Submissions (the submission service, harness/service/): the page's first render; it then polls the API

export type { SubmissionStatusView } from "@/harness/service/runs.ts";

export async function getSubmission(id: string): Promise<SubmissionStatusView | null> {
  const n = parseId(id);
  return n === null ? null : submissionStatus(database(), n);
}

export async function submissionExists(id: string): Promise<boolean> {
  const n = parseId(id);
  return n !== null && (await database().submission.count({ where: { id: n } })) > 0;
}
