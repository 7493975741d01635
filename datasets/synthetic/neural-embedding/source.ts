// The neural-embedding source: tuned Poisson neurons on a latent torus of known dimension (T3).
import { defineSource } from "../../../harness/source.ts";
import { neuralEmbeddingDataset } from "./dataset.ts";

export const source = defineSource({
  id: "neural-embedding",
  domain: "synthetic",
  title: neuralEmbeddingDataset.title,
  availability: "generated",
  datasets: [neuralEmbeddingDataset],
});
