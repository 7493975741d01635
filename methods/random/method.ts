// Reference: chance with the right shape (each task defines its chance outputs in `random`).
import { Rng } from "../../harness/rng.ts";
import { type AnyTaskMethod, taskOf } from "../shared/references.ts";

/** Draws per instance: each instance's random score is the mean over this many seeds (draw 0 is the method seed). */
export const RANDOM_DRAWS = 8;

export const random: AnyTaskMethod = {
  id: "random",
  version: "1.1.1",
  name: "Random",
  kind: "reference",
  description:
    "Outputs of the required shape drawn at random (for dictionaries: isotropic Gaussian rows, i.e. uniform directions); each instance's score is the mean over 8 draws. Chance level.",
  appliesTo: () => true,
  // Chance is a mean, not one draw: the runner scores 8 seeds per instance and records their mean score.
  draws: RANDOM_DRAWS,
  async run(ctx) {
    const { task, instance } = taskOf(ctx, "random");
    return task.random(instance, new Rng(ctx.seed));
  },
};
