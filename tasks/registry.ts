// Every task, one line each. Adding a task: create tasks/<id>/ and add its line here.
import type { TaskDefinition } from "../harness/types.ts";
import { causalAttribution } from "./causal-attribution/task.ts";
import { featureRecovery } from "./feature-recovery/task.ts";
import { intrinsicDimension } from "./intrinsic-dimension/task.ts";
import { latentDecoding } from "./latent-decoding/task.ts";
import { latentDynamics } from "./latent-dynamics/task.ts";
import { layerCorrespondence } from "./layer-correspondence/task.ts";
import { manifoldCapacity } from "./manifold-capacity/task.ts";
import { topology } from "./topology/task.ts";

// In catalogue order (T1…T7): the site lists tasks in the order they were first registered.
export const TASKS: readonly TaskDefinition[] = [
  featureRecovery,
  latentDecoding,
  intrinsicDimension,
  topology,
  layerCorrespondence,
  causalAttribution,
  manifoldCapacity,
  latentDynamics,
];
