// The issue-10 table: for every task × dataset on a split, the oracle, random, each floor reference, the best real
// baseline (with its 95% CI and normalized score) and whether any floor comes near it. Runs the default suite (every
// baseline) on its own embedded PostgreSQL under .cajal/bench-floors-pg unless DATABASE_URL is set, then prints a
// Markdown table. `npm run bench:floors [-- --split dev|official]`.
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "../harness/db/client.ts";
import { startEmbedded } from "../harness/db/embedded.ts";
import { migrate } from "../harness/db/migrate.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { registerAll } from "../harness/register.ts";
import { loadResults, type ResultRow } from "../harness/results.ts";
import { runSuiteThreaded } from "../harness/suite-threads.ts";

const { values } = parseArgs({ options: { split: { type: "string", default: "official" }, port: { type: "string", default: "54391" } } });
const split = values.split === "dev" ? "dev" : "official";

const handle = process.env.DATABASE_URL
  ? { url: process.env.DATABASE_URL, stop: async () => undefined }
  : await startEmbedded({ dataDir: path.join(REPO_ROOT, ".cajal", "bench-floors-pg"), port: Number(values.port) });
try {
  await migrate(handle.url);
  const db = createDb(handle.url);
  const registered = await registerAll(db);
  const started = performance.now();
  await runSuiteThreaded(handle.url, registered, { split });
  const seconds = (performance.now() - started) / 1000;
  const rows = await loadResults(db, { split });
  await db.$disconnect();

  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(3));
  const byKey = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const key = `${r.task}\u0000${r.dataset}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const lines = [
    `| task | dataset | domain | n | oracle | random | floor-constant | floor-shape | floor-shortcut | best baseline (score [95% CI]) | its normalized | floors' best normalized |`,
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  let nearFloor = 0;
  for (const group of byKey.values()) {
    const first = group[0] as ResultRow;
    const of = (id: string) => group.find((r) => r.method === id);
    const baselines = group.filter((r) => r.methodKind === "baseline" && r.score !== null);
    const best = baselines.sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0];
    const floorRuns = group.filter((r) => r.methodKind === "floor");
    const floorBest = Math.max(...floorRuns.map((r) => r.normalized ?? Number.NEGATIVE_INFINITY));
    if (best && (best.normalized ?? 0) <= 0.1) nearFloor++;
    lines.push(
      `| ${first.task} | ${first.dataset} | ${first.domain} | ${first.instances} | ${fmt(of("oracle")?.score)} | ${fmt(of("random")?.score)} | ${fmt(
        of("floor-constant")?.score,
      )} | ${fmt(of("floor-shape")?.score)} | ${fmt(of("floor-shortcut")?.score)} | ${
        best ? `${best.method} ${fmt(best.score)} [${fmt(best.ciLow)}, ${fmt(best.ciHigh)}]` : "–"
      } | ${fmt(best?.normalized)} | ${Number.isFinite(floorBest) ? floorBest.toFixed(3) : "–"} |`,
    );
  }
  console.log(lines.join("\n"));
  console.log(
    `\n${byKey.size} task × dataset, suite ${seconds.toFixed(0)} s on this machine; best baseline within 0.1 of the floor on ${nearFloor}.`,
  );
} finally {
  await handle.stop();
}
