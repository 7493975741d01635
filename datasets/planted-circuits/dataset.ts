// T6 synthetic dataset: small MLPs with planted causal circuits and correlated decoys (TASKS.md, `planted-circuits`).
import { Rng } from "../../harness/rng.ts";
import type { DatasetDefinition, JsonValue } from "../../harness/types.ts";
import { CAUSAL_THRESHOLD } from "../../tasks/causal-attribution/instance.ts";
import { PLANT, plantedInstance, REGIMES, regimeOf } from "../../tasks/causal-attribution/planted.ts";

const config = {
  n: 2000,
  causalThreshold: CAUSAL_THRESHOLD,
  regimes: REGIMES as unknown as JsonValue,
  plant: PLANT as unknown as JsonValue,
};

export const plantedCircuits: DatasetDefinition = {
  slug: "planted-circuits",
  task: "causal-attribution",
  version: 1,
  title: "Planted circuits",
  domain: "synthetic",
  description:
    "Small MLPs (8–16 inputs, one or two hidden layers, 32–64 scored units, scalar output) built so that correlation and causation disagree: causal units whose paths cancel or act through even functions (near-zero correlation with the output), saturated causal units (near-zero gradient), non-causal decoys that copy the output's input direction (high correlation) and non-causal units with a large constant activation (large gradient × activation). Truth: exact single-unit mean ablation, threshold 0.1 × std(output).",
  sizes: { dev: 6, official: 12, private: 12 },
  config,
  generate(_split, index, seed) {
    const { roles: _roles, ...instance } = plantedInstance(new Rng(seed), regimeOf(index), config.n);
    return instance;
  },
};
