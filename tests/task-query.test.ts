// The task page's URL state (lib/task-query.ts): parsing with notes for invalid values, the URLs it writes back,
// filters, sorting that keeps the score order's ranks, and the Pareto front among the methods shown.
import { describe, expect, it } from "vitest";
import type { LeaderboardEntry, MethodCost, TaskPage } from "../lib/data.ts";
import {
  applyTaskQuery,
  isRowToBeat,
  limitRows,
  type MethodFacts,
  parseTaskQuery,
  queryString,
  ROW_LIMIT,
  sortEntries,
  sortQuery,
  type TaskQuery,
} from "../lib/task-query.ts";

describe("parseTaskQuery", () => {
  it("defaults to score order, best first, and no filters", () => {
    expect(parseTaskQuery({})).toEqual({ query: { sort: "score", dir: "desc" }, notes: [] });
  });

  it("reads every param; a sort key brings its natural direction unless dir is given", () => {
    const { query, notes } = parseTaskQuery({
      sort: "runtime",
      domain: "biological",
      dataset: "hybrid-hd",
      kind: "baseline",
      origin: "submitted",
      language: "python3",
      version: "2",
    });
    expect(notes).toEqual([]);
    expect(query).toEqual({
      sort: "runtime",
      dir: "asc",
      domain: "biological",
      dataset: "hybrid-hd",
      kind: "baseline",
      origin: "submitted",
      language: "python3",
      version: 2,
    });
    expect(parseTaskQuery({ sort: "memory", dir: "desc" }).query).toMatchObject({ sort: "memory", dir: "desc" });
  });

  it("ignores invalid, repeated and empty values with a note for each invalid one, never throwing", () => {
    const { query, notes } = parseTaskQuery({
      sort: "fastest",
      dir: "up",
      domain: "martian",
      kind: "",
      origin: ["builtin", "submitted"],
      version: "0",
      dataset: "../etc/passwd",
      language: "<script>",
      unrelated: "x",
    });
    expect(query).toEqual({ sort: "score", dir: "desc" });
    expect(notes).toHaveLength(7);
    expect(notes[0]).toBe('Ignored sort="fastest": expected one of score, runtime, memory, name.');
    expect(notes.join("\n")).toMatch(/Ignored origin: give it once/);
    expect(notes.join("\n")).toMatch(/Ignored version="0"/);
    expect(parseTaskQuery({ version: "1.5" }).notes).toHaveLength(1);
    expect(parseTaskQuery({ version: "99999999" }).notes).toHaveLength(1);
  });
});

describe("queryString and sortQuery", () => {
  const base: TaskQuery = { sort: "score", dir: "desc" };
  it("writes only what differs from the defaults, and parses back to the same query", () => {
    expect(queryString(base)).toBe("");
    const q: TaskQuery = { sort: "runtime", dir: "asc", kind: "baseline", version: 1 };
    expect(queryString(q)).toBe("?sort=runtime&kind=baseline&version=1");
    const back = parseTaskQuery(Object.fromEntries(new URLSearchParams(queryString(q).slice(1))));
    expect(back).toEqual({ query: q, notes: [] });
  });
  it("a header link sorts by its key in its natural direction, or flips the current one", () => {
    expect(sortQuery(base, "runtime")).toEqual({ sort: "runtime", dir: "asc" });
    expect(sortQuery({ sort: "runtime", dir: "asc" }, "runtime")).toEqual({ sort: "runtime", dir: "desc" });
    expect(sortQuery({ sort: "name", dir: "asc", domain: "synthetic" }, "score")).toEqual({
      sort: "score",
      dir: "desc",
      domain: "synthetic",
    });
  });
});

const entry = (method: string, kind: LeaderboardEntry["methodKind"], rank: number | null, ms: number | null, mb: number | null) =>
  ({
    method,
    methodName: method.toUpperCase(),
    methodKind: kind,
    rank,
    medianInstanceMs: ms,
    peakRssMb: mb,
    role: rank ? "ranked" : "chance",
  }) as LeaderboardEntry;

// Score order as the leaderboard ranks it.
const ENTRIES = [
  entry("ica", "baseline", 1, 40, 300),
  entry("pca", "baseline", 2, 5, 120),
  entry("ext", "external", 3, null, 90),
  entry("random", "reference", null, 1, 80),
];

describe("sortEntries", () => {
  it("score order is the leaderboard's; other keys reorder rows but never change their ranks; missing values go last", () => {
    expect(sortEntries(ENTRIES, "score", "desc").map((e) => e.method)).toEqual(["ica", "pca", "ext", "random"]);
    const byTime = sortEntries(ENTRIES, "runtime", "asc");
    expect(byTime.map((e) => e.method)).toEqual(["random", "pca", "ica", "ext"]);
    expect(byTime.map((e) => e.rank)).toEqual([null, 2, 1, 3]);
    expect(sortEntries(ENTRIES, "runtime", "desc").map((e) => e.method)).toEqual(["ica", "pca", "random", "ext"]);
    expect(sortEntries(ENTRIES, "memory", "asc").map((e) => e.method)).toEqual(["random", "ext", "pca", "ica"]);
    expect(sortEntries(ENTRIES, "name", "desc").map((e) => e.method)).toEqual(["random", "pca", "ica", "ext"]);
  });
});

describe("limitRows", () => {
  it("keeps the first method rows in the given order and every chance and floor row, wherever it stands", () => {
    const many = [
      ...Array.from({ length: 20 }, (_, i) => entry(`m${i}`, "external", i + 1, 10, 10)),
      { ...entry("floor-constant", "floor", null, 1, 1), role: "floor" } as LeaderboardEntry,
      entry("random", "reference", null, 1, 1),
    ];
    const kept = limitRows(many, ROW_LIMIT, isRowToBeat);
    expect(kept.map((e) => e.method)).toEqual([...Array.from({ length: ROW_LIMIT }, (_, i) => `m${i}`), "floor-constant", "random"]);
    expect(limitRows(many.slice(0, 3), ROW_LIMIT, isRowToBeat)).toHaveLength(3);
  });

  it("the task view limits each table unless ?rows=all, and says how many rows it left out", () => {
    const many = Array.from({ length: ROW_LIMIT + 4 }, (_, i) => entry(`m${i}`, "external", i + 1, 10, 10));
    const task = {
      datasets: [{ slug: "a", title: "A", domain: "synthetic" }],
      leaderboards: [{ slug: "a", domain: "synthetic", entries: many }],
      costs: [],
    } as unknown as TaskPage;
    const limited = applyTaskQuery(task, { sort: "score", dir: "desc" }, new Map()).leaderboards[0];
    expect(limited?.entries).toHaveLength(ROW_LIMIT);
    expect(limited?.hiddenRows).toBe(4);
    const all = applyTaskQuery(task, { sort: "score", dir: "desc", rows: "all" }, new Map()).leaderboards[0];
    expect(all?.entries).toHaveLength(ROW_LIMIT + 4);
    expect(all?.hiddenRows).toBe(0);
    expect(parseTaskQuery({ rows: "all" }).query.rows).toBe("all");
    expect(parseTaskQuery({ rows: "9" }).notes).toEqual(['Ignored rows="9": expected "all".']);
    expect(queryString({ sort: "score", dir: "desc", rows: "all" })).toBe("?rows=all");
  });
});

describe("applyTaskQuery", () => {
  const cost = (method: string, role: MethodCost["role"], ms: number, normalized: number, kind: MethodCost["methodKind"] = "baseline") =>
    ({
      method,
      methodName: method,
      methodKind: kind,
      role,
      medianInstanceMs: ms,
      normalized,
      backends: ["wasm"],
      hardware: ["cpu (2 cores)"],
    }) as MethodCost;
  const task = {
    datasets: [
      { slug: "a", title: "A", domain: "synthetic" },
      { slug: "b", title: "B", domain: "biological" },
    ],
    leaderboards: [
      { slug: "a", domain: "synthetic", entries: ENTRIES },
      { slug: "b", domain: "biological", entries: ENTRIES.slice(0, 2) },
    ],
    costs: [
      cost("ica", "method", 40, 0.8),
      cost("pca", "method", 5, 0.6),
      cost("ext", "method", 50, 0.7, "external"),
      cost("random", "chance", 1, 0, "reference"),
    ],
  } as unknown as TaskPage;
  const facts = new Map<string, MethodFacts>([
    ["ica", { builtIn: true, language: "TypeScript" }],
    ["pca", { builtIn: true, language: "TypeScript" }],
    ["ext", { builtIn: false, language: "python3" }],
    ["random", { builtIn: true, language: "TypeScript" }],
  ]);
  const apply = (q: Partial<TaskQuery>) => applyTaskQuery(task, { sort: "score", dir: "desc", ...q }, facts);

  it("the Pareto front is among the methods shown, never the chance row", () => {
    const all = apply({});
    expect(all.costs.filter((c) => c.onFront).map((c) => c.method)).toEqual(["ica", "pca"]);
    // Without the built-ins only the submitted method is left, and it is its own front.
    const submitted = apply({ origin: "submitted" });
    expect(submitted.costs.map((c) => [c.method, c.onFront])).toEqual([["ext", true]]);
  });

  it("filters datasets by domain and dataset, rows by kind, origin and language (case-insensitive)", () => {
    expect(apply({ domain: "biological" }).leaderboards.map((b) => b.slug)).toEqual(["b"]);
    expect(apply({ dataset: "a" }).leaderboards.map((b) => b.slug)).toEqual(["a"]);
    const rows = (q: Partial<TaskQuery>) => apply(q).leaderboards[0]?.entries.map((e) => e.method);
    expect(rows({ kind: "baseline" })).toEqual(["ica", "pca"]);
    expect(rows({ origin: "builtin" })).toEqual(["ica", "pca", "random"]);
    expect(rows({ language: "PYTHON3" })).toEqual(["ext"]);
    expect(rows({ kind: "baseline", sort: "runtime", dir: "asc" })).toEqual(["pca", "ica"]);
    expect(apply({}).options).toEqual({
      datasets: [
        { slug: "a", title: "A", domain: "synthetic" },
        { slug: "b", title: "B", domain: "biological" },
      ],
      kinds: ["baseline", "external", "reference"],
      languages: ["TypeScript", "python3"],
    });
  });

  it("an unknown dataset is ignored with a note", () => {
    const view = apply({ dataset: "nope" });
    expect(view.notes).toEqual(['Ignored dataset="nope": this task has no such dataset.']);
    expect(view.leaderboards).toHaveLength(2);
  });
});
