// What rnn-dynamics's Adam stage buys: the k-step prediction error of the latent RNN on held-out trials, with the
// closed-form one-step start alone (0 steps) and after Adam on the multi-step rollout loss (the defaults). The RNN is
// fitted on the z-scored PCA latents of the 22 training trials and rolled out from every bin of the other 8.
//   npx tsx bench/analysis/rnn-dynamics-rollout.ts
import { DATASETS } from "../../datasets/registry.ts";
import { generateInstance } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import { RNN_DYNAMICS_DEFAULTS } from "../../methods/rnn-dynamics/method.ts";
import { fitLatentRnn, rnnIncrement } from "../../methods/rnn-dynamics/rnn.ts";
import { pcaScores, smoothedRoot } from "../../methods/shared/dynamics.ts";
import { dimsOf } from "../../tasks/latent-dynamics/task.ts";

const { tf } = await initTf();
const HORIZONS = [1, 4, 10];
const INSTANCES = 6;
const variants = { "closed form only": { ...RNN_DYNAMICS_DEFAULTS.fit, steps: 0 }, "+ Adam (defaults)": RNN_DYNAMICS_DEFAULTS.fit };
for (const dataset of DATASETS.filter((d) => d.task === "latent-dynamics" && !d.unavailable?.())) {
  const count = Math.min(INSTANCES, dataset.sizes.official);
  const errors = Object.fromEntries(Object.keys(variants).map((k) => [k, HORIZONS.map(() => 0)]));
  for (let index = 0; index < count; index++) {
    const instance = generateInstance(dataset, "official", index);
    const { trials, trainTrials, bins, heldIn, latentDim: d } = dimsOf(instance);
    const z = pcaScores(smoothedRoot(instance.inputs.spikes as NonNullable<typeof instance.inputs.spikes>, 2), trials * bins, heldIn, d);
    const sd = new Float64Array(d);
    for (let i = 0; i < z.length; i++) sd[i % d] = (sd[i % d] as number) + (z[i] as number) ** 2 / (trials * bins);
    const zs = z.map((v, i) => v / Math.sqrt(sd[i % d] as number));
    for (const [name, options] of Object.entries(variants)) {
      const rnn = fitLatentRnn(tf, zs.subarray(0, trainTrials * bins * d), trainTrials, bins, d, new Rng(1), options);
      HORIZONS.forEach((k, h) => {
        let sum = 0;
        let n = 0;
        for (let tr = trainTrials; tr < trials; tr++)
          for (let s = 0; s + k < bins; s++) {
            let x = zs.slice((tr * bins + s) * d, (tr * bins + s + 1) * d);
            for (let j = 0; j < k; j++) {
              const f = rnnIncrement(rnn, x);
              x = x.map((v, c) => v + (f[c] as number));
            }
            for (let c = 0; c < d; c++) sum += ((x[c] as number) - (zs[(tr * bins + s + k) * d + c] as number)) ** 2;
            n += d;
          }
        (errors[name] as number[])[h] = ((errors[name] as number[])[h] as number) + sum / n / count;
      });
    }
  }
  for (const [name, e] of Object.entries(errors))
    console.log(
      `${dataset.slug.padEnd(20)} ${name.padEnd(18)} MSE at ${HORIZONS.map((k, h) => `${k}: ${(e[h] as number).toFixed(4)}`).join(", ")}`,
    );
}
