// The rnn-head-direction source: a trained angular-velocity integrator RNN, decoded (T2), its dimension (T3), topology (T4) and
// latent dynamics with fixed points (T8).
import { defineSource } from "../../../harness/source.ts";
import { rnnHeadDirectionDecoding, rnnHeadDirectionDimension, rnnHeadDirectionTopology } from "./dataset.ts";
import { rnnHeadDirectionDynamics } from "./latent-dynamics.ts";
import { rnnHeadDirectionRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "rnn-head-direction",
  domain: "artificial",
  title: "RNN head-direction integrator",
  availability: "trained",
  artifacts: [rnnHeadDirectionRecipe],
  datasets: [rnnHeadDirectionDecoding, rnnHeadDirectionDimension, rnnHeadDirectionTopology, rnnHeadDirectionDynamics],
});
