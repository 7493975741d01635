// Shared by the T6 baselines that intervene on units or take their gradients: the pairing of each sample with a
// corrupted one (activation and attribution patching), activation patching on dense networks, and the gradient of a
// transformer's output with respect to every unit's activation (TensorFlow.js autodiff of harness/transformer.ts's
// forwardTf, at zero additive offsets on every head's z and every MLP neuron).
import { Rng } from "../../harness/rng.ts";
import { initTf } from "../../harness/tf.ts";
import { forwardTf, transformerWeightShapes } from "../../harness/transformer.ts";
import { ablationEffects, type DenseNet } from "../../tasks/causal-attribution/network.ts";
import type { TransformerNetwork, TransformerRun } from "../../tasks/causal-attribution/transformer.ts";

/**
 * The corrupted partner of every sample: sample (s + shift) mod n with a shift in 1 … n − 1 drawn from the seed, so
 * no sample is its own partner and every sample is used once as a source (Meng et al. 2022 corrupt the input; here
 * the corrupted input is another sample of the same distribution, as in Wang et al. 2023's ABC dataset).
 */
export function corruptPartners(n: number, seed: number): Int32Array {
  const shift = n > 1 ? 1 + new Rng(seed).int(n - 1) : 0;
  return Int32Array.from({ length: n }, (_, s) => (s + shift) % n);
}

/** Dense networks: mean |Δ output| when h_j of sample s is replaced by h_j of its partner, for every unit j (exact, as the truth's ablation). */
export function densePatchEffects(net: DenseNet, hidden: ArrayLike<number>, n: number, partners: Int32Array): Float64Array {
  const H = net.hiddenSize;
  return ablationEffects(net, hidden, n, (j, s) => hidden[(partners[s] as number) * H + j] as number);
}

/**
 * ∂output_s/∂(unit activation) for every listed unit, sample and position: per unit, [n, T, width] as in
 * TransformerRun.acts. One forward and one backward pass of the whole batch in TensorFlow.js (float32): each
 * sample's output depends on its own sequence only, so the gradient of their sum holds every sample's gradient.
 */
export async function transformerUnitGradients(tnet: TransformerNetwork, run: TransformerRun, tokens: Int32Array): Promise<Float64Array[]> {
  const { tf } = await initTf();
  const { net, units, readout } = tnet;
  const { spec } = net;
  const { n, T } = run;
  // Offsets only where a block exists (tf.grads refuses inputs that do not reach the output).
  const sites = spec.layers.flatMap((l, i) => [
    ...(l.heads > 0 ? [{ layer: i, kind: "head" as const, shape: [n, l.heads, T, l.dHead] }] : []),
    ...(l.dMlp > 0 ? [{ layer: i, kind: "neuron" as const, shape: [n, T, l.dMlp] }] : []),
  ]);
  const values = tf.tidy(() => {
    const weights = Object.fromEntries(
      Object.entries(transformerWeightShapes(spec)).map(([name, shape]) => [
        name,
        tf.tensor(Float32Array.from(net.w[name] as Float64Array), shape),
      ]),
    );
    const ids = tf.tensor2d(tokens, [n, T], "int32");
    const pick = tf.oneHot([readout.position * spec.dOut + readout.logit], T * spec.dOut).reshape([1, T, spec.dOut]);
    const f = (...offsets: import("@tensorflow/tfjs").Tensor[]) => {
      const at = (layer: number, kind: "head" | "neuron") => {
        const i = sites.findIndex((site) => site.layer === layer && site.kind === kind);
        return i < 0 ? undefined : offsets[i];
      };
      const logits = forwardTf(tf, spec, weights, ids, {
        headZ: spec.layers.map((_, l) => at(l, "head")),
        mlpPost: spec.layers.map((_, l) => at(l, "neuron")),
      });
      return tf.sum(tf.mul(logits, pick));
    };
    const g = tf.grads(f)(sites.map((site) => tf.zeros(site.shape)));
    return g.map((t) => t.dataSync() as Float32Array);
  });
  const grads = new Map(sites.map((site, i) => [`${site.kind}:${site.layer}`, values[i] as Float32Array]));
  return units.map((u) => {
    const layer = spec.layers[u.layer] as (typeof spec.layers)[number];
    if (u.kind === "head") {
      const g = grads.get(`head:${u.layer}`) as Float32Array;
      const { heads, dHead } = layer;
      const out = new Float64Array(n * T * dHead);
      for (let s = 0; s < n; s++)
        out.set(g.subarray((s * heads + u.head) * T * dHead, (s * heads + u.head + 1) * T * dHead), s * T * dHead);
      return out;
    }
    const g = grads.get(`neuron:${u.layer}`) as Float32Array;
    const out = new Float64Array(n * T);
    for (let s = 0; s < n; s++) for (let t = 0; t < T; t++) out[s * T + t] = g[(s * T + t) * layer.dMlp + u.neuron] as number;
    return out;
  });
}

/** Per unit, mean over samples of |Σ_{positions, components} a · b| of two [n, T, width] arrays (a = activation or a patch's difference, b = gradient). */
export function meanAbsDot(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[], n: number): Float64Array {
  return Float64Array.from(a, (ai, i) => {
    const bi = b[i] as ArrayLike<number>;
    const size = ai.length / n;
    let sum = 0;
    for (let s = 0; s < n; s++) {
      let dot = 0;
      for (let k = s * size; k < (s + 1) * size; k++) dot += (ai[k] as number) * (bi[k] as number);
      sum += Math.abs(dot);
    }
    return sum / n;
  });
}
