// The dynamical-systems source (template): one generated dataset. defineSource checks the entry when the module loads.
import { defineSource } from "../../../harness/source.ts";
import { dynamicalSystems } from "./dataset.ts";

export const source = defineSource({
  id: "dynamical-systems",
  domain: "synthetic",
  title: dynamicalSystems.title,
  availability: "generated",
  datasets: [dynamicalSystems],
});
