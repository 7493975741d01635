// The references and floors hold no task list of their own: the methods registry derives it from the tasks
// registry, and at run time they answer only through the task definition they are given.
import { describe, expect, it } from "vitest";
import { generateInstance, listDatasets } from "../../harness/registry.ts";
import { methodContext } from "../../harness/runner.ts";
import { TASKS } from "../../tasks/registry.ts";
import { oracle } from "../oracle/method.ts";
import { random } from "../random/method.ts";
import { METHODS } from "../registry.ts";
import { forTasks } from "./references.ts";

const registered = (id: string) => METHODS.find((m) => m.id === id);

describe("references and floors", () => {
  it("apply to every registered task; floor-shortcut only to the tasks whose floors define a shortcut", () => {
    const every = TASKS.map((t) => t.id);
    for (const id of ["oracle", "random", "floor-constant", "floor-shape"]) expect(registered(id)?.tasks).toEqual(every);
    const withShortcut = TASKS.filter((t) => t.floors.shortcut !== null).map((t) => t.id);
    expect(withShortcut.length).toBeGreaterThan(0);
    expect(withShortcut.length).toBeLessThan(every.length);
    expect(registered("floor-shortcut")?.tasks).toEqual(withShortcut);
  });

  it("forTasks keeps the definition and drops appliesTo", () => {
    const defined = forTasks(random, TASKS.slice(0, 2));
    expect(defined.tasks).toEqual(TASKS.slice(0, 2).map((t) => t.id));
    expect(defined.draws).toBe(random.draws);
    expect("appliesTo" in defined).toBe(false);
  });

  it("answer through the context's task definition, and say so when a caller gives none", async () => {
    const task = TASKS[0];
    const dataset = listDatasets(task?.id).find((d) => !d.unavailable?.());
    if (!task || !dataset) throw new Error("no task with an available dataset");
    const instance = generateInstance(dataset, "dev", 0);
    const method = forTasks(oracle, [task]);
    const ctx = methodContext(method, task, instance);
    expect(await method.run(ctx)).toEqual(task.oracle(instance));
    const { taskDefinition: _, ...withoutTask } = ctx;
    await expect(method.run(withoutTask)).rejects.toThrow(`oracle needs the task definition and the instance of task ${task.id}`);
  });
});
