// T8 `chewie-co-smoothing`: skipped cleanly without the recording; with it, instances partition the neurons and
// hold out exactly the counts the task scores, and the designated baseline beats the trial-averaged shortcut.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateInstance } from "../../../harness/registry.ts";
import { Rng } from "../../../harness/rng.ts";
import type { NdArray } from "../../../harness/types.ts";
import { pcaLds } from "../../../methods/pca-lds/method.ts";
import { latentDynamics } from "../../../tasks/latent-dynamics/task.ts";
import { chewieCoSmoothing } from "./dynamics.ts";
import { loadM1Subject } from "./load.ts";

describe("chewie-co-smoothing without the recording", () => {
  const empty = mkdtempSync(path.join(tmpdir(), "cajal-no-data-"));
  const before = process.env.CAJAL_DATA_DIR;
  afterAll(() => {
    if (before === undefined) delete process.env.CAJAL_DATA_DIR;
    else process.env.CAJAL_DATA_DIR = before;
    rmSync(empty, { recursive: true, force: true });
  });
  it("says why it is unavailable instead of failing", () => {
    process.env.CAJAL_DATA_DIR = empty;
    expect(chewieCoSmoothing.unavailable?.()).toMatch(/chewie_demo\.mat|mihi_demo\.mat|missing/);
  });
});

const skip = chewieCoSmoothing.unavailable?.() ?? null;
describe.skipIf(skip !== null)("chewie-co-smoothing (recording present)", () => {
  const dev = Array.from({ length: chewieCoSmoothing.sizes.dev }, (_, i) => generateInstance(chewieCoSmoothing, "dev", i));

  it("holds out 18 of the 71 neurons: the held-in and held-out counts are the recording's, on the same trials", () => {
    for (const instance of dev) {
      const spikes = instance.inputs.spikes as NdArray;
      const train = instance.inputs.heldoutTrain as NdArray;
      const test = instance.truth.heldoutTest as NdArray;
      expect(spikes.shape).toEqual([30, 31, 53]);
      expect(train.shape).toEqual([22, 31, 18]);
      expect(test.shape).toEqual([8, 31, 18]);
      expect(instance.truth.latents?.shape).toEqual([30, 31, 0]);
      const s = loadM1Subject("chewie")[instance.meta.session as "A" | "B"];
      const starts = String(instance.meta.trials).split(",").map(Number);
      const out = String(instance.meta.heldOut).split(",").map(Number);
      // The last test trial's last bin of the last held-out neuron, read back from the recording.
      const last = starts.at(-1) as number;
      expect(test.data[test.data.length - 1]).toBe(s.activity[(last + 30) * s.d + (out.at(-1) as number)]);
      expect(new Set(out).size).toBe(18);
    }
  });

  it("pca-lds beats the trial-averaged shortcut on every dev instance", async () => {
    for (const instance of dev) {
      const shortcut = latentDynamics.score(instance, latentDynamics.floors.shortcut?.(instance, new Rng(1)) ?? {}).main;
      const outputs = await pcaLds.run({
        task: latentDynamics.id,
        params: instance.params,
        inputs: instance.inputs,
        outputShapes: latentDynamics.outputShapes(instance),
        seed: 1,
      });
      const s = latentDynamics.score(instance, outputs);
      expect(s.main).toBeGreaterThan(shortcut + 0.1);
      expect(s.metrics.latentR2).toBeUndefined();
    }
  });
});
