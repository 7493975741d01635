// Baseline for T6 causal-attribution: attribution patching (Nanda 2023; Syed et al. 2023; Kramár et al. 2024),
// the first-order Taylor approximation of activation patching: (a_corrupt − a_clean) · ∂output/∂a at the clean
// input, one backward pass for all units instead of one forward pass per unit.
import { f64 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { networkFromContext } from "../../tasks/causal-attribution/network.ts";
import { transformerInstance } from "../../tasks/causal-attribution/transformer.ts";
import { hiddenGradients } from "../shared/gradients.ts";
import { corruptPartners, meanAbsDot, transformerUnitGradients } from "../shared/patching.ts";

/** Per unit, a_{π(s)} − a_s for every sample, in the [n, size] layout of `acts`. */
function patchDifferences(acts: readonly Float64Array[], n: number, partners: Int32Array): Float64Array[] {
  return acts.map((a) => {
    const size = a.length / n;
    const out = new Float64Array(a.length);
    for (let s = 0; s < n; s++) {
      const p = partners[s] as number;
      for (let k = 0; k < size; k++) out[s * size + k] = (a[p * size + k] as number) - (a[s * size + k] as number);
    }
    return out;
  });
}

export const attributionPatching: MethodDefinition = {
  id: "attribution-patching",
  version: "1.0.2",
  name: "Attribution patching",
  kind: "baseline",
  description:
    "Importance of unit j = mean over samples s of |(a_j(π(s)) − a_j(s)) · ∂output/∂a_j (s)|, the first-order estimate of activation patching with the same corrupted partner π(s) (summed over positions and a head's z components for transformers; gradients by TensorFlow.js autodiff for transformers, a float64 backward pass for dense networks).",
  url: "https://www.neelnanda.io/mechanistic-interpretability/attribution-patching",
  tasks: ["causal-attribution"],
  async run(ctx) {
    const transformer = transformerInstance(ctx);
    if (transformer) {
      const { tnet, tokens, run } = transformer;
      const { n } = run;
      const grads = await transformerUnitGradients(tnet, run, tokens);
      const diffs = patchDifferences(run.acts, n, corruptPartners(n, ctx.seed));
      return { importance: f64([tnet.units.length], meanAbsDot(diffs, grads, n)) };
    }
    const net = networkFromContext(ctx.jsonInputs, ctx.inputs);
    const hidden = ctx.inputs.hidden as NdArray;
    const [n, H] = hidden.shape as [number, number];
    const grads = hiddenGradients(net, hidden.data, n);
    const cols = (x: ArrayLike<number>) =>
      Array.from({ length: H }, (_, j) => Float64Array.from({ length: n }, (_, s) => x[s * H + j] as number));
    const diffs = patchDifferences(cols(hidden.data), n, corruptPartners(n, ctx.seed));
    return { importance: f64([H], meanAbsDot(diffs, cols(grads), n)) };
  },
};
