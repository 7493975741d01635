// T8 `hd-co-smoothing` (datasets/biological/hd_peyrache2015_adn/dynamics.ts): the numbers its README quotes.
// - every method and reference on one split: co-smoothing, bits per spike, latent R² against the measured heading;
// - two references from the heading itself: a Poisson readout of the measured (cos θ, sin θ) fitted on the training
//   trials (each held-out cell's von Mises tuning: what the heading alone explains), and the affine R² of all held-in
//   cells, smoothed as the baselines smooth, against the heading (what a linear map of the population reaches);
// - with --bin-widths, the baselines at 20, 30, 50 and 100 ms bins (2 s trials) on 16 seeds: why 50 ms.
//   npx tsx bench/analysis/hd-co-smoothing.ts [dev|official] [--bin-widths]

import { HD_CO_SMOOTHING, hdCoSmoothing, hdCoSmoothingInstance } from "../../datasets/biological/hd_peyrache2015_adn/dynamics.ts";
import { f32 } from "../../harness/ndarray.ts";
import { generateInstance } from "../../harness/registry.ts";
import { seedFrom } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { Instance, NdArray } from "../../harness/types.ts";
import { METHODS } from "../../methods/registry.ts";
import { poissonReadout, smoothedRoot } from "../../methods/shared/dynamics.ts";
import { affineAlignedR2 } from "../../tasks/latent-dynamics/metrics.ts";
import { dimsOf, latentDynamics as task } from "../../tasks/latent-dynamics/task.ts";

const split = (process.argv[2] === "dev" ? "dev" : "official") as "dev" | "official";
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const sd = (a: number[]) => Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));
const methods = METHODS.filter((m) => m.tasks.includes(task.id) && m.kind !== "floor");

/** The heading references of one instance (header comment). */
function headingReferences(instance: Instance) {
  const { trials, bins, heldIn, trainTrials, heldOut } = dimsOf(instance);
  const heading = Float64Array.from((instance.truth.latents as NdArray).data);
  const rates = poissonReadout(heading, 2, (instance.inputs.heldoutTrain as NdArray).data, heldOut, trainTrials * bins, trials * bins, 1);
  const tuning = task.score(instance, {
    heldoutRates: f32([trials - trainTrials, bins, heldOut], rates),
    latents: instance.truth.latents as NdArray,
  });
  const decoder = affineAlignedR2(smoothedRoot(instance.inputs.spikes as NdArray, 2), heldIn, heading, 2, trainTrials * bins).r2;
  return { tuning: tuning.main, tuningBps: tuning.metrics.bitsPerSpike as number, decoder };
}

async function table(instances: Instance[], label: string) {
  console.log(`${label} (${instances.length} instances): co-smoothing mean ± sd / bits per spike / latent R² vs the measured heading`);
  for (const method of methods) {
    const scores = [];
    for (const instance of instances) scores.push(await evaluateInstance(method, task, instance));
    const main = scores.map((s) => s.score as number);
    const bps = mean(scores.map((s) => s.metrics?.bitsPerSpike ?? Number.NaN));
    const r2 = mean(scores.map((s) => s.metrics?.latentR2 ?? Number.NaN));
    console.log(`  ${method.id.padEnd(16)} ${mean(main).toFixed(3)} ± ${sd(main).toFixed(3)} / ${bps.toFixed(3)} / ${r2.toFixed(3)}`);
  }
  const refs = instances.map(headingReferences);
  const tuning = refs.map((r) => r.tuning);
  console.log(
    `  heading tuning   ${mean(tuning).toFixed(3)} ± ${sd(tuning).toFixed(3)} / ${mean(refs.map((r) => r.tuningBps)).toFixed(3)} (Poisson readout of the measured heading)`,
  );
  console.log(`  all held-in cells, affine R² vs the heading: ${mean(refs.map((r) => r.decoder)).toFixed(3)}`);
}

const instances = Array.from({ length: hdCoSmoothing.sizes[split] }, (_, i) => generateInstance(hdCoSmoothing, split, i));
await table(instances, `hd-co-smoothing/${split}`);

if (process.argv.includes("--bin-widths")) {
  for (const binFactor of [2, 3, 5, 10]) {
    const settings = { ...HD_CO_SMOOTHING, binFactor, bins: Math.round(200 / binFactor) };
    const sweep = Array.from({ length: 16 }, (_, i) => {
      const g = hdCoSmoothingInstance(seedFrom("hd-co-smoothing bin widths", i), settings);
      return { ...g, key: `bin-widths/${binFactor}/${i}` } as unknown as Instance;
    });
    let zeros = 0;
    let total = 0;
    for (const s of sweep)
      for (const v of (s.inputs.spikes as NdArray).data) {
        total++;
        if (v === 0) zeros++;
      }
    await table(
      sweep,
      `${binFactor * 10} ms bins × ${settings.bins}, held-in bins without a spike ${((100 * zeros) / total).toFixed(0)} %`,
    );
  }
}
