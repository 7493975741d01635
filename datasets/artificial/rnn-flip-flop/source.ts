// The rnn-flip-flop source: a ReLU RNN trained on the 3-bit flip-flop, its latent dynamics and fixed points (T8).
import { defineSource } from "../../../harness/source.ts";
import { rnnFlipFlopDynamics } from "./latent-dynamics.ts";
import { rnnFlipFlopRecipe } from "./recipe.ts";

export const source = defineSource({
  id: "rnn-flip-flop",
  domain: "artificial",
  title: "RNN 3-bit flip-flop",
  availability: "trained",
  artifacts: [rnnFlipFlopRecipe],
  datasets: [rnnFlipFlopDynamics],
});
