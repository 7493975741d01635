// compiled-circuits: the network each instance hands to methods computes its RASP program exactly; the truth is
// the exact mean ablation recomputed from the arrays; causal units are steps of the program and never of the shadow
// or the distractor; regimes come from the seed; and the references, floors and baselines on the official split.
import { beforeAll, describe, expect, it } from "vitest";
import { f32, hashArrays } from "../../../harness/ndarray.ts";
import { buildTaskJson } from "../../../harness/protocol.ts";
import { getMethod, instanceSeed } from "../../../harness/registry.ts";
import { Rng } from "../../../harness/rng.ts";
import { evaluateInstance } from "../../../harness/runner.ts";
import { type TransformerSpec, transformerWeightShapes } from "../../../harness/transformer.ts";
import type { Instance, NdArray } from "../../../harness/types.ts";
import { ablation } from "../../../methods/ablation/method.ts";
import { activationPatching } from "../../../methods/activation-patching/method.ts";
import { attributionPatching } from "../../../methods/attribution-patching/method.ts";
import { correlation, outputCorrelations } from "../../../methods/correlation/method.ts";
import { gradXActivation } from "../../../methods/grad-x-activation/method.ts";
import { transformerAblationTruth } from "../../../tasks/causal-attribution/instance.ts";
import { positionalPrior, causalAttribution as task, weightNormShortcut } from "../../../tasks/causal-attribution/task.ts";
import { hiddenSummary, runTransformer, tokenRows, transformerNetworkFromContext } from "../../../tasks/causal-attribution/transformer.ts";
import { COMPILED_CONFIG, compiledCircuits, generateCompiledCircuit, MARGIN } from "./dataset.ts";
import { evaluate } from "./rasp/rasp.ts";

const SLOW = 240_000;
/** sha256 of dev instance 0's inputs and truth: generation must give these bytes in every process. */
const DEV0_HASH =
  "1acb538b60f2a875acf4f6680d6d13cdcaec6620cb1ce3e9846257649e7d29b2:5ae1fc62e0a0a3a725b7277deb54bb6f56fb786d2b3aa4195ad4a106573b9ee6";

function instancesOf(split: "dev" | "official"): Instance[] {
  return Array.from({ length: compiledCircuits.sizes[split] }, (_, index) => {
    const seed = instanceSeed(compiledCircuits, split, index);
    return { key: `${compiledCircuits.slug}/${split}/${index}`, index, seed, ...compiledCircuits.generate(split, index, seed) };
  });
}
const arr = (inst: Instance, name: string) => inst.inputs[name] as NdArray;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v, i) => v === b[i]);

let official: Instance[] = [];
beforeAll(() => {
  official = instancesOf("official");
}, SLOW);

describe("compiled-circuits: instances", () => {
  it("gives the recorded bytes for dev instance 0; program, vocabulary, length, read-out and unit order come from the seed", () => {
    const dev0 = instancesOf("dev")[0] as Instance;
    const hash = `${hashArrays(dev0.inputs)}:${hashArrays(dev0.truth)}`;
    expect(hash).toBe(DEV0_HASH);
    expect(new Set(official.map((i) => i.meta.program)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(official.map((i) => i.meta.vocabSize)).size).toBe(COMPILED_CONFIG.vocabSizes.length);
    expect(new Set(official.map((i) => i.meta.length)).size).toBe(COMPILED_CONFIG.lengths.length);
    // Unit order: the first listed unit is not always the canonical first (layer 0, head 0).
    const firsts = official.map((i) => JSON.stringify((i.jsonInputs?.network as { units?: unknown[] } | undefined)?.units?.[0]));
    expect(new Set(firsts).size).toBeGreaterThan(3);
  });

  it("the network handed to methods computes the program: its output is the program's value at the read-out position on every row", () => {
    for (const [index, inst] of official.entries()) {
      const { program } = generateCompiledCircuit(instanceSeed(compiledCircuits, "official", index));
      const x = arr(inst, "inputs");
      const { tokens, n, T } = tokenRows(x);
      const output = arr(inst, "output").data;
      const readout = inst.meta.readout as number;
      for (let s = 0; s < n; s++) {
        const input = Array.from(tokens.subarray(s * T + 1, (s + 1) * T), (id) => program.vocab[id - 1] as number);
        const expected = evaluate([program.output], input).get(program.output)?.[readout] ?? 0;
        expect(Math.abs((output[s] as number) - expected)).toBeLessThan(1e-3);
      }
    }
  });

  it("truth is the exact mean ablation on the held-out rows, recomputed from the arrays, with a margin around the threshold", () => {
    for (const inst of official) {
      const tnet = transformerNetworkFromContext(inst.jsonInputs, inst.inputs);
      const { tokens, n, T } = tokenRows(arr(inst, "inputs"));
      const run = runTransformer(tnet, tokens, n, T);
      expect(same(Float32Array.from(run.output), arr(inst, "output").data)).toBe(true);
      expect(same(Float32Array.from(hiddenSummary(tnet, run)), arr(inst, "hidden").data)).toBe(true);
      const truth = transformerAblationTruth(tnet, inst.truth.heldOutInputs as NdArray);
      expect(same(Float32Array.from(truth.effects), inst.truth.effect?.data as Float32Array)).toBe(true);
      expect(same(Int32Array.from(truth.causal), inst.truth.causal?.data as Int32Array)).toBe(true);
      expect(inst.meta.minCausalEffect as number).toBeGreaterThanOrEqual(1 + MARGIN);
      expect(inst.meta.maxNonCausalEffect as number).toBeLessThanOrEqual(1 - MARGIN);
      expect(inst.meta.nCausal as number).toBeGreaterThan(0);
      expect(inst.meta.nCausal as number).toBeLessThan(inst.meta.H as number);
    }
  });

  it("causal units implement steps of the program; the shadow copy and the distractor are never causal, though the shadow correlates like the real step", () => {
    let shadows = 0;
    for (const inst of official) {
      const steps = inst.meta.unitSteps as string[];
      const causal = inst.truth.causal?.data as Int32Array;
      const [n, H] = arr(inst, "hidden").shape as [number, number];
      const corr = outputCorrelations(arr(inst, "hidden").data, arr(inst, "output").data, n, H);
      steps.forEach((step, j) => {
        if (causal[j])
          expect(step === "" || step.startsWith("shadow_") || step.startsWith("aux_"), `${inst.key} unit ${j} (${step})`).toBe(false);
        if (step.startsWith("shadow_") || step.startsWith("aux_")) expect(causal[j], `${inst.key} unit ${j} (${step})`).toBe(0);
      });
      // Every head of the shadow has a twin on the real step with the same correlation with the output.
      steps.forEach((step, j) => {
        if (!step.startsWith("shadow_")) return;
        const twins = steps.flatMap((s, k) => (s === step.slice("shadow_".length) ? [corr[k] as number] : []));
        expect(twins.some((c) => Math.abs(c - (corr[j] as number)) < 1e-6)).toBe(true);
        shadows++;
      });
    }
    expect(shadows).toBeGreaterThan(official.length);
  });
});

describe("compiled-circuits: the protocol", () => {
  it("gives external methods network.json (kind transformer) and every weight array by its name, never the held-out rows", () => {
    const inst = official[0] as Instance;
    const taskJson = buildTaskJson(task, inst);
    expect(taskJson.inputs.network).toEqual({ file: "network.json" });
    const spec = (inst.jsonInputs?.network as { transformer: TransformerSpec } | undefined)?.transformer as TransformerSpec;
    for (const name of ["inputs", "hidden", "output", ...Object.keys(transformerWeightShapes(spec))])
      expect(taskJson.inputs[name], name).toBeDefined();
    expect(taskJson.inputs.heldOutInputs).toBeUndefined();
    expect(taskJson.outputs.importance).toEqual({ file: "importance.npy", shape: [inst.inputs.hidden?.shape[1]] });
  });
});

describe("compiled-circuits: references, floors and baselines (official split)", () => {
  it(
    "oracle 1; constant and positional prior at chance; ablation and activation patching at the ceiling; gradients fail on discretising MLPs; correlation and the shortcut far below",
    async () => {
      const scores: Record<string, number[]> = {};
      const add = (k: string, v: number) => {
        scores[k] ??= [];
        scores[k].push(v);
      };
      const truths = official.map((i) => i.truth);
      for (const [k, inst] of official.entries()) {
        const H = arr(inst, "hidden").shape[1] as number;
        const loo = positionalPrior(
          truths.filter((_, j) => j !== k),
          H,
        );
        add("prior", task.score(inst, { importance: f32([H], loo) }).main);
        add("shortcut", task.score(inst, { importance: f32([H], weightNormShortcut(inst)) }).main);
        add("random", mean(Array.from({ length: 20 }, (_, t) => task.score(inst, task.random(inst, new Rng(t))).main)));
        for (const m of [getMethod("oracle"), correlation, gradXActivation, attributionPatching, activationPatching, ablation]) {
          const r = await evaluateInstance(m, task, inst);
          expect(r.status, `${m.id} on ${inst.key}`).toBe("ok");
          add(m.id, r.score as number);
        }
      }
      const m = Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, mean(v)]));
      console.log(
        `[compiled-circuits] official means ${JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.toFixed(3)])))}`,
      );
      expect(m.oracle).toBe(1);
      expect(Math.abs((m.prior as number) - 0.5)).toBeLessThan(0.06);
      expect(Math.abs((m.random as number) - 0.5)).toBeLessThan(0.06);
      for (const s of scores.ablation ?? []) expect(s).toBeGreaterThanOrEqual(0.999);
      expect(m["activation-patching"]).toBeGreaterThanOrEqual(0.98);
      // Selector widths are read out by discretising MLPs whose steps are flat at every possible input: causal
      // neurons with zero gradient. Gradient × activation and attribution patching miss them.
      expect(Math.min(...(scores["grad-x-activation"] ?? []))).toBeLessThan(0.7);
      expect(m["grad-x-activation"] as number).toBeLessThan((m.ablation as number) - 0.04);
      // The shadow step ties correlation and the shortcut with the real one; constant units (length, positions) fool nothing else.
      expect(m.correlation as number).toBeLessThan(0.8);
      expect(m.shortcut as number).toBeLessThan(0.8);
      expect((m.ablation as number) - Math.max(m.correlation as number, m.shortcut as number)).toBeGreaterThan(0.2);
    },
    SLOW,
  );
});
