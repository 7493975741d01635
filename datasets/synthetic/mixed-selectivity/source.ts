// The mixed-selectivity source: sparse features read out as Poisson counts by mixed-selective neurons (T1).
import { defineSource } from "../../../harness/source.ts";
import { mixedSelectivity } from "./dataset.ts";

export const source = defineSource({
  id: "mixed-selectivity",
  domain: "synthetic",
  title: mixedSelectivity.title,
  availability: "generated",
  datasets: [mixedSelectivity],
});
