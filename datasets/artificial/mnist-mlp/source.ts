// The mnist-mlp source: the hidden layers of five trained MNIST MLPs (T2).
import { defineSource } from "../../../harness/source.ts";
import { mnistMlp } from "./dataset.ts";
import { mnistMlpRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "mnist-mlp",
  domain: "artificial",
  title: mnistMlp.title,
  availability: "trained",
  artifacts: [mnistMlpRecipe],
  datasets: [mnistMlp],
});
