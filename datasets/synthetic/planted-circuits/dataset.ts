// T6 synthetic dataset: small MLPs with planted causal circuits, correlated decoys and one-hop shortcut traps
// (TASKS.md, `planted-circuits`). Every instance's regime is drawn from its seed.
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, JsonValue } from "../../../harness/types.ts";
import { CAUSAL_THRESHOLD } from "../../../tasks/causal-attribution/instance.ts";
import { drawRegime, PLANT, plantedInstance, REGIME_SPACE } from "../../../tasks/causal-attribution/planted.ts";

const config = {
  /** Rows given to the method, and rows of the held-out sample that defines the truth. */
  n: 800,
  nTruth: 1200,
  causalThreshold: CAUSAL_THRESHOLD,
  regimeSpace: REGIME_SPACE as unknown as JsonValue,
  plant: PLANT as unknown as JsonValue,
};

export const plantedCircuits: DatasetDefinition = {
  slug: "planted-circuits",
  task: "causal-attribution",
  version: 2,
  title: "Planted circuits",
  domain: "synthetic",
  description:
    "Small MLPs (8–16 inputs, 24–64 scored units, then one or two relu layers and a linear output) built so that neither correlation with the output nor the one-hop shortcut (activation spread × outgoing weight norm) finds the causal units: causal units whose paths cancel or act through even functions, amplified units with tiny one-hop weights, saturated units with zero gradient; non-causal decoys that copy the output's input direction, and non-causal units with large spread and large outgoing weights into relus that are off on the whole input distribution or into paths that cancel downstream. Regime drawn from the instance seed; units shuffled. Truth: exact single-unit mean ablation on a held-out sample of the input distribution, threshold 0.1 × std(output).",
  sizes: { dev: 10, official: 30, private: 30 },
  config,
  generate(_split, _index, seed) {
    const rng = new Rng(seed);
    const regime = drawRegime(rng.fork("regime"));
    const { roles: _roles, ...instance } = plantedInstance(rng.fork("network"), regime, config.n, config.nTruth);
    return instance;
  },
};
