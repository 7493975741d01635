// The factor-network source: a trained network of six latent factors, k of which vary (T3).
import { defineSource } from "../../../harness/source.ts";
import { factorNetwork } from "./dataset.ts";
import { factorNetworkRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "factor-network",
  domain: "artificial",
  title: factorNetwork.title,
  availability: "trained",
  artifacts: [factorNetworkRecipe],
  datasets: [factorNetwork],
});
