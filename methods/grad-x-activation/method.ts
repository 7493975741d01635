// Baseline for T6 causal-attribution: gradient × activation (Shrikumar et al. 2016; Ancona et al. 2018), the
// first-order Taylor estimate of removing a unit, averaged over samples as mean |∂output/∂h_j · h_j|.
import { f64 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { networkFromContext } from "../../tasks/causal-attribution/network.ts";
import { transformerInstance } from "../../tasks/causal-attribution/transformer.ts";
import { hiddenGradients } from "../shared/gradients.ts";
import { meanAbsDot, transformerUnitGradients } from "../shared/patching.ts";

export const gradXActivation: MethodDefinition = {
  id: "grad-x-activation",
  version: "1.1.2",
  name: "Gradient × activation",
  kind: "baseline",
  description:
    "Importance of unit j = mean over samples of |∂output/∂h_j · h_j|: for a dense network by a backward pass through the layers after the scored one (network.json); for a transformer, the dot product of a head's output z (or a neuron's activation) with the output's gradient, summed over positions (TensorFlow.js autodiff).",
  url: "https://arxiv.org/abs/1605.01713",
  tasks: ["causal-attribution"],
  async run(ctx) {
    const transformer = transformerInstance(ctx);
    if (transformer) {
      const { tnet, tokens, run } = transformer;
      const { n } = run;
      const grads = await transformerUnitGradients(tnet, run, tokens);
      return { importance: f64([tnet.units.length], meanAbsDot(run.acts, grads, n)) };
    }
    const net = networkFromContext(ctx.jsonInputs, ctx.inputs);
    const hidden = ctx.inputs.hidden as NdArray;
    const [n, H] = hidden.shape as [number, number];
    const grads = hiddenGradients(net, hidden.data, n);
    const importance = f64([H]);
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < H; j++) {
        importance.data[j] = (importance.data[j] as number) + Math.abs((grads[s * H + j] as number) * (hidden.data[s * H + j] as number));
      }
    }
    for (let j = 0; j < H; j++) importance.data[j] = (importance.data[j] as number) / n;
    return { importance };
  },
};
