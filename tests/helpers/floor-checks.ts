// Test helpers for issue 10's floors on T3 and T4 datasets: mean scores of the oracle, the task's best constant over a
// split's truths, a shape-only probe (leave-one-out: the best constant over the other instances of the nearest input
// shape, as the `floor-shape` reference does) and a baseline, on generated instances.
import { getMethod, getTask, methodSeed } from "../../harness/registry.ts";
import type { Instance, MethodOutputs, NdArray, TaskDefinition } from "../../harness/types.ts";

export const meanOf = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

const shapeOf = (i: Instance) => (i.inputs.activity as NdArray).shape as [number, number];

/** The other instances whose (log n, log width) is nearest to instance k's (all ties kept). */
export function nearestShapePool(instances: readonly Instance[], k: number): Instance[] {
  const [n, d] = shapeOf(instances[k] as Instance);
  let best = Number.POSITIVE_INFINITY;
  let pool: Instance[] = [];
  instances.forEach((o, j) => {
    if (j === k) return;
    const [m, e] = shapeOf(o);
    const dist = Math.hypot(Math.log(m / n), Math.log(e / d));
    if (dist < best - 1e-12) {
      best = dist;
      pool = [o];
    } else if (Math.abs(dist - best) <= 1e-12) pool.push(o);
  });
  return pool;
}

/** Mean main scores of the oracle, the best constant (on all truths) and the shape-only probe. */
export function floorScores(task: TaskDefinition, instances: readonly Instance[]) {
  const truths = instances.map((i) => i.truth);
  const constant = meanOf(instances.map((i) => task.score(i, task.floors.bestConstant(truths, i)).main));
  const shape = meanOf(
    instances.map(
      (i, k) =>
        task.score(
          i,
          task.floors.bestConstant(
            nearestShapePool(instances, k).map((o) => o.truth),
            i,
          ),
        ).main,
    ),
  );
  const oracle = meanOf(instances.map((i) => task.score(i, task.oracle(i)).main));
  return { constant, shape, oracle };
}

/** A built-in method's outputs on an instance, as the runner would call it (no truth, no meta). */
export async function runMethod(methodId: string, instance: Instance): Promise<MethodOutputs> {
  const method = getMethod(methodId);
  const task = getTask(method.tasks[0] as string);
  return method.run({
    task: task.id,
    params: instance.params,
    inputs: instance.inputs,
    outputShapes: task.outputShapes(instance),
    seed: methodSeed(instance, methodId),
    taskDefinition: task,
    instance: { ...instance, truth: {}, meta: {} },
  });
}

/** Mean main score of a method on instances of `task`. */
export async function methodMean(task: TaskDefinition, methodId: string, instances: readonly Instance[]): Promise<number> {
  const scores: number[] = [];
  for (const i of instances) scores.push(task.score(i, await runMethod(methodId, i)).main);
  return meanOf(scores);
}
