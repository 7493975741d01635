// The neural-manifolds source: tuned Poisson neurons on latent spaces of known topology (T4).
import { defineSource } from "../../../harness/source.ts";
import { neuralManifolds } from "./dataset.ts";

export const source = defineSource({
  id: "neural-manifolds",
  domain: "synthetic",
  title: neuralManifolds.title,
  availability: "generated",
  datasets: [neuralManifolds],
});
