// The templates of CONTRIBUTING.md (templates/task, templates/method, templates/dataset), scaffolded with
// scripts/new.ts under fresh ids into a scratch folder, registered next to the real registries (the registry modules
// are mocked to append them, so the harness, the references and the floors find them as they find any plugin) and
// held to the contract of tests/conformance.test.ts plus the scores a template promises: the oracle at the ceiling,
// random at its analytic chance level, the floors well below the oracle, and the template method above every trivial
// answer. The checks return problems; broken copies (a wrong output shape, a broken score, a generator that ignores
// its seed) are shown to produce them, so a broken template fails this file.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DATASETS } from "../datasets/registry.ts";
import { hashArrays } from "../harness/ndarray.ts";
import { datasetPreview } from "../harness/preview.ts";
import { importClosure, listFiles } from "../harness/provenance.ts";
import { datasetFolder, generateInstance, getDataset, getMethod, getTask } from "../harness/registry.ts";
import { Rng } from "../harness/rng.ts";
import { evaluateInstance, methodContext } from "../harness/runner.ts";
import { type DatasetDefinition, type Instance, type MethodDefinition, SPLITS, type Split, type TaskDefinition } from "../harness/types.ts";
import { validateOutputs } from "../harness/validate.ts";
import { METHODS } from "../methods/registry.ts";
import { TASKS } from "../tasks/registry.ts";
import { REPO, scaffoldedTemplates } from "./helpers/templates.ts";

vi.mock("../tasks/registry.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../tasks/registry.ts")>();
  const { scaffoldedTemplates } = await import("./helpers/templates.ts");
  return { ...real, TASKS: [...real.TASKS, (await scaffoldedTemplates()).task] };
});
vi.mock("../methods/registry.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../methods/registry.ts")>();
  const { scaffoldedTemplates } = await import("./helpers/templates.ts");
  return { ...real, METHODS: [...real.METHODS, (await scaffoldedTemplates()).method] };
});
vi.mock("../datasets/registry.ts", async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const { scaffoldedTemplates } = await import("./helpers/templates.ts");
  const { source } = await scaffoldedTemplates();
  // The registry lists sources (one line each) and the datasets they feed; the template joins both lists.
  const sources = Array.isArray(real.SOURCES) ? { SOURCES: [...real.SOURCES, source] } : {};
  return { ...real, ...sources, DATASETS: [...(real.DATASETS as DatasetDefinition[]), ...source.datasets] };
});

const templates = await scaffoldedTemplates();
afterAll(() => templates.remove());
const { task, method, source, ids, made, root } = templates;
const dataset = source.datasets[0] as DatasetDefinition;
const chanceScore = templates.taskModule.chanceScore as (d: number) => number;
const chanceOf = (i: Instance) => chanceScore(i.inputs.activity?.shape[1] as number);

const kebab = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const REFERENCES = ["oracle", "random", "floor-constant", "floor-shape", "floor-shortcut"];
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** What tests/conformance.test.ts asks of a task's metadata and README. */
function taskProblems(task: TaskDefinition, folder: string): string[] {
  const problems: string[] = [];
  if (!kebab.test(task.id)) problems.push(`task id ${task.id} is not kebab-case`);
  if (!(Number.isInteger(task.version) && task.version >= 1)) problems.push(`task version ${task.version} is not an integer ≥ 1`);
  if (!(task.mainScore.max > task.mainScore.min)) problems.push("mainScore.max must exceed mainScore.min");
  if (!Object.keys(task.inputs).length || !Object.keys(task.outputs).length) problems.push("a task declares inputs and outputs");
  const readme = path.join(folder, "README.md");
  if (!existsSync(readme) || !/## Changelog[\s\S]*\d{4}-\d{2}-\d{2}/.test(readFileSync(readme, "utf8")))
    problems.push("README.md with a dated ## Changelog is missing");
  return problems;
}

/** The per-dataset checks of tests/conformance.test.ts, on dev instance 0 (and 1, and official 0). */
async function datasetProblems(dataset: DatasetDefinition, task: TaskDefinition): Promise<string[]> {
  const problems: string[] = [];
  if (!kebab.test(dataset.slug)) problems.push(`slug ${dataset.slug} is not kebab-case`);
  for (const split of SPLITS) if (!(dataset.sizes[split] > 0)) problems.push(`no ${split} instances`);
  // Where the registry says its source lives (datasets/<domain>/<id>/), relative to the scratch checkout.
  const folder = datasetFolder(dataset);
  if (!new RegExp(`^datasets/${dataset.domain}/[a-z0-9_-]+$`).test(folder)) problems.push(`folder ${folder} is not datasets/<domain>/<id>`);
  if (!existsSync(path.join(root, folder, "README.md"))) problems.push(`${folder}/README.md is missing`);
  const preview = datasetPreview(dataset);
  if (!preview?.series.length || preview.series.some((s) => s.x.length !== s.y.length || ![...s.x, ...s.y].every(Number.isFinite)))
    problems.push("no preview plot the dataset page can draw");
  const instance = generateInstance(dataset, "dev", 0);
  const again = generateInstance(dataset, "dev", 0);
  if (hashArrays(again.inputs) !== hashArrays(instance.inputs) || hashArrays(again.truth) !== hashArrays(instance.truth))
    problems.push("dev 0 differs between two generations: generate() must be deterministic in its seed");
  for (const [split, index] of [["official", 0] as const, ["dev", 1] as const])
    if (hashArrays(generateInstance(dataset, split, index).inputs) === hashArrays(instance.inputs))
      problems.push(`${split} ${index} has the inputs of dev 0: draw everything from the seed`);
  if (!task.paramsSchema.safeParse(instance.params).success) problems.push("params do not match the task's paramsSchema");
  for (const [name, spec] of Object.entries(task.inputs)) {
    const array = instance.inputs[name];
    if (spec.kind === "json") {
      if (instance.jsonInputs?.[name] === undefined) problems.push(`json input ${name} is missing`);
    } else if (array?.dtype !== spec.dtype || array.shape.length !== spec.dims.length) {
      problems.push(`input ${name} is not ${spec.dtype} of rank ${spec.dims.length}`);
    }
  }
  for (const name of Object.keys(task.truth)) if (!instance.truth[name]) problems.push(`truth ${name} is missing`);
  const o = await evaluateInstance(getMethod("oracle"), task, instance);
  const r = await evaluateInstance(getMethod("random"), task, instance);
  if (o.status !== "ok" || (o.score as number) < task.mainScore.max - 1e-3)
    problems.push(`oracle: ${o.status} ${o.score} ${o.message ?? ""}`);
  if (r.status !== "ok" || (r.score as number) >= task.mainScore.max - 0.2)
    problems.push(`random: ${r.status} ${r.score} ${r.message ?? ""}`);
  return problems;
}

/** The per-method checks of tests/conformance.test.ts: metadata, README, outputs valid for the task, deterministic. */
async function methodProblems(method: MethodDefinition, task: TaskDefinition, instances: readonly Instance[], folder: string) {
  const problems: string[] = [];
  if (!kebab.test(method.id)) problems.push(`method id ${method.id} is not kebab-case`);
  if (!semver.test(method.version)) problems.push(`method version ${method.version} is not semver`);
  if (!method.tasks.length || method.tasks.some((t) => !TASKS.some((x) => x.id === t))) problems.push(`unknown tasks ${method.tasks}`);
  if (!existsSync(path.join(folder, "README.md"))) problems.push("README.md is missing");
  for (const instance of instances) {
    const ctx = methodContext(method, task, instance);
    if (Object.keys(ctx.instance?.truth ?? {}).length) problems.push("the method is shown the truth");
    const first = await method.run(ctx);
    const valid = validateOutputs(task, instance, first);
    if (!valid.ok) problems.push(`${instance.key}: ${valid.message}`);
    const second = await method.run(ctx);
    const arrays = (o: typeof first) =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => "data" in v)) as Parameters<typeof hashArrays>[0];
    if (valid.ok && hashArrays(arrays(second)) !== hashArrays(arrays(first))) problems.push(`${instance.key}: two runs differ`);
  }
  return problems;
}

/** Mean score of each method over a split, as the runner scores it (failed instances at the task's lowest score). */
async function meanScores(methods: readonly MethodDefinition[], task: TaskDefinition, dataset: DatasetDefinition, split: Split) {
  const instances = Array.from({ length: dataset.sizes[split] }, (_, i) => generateInstance(dataset, split, i));
  const means = new Map<string, number>();
  const failures: string[] = [];
  for (const method of methods) {
    const scores: number[] = [];
    for (const instance of instances) {
      const o = await evaluateInstance(method, task, instance);
      if (o.status !== "ok") failures.push(`${method.id} on ${instance.key}: ${o.status}: ${o.message}`);
      scores.push(o.status === "ok" ? (o.score as number) : task.mainScore.min);
    }
    means.set(method.id, mean(scores));
  }
  return { instances, means, failures };
}

/** Issue 10's bar on the official split: room between floor and oracle, the shape adds nothing, the method beats every trivial answer. */
async function scoreProblems(task: TaskDefinition, dataset: DatasetDefinition, method: MethodDefinition, chance: (i: Instance) => number) {
  const { instances, means, failures } = await meanScores([...REFERENCES.map(getMethod), method], task, dataset, "official");
  const m = (id: string) => means.get(id) as number;
  const problems = [...failures];
  const floor = Math.max(m("random"), m("floor-constant"), m("floor-shape"), m("floor-shortcut"));
  const range = task.mainScore.max - task.mainScore.min;
  if (m("oracle") < task.mainScore.max - 1e-3) problems.push(`oracle ${m("oracle")} is below the ceiling`);
  const expected = mean(instances.map(chance));
  if (Math.abs(m("random") - expected) > 0.03) problems.push(`random ${m("random").toFixed(3)} is not at chance ${expected.toFixed(3)}`);
  if (m("oracle") - floor < 0.2 * range)
    problems.push(`the floor ${floor.toFixed(3)} leaves less than a fifth of the range below the oracle`);
  const constant = Math.max(m("random"), m("floor-constant"));
  if ((m("floor-shape") - constant) / (m("oracle") - constant) > 0.1)
    problems.push(`floor-shape ${m("floor-shape").toFixed(3)} beats the best constant`);
  if (!(m(method.id) > floor)) problems.push(`${method.id} ${m(method.id).toFixed(3)} does not beat the floor ${floor.toFixed(3)}`);
  return { problems, means };
}

describe("scaffolding (npm run new)", () => {
  it("copies each template under its new id, with no placeholder left and imports re-aimed at the repository", () => {
    for (const kind of ["task", "method", "dataset"] as const) {
      expect(made[kind].files.map((f) => path.basename(f)).sort()).toEqual(
        kind === "task"
          ? ["README.md", "task.ts", `${ids.task}.test.ts`]
          : kind === "method"
            ? ["README.md", "method.ts"]
            : ["README.md", "dataset.ts", "source.ts"],
      );
      for (const file of made[kind].files)
        expect(readFileSync(file, "utf8"), file).not.toMatch(/my-(task|method|dataset)|my(Task|Method|Dataset)\b/);
    }
    expect(path.relative(root, made.dataset.folder)).toBe(path.join("datasets", "synthetic", ids.dataset));
    // The copies sit elsewhere than the templates (and the dataset one level deeper): every relative import must
    // still reach a file, in the repository or next to the copy.
    for (const file of Object.values(made).flatMap((m) => m.files.filter((f) => f.endsWith(".ts")))) {
      const specs = [...readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((x) => x[1] as string);
      expect(specs.length, file).toBeGreaterThan(0);
      for (const spec of specs) expect(existsSync(path.resolve(path.dirname(file), spec)), `${file}: ${spec}`).toBe(true);
    }
  });

  it("prints registry lines that import what the copy exports", async () => {
    for (const kind of ["task", "method", "dataset"] as const) {
      const [line, entry] = made[kind].registry.lines as [string, string];
      const match = /^import \{ (?:(\w+) as )?(\w+) \} from "(\.\/[^"]+)";$/.exec(line);
      expect(match, line).not.toBeNull();
      const [, exported, local, spec] = match as unknown as [string, string | undefined, string, string];
      expect(entry).toBe(`  ${local},`);
      const file = path.join(root, path.dirname(made[kind].registry.file), spec);
      expect(existsSync(file), file).toBe(true);
      expect(Object.keys(await import(file))).toContain(exported ?? local);
    }
  });

  it("the dataset copy reads only the engine, as tests/sources.test.ts requires of every source", () => {
    const folder = path.relative(REPO, made.dataset.folder).split(path.sep).join("/");
    const closure = importClosure(listFiles(folder).filter((f) => f.endsWith(".ts")));
    expect(closure.filter((f) => !f.startsWith(`${folder}/`)).every((f) => f.startsWith("harness/") && f !== "harness/registry.ts")).toBe(
      true,
    );
    expect(closure).toContain("harness/source.ts");
  });

  it("refuses an id that is not kebab-case or already taken", async () => {
    const { scaffold } = await import("../scripts/new.ts");
    expect(() => scaffold({ kind: "task", id: "My_Task", root })).toThrow(/kebab-case/);
    expect(() => scaffold({ kind: "task", id: ids.task, root })).toThrow(/already exists/);
  });
});

describe("the templates, registered next to the real plugins", () => {
  it("are found by the registries, with unique ids, the references and the floors", () => {
    expect(getTask(ids.task)).toBe(task);
    expect(getDataset(ids.task, ids.dataset)).toBe(dataset);
    expect(getMethod(ids.method)).toBe(method);
    expect(new Set(TASKS.map((t) => t.id)).size).toBe(TASKS.length);
    expect(new Set(METHODS.map((m) => m.id)).size).toBe(METHODS.length);
    expect(new Set(DATASETS.map((d) => `${d.task}/${d.slug}`)).size).toBe(DATASETS.length);
    for (const ref of REFERENCES) expect(getMethod(ref).tasks, ref).toContain(ids.task);
    expect(source.id).toBe(ids.dataset);
    expect(dataset.task).toBe(ids.task);
    expect(method.tasks).toEqual([ids.task]);
  });

  it("task: valid metadata and a README with a dated changelog", () => {
    expect(taskProblems(task, made.task.folder)).toEqual([]);
  });

  it("dataset: the conformance checks (determinism, contract, preview, oracle at the ceiling, random below it)", async () => {
    expect(await datasetProblems(dataset, task)).toEqual([]);
  });

  it("method: valid metadata, valid and deterministic outputs on every dev instance", async () => {
    const dev = Array.from({ length: dataset.sizes.dev }, (_, i) => generateInstance(dataset, "dev", i));
    expect(await methodProblems(method, task, dev, made.method.folder)).toEqual([]);
  });

  it("official split: oracle 1, random at its analytic chance, the floors well below, the method above them all", async () => {
    const { problems, means } = await scoreProblems(task, dataset, method, chanceOf);
    expect(problems, JSON.stringify(Object.fromEntries(means))).toEqual([]);
  });
});

describe("the checks fail on a broken template", () => {
  const dev = () => [generateInstance(dataset, "dev", 0)];

  it("a method with the wrong output shape", async () => {
    const broken: MethodDefinition = {
      ...method,
      async run(ctx) {
        const out = await method.run(ctx);
        const axis = out.axis as { shape: number[]; data: Float32Array };
        return { axis: { dtype: "float32", shape: [(axis.shape[0] as number) + 1], data: new Float32Array(axis.data.length + 1) } };
      },
    };
    expect((await methodProblems(broken, task, dev(), made.method.folder)).join("\n")).toMatch(
      /output "axis" has shape \[25\]; expected \[24\]/,
    );
    expect((await evaluateInstance(broken, task, dev()[0] as Instance)).status).toBe("invalid-output");
  });

  it("a task whose score does not reach its maximum at the truth", async () => {
    const broken: TaskDefinition = { ...task, score: (i, o) => ({ main: 0.5 * task.score(i, o).main, metrics: {} }) };
    expect((await datasetProblems(dataset, broken)).join("\n")).toMatch(/^oracle: ok 0\.5/m);
  });

  it("a dataset whose instances do not depend on the seed, or break the contract", async () => {
    const fixed: DatasetDefinition = { ...dataset, generate: (split, index) => dataset.generate(split, index, 1) };
    expect((await datasetProblems(fixed, task)).join("\n")).toMatch(/official 0 has the inputs of dev 0/);
    const noTruth: DatasetDefinition = { ...dataset, generate: (s, i, seed) => ({ ...dataset.generate(s, i, seed), truth: {} }) };
    expect((await datasetProblems(noTruth, task)).join("\n")).toMatch(/truth axis is missing/);
  });

  it("a method that does no better than a trivial answer", async () => {
    const lazy: MethodDefinition = {
      ...method,
      run: async (ctx) => task.floors.shortcut?.(ctx.instance as Instance, new Rng(ctx.seed)) ?? {},
    };
    const { problems } = await scoreProblems(task, dataset, lazy, chanceOf);
    expect(problems.join("\n")).toMatch(/does not beat the floor/);
  });
});
