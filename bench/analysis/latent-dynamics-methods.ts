// Per-dataset co-smoothing and per-system fixed-point recovery of T8 methods on one split, with each method's CPU time
// (user + sys, the budget's unit): what the rnn-dynamics README and the task README quote.
//   npx tsx bench/analysis/latent-dynamics-methods.ts [dev|official] [method ids…]
import { DATASETS } from "../../datasets/registry.ts";
import { generateInstance, getTask } from "../../harness/registry.ts";
import { methodContext } from "../../harness/runner.ts";
import { summarize } from "../../harness/scoring.ts";
import { METHODS } from "../../methods/registry.ts";

const split = (process.argv[2] === "dev" ? "dev" : "official") as "dev" | "official";
const ids = process.argv.slice(3).length ? process.argv.slice(3) : ["pca-lds", "poly-dynamics", "rnn-dynamics"];
const task = getTask("latent-dynamics");
const datasets = DATASETS.filter((d) => d.task === task.id && !d.unavailable?.());
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
for (const dataset of datasets) {
  const instances = Array.from({ length: dataset.sizes[split] }, (_, i) => generateInstance(dataset, split, i));
  for (const id of ids) {
    const method = METHODS.find((m) => m.id === id);
    if (!method) throw new Error(`no method ${id}`);
    const scores: number[] = [];
    const fp = new Map<string, { recall: number[]; precision: number[]; stability: number[] }>();
    let seconds = 0;
    for (const instance of instances) {
      const ctx = methodContext(method, task, instance);
      const start = cpu();
      const outputs = await method.run(ctx);
      seconds += cpu() - start;
      const s = task.score(instance, outputs);
      scores.push(s.main);
      if (s.metrics.fpRecall === undefined) continue;
      const key = String(instance.meta.system ?? dataset.slug);
      const e = fp.get(key) ?? { recall: [], precision: [], stability: [] };
      e.recall.push(s.metrics.fpRecall);
      e.precision.push(s.metrics.fpPrecision as number);
      if (s.metrics.fpStability !== undefined) e.stability.push(s.metrics.fpStability);
      fp.set(key, e);
    }
    const mean = (a: number[]) => (a.length ? (a.reduce((x, y) => x + y, 0) / a.length).toFixed(2) : "—");
    const ci = summarize(scores);
    const line = [...fp].map(([k, e]) => `${k} ${mean(e.recall)}/${mean(e.precision)}/${mean(e.stability)}`).join(" · ");
    console.log(
      `${dataset.slug.padEnd(22)} ${id.padEnd(14)} ${ci.score.toFixed(3)} [${ci.ciLow.toFixed(3)}, ${ci.ciHigh.toFixed(3)}]  cpu ${seconds.toFixed(2)} s  ${line}`,
    );
  }
}
