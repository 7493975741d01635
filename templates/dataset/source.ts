// The my-dataset source (template): one generated dataset. defineSource checks the entry when the module loads.
import { defineSource } from "../../harness/source.ts";
import { myDataset } from "./dataset.ts";

export const source = defineSource({
  id: "my-dataset",
  domain: "synthetic",
  title: myDataset.title,
  availability: "generated",
  datasets: [myDataset],
});
