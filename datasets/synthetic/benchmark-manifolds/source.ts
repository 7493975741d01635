// The benchmark-manifolds source: the Hein–Audibert benchmark manifolds (T3).
import { defineSource } from "../../../harness/source.ts";
import { benchmarkManifolds } from "./dataset.ts";

export const source = defineSource({
  id: "benchmark-manifolds",
  domain: "synthetic",
  title: benchmarkManifolds.title,
  availability: "generated",
  datasets: [benchmarkManifolds],
});
