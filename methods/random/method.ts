// Reference: chance with the right shape. Lower reference for normalized scores.
import { f32 } from "../../harness/ndarray.ts";
import { Rng } from "../../harness/rng.ts";
import type { MethodDefinition, MethodOutputs } from "../../harness/types.ts";

export const random: MethodDefinition = {
  id: "random",
  version: "1.0.0",
  name: "Random",
  kind: "reference",
  description:
    "Outputs of the required shape drawn at random (for dictionaries: isotropic Gaussian rows, i.e. uniform directions). Chance level.",
  tasks: ["feature-recovery"],
  async run(ctx) {
    const rng = new Rng(ctx.seed);
    const outputs: MethodOutputs = {};
    for (const [name, shape] of Object.entries(ctx.outputShapes)) {
      const array = f32(shape);
      for (let i = 0; i < array.data.length; i++) array.data[i] = rng.normal();
      outputs[name] = array;
    }
    return outputs;
  },
};
