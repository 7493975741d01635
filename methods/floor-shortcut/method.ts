// Floor reference: the task's natural one-line shortcut (issue 10), e.g. T1: k random data rows; T5: order each
// system's parts by similarity within that system; T6: activation spread × outgoing weight norm. Only tasks whose
// floors define one (TaskFloors.shortcut) list it.
import { Rng } from "../../harness/rng.ts";
import { type AnyTaskMethod, taskOf } from "../shared/references.ts";

export const floorShortcut: AnyTaskMethod = {
  id: "floor-shortcut",
  version: "1.0.1",
  name: "Floor: the task's shortcut",
  kind: "floor",
  description:
    "The task's natural shortcut, which answers without doing the interpretability the task asks for (T1: k random data rows; T5: order parts within one system; T6: activation spread × outgoing weight norm). A row to beat.",
  appliesTo: (task) => task.floors.shortcut !== null,
  async run(ctx) {
    const { task, instance } = taskOf(ctx, "floor-shortcut");
    const shortcut = task.floors.shortcut;
    if (!shortcut) throw new Error(`task ${task.id} has no shortcut (TaskFloors.shortcut is null)`);
    return shortcut(instance, new Rng(ctx.seed));
  },
};
