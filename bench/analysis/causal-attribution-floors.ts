// Floors report for T6 (issue 10): per dataset on one split, the mean AUROC (± 95 % CI half-width over instances)
// of a constant answer, the per-position prior of the other instances (leave-one-out), the one-hop shortcut
// std(h_j)·‖W_out[j, :]‖, `random` (mean of 10 draws), the baselines and the oracle, with per-instance cost.
// The shortcut and the positional prior are computed here, not through the task's `floors`, so the same script
// measures a checkout from before them.
//   npx tsx bench/analysis/causal-attribution-floors.ts [dev|official] [dataset-slug] [--verbose]

import { compiledCircuits } from "../../datasets/artificial/compiled-circuits/dataset.ts";
import { trainedMlp } from "../../datasets/artificial/trained-mlp/dataset.ts";
import { plantedCircuits } from "../../datasets/synthetic/planted-circuits/dataset.ts";
import { buildArtifacts } from "../../harness/artifacts.ts";
import { f32 } from "../../harness/ndarray.ts";
import { getMethod, instanceSeed } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { DatasetDefinition, Instance, NdArray } from "../../harness/types.ts";
import { ablation } from "../../methods/ablation/method.ts";
import { activationPatching } from "../../methods/activation-patching/method.ts";
import { attributionPatching } from "../../methods/attribution-patching/method.ts";
import { correlation } from "../../methods/correlation/method.ts";
import { gradXActivation } from "../../methods/grad-x-activation/method.ts";
import { causalAttribution as task, weightNormShortcut } from "../../tasks/causal-attribution/task.ts";

const args = process.argv.slice(2);
const split = (args.find((a) => a === "dev" || a === "official") ?? "official") as "dev" | "official";
const only = args.find((a) => a.includes("-") && !a.startsWith("--") && a !== split);
const verbose = args.includes("--verbose");
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const half = (a: number[]) => {
  const m = mean(a);
  return (1.96 * Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / (a.length - 1))) / Math.sqrt(a.length);
};

function positional(truths: Record<string, NdArray>[], H: number): Float32Array {
  const sums = new Float32Array(H);
  for (const t of truths) {
    const c = t.causal?.data;
    if (c?.length === H) for (let j = 0; j < H; j++) sums[j] = (sums[j] as number) + (c[j] as number);
  }
  return sums;
}

const datasets: DatasetDefinition[] = [plantedCircuits, trainedMlp, compiledCircuits];
await buildArtifacts(trainedMlp.artifacts ?? [], { progress: false });
for (const ds of datasets) {
  if (only && ds.slug !== only) continue;
  const t0 = performance.now();
  const insts: Instance[] = Array.from({ length: ds.sizes[split] }, (_, index) => {
    const seed = instanceSeed(ds, split, index);
    return { key: `${ds.slug}/${split}/${index}`, index, seed, ...ds.generate(split, index, seed) };
  });
  const genMs = (performance.now() - t0) / insts.length;
  const rows: Record<string, number[]> = {};
  const ms: Record<string, number> = {};
  const add = (k: string, v: number) => {
    rows[k] ??= [];
    rows[k].push(v);
  };
  const truths = insts.map((i) => i.truth as Record<string, NdArray>);
  for (const [k, inst] of insts.entries()) {
    const H = inst.inputs.hidden?.shape[1] as number;
    add("constant", task.score(inst, { importance: f32([H], new Float32Array(H).fill(1)) }).main);
    add(
      "position (LOO)",
      task.score(inst, {
        importance: f32(
          [H],
          positional(
            truths.filter((_, j) => j !== k),
            H,
          ),
        ),
      }).main,
    );
    add("shortcut", task.score(inst, { importance: f32([H], weightNormShortcut(inst)) }).main);
    add("random (10 draws)", mean(Array.from({ length: 10 }, (_, t) => task.score(inst, task.random(inst, new Rng(100 + t))).main)));
    for (const m of [correlation, gradXActivation, attributionPatching, activationPatching, ablation, getMethod("oracle")]) {
      const t = performance.now();
      const r = await evaluateInstance(m, task, inst);
      ms[m.id] = (ms[m.id] ?? 0) + performance.now() - t;
      add(m.id, r.score as number);
    }
  }
  console.log(`\n${ds.slug} v${ds.version} ${split}: ${insts.length} instances, generation ${genMs.toFixed(0)} ms/instance`);
  for (const [k, v] of Object.entries(rows))
    console.log(
      `  ${k.padEnd(20)} ${mean(v).toFixed(3)}  ±${half(v).toFixed(3)}  [${Math.min(...v).toFixed(2)}, ${Math.max(...v).toFixed(2)}]${ms[k] ? `  ${(ms[k] / insts.length).toFixed(0)} ms/instance` : ""}`,
    );
  if (verbose)
    for (const [k, inst] of insts.entries())
      console.log(
        `   ${inst.key} H=${inst.meta.H} causal=${inst.meta.nCausal} ${Object.keys(rows)
          .map((r) => `${r.split(" ")[0]}=${rows[r]?.[k]?.toFixed(2)}`)
          .join(" ")}`,
      );
}
