// The planted-circuits source: small networks whose weights are constructed, not trained, around known causal units (T6).
import { defineSource } from "../../../harness/source.ts";
import { plantedCircuits } from "./dataset.ts";

export const source = defineSource({
  id: "planted-circuits",
  domain: "synthetic",
  title: plantedCircuits.title,
  availability: "generated",
  datasets: [plantedCircuits],
});
