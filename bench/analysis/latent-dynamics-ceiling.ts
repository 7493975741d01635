// T8's achievable ceiling on `dynamical-systems` and the trained RNNs (`rnn-head-direction`, `rnn-flip-flop`): the co-smoothing deviance explained (and bits per spike) of the
// TRUE rates of the held-out neurons on the test trials, per system, on one split. No model of rates can do better
// on average (Poisson noise is the rest); the task README quotes these numbers.
//   npx tsx bench/analysis/latent-dynamics-ceiling.ts [dev|official]

import { rnnFlipFlopDynamics, simulateFlipFlopInstance } from "../../datasets/artificial/rnn-flip-flop/latent-dynamics.ts";
import { rnnHeadDirectionDynamics, simulateRnnInstance } from "../../datasets/artificial/rnn-head-direction/latent-dynamics.ts";
import { dynamicalSystems, simulateInstance } from "../../datasets/synthetic/dynamical-systems/dataset.ts";
import { instanceSeed } from "../../harness/registry.ts";
import { coSmoothing } from "../../tasks/latent-dynamics/metrics.ts";

const split = (process.argv[2] === "dev" ? "dev" : "official") as "dev" | "official";
const bySystem = new Map<string, { d2: number[]; bps: number[] }>();

/** The true rates' score on the test trials of one instance; the held-out neurons are the last `heldOut` columns. */
function trueRateScore(
  rates: Float64Array,
  counts: Float64Array,
  neurons: number,
  config: { heldOut: number; trials: number; trainTrials: number; bins: number },
) {
  const heldIn = neurons - config.heldOut;
  const k: number[] = [];
  const r: number[] = [];
  for (let row = config.trainTrials * config.bins; row < config.trials * config.bins; row++)
    for (let j = heldIn; j < neurons; j++) {
      k.push(counts[row * neurons + j] as number);
      r.push(rates[row * neurons + j] as number);
    }
  return coSmoothing(k, r, config.heldOut);
}

for (let index = 0; index < dynamicalSystems.sizes[split]; index++) {
  const { sys, rates, counts, config } = simulateInstance(index, instanceSeed(dynamicalSystems, split, index));
  const s = trueRateScore(rates, counts, config.heldIn + config.heldOut, config);
  const entry = bySystem.get(sys.id) ?? { d2: [], bps: [] };
  entry.d2.push(s.devianceExplained);
  entry.bps.push(s.bitsPerSpike);
  bySystem.set(sys.id, entry);
}
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const all = [...bySystem.values()];
console.log(`true rates on dynamical-systems/${split}: deviance explained / bits per spike`);
for (const [id, e] of bySystem) console.log(`  ${id.padEnd(12)} (${e.d2.length}) ${mean(e.d2).toFixed(3)} / ${mean(e.bps).toFixed(3)}`);
console.log(
  `  all          (${all.flatMap((e) => e.d2).length}) ${mean(all.flatMap((e) => e.d2)).toFixed(3)} / ${mean(all.flatMap((e) => e.bps)).toFixed(3)}`,
);

for (const [dataset, simulate] of [
  [rnnHeadDirectionDynamics, simulateRnnInstance],
  [rnnFlipFlopDynamics, simulateFlipFlopInstance],
] as const) {
  const rnn = Array.from({ length: dataset.sizes[split] }, (_, index) => {
    const { rates, counts, neurons, config } = simulate(instanceSeed(dataset, split, index));
    return trueRateScore(rates, counts, neurons, config);
  });
  console.log(
    `true rates on ${dataset.slug}/${split} (${rnn.length}): ${mean(rnn.map((s) => s.devianceExplained)).toFixed(3)} / ${mean(rnn.map((s) => s.bitsPerSpike)).toFixed(3)}`,
  );
}
