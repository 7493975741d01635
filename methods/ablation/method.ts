// Baseline for T6 causal-attribution: single-unit mean ablation through the given network (Morcos et al. 2018;
// Meyes et al. 2019). It computes the same quantity that defines the truth, so it scores at the ceiling on every
// instance: it is the reference point a cheaper or observational method is measured against.
import { f64 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { ablationEffects, networkFromContext } from "../../tasks/causal-attribution/network.ts";
import { transformerAblationEffects, transformerInstance } from "../../tasks/causal-attribution/transformer.ts";

export const ablation: MethodDefinition = {
  id: "ablation",
  version: "1.1.1",
  name: "Single-unit mean ablation",
  kind: "baseline",
  description:
    "Importance of unit j = mean over samples of |f(unit j set to its mean) − f|: for a dense network, running the layers after the scored one (network.json) on the given hidden activations; for a transformer, replacing the head's or neuron's activation at every position by its mean over the given sequences and running the rest of the network.",
  url: "https://arxiv.org/abs/1803.06959",
  tasks: ["causal-attribution"],
  async run(ctx) {
    const transformer = transformerInstance(ctx);
    if (transformer) {
      const { tnet, run } = transformer;
      return { importance: f64([tnet.units.length], transformerAblationEffects(tnet, run)) };
    }
    const net = networkFromContext(ctx.jsonInputs, ctx.inputs);
    const hidden = ctx.inputs.hidden as NdArray;
    const n = hidden.shape[0] as number;
    return { importance: f64([net.hiddenSize], ablationEffects(net, hidden.data, n)) };
  },
};
