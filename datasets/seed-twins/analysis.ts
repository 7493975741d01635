// Reproduces the README's numbers on seed-twins beyond the small public splits:
//   npx tsx datasets/seed-twins/analysis.ts [drawsPerPair=2]
// Every ordered pair of the recipe's networks, `drawsPerPair` digit draws each (seeds from "seed-twins-analysis",
// outside every split): per-method accuracy (mean ± s.e.), linear CKA's accuracy per hidden layer, and the linear
// CKA of corresponding layers across seeds against that of neighbouring layers within one network.
import { getMethod, getTask } from "../../harness/registry.ts";
import { Rng, seedFrom } from "../../harness/rng.ts";
import { evaluateInstance, methodContext } from "../../harness/runner.ts";
import type { Instance, NdArray } from "../../harness/types.ts";
import { type LinearCkaPart, linearCka, prepareLinear } from "../../methods/linear-cka/cka.ts";
import { centreColumns } from "../../tasks/layer-correspondence/parts.ts";
import { seedTwinsConfig, seedTwinsInstance } from "./dataset.ts";

const METHOD_IDS = ["random", "linear-cka", "rbf-cka", "rsa", "svcca", "procrustes"];

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const se = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
};

async function main() {
  const task = getTask("layer-correspondence");
  const draws = Number(process.argv[2] ?? 2);
  const K = seedTwinsConfig.nets;
  const H = seedTwinsConfig.hiddenLayers;
  const scores: Record<string, number[]> = Object.fromEntries(METHOD_IDS.map((id) => [id, []]));
  const mrr: Record<string, number[]> = Object.fromEntries(METHOD_IDS.map((id) => [id, []]));
  const ms: Record<string, number[]> = Object.fromEntries(METHOD_IDS.map((id) => [id, []]));
  const perLayer: number[][] = Array.from({ length: H }, () => []);
  const cross: number[][] = Array.from({ length: H }, () => []); // CKA(A layer l, B layer l)
  const crossNext: number[] = []; // CKA(A layer l, B layer l ± 1)
  const within: number[][] = Array.from({ length: H - 1 }, () => []); // CKA(A layer l, A layer l + 1)
  let k = 0;
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      if (a === b) continue;
      for (let r = 0; r < draws; r++) {
        const seed = seedFrom("seed-twins-analysis", k++);
        const instance: Instance = { key: `analysis/${a}-${b}/${r}`, index: k, seed, ...seedTwinsInstance(new Rng(seed), a, b) };
        const match = (instance.truth.match as NdArray).data;
        for (const id of METHOD_IDS) {
          const o = await evaluateInstance(getMethod(id), task, instance);
          if (o.status !== "ok") throw new Error(`${id} on ${instance.key}: ${o.message}`);
          scores[id]?.push(o.score as number);
          mrr[id]?.push(o.metrics?.mrr as number);
          ms[id]?.push(o.wallMs);
        }
        const out = await getMethod("linear-cka").run(methodContext(getMethod("linear-cka"), task, instance));
        const s = (out.similarity as NdArray).data;
        for (let i = 0; i < H; i++) {
          const row = Array.from(s.subarray(i * H, (i + 1) * H));
          perLayer[i]?.push(row.indexOf(Math.max(...row)) === match[i] ? 1 : 0);
          cross[i]?.push(s[i * H + (match[i] as number)] as number);
          for (const j of [i - 1, i + 1]) if (j >= 0 && j < H) crossNext.push(s[i * H + (match[j] as number)] as number);
        }
        if (r === 0 && b === (a + 1) % K) {
          const parts = Array.from({ length: H }, (_, i) => prepareLinear(centreColumns(instance.inputs[`a${i}`] as NdArray)));
          for (let i = 0; i + 1 < H; i++) within[i]?.push(linearCka(parts[i] as LinearCkaPart, parts[i + 1] as LinearCkaPart));
        }
      }
    }
  }
  console.log(`${k} instances (${K * (K - 1)} ordered pairs × ${draws} draws), n = ${seedTwinsConfig.n}, L = M = ${H}`);
  for (const id of METHOD_IDS) {
    const v = scores[id] as number[];
    console.log(
      `${id.padEnd(11)} accuracy ${mean(v).toFixed(3)} ± ${se(v).toFixed(3)}, MRR ${mean(mrr[id] as number[]).toFixed(3)}, ${(mean(ms[id] as number[]) / 1000).toFixed(2)} s/instance`,
    );
  }
  console.log(`linear CKA accuracy per hidden layer: ${perLayer.map((v, i) => `${i + 1}: ${mean(v).toFixed(2)}`).join(", ")}`);
  console.log(`linear CKA, corresponding layers across seeds: ${cross.map((v, i) => `${i + 1}: ${mean(v).toFixed(3)}`).join(", ")}`);
  console.log(`linear CKA, neighbouring layers across seeds: ${mean(crossNext).toFixed(3)}`);
  console.log(
    `linear CKA, neighbouring layers within a network: ${within.map((v, i) => `${i + 1}–${i + 2}: ${mean(v).toFixed(3)}`).join(", ")}`,
  );
}

await main();
