// Template method: copy it with `npm run new -- method <id> --task <task>` (CONTRIBUTING.md, "Add a method").
// A real baseline for the template task: the top principal axis of the activity, the maximum-likelihood estimate of
// a single planted axis in isotropic noise. In-process methods run one instance at a time on one thread.
import { principalAxes } from "../../harness/linalg.ts";
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition } from "../../harness/types.ts";

export const myMethod: MethodDefinition = {
  id: "my-method",
  // semver: a patch bump for any change to its code or what it imports, a minor or major one when its outputs change.
  version: "1.0.0",
  name: "My method (top principal axis)",
  kind: "baseline",
  description: "The eigenvector of the activity's covariance with the largest eigenvalue.",
  url: "https://doi.org/10.1080/14786440109462720",
  tasks: ["my-task"],
  async run(ctx) {
    // Inputs by the names of the task's contract; ctx.outputShapes says what to return (validated before scoring).
    const activity = ctx.inputs.activity;
    if (!activity) throw new Error("my-method needs the input 'activity'");
    const [n, d] = activity.shape as [number, number];
    const { vectors } = principalAxes(activity.data, n, d);
    // Eigenvectors come sorted by eigenvalue with a canonical sign, so the output is deterministic.
    return { axis: f32([d], vectors.subarray(0, d)) };
  },
};
