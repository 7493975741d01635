// The induction-heads source: a two-layer attention-only transformer with a previous-token and an induction head (T2).
import { defineSource } from "../../../harness/source.ts";
import { inductionHeadsPreviousToken } from "./dataset.ts";
import { inductionHeadsRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "induction-heads",
  domain: "artificial",
  title: "Induction-heads transformer",
  availability: "trained",
  artifacts: [inductionHeadsRecipe],
  datasets: [inductionHeadsPreviousToken],
});
