// Baseline: population vector (Georgopoulos, Schwartz & Kettner 1986) for circular targets of T2
// latent-decoding. Each unit's preferred angle is the circular mean of the training angles weighted by
// its (baseline-subtracted) activity; a test bin's angle is the direction of the sum of the units'
// preferred-direction unit vectors weighted by their activity above their training mean, each unit
// scaled by its training standard deviation (so loud units do not dominate).
// Non-circular instances have no population vector; it then falls back to a constant prediction (the
// training mean of a linear target, the most frequent training class of a categorical one).
import { f32 } from "../../harness/ndarray.ts";
import type { MethodDefinition } from "../../harness/types.ts";
import { constantPrediction, readProblem, standardizer } from "../shared/decoding.ts";

export const populationVector: MethodDefinition = {
  id: "population-vector",
  version: "1.0.1",
  name: "Population vector",
  kind: "baseline",
  description:
    "Circular targets: preferred angle of each unit = activity-weighted circular mean of the training angles; prediction = direction of the sum of preferred-angle unit vectors weighted by standardised activity. Other targets: the training mean (linear) or the most frequent training class (categorical).",
  url: "https://doi.org/10.1126/science.3749885",
  tasks: ["latent-decoding"],
  async run(ctx) {
    const p = readProblem(ctx);
    const { params, nTrain, nTest, d, q } = p;
    const out = f32([nTest, q]);
    if (params.targetKind !== "circular") {
      const constant = constantPrediction(params, p.yTrain, nTrain, q);
      for (let i = 0; i < nTest; i++) for (let j = 0; j < q; j++) out.data[i * q + j] = constant[j] as number;
      return { testPrediction: out };
    }
    const st = standardizer(p.xTrain, nTrain, d);
    for (let j = 0; j < q; j++) {
      // Preferred direction of unit c: Σ_t (x_tc − mean_c) e^{iθ_t}, i.e. the first circular Fourier
      // coefficient of its tuning curve; its angle is the preferred angle.
      const prefCos = new Float64Array(d);
      const prefSin = new Float64Array(d);
      for (let t = 0; t < nTrain; t++) {
        const c = Math.cos(p.yTrain[t * q + j] as number);
        const s = Math.sin(p.yTrain[t * q + j] as number);
        for (let u = 0; u < d; u++) {
          const a = (p.xTrain[t * d + u] as number) - (st.mean[u] as number);
          prefCos[u] = (prefCos[u] as number) + a * c;
          prefSin[u] = (prefSin[u] as number) + a * s;
        }
      }
      for (let u = 0; u < d; u++) {
        const norm = Math.hypot(prefCos[u] as number, prefSin[u] as number);
        prefCos[u] = norm > 0 ? (prefCos[u] as number) / norm : 0;
        prefSin[u] = norm > 0 ? (prefSin[u] as number) / norm : 0;
      }
      for (let t = 0; t < nTest; t++) {
        let c = 0;
        let s = 0;
        for (let u = 0; u < d; u++) {
          const a = ((p.xTest[t * d + u] as number) - (st.mean[u] as number)) / (st.std[u] as number);
          c += a * (prefCos[u] as number);
          s += a * (prefSin[u] as number);
        }
        out.data[t * q + j] = Math.atan2(s, c);
      }
    }
    return { testPrediction: out };
  },
};
