// T6's transformer kind on random weights (layer norm, gelu, causal attention, attention biases): the exact
// replacement effects restarted from cached residuals equal a naive full pass with intervention hooks; the
// per-unit gradients of the patching baselines equal central finite differences; network.json is validated.
import { beforeAll, describe, expect, it } from "vitest";
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import {
  parseTransformerSpec,
  runSequence,
  type TransformerSpec,
  transformerUnits,
  transformerWeightShapes,
} from "../../harness/transformer.ts";
import type { JsonValue, NdArray } from "../../harness/types.ts";
import { transformerUnitGradients } from "../../methods/shared/patching.ts";
import {
  loadTransformerNetwork,
  parseTransformerNetwork,
  positionMeans,
  replacementEffects,
  runTransformer,
  type TransformerNetwork,
  type TransformerRun,
  transformerAblationEffects,
  unitJson,
} from "./transformer.ts";

beforeAll(async () => {
  await initTf();
});

const spec: TransformerSpec = parseTransformerSpec({
  kind: "transformer",
  vocabSize: 5,
  maxLen: 5,
  dModel: 6,
  layers: [
    { heads: 2, dHead: 3, dMlp: 4 },
    { heads: 1, dHead: 2, dMlp: 3 },
  ],
  causal: true,
  layerNorm: true,
  attnBias: true,
  mlpActivation: "gelu",
  dOut: 2,
});

function randomNetwork(seed: number): { tnet: TransformerNetwork; weights: Record<string, NdArray>; json: JsonValue } {
  const rng = new Rng(seed);
  const weights: Record<string, NdArray> = {};
  for (const [name, shape] of Object.entries(transformerWeightShapes(spec))) {
    const a = f32(shape);
    for (let i = 0; i < a.data.length; i++) a.data[i] = name.endsWith(".g") ? 1 + 0.2 * rng.normal() : 0.6 * rng.normal();
    weights[name] = a;
  }
  const units = transformerUnits(spec);
  const order = rng.permutation(units.length);
  const json = {
    kind: "transformer",
    transformer: spec,
    units: Array.from(order, (i) => unitJson(units[i] as (typeof units)[number])),
    readout: { position: 3, logit: 1 },
  } as unknown as JsonValue;
  return { tnet: loadTransformerNetwork(parseTransformerNetwork(json), weights), weights, json };
}

/** The run of sample s alone (as if n = 1). */
function sampleOf(run: TransformerRun, s: number): TransformerRun {
  const slice = (a: Float64Array, j: number) => {
    const size = run.T * (run.widths[j] as number);
    return a.slice(s * size, (s + 1) * size);
  };
  return {
    ...run,
    n: 1,
    output: run.output.slice(s, s + 1),
    acts: run.acts.map(slice),
    mid: [run.mid[s] as Float64Array[]],
    post: [run.post[s] as Float64Array[]],
  };
}

function tokensOf(seed: number, n: number, T: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n * T }, () => rng.int(spec.vocabSize));
}

describe("T6 transformer units", () => {
  it("mean ablation restarted from the cached residual equals a full pass with the unit replaced in a hook", () => {
    const { tnet } = randomNetwork(1);
    const n = 12;
    const T = 5;
    const tokens = tokensOf(2, n, T);
    const run = runTransformer(tnet, tokens, n, T);
    const fast = transformerAblationEffects(tnet, run);
    const means = positionMeans(run);
    tnet.units.forEach((u, i) => {
      let sum = 0;
      for (let s = 0; s < n; s++) {
        const m = means[i] as Float64Array;
        const logits = runSequence(tnet.net, tokens.subarray(s * T, (s + 1) * T), {
          headZ: (l, h, z) => {
            if (u.kind === "head" && u.layer === l && u.head === h) z.set(m);
          },
          mlpPost: (l, post) => {
            if (u.kind !== "neuron" || u.layer !== l) return;
            const dMlp = spec.layers[l]?.dMlp as number;
            for (let t = 0; t < T; t++) post[t * dMlp + u.neuron] = m[t] as number;
          },
        });
        sum += Math.abs((logits[3 * spec.dOut + 1] as number) - (run.output[s] as number));
      }
      expect(Math.abs((fast[i] as number) - sum / n)).toBeLessThan(1e-12);
    });
    // Not a vacuous comparison: most units move the output.
    expect(Array.from(fast).filter((e) => e > 1e-3).length).toBeGreaterThan(tnet.units.length / 2);
  });

  it("the gradients of the patching baselines equal central finite differences of the replacement", async () => {
    const { tnet } = randomNetwork(3);
    const n = 4;
    const T = 5;
    const tokens = tokensOf(4, n, T);
    const run = runTransformer(tnet, tokens, n, T);
    const grads = await transformerUnitGradients(tnet, run, tokens);
    const eps = 1e-4;
    let checked = 0;
    tnet.units.forEach((_, i) => {
      const size = T * (run.widths[i] as number);
      for (const k of [0, size - 1, Math.floor(size / 2)]) {
        for (let s = 0; s < n; s++) {
          const base = (run.acts[i] as Float64Array).slice(s * size, (s + 1) * size);
          const one = sampleOf(run, s);
          const at = (sign: number) => {
            const r = Float64Array.from(base);
            r[k] = (r[k] as number) + sign * eps;
            return replacementEffects(tnet, one, (j) => (j === i ? r : (one.acts[j] as Float64Array)))[i] as number;
          };
          // |f(a ± ε) − f(a)| = ε·|g| + O(ε²): their mean over both signs estimates |g|.
          const g = (grads[i] as Float64Array)[s * size + k] as number;
          const plus = at(1);
          const minus = at(-1);
          expect(Math.abs((plus + minus) / 2 / eps - Math.abs(g))).toBeLessThan(2e-3 + 1e-2 * Math.abs(g));
          checked++;
        }
      }
    });
    expect(checked).toBeGreaterThan(50);
  });

  it("network.json: units must exist and be listed once; the readout must fit", () => {
    const { json } = randomNetwork(5);
    const net = json as { units: unknown[]; readout: unknown };
    expect(() => parseTransformerNetwork(json)).not.toThrow();
    expect(() => parseTransformerNetwork({ ...net, units: [...net.units, net.units[0]] } as JsonValue)).toThrow(/twice/);
    expect(() => parseTransformerNetwork({ ...net, units: [{ head: [1, 1] }, { neuron: [0, 0] }] } as JsonValue)).toThrow(/does not exist/);
    expect(() => parseTransformerNetwork({ ...net, readout: { position: 5, logit: 0 } } as JsonValue)).toThrow(/readout/);
    expect(() => parseTransformerNetwork({ ...net, readout: { position: 0, logit: 2 } } as JsonValue)).toThrow(/readout/);
  });
});
