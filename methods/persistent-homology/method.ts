// Baseline: persistent homology of the activity (Vietoris–Rips on max–min landmarks, Z/2, up to H2) with
// Betti numbers read off the bars that stand out. See pipeline.ts for the steps and rips.ts for the
// barcode computation.
import type { MethodDefinition, NdArray } from "../../harness/types.ts";
import { activityBarcode, bettiFromBars, DEFAULT_OPTIONS } from "./pipeline.ts";

export const persistentHomology: MethodDefinition = {
  id: "persistent-homology",
  version: "1.0.2",
  name: "Persistent homology (Vietoris–Rips)",
  kind: "baseline",
  description:
    "√-transformed counts → 8 principal components → 20-NN averaging → 120 max–min landmarks → Vietoris–Rips barcode (Z/2, H0–H2) → Betti numbers from the bars longer than a multiple of the landmark covering radius.",
  url: "https://doi.org/10.1007/s41468-021-00071-5",
  tasks: ["topology"],
  async run(ctx) {
    const x = ctx.inputs.activity as NdArray;
    const [n, d] = x.shape as [number, number];
    const { bars, coverRadius } = activityBarcode(x.data, n, d, DEFAULT_OPTIONS);
    return { result: { betti: bettiFromBars(bars, coverRadius) } };
  },
};
