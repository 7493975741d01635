// Baseline for T6 causal-attribution: |Pearson correlation| of each hidden unit's activation with the output —
// the "probing by correlation" that ablation studies argue against (Morcos et al. 2018; Meyes et al. 2019).
import { f64 } from "../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../harness/types.ts";

/** |corr(hidden[:, j], output)| for every column j of hidden [n, H]; a constant column scores 0. */
export function outputCorrelations(hidden: ArrayLike<number>, output: ArrayLike<number>, n: number, H: number): Float64Array {
  const mh = new Float64Array(H);
  let my = 0;
  for (let s = 0; s < n; s++) {
    my += output[s] as number;
    for (let j = 0; j < H; j++) mh[j] = (mh[j] as number) + (hidden[s * H + j] as number);
  }
  my /= n;
  for (let j = 0; j < H; j++) mh[j] = (mh[j] as number) / n;
  const cov = new Float64Array(H);
  const vh = new Float64Array(H);
  let vy = 0;
  for (let s = 0; s < n; s++) {
    const dy = (output[s] as number) - my;
    vy += dy * dy;
    for (let j = 0; j < H; j++) {
      const dh = (hidden[s * H + j] as number) - (mh[j] as number);
      cov[j] = (cov[j] as number) + dh * dy;
      vh[j] = (vh[j] as number) + dh * dh;
    }
  }
  const out = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const denom = Math.sqrt((vh[j] as number) * vy);
    out[j] = denom > 0 ? Math.min(1, Math.abs(cov[j] as number) / denom) : 0;
  }
  return out;
}

export const correlation: MethodDefinition = {
  id: "correlation",
  version: "1.0.0",
  name: "|Correlation| with the output",
  kind: "baseline",
  description:
    "Importance of a hidden unit = |Pearson correlation| of its activation with the network's output over the n samples. Ignores the weights.",
  url: "https://arxiv.org/abs/1803.06959",
  tasks: ["causal-attribution"],
  async run(ctx) {
    const hidden = ctx.inputs.hidden as NdArray;
    const output = ctx.inputs.output as NdArray;
    const [n, H] = hidden.shape as [number, number];
    return { importance: f64([H], outputCorrelations(hidden.data, output.data, n, H)) };
  },
};
