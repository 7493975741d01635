// The torus-network source: a trained network of two periodic variables (T4).
import { defineSource } from "../../../harness/source.ts";
import { torusNetwork } from "./dataset.ts";
import { torusNetworkRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "torus-network",
  domain: "artificial",
  title: torusNetwork.title,
  availability: "trained",
  artifacts: [torusNetworkRecipe],
  datasets: [torusNetwork],
});
