// Reference: returns the ground truth (each task says how in its `oracle`). Proves the scoring
// reaches its ceiling; never ranked.
import { type AnyTaskMethod, taskOf } from "../shared/references.ts";

export const oracle: AnyTaskMethod = {
  id: "oracle",
  version: "1.0.1",
  name: "Oracle (reads ground truth)",
  kind: "reference",
  description: "Copies the hidden ground truth into the outputs. Upper reference for normalized scores; never ranked.",
  appliesTo: () => true,
  readsTruth: true,
  async run(ctx) {
    const { task, instance } = taskOf(ctx, "oracle");
    return task.oracle(instance);
  },
};
