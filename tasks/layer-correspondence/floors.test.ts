// Issue 10 for T5: on every dataset's official split, what does not compare system A with system B stays at chance
// — the within-system ordering shortcut (task.floors.shortcut) and per-part scalar probes (mean |activation|,
// width, RMS, fraction of entries at the unit's minimum) — while a real comparison (linear CKA, Procrustes) is far
// above; the oracle is at the ceiling, random at 1/M, the best constant at most what its in-sample fit allows.
import { beforeAll, describe, expect, it } from "vitest";
import { mnistMlpRecipe } from "../../datasets/artificial/mnist-mlp/recipe.ts";
import { parityMlpRecipe } from "../../datasets/artificial/seed-twins/recipe.ts";
import { buildArtifacts } from "../../harness/artifacts.ts";
import { generateInstance, getDataset } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { Instance, MethodOutputs } from "../../harness/types.ts";
import { linearCkaMethod } from "../../methods/linear-cka/method.ts";
import { procrustes } from "../../methods/procrustes/method.ts";
import { type PartScalar, scalarProbe } from "./probes.ts";
import { layerCorrespondence as task } from "./task.ts";

const SLOW = 600_000;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const TRIVIAL_SCALARS: PartScalar[] = ["meanAbs", "width", "rms", "atMinimum"];

beforeAll(async () => {
  await buildArtifacts([mnistMlpRecipe, parityMlpRecipe], { progress: false, log: () => undefined });
}, SLOW);

/**
 * Per dataset: the margin by which the chosen real baseline must beat every trivial probe, and by how much a probe
 * may exceed chance (official split, measured values in the README).
 */
const CASES = [
  { slug: "transformed-layers", baseline: linearCkaMethod, margin: 0.4, slack: 0.08, sparsitySlack: 0.08 },
  // ReLU sparsity (the fraction of exact zeros) differs a little with depth and task: 0.187 against chance 0.095
  // on official — a real property of the layers, reported in the README and bounded here.
  { slug: "seed-twins", baseline: procrustes, margin: 0.4, slack: 0.08, sparsitySlack: 0.15 },
  { slug: "cross-session-epochs", baseline: procrustes, margin: 0.08, slack: 0.08, sparsitySlack: 0.08 },
];

for (const { slug, baseline, margin, slack, sparsitySlack } of CASES) {
  const dataset = getDataset("layer-correspondence", slug);
  const skip = dataset.unavailable?.() ?? null;
  describe.skipIf(skip !== null)(`T5 floors on ${slug} (official)`, () => {
    let official: Instance[] = [];
    const scores = new Map<string, number[]>();
    beforeAll(async () => {
      official = Array.from({ length: dataset.sizes.official }, (_, i) => generateInstance(dataset, "official", i));
      const truths = official.map((i) => i.truth);
      const put = (id: string, v: number) => scores.set(id, [...(scores.get(id) ?? []), v]);
      for (const inst of official) {
        put("chance", 1 / (inst.params.M as number));
        put("oracle", task.score(inst, task.oracle(inst)).main);
        put("random", task.score(inst, task.random(inst, new Rng(inst.seed))).main);
        // In-sample (every truth of the split, as floor-constant does) and leave-one-out (the constant chosen on the
        // other instances: what a constant answer scores on an instance it has not seen).
        put("constant", task.score(inst, task.floors.bestConstant(truths, inst)).main);
        put(
          "constant-loo",
          task.score(
            inst,
            task.floors.bestConstant(
              truths.filter((t) => t !== inst.truth),
              inst,
            ),
          ).main,
        );
        put("shortcut", task.score(inst, task.floors.shortcut?.(inst, new Rng(inst.seed)) as MethodOutputs).main);
        for (const s of TRIVIAL_SCALARS) put(`scalar:${s}`, task.score(inst, scalarProbe(inst, s)).main);
        const outcome = await evaluateInstance(baseline, task, inst);
        if (outcome.status !== "ok") throw new Error(`${baseline.id} on ${inst.key}: ${outcome.message}`);
        put(baseline.id, outcome.score as number);
      }
      console.log(`T5 floors ${slug} official: ${[...scores].map(([id, v]) => `${id} ${mean(v).toFixed(3)}`).join(", ")}`);
    }, SLOW);
    const avg = (id: string) => mean(scores.get(id) as number[]);

    it("oracle at the ceiling, random near chance 1/M", () => {
      expect(avg("oracle")).toBe(1);
      expect(Math.abs(avg("random") - avg("chance"))).toBeLessThan(0.08);
    });

    it("the within-system ordering shortcut and per-part scalar probes stay near chance", () => {
      expect(avg("shortcut")).toBeLessThan(avg("chance") + slack);
      expect(avg("constant-loo")).toBeLessThan(avg("chance") + slack);
      for (const s of TRIVIAL_SCALARS)
        expect(avg(`scalar:${s}`), s).toBeLessThan(avg("chance") + (s === "atMinimum" ? sparsitySlack : slack));
    });

    // The in-sample best constant fits the split's own truths (per-row match frequencies over 30–48 instances), so
    // it sits above chance by sampling alone; the baseline still beats it.
    it(`${baseline.id} beats every trivial reference clearly (the in-sample best constant too)`, () => {
      expect(avg(baseline.id)).toBeGreaterThan(avg("constant"));
      const top = Math.max(avg("random"), avg("constant-loo"), avg("shortcut"), ...TRIVIAL_SCALARS.map((s) => avg(`scalar:${s}`)));
      expect(avg(baseline.id)).toBeGreaterThan(top + margin);
    });
  });
}
