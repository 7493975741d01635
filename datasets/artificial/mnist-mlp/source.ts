// The mnist-mlp source: the hidden layers of five trained MNIST MLPs (T2 decoding, T7 class-manifold capacity).
import { defineSource } from "../../../harness/source.ts";
import { mnistMlpCapacity } from "./capacity.ts";
import { mnistMlp } from "./dataset.ts";
import { mnistMlpRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "mnist-mlp",
  domain: "artificial",
  title: mnistMlp.title,
  availability: "trained",
  artifacts: [mnistMlpRecipe],
  datasets: [mnistMlp, mnistMlpCapacity],
});
