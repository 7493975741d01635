// The compiled-circuits source: transformers compiled from RASP programs (rasp/), with exact circuits (T6) and known residual directions (T1).
import { defineSource } from "../../../harness/source.ts";
import { compiledCircuits, compiledResidual } from "./dataset.ts";

export const source = defineSource({
  id: "compiled-circuits",
  domain: "artificial",
  title: compiledCircuits.title,
  availability: "generated",
  datasets: [compiledCircuits, compiledResidual],
});
