// The transformed-layers source: two chains of random tanh layers driven by the same stimuli (T5).
import { defineSource } from "../../../harness/source.ts";
import { transformedLayers } from "./dataset.ts";

export const source = defineSource({
  id: "transformed-layers",
  domain: "synthetic",
  title: transformedLayers.title,
  availability: "generated",
  datasets: [transformedLayers],
});
