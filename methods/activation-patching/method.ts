// Baseline for T6 causal-attribution: activation patching (Meng et al. 2022; Wang et al. 2023; Zhang & Nanda
// 2024): each unit's activation on a sample is replaced by its activation on a corrupted input — here another
// sample of the same distribution — and the output's change is measured. The interchange intervention of causal
// abstraction (Geiger et al. 2021) at the level of single units.
import { f64 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { networkFromContext } from "../../tasks/causal-attribution/network.ts";
import { replacementEffects, transformerInstance } from "../../tasks/causal-attribution/transformer.ts";
import { corruptPartners, densePatchEffects } from "../shared/patching.ts";

export const activationPatching: MethodDefinition = {
  id: "activation-patching",
  version: "1.0.2",
  name: "Activation patching",
  kind: "baseline",
  description:
    "Importance of unit j = mean over samples s of |f(unit j patched with its activation on sample π(s)) − f(s)|, π a fixed shift of the samples drawn from the seed (the corrupted input is another sample). Transformers: the head's z or the neuron is patched at every position and the rest of the network is run; dense networks: h_j is patched and the layers after the scored one are run.",
  url: "https://arxiv.org/abs/2309.16042",
  tasks: ["causal-attribution"],
  async run(ctx) {
    const transformer = transformerInstance(ctx);
    if (transformer) {
      const { tnet, run } = transformer;
      const { n, T } = run;
      const partners = corruptPartners(n, ctx.seed);
      const effects = replacementEffects(tnet, run, (i, s) => {
        const size = T * (run.widths[i] as number);
        const p = partners[s] as number;
        return (run.acts[i] as Float64Array).subarray(p * size, (p + 1) * size);
      });
      return { importance: f64([tnet.units.length], effects) };
    }
    const net = networkFromContext(ctx.jsonInputs, ctx.inputs);
    const hidden = ctx.inputs.hidden as NdArray;
    const n = hidden.shape[0] as number;
    return { importance: f64([net.hiddenSize], densePatchEffects(net, hidden.data, n, corruptPartners(n, ctx.seed))) };
  },
};
