// Every dataset, one line each. Adding a dataset: create datasets/<slug>/ and add its line here.
import type { DatasetDefinition } from "../harness/types.ts";
import { mixedSelectivity } from "./mixed-selectivity/dataset.ts";
import { sparseLinear } from "./sparse-linear/dataset.ts";

export const DATASETS: readonly DatasetDefinition[] = [sparseLinear, mixedSelectivity];
