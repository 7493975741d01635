// The seed-twins source: MNIST and parity MLPs trained from different seeds (T5).
import { defineSource } from "../../../harness/source.ts";
import { mnistMlpRecipe } from "../mnist-mlp/recipe.ts";
import { seedTwins } from "./dataset.ts";
import { parityMlpRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "seed-twins",
  domain: "artificial",
  title: seedTwins.title,
  availability: "trained",
  artifacts: [mnistMlpRecipe, parityMlpRecipe],
  datasets: [seedTwins],
});
