// Floors report for T3 and T4 (issue 10): per dataset on one split, the mean score of the oracle, `random`
// (mean of 5 draws), the best constant (one answer for every instance, chosen on all the split's truths), a
// shape-only probe (leave-one-out: the best constant over the other instances of the nearest input shape) and every
// baseline. Self-contained (does not need the task's `floors`), so the same script measures before and after.
//   npx tsx bench/analysis/topology-floors.ts [--split official] [--skip-baselines] [--by-regime] [--limit N] [T3|T4/slug …]
import { generateInstance, getTask, listDatasets, listMethods, methodSeed } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

const args = process.argv.slice(2);
const split = (args.includes("--split") ? args[args.indexOf("--split") + 1] : "official") as "dev" | "official";
const skipBaselines = args.includes("--skip-baselines");
const only = args.filter((a) => a.includes("/"));
const byRegime = args.includes("--by-regime");
/** --limit N: only the first N instances (per-instance cost comparisons). */
const limit = args.includes("--limit") ? Number(args[args.indexOf("--limit") + 1]) : Number.POSITIVE_INFINITY;

/** T3: candidates are the truths' values and a 0.05-step grid; T4: every distinct truth vector. */
function candidates(task: TaskDefinition, truths: Record<string, NdArray>[]): MethodOutputs[] {
  if (task.id === "intrinsic-dimension") {
    const values = new Set<number>(truths.map((t) => (t.dimension as NdArray).data[0] as number));
    for (let v = 0.5; v <= 80; v += 0.05) values.add(Math.round(v * 100) / 100);
    return [...values].map((dimension) => ({ result: { dimension } }));
  }
  const seen = new Map<string, number[]>();
  for (const t of truths) {
    const b = Array.from((t.betti as NdArray).data);
    seen.set(b.join(","), b);
  }
  return [...seen.values()].map((betti) => ({ result: { betti } }));
}

function bestConstant(task: TaskDefinition, pool: Instance[]): MethodOutputs {
  let best: MethodOutputs | undefined;
  let bestScore = -1;
  for (const c of candidates(
    task,
    pool.map((p) => p.truth),
  )) {
    let s = 0;
    for (const p of pool) s += task.score(p, c).main;
    if (s > bestScore + 1e-12) {
      bestScore = s;
      best = c;
    }
  }
  return best as MethodOutputs;
}

const shapeOf = (i: Instance) => (i.inputs.activity as NdArray).shape;

/** Leave-one-out: the other instances whose (log n, log d) is nearest (ties all kept). */
function nearestShape(instances: Instance[], k: number): Instance[] {
  const [n, d] = shapeOf(instances[k] as Instance) as [number, number];
  let best = Number.POSITIVE_INFINITY;
  let pool: Instance[] = [];
  instances.forEach((o, j) => {
    if (j === k) return;
    const [m, e] = shapeOf(o) as [number, number];
    const dist = Math.hypot(Math.log(m / n), Math.log(e / d));
    if (dist < best - 1e-12) {
      best = dist;
      pool = [o];
    } else if (Math.abs(dist - best) <= 1e-12) pool.push(o);
  });
  return pool;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const fmt = (v: number) => v.toFixed(3);

for (const taskId of ["intrinsic-dimension", "topology"]) {
  const task = getTask(taskId);
  for (const dataset of listDatasets(taskId)) {
    if (
      only.length &&
      !only.includes(`${taskId}/${dataset.slug}`) &&
      !only.includes(`${taskId === "topology" ? "T4" : "T3"}/${dataset.slug}`)
    )
      continue;
    if (dataset.unavailable?.()) continue;
    const t0 = Date.now();
    const instances = Array.from({ length: Math.min(limit, dataset.sizes[split]) }, (_, i) => generateInstance(dataset, split, i));
    const genMs = (Date.now() - t0) / instances.length;
    const row: Record<string, string> = {};
    row.oracle = fmt(mean(instances.map((i) => task.score(i, task.oracle(i)).main)));
    const rnd: number[] = [];
    for (let r = 0; r < 5; r++)
      for (const i of instances) rnd.push(task.score(i, task.random(i, new Rng(methodSeed(i, `random-${r}`)))).main);
    row.random = fmt(mean(rnd));
    const constant = bestConstant(task, instances);
    row.constant = `${fmt(mean(instances.map((i) => task.score(i, constant).main)))} (${JSON.stringify((constant.result as Record<string, unknown>).dimension ?? (constant.result as Record<string, unknown>).betti)})`;
    row.shape = fmt(mean(instances.map((i, k) => task.score(i, bestConstant(task, nearestShape(instances, k))).main)));
    const truths = new Map<string, number>();
    for (const i of instances) {
      const key = JSON.stringify(Array.from(((i.truth.dimension ?? i.truth.betti) as NdArray).data));
      truths.set(key, (truths.get(key) ?? 0) + 1);
    }
    row.truths = [...truths].map(([k, c]) => `${k}×${c}`).join(" ");
    const shapes = new Set(instances.map((i) => shapeOf(i).join("×")));
    row.shapes = `${shapes.size} distinct`;
    row.genMs = genMs.toFixed(0);
    const perRegime = new Map<string, string[]>();
    if (!skipBaselines) {
      for (const m of listMethods(taskId).filter((x) => x.kind === "baseline")) {
        const s: number[] = [];
        const t1 = Date.now();
        for (const i of instances) {
          const out = await m.run({
            task: taskId,
            params: i.params,
            inputs: i.inputs,
            outputShapes: task.outputShapes(i),
            seed: methodSeed(i, m.id),
            taskDefinition: task,
            instance: { ...i, truth: {}, meta: {} },
          });
          s.push(task.score(i, out).main);
          if (byRegime) {
            const r = (out.result as Record<string, unknown>).dimension ?? (out.result as Record<string, unknown>).betti;
            const regime = String(i.meta.regime ?? i.meta.latent ?? i.meta.manifold ?? "");
            const truth = Array.from(((i.truth.dimension ?? i.truth.betti) as NdArray).data);
            const key = `${m.id} ${regime} truth ${JSON.stringify(truth)}`;
            const entry = perRegime.get(key) ?? [];
            entry.push(`${typeof r === "number" ? r.toFixed(2) : JSON.stringify(r)}`);
            perRegime.set(key, entry);
          }
        }
        const sd = Math.sqrt(mean(s.map((v) => (v - mean(s)) ** 2)));
        row[m.id] = `${fmt(mean(s))} ±${fmt((1.96 * sd) / Math.sqrt(s.length))} (${((Date.now() - t1) / s.length).toFixed(0)} ms)`;
      }
    }
    console.log(JSON.stringify({ task: taskId, dataset: dataset.slug, split, instances: instances.length, ...row }));
    for (const [k, v] of [...perRegime].sort()) console.log(`  ${k}: ${v.join(" ")}`);
  }
}
