// trained-mlp: the trained networks' own fit, the truth (exhaustive mean ablation of the trained network on the
// held-out sample, recomputed from the arrays), regimes drawn from the seed, the context gating that defeats the
// one-hop shortcut, and the references, floors and baselines on the official split.
import { beforeAll, describe, expect, it } from "vitest";
import { buildArtifacts, loadArtifact } from "../../../harness/artifacts.ts";
import { f32, hashArrays } from "../../../harness/ndarray.ts";
import { getMethod } from "../../../harness/registry.ts";
import { Rng, seedFrom } from "../../../harness/rng.ts";
import { evaluateInstance } from "../../../harness/runner.ts";
import type { Instance, NdArray } from "../../../harness/types.ts";
import { ablation } from "../../../methods/ablation/method.ts";
import { correlation } from "../../../methods/correlation/method.ts";
import { gradXActivation } from "../../../methods/grad-x-activation/method.ts";
import { ablationTruth } from "../../../tasks/causal-attribution/instance.ts";
import { forward, networkFromContext, outputFromHidden } from "../../../tasks/causal-attribution/network.ts";
import { positionalPrior, causalAttribution as task } from "../../../tasks/causal-attribution/task.ts";
import { trainedMlp } from "./dataset.ts";
import { ARCHS, CONTEXT_UNITS, FEATURES, scoredMask, trainedMlpRecipe } from "./recipe.ts";

// The references are registered for every task by the methods registry.
const oracle = getMethod("oracle");
const random = getMethod("random");

const SLOW = 240_000;
/** sha256 of dev instance 0's inputs and truth: generation must give these bytes in every process. */
const DEV0_HASH =
  "38dac4aecec7a2f4d6b222a724e47744d17c8a3ce2f23340150ca50739f7e65a:6179f3041630738c8830b122a0971211e5a0c6506725c96692929794d8161e2a";

function instancesOf(split: "dev" | "official"): Instance[] {
  return Array.from({ length: trainedMlp.sizes[split] }, (_, index) => {
    const seed = seedFrom(trainedMlp.task, trainedMlp.slug, trainedMlp.version, split, index);
    return { key: `${trainedMlp.slug}/${split}/${index}`, index, seed, ...trainedMlp.generate(split, index, seed) };
  });
}
const arr = (inst: Instance, name: string) => inst.inputs[name] as NdArray;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

let official: Instance[] = [];
beforeAll(async () => {
  await buildArtifacts([trainedMlpRecipe], { progress: false });
  official = instancesOf("official");
}, SLOW);

describe("trained-mlp: the trained networks", () => {
  it("fit the context-gated task on held-out inputs (test R² > 0.95); each scored unit sees one context's features", () => {
    const networks = loadArtifact(trainedMlpRecipe).metadata.networks as {
      name: string;
      testR2: number;
      scoredUnits: number;
      droppedConstantUnits: number;
      sizes: number[];
    }[];
    expect(networks.map((n) => n.name)).toEqual(ARCHS.map((a) => a.name));
    for (const net of networks) {
      // Observed: 0.973 (relu-relu), 0.962 (tanh-relu), 0.982 (relu-relu-relu).
      expect(net.testR2).toBeGreaterThan(0.95);
      expect(net.scoredUnits + net.droppedConstantUnits).toBe(net.sizes[1]);
    }
    const mask = scoredMask(10);
    // Unit 0 (a context unit) sees only the context inputs; unit CONTEXT_UNITS sees features 0–2 only.
    expect(Array.from({ length: 16 }, (_, i) => mask[i * 10])).toEqual([...Array(FEATURES).fill(0), 1, 1, 1, 1]);
    expect(Array.from({ length: 16 }, (_, i) => mask[i * 10 + CONTEXT_UNITS])).toEqual([1, 1, 1, ...Array(13).fill(0)]);
  });
});

describe("trained-mlp: instances and truth", () => {
  it("gives the recorded bytes for dev instance 0; network, contexts and unit order come from the seed", () => {
    const dev = instancesOf("dev");
    const inst = dev[0] as Instance;
    expect(`${hashArrays(inst.inputs)}:${hashArrays(inst.truth)}`).toBe(DEV0_HASH);
    expect(new Set(official.map((i) => i.meta.network))).toEqual(new Set(ARCHS.map((a) => a.name)));
    // One context (4 possible) or two (6 possible pairs).
    const contextSets = official.map((i) => i.meta.contexts as number[]);
    expect(new Set(contextSets.map((c) => JSON.stringify(c))).size).toBeGreaterThanOrEqual(8);
    expect(contextSets.filter((c) => c.length === 1).length).toBeGreaterThan(5);
    expect(contextSets.filter((c) => c.length === 2).length).toBeGreaterThan(5);
    // Two instances of one network see their units in different orders: the same function, shuffled.
    const same = official.filter((i) => i.meta.network === inst.meta.network);
    expect(Array.from(arr(same[0] as Instance, "b0").data)).not.toEqual(Array.from(arr(same[1] as Instance, "b0").data));
    expect([...arr(same[0] as Instance, "b0").data].sort()).toEqual([...arr(same[1] as Instance, "b0").data].sort());
  });

  it("truth is the exhaustive mean ablation on the held-out sample of the network the method receives", () => {
    for (const inst of official.slice(0, 12)) {
      const net = networkFromContext(inst.jsonInputs, inst.inputs);
      const x = arr(inst, "inputs");
      const n = x.shape[0] as number;
      const { hidden, output } = forward(net, x.data, n);
      const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
        a.length === b.length && Array.prototype.every.call(a, (v, i) => v === b[i]);
      expect(same(Float32Array.from(hidden), arr(inst, "hidden").data)).toBe(true);
      expect(same(Float32Array.from(output), arr(inst, "output").data)).toBe(true);
      const truth = ablationTruth(net, inst.truth.heldOutInputs as NdArray);
      expect(same(Float32Array.from(truth.effects), inst.truth.effect?.data as Float32Array)).toBe(true);
      expect(same(Int32Array.from(truth.causal), inst.truth.causal?.data as Int32Array)).toBe(true);
      // Held-out rows are a different sample of the same distribution (same contexts).
      const held = inst.truth.heldOutInputs as NdArray;
      expect(held.shape[0]).toBe(trainedMlp.config.nTruth);
      expect(same(held.data.subarray(0, 32), x.data.subarray(0, 32))).toBe(false);
      // Trained networks have a continuum of effects, but no unit so near the threshold that rounding could decide it.
      expect(inst.meta.minCausalEffect as number).toBeGreaterThan(1 + 1e-4);
      expect(inst.meta.maxNonCausalEffect as number).toBeLessThan(1 - 1e-4);
      const nCausal = inst.meta.nCausal as number;
      expect(nCausal / (inst.meta.H as number)).toBeGreaterThan(0.08);
      expect(nCausal / (inst.meta.H as number)).toBeLessThan(0.6);
    }
  });

  it("the dropped constant units changed nothing: the network's output on fresh inputs matches its own forward pass", () => {
    const inst = official[0] as Instance;
    const net = networkFromContext(inst.jsonInputs, inst.inputs);
    const x = arr(inst, "inputs");
    const n = x.shape[0] as number;
    const { hidden, output } = forward(net, x.data, n);
    const again = outputFromHidden(net, hidden, n);
    expect(Array.from(again)).toEqual(Array.from(output));
  });

  it("units of the absent contexts keep a large one-hop weight norm but most cause nothing", () => {
    // A scored unit serves context k when its layer-0 weights are on that context's features; units of the two
    // absent contexts are non-causal far more often than units of the present ones.
    let absentNonCausal = 0;
    let absent = 0;
    let presentCausal = 0;
    let present = 0;
    for (const inst of official) {
      const w0 = arr(inst, "w0");
      const H = w0.shape[1] as number;
      const contexts = inst.meta.contexts as number[];
      const causal = inst.truth.causal?.data as Int32Array;
      for (let j = 0; j < H; j++) {
        let best = -1;
        let bestNorm = 0;
        for (let k = 0; k < 4; k++) {
          let s = 0;
          for (let i = 3 * k; i < 3 * k + 3; i++) s += (w0.data[i * H + j] as number) ** 2;
          if (s > bestNorm) [best, bestNorm] = [k, s];
        }
        if (best < 0) continue; // a context unit
        if (contexts.includes(best)) {
          present++;
          presentCausal += causal[j] as number;
        } else {
          absent++;
          absentNonCausal += 1 - (causal[j] as number);
        }
      }
    }
    console.log(
      `trained-mlp: units of present contexts causal ${presentCausal}/${present}, of absent contexts non-causal ${absentNonCausal}/${absent}`,
    );
    expect(absentNonCausal / absent).toBeGreaterThan(0.9);
    expect(presentCausal / present).toBeGreaterThan(0.5);
  });
});

// SCIENTIFIC CHECK (Morcos et al. 2018; Jonas & Kording 2017; Ancona et al. 2018): on trained networks single-unit
// ablation is the truth's own definition (≈ 1: it sees the method's rows, not the held-out ones); gradient ×
// activation comes close; the one-hop shortcut and correlation, which do not follow the context gating, fall behind.
describe("scientific check: references, floors and baselines on the official split", () => {
  const scores = new Map<string, number[]>();

  beforeAll(async () => {
    for (const method of [oracle, random, correlation, gradXActivation, ablation]) {
      const list: number[] = [];
      for (const inst of official) {
        const out = await evaluateInstance(method, task, inst);
        expect(out.status, `${method.id} on ${inst.key}`).toBe("ok");
        list.push(out.score as number);
      }
      scores.set(method.id, list);
    }
    scores.set(
      "shortcut",
      official.map((inst) => task.score(inst, task.floors.shortcut?.(inst, new Rng(1)) ?? {}).main),
    );
    scores.set(
      "position",
      official.map((inst, k) => {
        const H = inst.inputs.hidden?.shape[1] as number;
        return task.score(inst, {
          importance: f32(
            [H],
            positionalPrior(
              official.filter((_, i) => i !== k).map((i) => i.truth),
              H,
            ),
          ),
        }).main;
      }),
    );
    const byNet = (id: string) =>
      ARCHS.map((a) => `${a.name} ${mean((scores.get(id) as number[]).filter((_, i) => official[i]?.meta.network === a.name)).toFixed(3)}`);
    console.log(
      `trained-mlp, mean AUROC over official (${official.length} instances):\n${[...scores.keys()].map((id) => `  ${id.padEnd(18)} ${mean(scores.get(id) as number[]).toFixed(3)}  (${byNet(id).join(", ")})`).join("\n")}`,
    );
  }, SLOW);

  it("oracle scores 1, random and the leave-one-out positional prior average 1/2", () => {
    for (const s of scores.get("oracle") as number[]) expect(s).toBe(1);
    expect(Math.abs(mean(scores.get("random") as number[]) - 0.5)).toBeLessThan(0.06);
    // The positional prior's instance scores share their leave-one-out truths, so their mean is noisier than
    // random's (observed 0.46–0.54 ± 0.05): a 0.1 band still catches fixed unit positions (v1 scored 0.844).
    expect(Math.abs(mean(scores.get("position") as number[]) - 0.5)).toBeLessThan(0.1);
  });

  it("ablation on the method's rows is at the ceiling of the held-out truth", () => {
    for (const s of scores.get("ablation") as number[]) expect(s).toBeGreaterThan(0.98);
    expect(mean(scores.get("ablation") as number[])).toBeGreaterThan(0.995);
  });

  it("gradient × activation beats the one-hop shortcut and correlation; both stay far below ablation", () => {
    const gxa = mean(scores.get("grad-x-activation") as number[]);
    const shortcut = mean(scores.get("shortcut") as number[]);
    const corr = mean(scores.get("correlation") as number[]);
    // Observed: ablation 1.000, gradient × activation 0.91, shortcut 0.71, correlation 0.69.
    expect(gxa - shortcut).toBeGreaterThan(0.12);
    expect(gxa - corr).toBeGreaterThan(0.15);
    expect(shortcut).toBeLessThan(0.8);
    expect(corr).toBeLessThan(0.78);
    expect(mean(scores.get("ablation") as number[]) - shortcut).toBeGreaterThan(0.15);
  });
});
