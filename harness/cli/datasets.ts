// `cajal datasets build` (train the artificial datasets' networks, sha256-verified) and `cajal datasets fetch`
// (download real recordings into the data cache, sha256-verified).
import os from "node:os";
import { z } from "zod";
import type { ArtifactRecipe } from "../artifacts.ts";
import type { DatasetDefinition, JsonValue } from "../types.ts";
import { UsageError } from "../usage-error.ts";
import { defineCommand } from "./command.ts";

/** The recipes behind the given dataset slugs (all artificial datasets when none are given). */
function selectRecipes(datasets: readonly DatasetDefinition[], slugs: readonly string[]): ArtifactRecipe[] {
  for (const slug of slugs) {
    if (!datasets.some((d) => d.slug === slug)) {
      throw new UsageError(
        `unknown dataset "${slug}"; datasets with trained networks: ${[...new Set(datasets.filter((d) => d.artifacts?.length).map((d) => d.slug))].join(", ")}`,
      );
    }
  }
  return datasets.filter((d) => slugs.length === 0 || slugs.includes(d.slug)).flatMap((d) => d.artifacts ?? []);
}

/** "testAccuracy 0.96, …": the numbers a recipe reports about its network (top level or under `performance`). */
function describePerformance(metadata: Record<string, JsonValue>): string {
  const nested = metadata.performance;
  const source = nested && typeof nested === "object" && !Array.isArray(nested) ? nested : metadata;
  return Object.entries(source)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
    .join(", ");
}

export const datasetsBuildCommand = defineCommand({
  name: "datasets build",
  summary: "train the artificial datasets' networks that are missing (sha256-verified against their pins)",
  usage: ["datasets build [SLUG…] [--force]"],
  details: "Files go to CAJAL_ARTIFACT_DIR (default .cajal/artifacts). `run`, `export` and `start` train what they need themselves.",
  options: {
    force: { type: "boolean", help: "rebuild even the networks that are present (checks that each recipe reproduces its pin)" },
  },
  maxPositionals: Number.POSITIVE_INFINITY,
  async run({ values, positionals }) {
    const { artifactPath } = await import("../artifacts.ts");
    const { buildArtifactsThreaded } = await import("../suite-threads.ts");
    const { listDatasets } = await import("../registry.ts");
    const recipes = selectRecipes(listDatasets(), positionals);
    const t0 = performance.now();
    const results = await buildArtifactsThreaded(recipes, { force: Boolean(values.force), threads: os.cpus().length });
    for (const r of results) {
      const perf = describePerformance(r.metadata);
      process.stdout.write(
        `${`${r.id} v${r.version}`.padEnd(26)} ${r.status === "built" ? `built in ${r.seconds.toFixed(1)} s` : "present"}  sha256 ${r.sha256.slice(0, 12)}…  ${perf}\n    ${artifactPath(r)}\n`,
      );
    }
    process.stderr.write(
      `${results.length} networks verified against their pinned sha256 in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  },
});

export const datasetsFetchCommand = defineCommand({
  name: "datasets fetch",
  summary: "download real recordings into the data cache (missing or damaged files only, sha256-verified)",
  usage: ["datasets fetch [RECORDING…]"],
  details: [
    "The cache is CAJAL_DATA_DIR, else ../shared/datasets when it exists, else .cajal/data.",
    "CAJAL_DATA_MIRROR=URL fetches from a mirror laid out like the cache (<mirror>/<recording>/original/<file>).",
  ].join("\n"),
  options: {},
  maxPositionals: Number.POSITIVE_INFINITY,
  async run({ positionals }) {
    const { fetchRecording, recordingStatus, resolveDataDir } = await import("../data.ts");
    const { ProgressBar } = await import("../progress.ts");
    const { getRecording, listRecordings } = await import("../registry.ts");
    // An unknown id is a UsageError that lists the recordings.
    const cards = positionals.length ? positionals.map(getRecording) : [...listRecordings()];
    const mirror = z
      .url({ error: () => "CAJAL_DATA_MIRROR must be an http(s) URL" })
      .optional()
      .parse(process.env.CAJAL_DATA_MIRROR || undefined);
    const { dir, source } = resolveDataDir();
    process.stderr.write(
      `data cache: ${dir} (${source === "env" ? "CAJAL_DATA_DIR" : source === "shared" ? "../shared/datasets" : ".cajal/data"})\n`,
    );
    for (const card of cards) {
      const status = recordingStatus(card);
      if (status.complete) {
        process.stdout.write(`${card.id.padEnd(34)} present (${status.files.length} files verified)\n`);
        continue;
      }
      const bar = new ProgressBar(card.id, 0);
      let last = 0;
      const result = await fetchRecording(card, {
        ...(mirror ? { urlFor: (f: { name: string }) => `${mirror.replace(/\/$/, "")}/${card.id}/original/${f.name}` } : {}),
        onProgress: (p) => {
          if (p.bytesTotal !== undefined) bar.setTotal(p.bytesTotal);
          bar.tick(p.file ?? "", p.bytesDone - last);
          last = p.bytesDone;
        },
      });
      bar.finish();
      process.stdout.write(
        `${card.id.padEnd(34)} downloaded ${result.downloaded.length} file(s), ${result.present.length} already present\n`,
      );
    }
    return 0;
  },
});
