// Baseline: linear centred kernel alignment (Kornblith et al. 2019) between every pair of parts.
import { initTf } from "../../harness/tf.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { readParts } from "../../tasks/layer-correspondence/parts.ts";
import { linearCkaMatrix } from "../shared/cka.ts";

export const linearCkaMethod: MethodDefinition = {
  id: "linear-cka",
  version: "1.1.3",
  name: "Linear CKA",
  kind: "baseline",
  description:
    "Linear centred kernel alignment ‖XᵀY‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) of column-centred parts; invariant to rotation and isotropic scaling.",
  url: "https://proceedings.mlr.press/v97/kornblith19a.html",
  tasks: ["layer-correspondence"],
  async run(ctx) {
    const { tf } = await initTf();
    const { a, b } = readParts(ctx.inputs, ctx.params);
    // The products run in tfjs (float32): equal to the float64 linearCka to float32 precision.
    const similarity = linearCkaMatrix(tf, a, b);
    return { similarity: { dtype: "float32", shape: [a.length, b.length], data: similarity } };
  },
};
