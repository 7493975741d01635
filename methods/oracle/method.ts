// Reference: returns the ground truth. Proves the scoring reaches its ceiling; dev only, never ranked.
import type { MethodDefinition, MethodOutputs, NdArray } from "../../harness/types.ts";

/** Which truth array answers which output, per task. */
const ANSWERS: Record<string, Record<string, string>> = {
  "feature-recovery": { dictionary: "features" },
};

export const oracle: MethodDefinition = {
  id: "oracle",
  version: "1.0.0",
  name: "Oracle (reads ground truth)",
  kind: "reference",
  description: "Copies the hidden ground truth into the outputs. Upper reference for normalized scores; never ranked.",
  tasks: Object.keys(ANSWERS),
  readsTruth: true,
  async run(ctx) {
    const answers = ANSWERS[ctx.task];
    if (!answers || !ctx.truth) throw new Error(`oracle has no answer for task ${ctx.task}`);
    const outputs: MethodOutputs = {};
    for (const [output, truthName] of Object.entries(answers)) outputs[output] = ctx.truth[truthName] as NdArray;
    return outputs;
  },
};
