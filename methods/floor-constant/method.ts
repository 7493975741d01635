// Floor reference: the one answer that scores best over every truth of the dataset's split (issue 10). A method
// that does not beat it has learned nothing an average answer does not already give.
import { type AnyTaskMethod, floorsOf } from "../shared/references.ts";

export const floorConstant: AnyTaskMethod = {
  id: "floor-constant",
  version: "1.0.1",
  name: "Floor: best constant",
  kind: "floor",
  description:
    "The single answer that scores best over all truths of the dataset's split (the task's bestConstant), whatever the input. A row to beat: the normalized score's 0 is the best of random and the floors.",
  appliesTo: () => true,
  readsSplitTruths: true,
  async run(ctx) {
    const { task, instance, splitTruths } = floorsOf(ctx, "floor-constant");
    return task.floors.bestConstant(
      splitTruths.map((s) => s.truth),
      instance,
    );
  },
};
