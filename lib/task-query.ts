// The task page's URL state (pure): sorting, filters and version from the search params, validated with zod.
// An invalid value is ignored with a note the page shows, never an error; links and the filter form write the same
// params back, so every view is a plain GET URL that works without client JavaScript.
import { z } from "zod";
import type { Domain } from "@/harness/types.ts";
import type { DatasetLeaderboard, LeaderboardEntry, MethodCost, TaskPage } from "./data.ts";
import { paretoFront } from "./pareto.ts";

export const SORT_KEYS = ["score", "runtime", "memory", "name"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";
export const METHOD_KINDS = ["baseline", "reference", "floor", "external"] as const;
export type MethodKindFilter = (typeof METHOD_KINDS)[number];
export const ORIGINS = ["builtin", "submitted"] as const;
export type Origin = (typeof ORIGINS)[number];
const DOMAINS = ["synthetic", "artificial", "biological"] as const satisfies readonly Domain[];

/** Each key's natural direction: best score first, cheapest first, names A–Z. */
export const DEFAULT_DIR: Record<SortKey, SortDir> = { score: "desc", runtime: "asc", memory: "asc", name: "asc" };

export interface TaskQuery {
  sort: SortKey;
  dir: SortDir;
  domain?: Domain;
  dataset?: string;
  kind?: MethodKindFilter;
  origin?: Origin;
  language?: string;
  /** An older task version to browse (its results are never ranked with the current version's). */
  version?: number;
  /** "all": every row of each table; by default the first ROW_LIMIT method rows and every row to beat. */
  rows?: "all";
}

/**
 * Method rows per leaderboard on the task page unless ?rows=all: a task with hundreds of submissions stays a page that
 * renders in well under a second (the dataset page and ?rows=all list them all). Chance and floor rows always show.
 */
export const ROW_LIMIT = 10;

type Param = keyof TaskQuery;

const FIELDS: Record<Param, { schema: z.ZodType; expected: string }> = {
  sort: { schema: z.enum(SORT_KEYS), expected: `one of ${SORT_KEYS.join(", ")}` },
  dir: { schema: z.enum(["asc", "desc"]), expected: "asc or desc" },
  domain: { schema: z.enum(DOMAINS), expected: `one of ${DOMAINS.join(", ")}` },
  dataset: { schema: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/), expected: "a dataset slug" },
  kind: { schema: z.enum(METHOD_KINDS), expected: `one of ${METHOD_KINDS.join(", ")}` },
  origin: { schema: z.enum(ORIGINS), expected: `one of ${ORIGINS.join(", ")}` },
  language: { schema: z.string().regex(/^[A-Za-z0-9._+-]{1,40}$/), expected: "a language name, e.g. TypeScript or python3" },
  version: {
    schema: z
      .string()
      .regex(/^\d{1,6}$/)
      .transform(Number)
      .pipe(z.number().int().positive()),
    expected: "a positive task version number",
  },
  rows: { schema: z.literal("all"), expected: '"all"' },
};

export type SearchParams = Record<string, string | string[] | undefined>;

/** What a note quotes of a visitor's value: short, one line. */
const quote = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** The query of a task page's URL; every invalid or repeated param is dropped and explained in `notes`. */
export function parseTaskQuery(params: SearchParams): { query: TaskQuery; notes: string[] } {
  const notes: string[] = [];
  const values: Partial<Record<Param, unknown>> = {};
  for (const [key, field] of Object.entries(FIELDS) as [Param, (typeof FIELDS)[Param]][]) {
    const raw = params[key];
    // The filter form submits its unselected fields as empty strings: they mean "any".
    if (raw === undefined || raw === "") continue;
    if (Array.isArray(raw)) {
      notes.push(`Ignored ${key}: give it once (it was given ${raw.length} times).`);
      continue;
    }
    const parsed = field.schema.safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else notes.push(`Ignored ${key}=${quote(raw)}: expected ${field.expected}.`);
  }
  const sort = (values.sort as SortKey | undefined) ?? "score";
  const query: TaskQuery = { sort, dir: (values.dir as SortDir | undefined) ?? DEFAULT_DIR[sort] };
  for (const key of ["domain", "dataset", "kind", "origin", "language", "version", "rows"] as const) {
    if (values[key] !== undefined) Object.assign(query, { [key]: values[key] });
  }
  return { query, notes };
}

/** The URL search string of a query (only what differs from the defaults), e.g. "?sort=runtime&kind=baseline". */
export function queryString(query: TaskQuery): string {
  const p = new URLSearchParams();
  if (query.sort !== "score") p.set("sort", query.sort);
  if (query.dir !== DEFAULT_DIR[query.sort]) p.set("dir", query.dir);
  for (const key of ["domain", "dataset", "kind", "origin", "language", "version", "rows"] as const) {
    const v = query[key];
    if (v !== undefined) p.set(key, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** A column header's link: sort by `key` in its natural direction, or flip the direction when it is already the key. */
export function sortQuery(query: TaskQuery, key: SortKey): TaskQuery {
  const dir = query.sort === key ? (query.dir === "asc" ? "desc" : "asc") : DEFAULT_DIR[key];
  return { ...query, sort: key, dir };
}

export interface MethodFacts {
  builtIn: boolean;
  language: string;
}

/** A method passes the kind, origin and language filters. Unknown facts pass only when no such filter is set. */
export function matchesMethod(m: { method: string; methodKind: string }, query: TaskQuery, facts: ReadonlyMap<string, MethodFacts>) {
  const f = facts.get(m.method);
  if (query.kind && m.methodKind !== query.kind) return false;
  if (query.origin && (!f || f.builtIn !== (query.origin === "builtin"))) return false;
  if (query.language && (!f || f.language.toLowerCase() !== query.language.toLowerCase())) return false;
  return true;
}

const sortValue: Record<Exclude<SortKey, "score" | "name">, (e: LeaderboardEntry) => number | null> = {
  runtime: (e) => e.medianInstanceMs,
  memory: (e) => e.peakRssMb,
};

/**
 * Rows in the requested order. Score order is the leaderboard's own (ranked by score, then pending and failed runs);
 * the other keys reorder rows only: ranks stay those of the score order. Rows without a value go last either way.
 */
export function sortEntries(entries: readonly LeaderboardEntry[], sort: SortKey, dir: SortDir): LeaderboardEntry[] {
  const sign = dir === "asc" ? 1 : -1;
  if (sort === "score") return dir === "desc" ? [...entries] : [...entries].reverse();
  if (sort === "name")
    return [...entries].sort((a, b) => sign * a.methodName.localeCompare(b.methodName) || a.method.localeCompare(b.method));
  const value = sortValue[sort];
  // Array.prototype.sort is stable: equal values keep the score order.
  return [...entries].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return sign * (x - y);
  });
}

/** A leaderboard's rows to beat: the chance and floor rows, shown however many method rows are left out. */
export function isRowToBeat(e: LeaderboardEntry): boolean {
  return e.role === "chance" || e.role === "floor";
}

/** The first `limit` method rows in the given order, and every row to beat wherever it is. */
export function limitRows<T>(entries: readonly T[], limit: number, toBeat: (e: T) => boolean): T[] {
  let methods = 0;
  return entries.filter((e) => toBeat(e) || methods++ < limit);
}

export interface CostPoint extends MethodCost {
  /** On the Pareto front of the methods shown: no shown method is both faster and better. */
  onFront: boolean;
}

export interface FilterOptions {
  datasets: { slug: string; title: string; domain: Domain }[];
  kinds: string[];
  languages: string[];
}

export interface TaskView {
  leaderboards: DatasetLeaderboard[];
  costs: CostPoint[];
  notes: string[];
  options: FilterOptions;
}

/**
 * The task page as the query asks: leaderboards of the chosen domain/dataset, rows of the chosen kind, origin and
 * language in the chosen order, and the cost plot's points with the Pareto front among the methods shown (the chance
 * and floor rows are drawn for reference but never on the front).
 */
export function applyTaskQuery(task: TaskPage, query: TaskQuery, facts: ReadonlyMap<string, MethodFacts>): TaskView {
  const notes: string[] = [];
  const entries = task.leaderboards.flatMap((b) => b.entries);
  const options: FilterOptions = {
    datasets: task.datasets.map((d) => ({ slug: d.slug, title: d.title, domain: d.domain })),
    kinds: [...new Set(entries.map((e) => e.methodKind))].sort(),
    languages: [...new Set(entries.flatMap((e) => facts.get(e.method)?.language ?? []))].sort(),
  };
  if (query.dataset && !task.datasets.some((d) => d.slug === query.dataset)) {
    notes.push(`Ignored dataset=${quote(query.dataset)}: this task has no such dataset.`);
    query = { ...query, dataset: undefined };
  }
  const leaderboards = task.leaderboards
    .filter((b) => (!query.domain || b.domain === query.domain) && (!query.dataset || b.slug === query.dataset))
    .map((b) => {
      const sorted = sortEntries(
        b.entries.filter((e) => matchesMethod(e, query, facts)),
        query.sort,
        query.dir,
      );
      const entries = query.rows === "all" ? sorted : limitRows(sorted, ROW_LIMIT, isRowToBeat);
      return { ...b, entries, hiddenRows: sorted.length - entries.length };
    });
  const shown = task.costs.filter((c) => matchesMethod(c, query, facts));
  const front = new Set(
    paretoFront(
      shown.filter((c) => c.role === "method").map((c) => ({ method: c.method, cost: c.medianInstanceMs, score: c.normalized })),
    ).map((p) => p.method),
  );
  return { leaderboards, costs: shown.map((c) => ({ ...c, onFront: front.has(c.method) })), notes, options };
}
