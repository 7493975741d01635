// Registry-wide conformance: every task, dataset and method meets the same contract, so adding one
// is checked without writing per-plugin boilerplate. The official-split checks (floors, issue 10) are in
// tests/conformance-floors-*.test.ts, so that vitest's workers run them side by side.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATASETS } from "../datasets/registry.ts";
import { hashArrays } from "../harness/ndarray.ts";
import { REPO_ROOT } from "../harness/paths.ts";
import { datasetPreview } from "../harness/preview.ts";
import { datasetFolder, generateInstance, getTask } from "../harness/registry.ts";
import { evaluateInstance, methodContext } from "../harness/runner.ts";
import { type DatasetDefinition, DOMAINS, type Instance, SPLITS } from "../harness/types.ts";
import { validateOutputs } from "../harness/validate.ts";
import { METHODS } from "../methods/registry.ts";
import { TASKS } from "../tasks/registry.ts";
import { AVAILABLE, FLOOR_GROUPS } from "./helpers/conformance-floors.ts";

const kebab = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Dataset slugs may keep a recording's upstream id (TASKS.md names them so, e.g. hd_peyrache2015_adn). */
const slugPattern = /^[a-z0-9]+([-_][a-z0-9]+)*$/;
const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const unique = (ids: string[]) => new Set(ids).size === ids.length;

describe("registries", () => {
  it("ids are unique", () => {
    expect(unique(TASKS.map((t) => t.id))).toBe(true);
    expect(unique(METHODS.map((m) => m.id))).toBe(true);
    expect(unique(DATASETS.map((d) => `${d.task}/${d.slug}`))).toBe(true);
  });
  it("every task has datasets, an oracle and a random reference", () => {
    for (const task of TASKS) {
      expect(DATASETS.some((d) => d.task === task.id)).toBe(true);
      for (const ref of ["oracle", "random"]) expect(METHODS.find((m) => m.id === ref)?.tasks).toContain(task.id);
    }
  });
});

describe.each(TASKS.map((t) => [t.id, t] as const))("task %s", (id, task) => {
  it("has valid metadata and a README with a changelog", () => {
    expect(id).toMatch(kebab);
    expect(Number.isInteger(task.version) && task.version >= 1).toBe(true);
    expect(task.mainScore.max).toBeGreaterThan(task.mainScore.min);
    expect(Object.keys(task.inputs).length).toBeGreaterThan(0);
    expect(Object.keys(task.outputs).length).toBeGreaterThan(0);
    const readme = path.join(REPO_ROOT, "tasks", id, "README.md");
    expect(existsSync(readme)).toBe(true);
    expect(readFileSync(readme, "utf8")).toMatch(/## Changelog[\s\S]*\d{4}-\d{2}-\d{2}/);
  });
});

for (const d of DATASETS) {
  const reason = d.unavailable?.();
  // A recording that is not in the data cache (tests never download) is reported, not silently passed.
  if (reason) console.warn(`[conformance] skipping ${d.task}/${d.slug}: ${reason}`);
}

/**
 * Dev instance 0 of each dataset, generated once for the dataset's checks and every method's (generation can cost more
 * than a method); the determinism check generates its own again.
 */
const devZero = new Map<DatasetDefinition, Instance>();
function firstDevInstance(dataset: DatasetDefinition): Instance {
  let instance = devZero.get(dataset);
  if (!instance) {
    instance = generateInstance(dataset, "dev", 0);
    devZero.set(dataset, instance);
  }
  return instance;
}

describe.each(AVAILABLE.map((d) => [`${d.task}/${d.slug}`, d] as const))("dataset %s", (_key, dataset) => {
  const task = getTask(dataset.task);
  const instance = firstDevInstance(dataset);

  it("has valid metadata and a README", () => {
    expect(dataset.slug).toMatch(slugPattern);
    expect(DOMAINS).toContain(dataset.domain);
    for (const split of SPLITS) expect(dataset.sizes[split]).toBeGreaterThan(0);
    // Its README is its source's (datasets/<domain>/<id>/README.md), shown on the dataset page.
    expect(datasetFolder(dataset)).toMatch(new RegExp(`^datasets/${dataset.domain}/[a-z0-9_-]+$`));
    expect(existsSync(path.join(REPO_ROOT, datasetFolder(dataset), "README.md"))).toBe(true);
  });

  it("has a preview plot the dataset page can draw (its own, or the first two principal components)", () => {
    const preview = datasetPreview(dataset);
    expect(preview?.title.length).toBeGreaterThan(0);
    expect(["lines", "points"]).toContain(preview?.kind);
    expect(preview?.series.length).toBeGreaterThan(0);
    let points = 0;
    for (const series of preview?.series ?? []) {
      expect(series.x.length).toBe(series.y.length);
      expect([...series.x, ...series.y].every(Number.isFinite)).toBe(true);
      points += series.x.length;
    }
    // Stored in the database and drawn as inline SVG: keep it small.
    expect(points).toBeLessThanOrEqual(5000);
    expect(JSON.stringify(preview).length).toBeLessThan(200_000);
  });

  it("real recordings carry a card with licence, citation and every original file's sha256", () => {
    if (dataset.domain !== "biological") return;
    expect(dataset.card?.licence.length).toBeGreaterThan(0);
    expect(dataset.card?.bibtex).toMatch(/^@\w+\{/);
    expect(dataset.card?.files.length).toBeGreaterThan(0);
    for (const f of dataset.card?.files ?? []) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(dataset.config)).toContain(dataset.card?.files[0]?.sha256 ?? "missing");
  });

  it("is deterministic in (dataset, version, split, index) and splits differ", () => {
    const again = generateInstance(dataset, "dev", 0);
    expect(hashArrays(again.inputs)).toBe(hashArrays(instance.inputs));
    expect(hashArrays(again.truth)).toBe(hashArrays(instance.truth));
    expect(hashArrays(generateInstance(dataset, "official", 0).inputs)).not.toBe(hashArrays(instance.inputs));
    expect(hashArrays(generateInstance(dataset, "dev", 1).inputs)).not.toBe(hashArrays(instance.inputs));
  });

  it("produces inputs and truth matching the task contract", () => {
    expect(task.paramsSchema.safeParse(instance.params).success).toBe(true);
    for (const [name, spec] of Object.entries(task.inputs)) {
      if (spec.kind === "json") {
        expect(instance.jsonInputs?.[name], `json input ${name}`).toBeDefined();
        continue;
      }
      const array = instance.inputs[name];
      expect(array, `input ${name}`).toBeDefined();
      expect(array?.dtype).toBe(spec.dtype);
      expect(array?.shape).toHaveLength(spec.dims.length);
      expect(array?.data.length).toBe(array?.shape.reduce((a, b) => a * b, 1));
    }
    for (const name of Object.keys(task.truth)) expect(instance.truth[name], `truth ${name}`).toBeDefined();
  });

  it("scores the oracle at the ceiling and random well below it", async () => {
    const oracle = METHODS.find((m) => m.id === "oracle");
    const random = METHODS.find((m) => m.id === "random");
    if (!oracle || !random) throw new Error("references missing");
    const o = await evaluateInstance(oracle, task, instance);
    const r = await evaluateInstance(random, task, instance);
    expect(o.status).toBe("ok");
    expect(o.score).toBeGreaterThanOrEqual(task.mainScore.max - 1e-3);
    expect(r.status).toBe("ok");
    expect(r.score as number).toBeLessThan(task.mainScore.max - 0.2);
  });
});

describe.each(METHODS.map((m) => [m.id, m] as const))("method %s", (id, method) => {
  it("has valid metadata and a README", () => {
    expect(id).toMatch(kebab);
    expect(method.version).toMatch(semver);
    expect(method.tasks.length).toBeGreaterThan(0);
    for (const taskId of method.tasks) expect(TASKS.map((t) => t.id)).toContain(taskId);
    expect(existsSync(path.join(REPO_ROOT, "methods", id, "README.md"))).toBe(true);
  });

  it.each(method.tasks)("returns outputs of the contract's shape on %s, deterministically", async (taskId) => {
    const task = getTask(taskId);
    const dataset = AVAILABLE.find((d) => d.task === taskId);
    if (!dataset) throw new Error(`no dataset for ${taskId}`);
    const instance = firstDevInstance(dataset);
    const ctx = methodContext(method, task, instance);
    if (!method.readsTruth) {
      expect(Object.keys(ctx.instance?.truth ?? {})).toEqual([]);
      expect(Object.keys(ctx.instance?.meta ?? {})).toEqual([]);
    }
    const first = await method.run(ctx);
    expect(validateOutputs(task, instance, first)).toEqual({ ok: true });
    const second = await method.run(ctx);
    const arrays = (o: typeof first) =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => "data" in v)) as Parameters<typeof hashArrays>[0];
    expect(hashArrays(arrays(second))).toBe(hashArrays(arrays(first)));
  });
});

describe("official-split checks (floors)", () => {
  it("every group of tasks has its file, and every task with floors is checked in exactly one", () => {
    const files = readdirSync(path.join(REPO_ROOT, "tests")).filter((f) => /^conformance-floors-.+\.test\.ts$/.test(f));
    const groups = [...Object.keys(FLOOR_GROUPS), "other"];
    expect(files.sort()).toEqual(groups.map((g) => `conformance-floors-${g}.test.ts`).sort());
    for (const group of groups) {
      const source = readFileSync(path.join(REPO_ROOT, "tests", `conformance-floors-${group}.test.ts`), "utf8");
      expect(source).toContain(`describeFloors("${group}")`);
    }
    const listed = Object.values(FLOOR_GROUPS).flat() as string[];
    expect(unique(listed)).toBe(true);
    for (const taskId of listed) expect(TASKS.map((t) => t.id)).toContain(taskId);
  });
});
