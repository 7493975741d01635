// The tuning-curves source: Poisson neurons with known tuning to a latent variable (T2).
import { defineSource } from "../../../harness/source.ts";
import { tuningCurves } from "./dataset.ts";

export const source = defineSource({
  id: "tuning-curves",
  domain: "synthetic",
  title: tuningCurves.title,
  availability: "generated",
  datasets: [tuningCurves],
});
