// The L×M similarity matrix of the pairwise T5 baselines (rbf-cka, rsa, svcca, procrustes) from a measure that
// compares two parts; the parts are read with the task's own reader (tasks/layer-correspondence/parts.ts).
import type { JsonValue, NdArray } from "../../harness/types.ts";
import { readParts } from "../../tasks/layer-correspondence/parts.ts";

/**
 * The L×M similarity matrix of a measure that prepares every part once (`prepare`, e.g. a Gram matrix or an
 * RDM) and then compares prepared parts pairwise (`compare`).
 */
export function similarityMatrix<P>(
  inputs: Record<string, NdArray>,
  params: Record<string, JsonValue>,
  prepare: (part: NdArray) => P,
  compare: (a: P, b: P) => number,
): NdArray {
  const { a, b } = readParts(inputs, params);
  const pa = a.map(prepare);
  const pb = b.map(prepare);
  const L = a.length;
  const M = b.length;
  const data = new Float32Array(L * M);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < M; j++) {
      const v = compare(pa[i] as P, pb[j] as P);
      // Undefined similarity (a constant part has no variance to compare) counts as none.
      data[i * M + j] = Number.isFinite(v) ? v : 0;
    }
  }
  return { dtype: "float32", shape: [L, M], data };
}
