// T6 causal-attribution: AUROC / precision@k scoring, the shared forward/backward/ablation helper, the planted
// generator (roles agree with the exact truth, with a margin), references at ceiling and chance, and the
// scientific check: ablation beats |correlation| by a clear margin and correlation is near chance or worse.
import { beforeAll, describe, expect, it } from "vitest";
import { plantedCircuits } from "../../datasets/planted-circuits/dataset.ts";
import { f32 } from "../../harness/ndarray.ts";
import { buildTaskJson } from "../../harness/protocol.ts";
import { generateInstance } from "../../harness/registry.ts";
import { Rng } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { Instance, MethodDefinition, NdArray } from "../../harness/types.ts";
import { ablation } from "../../methods/ablation/method.ts";
import { correlation, outputCorrelations } from "../../methods/correlation/method.ts";
import { gradXActivation } from "../../methods/grad-x-activation/method.ts";
import { oracle } from "../../methods/oracle/method.ts";
import { random } from "../../methods/random/method.ts";
import { CAUSAL_THRESHOLD } from "./instance.ts";
import { auroc, averageRanks, precisionAtK } from "./metrics.ts";
import {
  ablationEffects,
  forward,
  hiddenGradients,
  loadNetwork,
  networkFromContext,
  networkJson,
  outputFromHidden,
  parseNetwork,
} from "./network.ts";
import { CAUSAL_ROLES, plantedInstance, REGIMES, type Role } from "./planted.ts";
import { causalAttribution } from "./task.ts";

/** AUROC by counting every (positive, negative) pair, ties one half: the definition the rank formula must match. */
function pairwiseAuroc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  labels.forEach((li, i) => {
    if (!li) return;
    labels.forEach((lj, j) => {
      if (lj) return;
      pairs++;
      wins += (scores[i] as number) > (scores[j] as number) ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe("causal-attribution scoring", () => {
  const labels = [1, 0, 1, 0, 0, 1, 0, 0];

  it("AUROC is 1 for a perfect ranking, 0 for the reverse, 1/2 for a constant, blind to monotone transforms", () => {
    const perfect = labels.map((l, i) => l * 10 + i * 0.1);
    expect(auroc(perfect, labels)).toBe(1);
    expect(
      auroc(
        perfect.map((v) => -v),
        labels,
      ),
    ).toBe(0);
    expect(
      auroc(
        labels.map(() => 3),
        labels,
      ),
    ).toBe(0.5);
    const noisy = [0.9, 0.1, 0.4, 0.5, 0.2, 0.8, 0.3, 0.45];
    const a = auroc(noisy, labels);
    expect(
      auroc(
        noisy.map((v) => Math.exp(5 * v) - 7),
        labels,
      ),
    ).toBeCloseTo(a, 12);
    expect(a).toBeCloseTo(pairwiseAuroc(noisy, labels), 12);
  });

  it("handles ties with average ranks, exactly as pairwise counting with ties worth one half", () => {
    expect(Array.from(averageRanks([3, 1, 3, 2, 3]))).toEqual([4, 1, 4, 2, 4]);
    // One positive tied with one negative at the top: 2 wins + 1/2 out of 3 pairs… for each positive.
    expect(auroc([1, 1, 0, 0], [1, 0, 1, 0])).toBeCloseTo((1.5 + 0.5) / 4, 12);
    const rng = new Rng(11);
    for (let t = 0; t < 50; t++) {
      const n = 5 + rng.int(30);
      const scores = Array.from({ length: n }, () => rng.int(4));
      const lab = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? 0 : rng.int(2)));
      expect(auroc(scores, lab)).toBeCloseTo(pairwiseAuroc(scores, lab), 12);
    }
  });

  it("AUROC is 1/2 when the truth has no positives or no negatives", () => {
    expect(auroc([1, 2, 3], [0, 0, 0])).toBe(0.5);
    expect(auroc([1, 2, 3], [1, 1, 1])).toBe(0.5);
  });

  it("precision@k counts causal units among the top k, sharing ties at the cut-off", () => {
    expect(precisionAtK([5, 1, 4, 0, 0, 3, 0, 0], labels)).toBe(1);
    expect(precisionAtK([0, 1, 0, 1, 1, 0, 0, 0], labels)).toBe(0);
    // Constant scores: every unit is equally likely to be picked, expected precision = k/H.
    expect(
      precisionAtK(
        labels.map(() => 1),
        labels,
      ),
    ).toBeCloseTo(3 / 8, 12);
    // Top two are causal; the last place goes to a tie of one causal and one non-causal unit: (2 + 1/2)/3.
    expect(precisionAtK([9, 1, 8, 5, 0, 5, 0, 0], labels)).toBeCloseTo(2.5 / 3, 12);
  });

  it("score() reports AUROC as the main score and precision@k as a metric", () => {
    const instance = {
      key: "t/dev/0",
      index: 0,
      seed: 1,
      params: {},
      inputs: { hidden: f32([2, 8]) },
      truth: { causal: { dtype: "int32", shape: [8], data: Int32Array.from(labels) } },
      meta: {},
    } as Instance;
    const s = causalAttribution.score(instance, { importance: f32([8], [0.9, 0.1, 0.4, 0.5, 0.2, 0.8, 0.3, 0.45]) });
    expect(s.main).toBeCloseTo(pairwiseAuroc([0.9, 0.1, 0.4, 0.5, 0.2, 0.8, 0.3, 0.45], labels), 6);
    expect(s.metrics["precision@k"]).toBeCloseTo(2 / 3, 6);
  });
});

describe("dense network helper", () => {
  // dIn 3 → 4 (tanh, scored) → 3 (relu) → 1 (linear), small random weights.
  const rng = new Rng(5);
  const dims = [3, 4, 3, 1];
  const weights: Record<string, NdArray> = {};
  for (let k = 0; k < 3; k++) {
    weights[`w${k}`] = f32(
      [dims[k] as number, dims[k + 1] as number],
      Array.from({ length: (dims[k] as number) * (dims[k + 1] as number) }, () => rng.normal()),
    );
    weights[`b${k}`] = f32(
      [dims[k + 1] as number],
      Array.from({ length: dims[k + 1] as number }, () => 0.3 * rng.normal()),
    );
  }
  const spec = networkJson(["tanh", "relu", "linear"], 0);
  const net = loadNetwork(spec, weights);
  const n = 50;
  const x = Float64Array.from({ length: n * 3 }, () => rng.normal());

  it("forward matches a direct evaluation", () => {
    const { hidden, output } = forward(net, x, n);
    const w = (k: number) => weights[`w${k}`]?.data as Float32Array;
    const b = (k: number) => weights[`b${k}`]?.data as Float32Array;
    for (let s = 0; s < n; s++) {
      const h = [0, 1, 2, 3].map((o) =>
        Math.tanh((b(0)[o] as number) + [0, 1, 2].reduce((acc, i) => acc + (x[s * 3 + i] as number) * (w(0)[i * 4 + o] as number), 0)),
      );
      const r = [0, 1, 2].map((o) =>
        Math.max(0, (b(1)[o] as number) + h.reduce((acc, hi, i) => acc + hi * (w(1)[i * 3 + o] as number), 0)),
      );
      const y = (b(2)[0] as number) + r.reduce((acc, ri, i) => acc + ri * (w(2)[i] as number), 0);
      h.forEach((hi, o) => {
        expect(hidden[s * 4 + o]).toBeCloseTo(hi, 12);
      });
      expect(output[s]).toBeCloseTo(y, 12);
    }
  });

  it("ablation effects equal ablating each column by hand", () => {
    const { hidden, output } = forward(net, x, n);
    const effects = ablationEffects(net, hidden, n);
    for (let j = 0; j < 4; j++) {
      let mean = 0;
      for (let s = 0; s < n; s++) mean += hidden[s * 4 + j] as number;
      mean /= n;
      const ablated = Float64Array.from(hidden);
      for (let s = 0; s < n; s++) ablated[s * 4 + j] = mean;
      const y = outputFromHidden(net, ablated, n);
      let e = 0;
      for (let s = 0; s < n; s++) e += Math.abs((y[s] as number) - (output[s] as number));
      expect(effects[j]).toBeCloseTo(e / n, 12);
    }
  });

  it("gradients match central finite differences", () => {
    const { hidden } = forward(net, x, n);
    const grads = hiddenGradients(net, hidden, n);
    const eps = 1e-6;
    for (let s = 0; s < n; s += 7) {
      for (let j = 0; j < 4; j++) {
        const up = Float64Array.from(hidden.subarray(s * 4, s * 4 + 4));
        const down = Float64Array.from(up);
        up[j] = (up[j] as number) + eps;
        down[j] = (down[j] as number) - eps;
        const fd = ((outputFromHidden(net, up, 1)[0] as number) - (outputFromHidden(net, down, 1)[0] as number)) / (2 * eps);
        expect(grads[s * 4 + j]).toBeCloseTo(fd, 5);
      }
    }
  });

  it("rejects malformed networks with a message naming the problem", () => {
    expect(() => parseNetwork({ layers: [{ weight: "w0", bias: "b0", activation: "relu" }], hiddenLayer: 0 })).toThrow(/network.json/);
    expect(() => parseNetwork({ ...spec, hiddenLayer: 2 })).toThrow(/hiddenLayer/);
    expect(() => parseNetwork({ ...spec, layers: spec.layers.map((l) => ({ ...l, activation: "gelu" })) })).toThrow(/activation/);
    expect(() => parseNetwork({ ...spec, extra: 1 })).toThrow();
    expect(() => loadNetwork(spec, { ...weights, b1: f32([2]) })).toThrow(/bias "b1"/);
    expect(() => loadNetwork(networkJson(["tanh", "linear"], 0), weights)).toThrow(/one output unit|inputs/);
    expect(() => networkFromContext(undefined, weights)).toThrow(/network.json/);
  });
});

describe("planted-circuits generator", () => {
  it("plants exactly the units the exact ablation calls causal, far from the threshold, in every regime", () => {
    for (const regime of REGIMES) {
      const inst = plantedInstance(new Rng(77), regime, 600);
      const causal = (inst.truth.causal as NdArray).data;
      const planted = inst.roles.map((role: Role) => (CAUSAL_ROLES.has(role) ? 1 : 0));
      expect(Array.from(causal), regime.name).toEqual(planted);
      expect(inst.meta.minCausalEffect as number).toBeGreaterThan(1.5);
      expect(inst.meta.maxNonCausalEffect as number).toBeLessThan(0.5);
    }
  });

  it("makes correlation mislead: hidden causal units barely correlate, decoys correlate strongly", () => {
    for (const regime of REGIMES) {
      const inst = plantedInstance(new Rng(78), regime, 1000);
      const hidden = inst.inputs.hidden as NdArray;
      const [n, H] = hidden.shape as [number, number];
      const corr = outputCorrelations(hidden.data, (inst.inputs.output as NdArray).data, n, H);
      const of = (roles: Role[]) => inst.roles.flatMap((r, j) => (roles.includes(r) ? [corr[j] as number] : []));
      const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
      const hiddenCausal = mean(of(["cancel", "symmetric", "bump"]));
      expect(hiddenCausal).toBeLessThan(0.2);
      expect(mean(of(["decoy"]))).toBeGreaterThan(Math.max(0.3, 3 * hiddenCausal));
    }
  });

  it("gives methods network.json and the weight arrays through the protocol", () => {
    const inst = generateInstance(plantedCircuits, "dev", 1);
    const taskJson = buildTaskJson(causalAttribution, inst);
    expect(taskJson.inputs.network).toEqual({ file: "network.json" });
    for (const name of ["inputs", "hidden", "output", "w0", "b0", "w1", "b1", "w2", "b2"])
      expect(taskJson.inputs[name], name).toBeDefined();
    expect(taskJson.outputs.importance).toEqual({ file: "importance.npy", shape: [inst.inputs.hidden?.shape[1]] });
    // The given hidden layer and output are the network's own forward pass on the given inputs.
    const net = networkFromContext(inst.jsonInputs, inst.inputs);
    const n = inst.inputs.inputs?.shape[0] as number;
    const { hidden, output } = forward(net, (inst.inputs.inputs as NdArray).data, n);
    expect(Math.max(...Array.from(hidden, (h, i) => Math.abs(h - ((inst.inputs.hidden as NdArray).data[i] as number))))).toBeLessThan(1e-6);
    expect(Math.max(...Array.from(output, (y, i) => Math.abs(y - ((inst.inputs.output as NdArray).data[i] as number))))).toBeLessThan(1e-5);
    expect(inst.meta.threshold).toBeCloseTo(CAUSAL_THRESHOLD * (inst.meta.outputStd as number), 12);
  });
});

describe("planted-circuits dev split: references and baselines", () => {
  const instances: Instance[] = [];
  const scores: Record<string, number[]> = {};
  const methods: MethodDefinition[] = [oracle, random, correlation, gradXActivation, ablation];
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

  beforeAll(async () => {
    for (let i = 0; i < plantedCircuits.sizes.dev; i++) instances.push(generateInstance(plantedCircuits, "dev", i));
    for (const method of methods) {
      scores[method.id] = [];
      for (const inst of instances) {
        const r = await evaluateInstance(method, causalAttribution, inst);
        expect(r.status, `${method.id} on ${inst.key}: ${r.message}`).toBe("ok");
        scores[method.id]?.push(r.score as number);
      }
    }
  });

  it("covers every regime", () => {
    expect(new Set(instances.map((i) => i.meta.regime))).toEqual(new Set(REGIMES.map((r) => r.name)));
  });

  it("oracle scores 1 and random ≈ 1/2 (its exact expectation)", async () => {
    expect(scores.oracle?.every((s) => s === 1)).toBe(true);
    expect(Math.abs(mean(scores.random as number[]) - 0.5)).toBeLessThan(0.12);
    // Many random draws on one instance: the mean converges to exactly 1/2.
    const inst = instances[0] as Instance;
    const draws = Array.from({ length: 400 }, (_, t) => causalAttribution.score(inst, causalAttribution.random(inst, new Rng(t))).main);
    expect(Math.abs(mean(draws) - 0.5)).toBeLessThan(0.015);
  });

  it("SCIENTIFIC CHECK: ablation beats |correlation| by a clear margin; correlation is near chance or worse", () => {
    const abl = scores.ablation as number[];
    const cor = scores.correlation as number[];
    // Ablation computes the truth's own quantity: at the ceiling on every instance.
    expect(Math.min(...abl)).toBeGreaterThan(0.999);
    expect(mean(abl) - mean(cor)).toBeGreaterThan(0.35);
    expect(mean(cor)).toBeLessThan(0.6);
    for (const s of cor) expect(s).toBeLessThan(0.7);
  });

  it("gradient × activation sees through cancellation and symmetry but falls into the planted traps", () => {
    const gxa = scores["grad-x-activation"] as number[];
    instances.forEach((inst, i) => {
      const counts = inst.meta.roleCounts as Record<string, number>;
      const traps = (counts.offset ?? 0) + (counts.saturated ?? 0);
      if (traps === 0) expect(gxa[i]).toBeGreaterThan(0.99);
      else expect(gxa[i]).toBeLessThan(0.97);
    });
    expect(mean(gxa)).toBeGreaterThan(mean(scores.correlation as number[]) + 0.2);
    expect(mean(gxa)).toBeLessThan(mean(scores.ablation as number[]) - 0.03);
  });
});
