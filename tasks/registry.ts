// Every task, one line each. Adding a task: create tasks/<id>/ and add its line here.
import type { TaskDefinition } from "../harness/types.ts";
import { featureRecovery } from "./feature-recovery/task.ts";

export const TASKS: readonly TaskDefinition[] = [featureRecovery];
