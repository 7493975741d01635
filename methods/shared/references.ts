// The references (oracle, random) and the floor references work on any task through the TaskDefinition the runner
// gives them (MethodContext.taskDefinition), so they depend on no task's code: the methods registry lists the tasks
// each one applies to (`forTasks`).
import type { Instance, MethodContext, MethodDefinition, SplitTruth, TaskDefinition } from "../../harness/types.ts";

/** A method defined for every task that passes `appliesTo`, rather than for a fixed list of task ids. */
export type AnyTaskMethod = Omit<MethodDefinition, "tasks"> & { appliesTo(task: TaskDefinition): boolean };

/** The method as registered: `tasks` lists those of `tasks` it applies to. */
export function forTasks(method: AnyTaskMethod, tasks: readonly TaskDefinition[]): MethodDefinition {
  const { appliesTo, ...definition } = method;
  return { ...definition, tasks: tasks.filter((t) => appliesTo(t)).map((t) => t.id) };
}

/** The task definition and the instance of a context; a clear error when the caller did not give them. */
export function taskOf(ctx: MethodContext, id: string): { task: TaskDefinition; instance: Instance } {
  const task = ctx.taskDefinition;
  if (!task || task.id !== ctx.task || !ctx.instance)
    throw new Error(`${id} needs the task definition and the instance of task ${ctx.task}`);
  return { task, instance: ctx.instance };
}

/** What a floor reference needs: the task, the (opaque) instance and the split's truths. */
export function floorsOf(ctx: MethodContext, id: string): { task: TaskDefinition; instance: Instance; splitTruths: readonly SplitTruth[] } {
  const { task, instance } = taskOf(ctx, id);
  if (!ctx.splitTruths?.length) throw new Error(`${id} needs the truths of the split (readsSplitTruths)`);
  return { task, instance, splitTruths: ctx.splitTruths };
}
