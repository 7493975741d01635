// The trained-mlp source: small MLPs trained on a context-gated regression; truth by exhaustive single-unit ablation (T6).
import { defineSource } from "../../../harness/source.ts";
import { trainedMlp } from "./dataset.ts";
import { trainedMlpRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "trained-mlp",
  domain: "artificial",
  title: trainedMlp.title,
  availability: "trained",
  artifacts: [trainedMlpRecipe],
  datasets: [trainedMlp],
});
