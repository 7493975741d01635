// The sparse-linear source: sparse codes mixed linearly into superposition (T1).
import { defineSource } from "../../../harness/source.ts";
import { sparseLinear } from "./dataset.ts";

export const source = defineSource({
  id: "sparse-linear",
  domain: "synthetic",
  title: sparseLinear.title,
  availability: "generated",
  datasets: [sparseLinear],
});
