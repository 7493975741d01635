// Template dataset: copy it with `npm run new -- dataset <id> --task <task>` (CONTRIBUTING.md, "Add a dataset in 10
// minutes"). It generates instances of the template task `my-task`: population activity with one planted axis.
// For another task, produce that task's inputs and truth instead (its README's "Contract" lists them).
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition } from "../../harness/types.ts";

// Generator settings: stored with the dataset version and hashed, so a change without a version bump is refused.
const config = { d: 24, nMin: 200, nMax: 400, amplitudeMin: 1, amplitudeMax: 2 };

export const myDataset: DatasetDefinition = {
  slug: "my-dataset",
  task: "my-task",
  // Bump whenever generate() or config would give different instances (the content hash catches it if you forget).
  version: 1,
  title: "My dataset",
  domain: "synthetic",
  description:
    "x = a · z · wᵀ + ε in d = 24 dimensions: one planted unit axis w, z ~ N(0, 1) per sample, isotropic noise ε ~ N(0, 1), amplitude a ~ U(1, 2) and n ~ U{200…400} samples per instance.",
  // Instances per split: dev is public with truth (for debugging), official is ranked, private needs a server secret.
  sizes: { dev: 4, official: 16, private: 16 },
  config,
  generate(_split, _index, seed) {
    // Everything from the seed, nothing from the index or split: the key a method is given must not hint at the truth.
    const rng = new Rng(seed);
    const { d } = config;
    const n = config.nMin + rng.int(config.nMax - config.nMin + 1);
    const amplitude = config.amplitudeMin + (config.amplitudeMax - config.amplitudeMin) * rng.uniform();
    // An isotropic Gaussian vector, normalised: a uniformly random axis, so no axis is a good constant guess.
    const axis = Float64Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...axis);
    for (let c = 0; c < d; c++) axis[c] = (axis[c] as number) / norm;
    const activity = f32([n, d]);
    for (let i = 0; i < n; i++) {
      const z = amplitude * rng.normal();
      for (let c = 0; c < d; c++) activity.data[i * d + c] = z * (axis[c] as number) + rng.normal();
    }
    return {
      params: {},
      inputs: { activity },
      truth: { axis: f32([d], axis) },
      // The regime, shown with per-instance results (never given to methods).
      meta: { n, d, amplitude: Number(amplitude.toFixed(3)) },
    };
  },
};
