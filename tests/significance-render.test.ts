// The leaderboard's Rank and "vs row above" columns, and /about/statistics, rendered to HTML (React's server
// renderer, no `next build`): what a visitor reads, from the same data the task page gets.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Leaderboard } from "../app/_components/leaderboard.tsx";
import StatisticsPage from "../app/about/statistics/page.tsx";
import type { DatasetLeaderboard, LeaderboardEntry } from "../lib/data.ts";
import type { RowSignificance } from "../lib/significance.ts";

function entry(
  runId: number,
  method: string,
  score: number,
  significance: RowSignificance | null,
  role: LeaderboardEntry["role"] = "ranked",
): LeaderboardEntry {
  return {
    runId,
    method,
    methodName: method,
    methodKind: role === "chance" ? "reference" : "baseline",
    methodVersion: "1.0.0",
    role,
    rank: role === "ranked" ? runId : null,
    status: "ok",
    message: null,
    score,
    ciLow: score - 0.01,
    ciHigh: score + 0.01,
    normalized: null,
    floor: null,
    floorMethod: null,
    failedInstances: 0,
    countedScore: null,
    countedNormalized: null,
    metrics: null,
    instances: 20,
    instancesDone: 20,
    runtimeMs: 10,
    backend: null,
    gpuModel: null,
    hardwareClass: "CPU-only",
    finishedAt: null,
    private: null,
    significance,
    medianInstanceMs: 1,
    peakRssMb: 50,
    hardware: null,
  };
}

const board: DatasetLeaderboard = {
  slug: "d",
  title: "Data",
  domain: "synthetic",
  description: "",
  version: 1,
  contentHash: "0".repeat(64),
  references: { random: null, oracle: null, floors: [], floor: null },
  supersededRuns: 0,
  entries: [
    entry(1, "alpha", 0.8, { runId: 1, method: "alpha", group: 1, rankLow: 1, rankHigh: 2, vsAbove: null }),
    entry(2, "beta", 0.79, {
      runId: 2,
      method: "beta",
      group: 1,
      rankLow: 1,
      rankHigh: 2,
      vsAbove: { method: "alpha", runId: 1, mean: -0.0312, low: -0.0604, high: -0.0101, n: 20, p: 0.004, pAdjusted: 0.021 },
    }),
    entry(9, "random", 0.5, null, "chance"),
  ],
};

function rows(html: string): string[] {
  return [...html.matchAll(/<tr[^>]*data-testid="leaderboard-row"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1] as string);
}

const cell = (row: string, testid: string) =>
  new RegExp(`data-testid="${testid}"[^>]*>([\\s\\S]*?)</td>`)
    .exec(row)?.[1]
    ?.replace(/<[^>]+>/g, "")
    .replace(/<!-- -->/g, "") ?? null;

describe("leaderboard significance columns", () => {
  const html = renderToStaticMarkup(
    createElement(Leaderboard, { task: { id: "t", mainScore: { id: "s", label: "Score", min: 0, max: 1 }, metrics: [] }, board }),
  );

  it("links the Rank header to /about/statistics", () => {
    expect(html).toMatch(/data-testid="rank-column"[^>]*><a[^>]*href="\/about\/statistics"/);
  });

  it("shows rank group with interval, and the difference to the row above", () => {
    const [first, second, chance] = rows(html);
    expect(cell(first as string, "rank-group")).toBe("1 (1–2)");
    expect(cell(first as string, "vs-above")).toBe("");
    expect(cell(second as string, "rank-group")).toBe("1 (1–2)");
    expect(cell(second as string, "vs-above")).toBe("Δ −0.031 [−0.060, −0.010], p = 0.02");
    expect(second).toContain("Holm-adjusted over every pair of ranked rows = 0.0210");
    // The chance row is never ranked: no significance cells.
    expect(cell(chance as string, "rank-group")).toBeNull();
  });
});

describe("/about/statistics", () => {
  it("renders the worked example computed by harness/statistics.ts", () => {
    const html = renderToStaticMarkup(createElement(StatisticsPage));
    const example = [...html.matchAll(/data-testid="statistics-example-row">([\s\S]*?)<\/tr>/g)].map((m) =>
      (m[1] as string)
        .replace(/<!-- -->/g, "")
        .replace(/<\/td>/g, " | ")
        .replace(/<[^>]+>/g, ""),
    );
    expect(example).toHaveLength(4);
    expect(example[0]).toMatch(/^method A \| 0\.846 \| 1 \(1–2\) \|/);
    expect(example[2]).toMatch(/^method C \| 0\.771 \| 3 \(3\) \| Δ −0\.066 \[−0\.077, −0\.055\], p = 0\.003 \| 0\.000488 \|/);
    expect(example[3]).toMatch(/^method D \| 0\.757 \| 3 \(4\) \|/);
  });
});
