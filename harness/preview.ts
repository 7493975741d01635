// The data plot of a dataset page when the dataset draws none of its own: the first two principal
// components of the first activity matrix of dev instance 0 (what a researcher looks at first to see
// whether a population has low-dimensional structure). Real recordings provide their own plots
// (tuning curves, position traces); this covers generated and trained-network datasets.
import { principalAxes } from "./linalg.ts";
import { generateInstance } from "./registry.ts";
import type { DatasetDefinition, DatasetPreview } from "./types.ts";

const MAX_POINTS = 1500;

export function datasetPreview(dataset: DatasetDefinition): DatasetPreview | null {
  if (dataset.preview) return dataset.preview();
  const instance = generateInstance(dataset, "dev", 0);
  const entry = Object.entries(instance.inputs).find(([, a]) => a.shape.length === 2 && (a.shape[0] ?? 0) >= 3 && (a.shape[1] ?? 0) >= 2);
  if (!entry) return null;
  const [name, array] = entry;
  const [n, d] = array.shape as [number, number];
  const { mean, vectors } = principalAxes(array.data, n, d);
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i += step) {
    let p1 = 0;
    let p2 = 0;
    for (let c = 0; c < d; c++) {
      const v = (array.data[i * d + c] as number) - (mean[c] as number);
      p1 += v * (vectors[c] as number);
      p2 += v * (vectors[d + c] as number);
    }
    x.push(Number(p1.toPrecision(4)));
    y.push(Number(p2.toPrecision(4)));
  }
  return {
    title: `${name} of dev instance 0, projected on its first two principal components`,
    kind: "points",
    xLabel: "PC 1",
    yLabel: "PC 2",
    series: [{ name, x, y }],
    caption: `${x.length} of ${n} rows (${step === 1 ? "all of them" : `one in ${step}`}), ${d} dimensions. The instance is generated from the public dev seed; its ground truth is not shown.`,
  };
}
