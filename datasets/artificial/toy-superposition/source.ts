// The toy-superposition source: the toy models of Elhage et al. (2022), trained in-process for every instance (T1).
import { defineSource } from "../../../harness/source.ts";
import { toySuperposition } from "./dataset.ts";

export const source = defineSource({
  id: "toy-superposition",
  domain: "artificial",
  title: toySuperposition.title,
  availability: "generated",
  datasets: [toySuperposition],
});
