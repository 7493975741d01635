// The modular-addition source: a one-layer transformer trained on (a + b) mod p; its key-frequency circles feed T3 and T4.
import { defineSource } from "../../../harness/source.ts";
import { modularAdditionDimension, modularAdditionTopology } from "./dataset.ts";
import { modularAdditionRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "modular-addition",
  domain: "artificial",
  title: "Modular-addition transformer",
  availability: "trained",
  artifacts: [modularAdditionRecipe],
  datasets: [modularAdditionDimension, modularAdditionTopology],
});
