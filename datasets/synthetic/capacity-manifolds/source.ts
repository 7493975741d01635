// The capacity-manifolds source: manifolds of known geometry and their mean-field capacity (T7).
import { defineSource } from "../../../harness/source.ts";
import { capacityManifolds } from "./dataset.ts";

export const source = defineSource({
  id: "capacity-manifolds",
  domain: "synthetic",
  title: capacityManifolds.title,
  availability: "generated",
  datasets: [capacityManifolds],
});
