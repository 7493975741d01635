// Baseline: linear centred kernel alignment (Kornblith et al. 2019) between every pair of parts.
import type { MethodDefinition } from "../../harness/types.ts";
import { centreColumns, similarityMatrix } from "../../tasks/layer-correspondence/parts.ts";
import { linearCka, prepareLinear } from "./cka.ts";

export const linearCkaMethod: MethodDefinition = {
  id: "linear-cka",
  version: "1.0.0",
  name: "Linear CKA",
  kind: "baseline",
  description:
    "Linear centred kernel alignment ‖XᵀY‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) of column-centred parts; invariant to rotation and isotropic scaling.",
  url: "https://proceedings.mlr.press/v97/kornblith19a.html",
  tasks: ["layer-correspondence"],
  async run(ctx) {
    const similarity = similarityMatrix(ctx.inputs, ctx.params, (x) => prepareLinear(centreColumns(x)), linearCka);
    return { similarity };
  },
};
