// Reference: returns the ground truth (each task says how in its `oracle`). Proves the scoring
// reaches its ceiling; never ranked.
import type { MethodDefinition } from "../../harness/types.ts";
import { TASKS } from "../../tasks/registry.ts";

export const oracle: MethodDefinition = {
  id: "oracle",
  version: "1.0.0",
  name: "Oracle (reads ground truth)",
  kind: "reference",
  description: "Copies the hidden ground truth into the outputs. Upper reference for normalized scores; never ranked.",
  tasks: TASKS.map((t) => t.id),
  readsTruth: true,
  async run(ctx) {
    const task = TASKS.find((t) => t.id === ctx.task);
    if (!task || !ctx.instance) throw new Error(`oracle needs the instance of task ${ctx.task}`);
    return task.oracle(ctx.instance);
  },
};
