// Reference: chance with the right shape (each task defines its chance outputs in `random`).
import { Rng } from "../../harness/rng.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { TASKS } from "../../tasks/registry.ts";

export const random: MethodDefinition = {
  id: "random",
  version: "1.0.0",
  name: "Random",
  kind: "reference",
  description:
    "Outputs of the required shape drawn at random from the method seed (for dictionaries: isotropic Gaussian rows, i.e. uniform directions). Chance level.",
  tasks: TASKS.map((t) => t.id),
  async run(ctx) {
    const task = TASKS.find((t) => t.id === ctx.task);
    if (!task || !ctx.instance) throw new Error(`random needs the instance of task ${ctx.task}`);
    return task.random(ctx.instance, new Rng(ctx.seed));
  },
};
