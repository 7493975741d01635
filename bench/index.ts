// `npm run bench`: per-instance cost of every T1 method (and of instance generation and scoring) on
// one official instance per regime, with tinybench. Speed targets are checked here, not in unit tests.
// The end-to-end `npm start` benchmark is `npm run bench:start`.
import { mkdirSync, writeFileSync } from "node:fs";
import { Bench } from "tinybench";
import { generateInstance, getDataset, getTask, listMethods } from "../harness/registry.ts";
import { methodContext } from "../harness/runner.ts";
import { initTf } from "../harness/tf.ts";
import type { Instance, MethodDefinition } from "../harness/types.ts";

const task = getTask("feature-recovery");
const { backend } = await initTf();
const rows: { dataset: string; regime: string; method: string; meanMs: number; p50Ms: number; samples: number; score: number }[] = [];

const context = (method: MethodDefinition, instance: Instance) => methodContext(method, task, instance);

for (const slug of ["sparse-linear", "mixed-selectivity"]) {
  const dataset = getDataset(task.id, slug);
  // Official instances 0…5 cover the six regimes once each.
  const instances = Array.from({ length: 6 }, (_, i) => generateInstance(dataset, "official", i));
  const bench = new Bench({ time: 300, iterations: 2, warmup: false });
  bench.add(`${slug} · generate instance`, () => {
    generateInstance(dataset, "official", 1);
  });
  for (const method of listMethods(task.id)) {
    for (const instance of instances) {
      const regime = `k/d=${instance.meta.ratio} p=${instance.meta.p}`;
      bench.add(`${slug} · ${method.id} · ${regime}`, async () => {
        await method.run(context(method, instance));
      });
    }
  }
  await bench.run();
  for (const t of bench.tasks) {
    const [, methodId, regime] = t.name.split(" · ");
    const result = t.result as
      | { latency?: { mean: number; p50?: number; samples?: number[] }; mean?: number; p50?: number; samples?: number[] }
      | undefined;
    const mean = result?.latency?.mean ?? result?.mean ?? Number.NaN;
    const p50 = result?.latency?.p50 ?? result?.p50 ?? Number.NaN;
    const samples = result?.latency?.samples?.length ?? result?.samples?.length ?? 0;
    let score = Number.NaN;
    const method = listMethods(task.id).find((m) => m.id === methodId);
    const instance = instances.find((i) => `k/d=${i.meta.ratio} p=${i.meta.p}` === regime);
    if (method && instance) score = task.score(instance, await method.run(context(method, instance))).main;
    rows.push({ dataset: slug, regime: regime ?? "", method: methodId ?? t.name, meanMs: mean, p50Ms: p50, samples, score });
  }
}

const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "—");
console.log(`backend: ${backend}`);
console.log(["dataset", "method", "regime", "mean ms", "p50 ms", "MMCS"].join("\t"));
for (const r of rows) console.log([r.dataset, r.method, r.regime, fmt(r.meanMs), fmt(r.p50Ms), fmt(r.score, 3)].join("\t"));
// Per method: mean per-instance time over regimes, i.e. what one official instance costs on average.
console.log("\nper method (mean over regimes and datasets):");
for (const method of listMethods(task.id)) {
  const mine = rows.filter((r) => r.method === method.id);
  console.log(
    `${method.id.padEnd(10)} ${fmt(mine.reduce((s, r) => s + r.meanMs, 0) / mine.length)} ms/instance  MMCS ${fmt(mine.reduce((s, r) => s + r.score, 0) / mine.length, 3)}`,
  );
}
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/feature-recovery.json", JSON.stringify({ backend, date: new Date().toISOString(), rows }, null, 2));
