// Dataset sources (harness/source.ts): every folder under datasets/<domain>/ is one registered source, the dataset and
// recording lists are exactly what the sources list, and a source's hash covers its own folder and the core it
// imports, never the registries (which would make every dataset's cache key depend on the whole repository).
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATASETS, RECORDINGS, SOURCES } from "../datasets/registry.ts";
import type { ArtifactRecipe } from "../harness/artifacts.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { importClosure, listFiles } from "../harness/provenance.ts";
import { datasetFolder, getDataset, listSources, sourceOf, UsageError } from "../harness/registry.ts";
import { type DatasetSource, defineSource, sourceFolder } from "../harness/source.ts";
import { type DatasetDefinition, DOMAINS } from "../harness/types.ts";

const isDir = (p: string) => statSync(p).isDirectory();

describe("the source layout", () => {
  it("datasets/ holds the registry and one folder per domain; every folder in those is a registered source", async () => {
    const root = path.join(REPO_ROOT, "datasets");
    expect(readdirSync(root).sort()).toEqual(["artificial", "biological", "registry.ts", "synthetic"]);
    const folders = DOMAINS.flatMap((domain) =>
      readdirSync(path.join(root, domain))
        .filter((name) => isDir(path.join(root, domain, name)))
        .map((name) => `datasets/${domain}/${name}`),
    );
    expect(folders.sort()).toEqual(SOURCES.map(sourceFolder).sort());
    for (const source of SOURCES) {
      const folder = sourceFolder(source);
      expect(existsSync(path.join(REPO_ROOT, folder, "README.md")), `${folder}/README.md`).toBe(true);
      // The registry's entry is the one the folder's source.ts exports.
      const module: { source: DatasetSource } = await import(path.join(REPO_ROOT, folder, "source.ts"));
      expect(module.source, folder).toBe(source);
    }
  });

  it("the dataset and recording lists are derived from the sources, with unique ids and (task, slug) pairs", () => {
    expect(new Set(SOURCES.map((s) => s.id)).size).toBe(SOURCES.length);
    expect(DATASETS).toEqual(SOURCES.flatMap((s) => s.datasets));
    const keys = DATASETS.map((d) => `${d.task}/${d.slug}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(RECORDINGS.map((c) => c.id)).toEqual(SOURCES.filter((s) => s.domain === "biological").map((s) => s.id));
  });

  it("every dataset finds its source and its folder; a dataset outside every source is an error", () => {
    const hdWake = getDataset("topology", "hd-wake");
    expect(sourceOf(hdWake).id).toBe("hd_peyrache2015_adn");
    expect(datasetFolder(hdWake)).toBe("datasets/biological/hd_peyrache2015_adn");
    expect(datasetFolder(getDataset("feature-recovery", "sparse-linear"))).toBe("datasets/synthetic/sparse-linear");
    for (const d of DATASETS) expect(sourceOf(d).datasets).toContain(d);
    expect(() => sourceOf({ task: "topology", slug: "nope" })).toThrow(UsageError);
  });

  it("a trained network has one pinned sha256 however many sources read it", () => {
    const pins = new Map<string, string>();
    for (const r of SOURCES.flatMap((s) => s.artifacts ?? [])) {
      const key = `${r.id}@${r.version}`;
      expect(pins.get(key) ?? r.sha256, key).toBe(r.sha256);
      pins.set(key, r.sha256);
    }
    expect([...pins.keys()].sort()).toContain("mnist-mlp@1");
  });

  it("a source's hash covers its own folder and the core it imports, never a registry or another source's entry", () => {
    const registries = ["datasets/registry.ts", "harness/registry.ts", "methods/registry.ts", "tasks/registry.ts"];
    for (const source of listSources()) {
      const folder = sourceFolder(source);
      const own = listFiles(folder).filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f));
      const closure = importClosure(own);
      expect(closure, folder).toEqual(expect.arrayContaining(own));
      expect(
        closure.filter((f) => registries.includes(f)),
        folder,
      ).toEqual([]);
      expect(
        closure.filter((f) => f.endsWith("/source.ts") && f.startsWith("datasets/") && !f.startsWith(`${folder}/`)),
        folder,
      ).toEqual([]);
      // Sources only read the engine, task code and (for shared networks) a sibling's module: never methods or the site.
      expect(
        closure.filter((f) => !/^(datasets|harness|tasks)\//.test(f)),
        folder,
      ).toEqual([]);
    }
  });
});

describe("defineSource", () => {
  const dataset = (over: Partial<DatasetDefinition> = {}): DatasetDefinition => ({
    slug: "toy",
    task: "feature-recovery",
    version: 1,
    title: "Toy",
    domain: "synthetic",
    description: "a toy",
    sizes: { dev: 1, official: 1, private: 1 },
    config: {},
    generate: () => ({ params: {}, inputs: {}, truth: {}, meta: {} }),
    ...over,
  });
  const recipe = { id: "net", version: 1, title: "Net", sha256: "0".repeat(64), estimatedSeconds: 1 } as ArtifactRecipe;
  const card = RECORDINGS.find((c) => c.id === "hd_peyrache2015_adn") as NonNullable<DatasetSource["card"]>;
  const base: DatasetSource = { id: "toy", domain: "synthetic", title: "Toy", availability: "generated", datasets: [dataset()] };

  it("accepts a well-formed source and returns it unchanged", () => {
    expect(defineSource(base)).toBe(base);
  });

  it.each<[string, DatasetSource, RegExp]>([
    ["an id that is not kebab-case", { ...base, id: "Toy_1" }, /kebab-case/],
    ["a dataset of another domain", { ...base, datasets: [dataset({ domain: "artificial" })] }, /toy is artificial, its source synthetic/],
    ["a dataset listed twice", { ...base, datasets: [dataset(), dataset()] }, /feature-recovery\/toy is listed twice/],
    ["a generated source without datasets", { ...base, datasets: [] }, /feeds at least one dataset/],
    ["a biological source without a card", { ...base, domain: "biological", availability: "recording" }, /exactly when it is biological/],
    ["a card on a synthetic source", { ...base, card }, /exactly when it is biological/],
    [
      "a recording whose id is not its card's",
      { ...base, id: "hd", domain: "biological", availability: "catalogued", datasets: [], card },
      /card id "hd_peyrache2015_adn"/,
    ],
    [
      "a catalogued recording with datasets",
      {
        ...base,
        id: card.id,
        domain: "biological",
        availability: "catalogued",
        card,
        datasets: [dataset({ domain: "biological", card: { id: card.id } as DatasetDefinition["card"] })],
      },
      /a catalogued source has no datasets/,
    ],
    [
      "a trained source without networks",
      { ...base, domain: "artificial", availability: "trained", datasets: [dataset({ domain: "artificial" })] },
      /exactly when it is "trained"/,
    ],
    [
      "a network no dataset reads",
      { ...base, domain: "artificial", availability: "trained", artifacts: [recipe], datasets: [dataset({ domain: "artificial" })] },
      /no dataset reads net@1/,
    ],
    [
      "a dataset reading a network the source does not list",
      { ...base, domain: "artificial", datasets: [dataset({ domain: "artificial", artifacts: [recipe] })] },
      /reads net@1, which the source does not list/,
    ],
  ])("refuses %s", (_what, source, message) => {
    expect(() => defineSource(source)).toThrow(message);
  });
});
