// compiled-residual (T1): the activations are the compiled model's residual stream, every row is exactly the sum of
// its active features (one per categorical variable, the value times the direction for a numerical one) plus the
// constant `one` direction, the features are orthonormal and rotated away from the coordinate axes, and regimes
// come from the seed.
import { describe, expect, it } from "vitest";
import { instanceSeed } from "../../../harness/registry.ts";
import type { NdArray } from "../../../harness/types.ts";
import { compiledResidual, generateCompiledResidual } from "./dataset.ts";

const instances = Array.from({ length: compiledResidual.sizes.official }, (_, i) =>
  generateCompiledResidual(instanceSeed(compiledResidual, "official", i)),
);

describe("compiled-residual", () => {
  it("features are orthonormal, not coordinate axes, and span every row's variation", () => {
    for (const inst of instances) {
      const F = inst.truth.features as NdArray;
      const X = inst.inputs.activations as NdArray;
      const [k, d] = F.shape as [number, number];
      const [n] = X.shape as [number, number];
      expect(inst.params.nFeatures).toBe(k);
      for (let a = 0; a < k; a++) {
        let maxAxis = 0;
        for (let b = 0; b < k; b++) {
          let dot = 0;
          for (let c = 0; c < d; c++) dot += (F.data[a * d + c] as number) * (F.data[b * d + c] as number);
          expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-5);
        }
        for (let c = 0; c < d; c++) maxAxis = Math.max(maxAxis, Math.abs(F.data[a * d + c] as number));
        expect(maxAxis).toBeLessThan(0.9);
      }
      // Centred rows lie in the span of the features: the residual of the projection is float32 noise.
      const mean = new Float64Array(d);
      for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (X.data[r * d + c] as number) / n;
      let worst = 0;
      for (let r = 0; r < n; r += 7) {
        const x = Float64Array.from({ length: d }, (_, c) => (X.data[r * d + c] as number) - (mean[c] as number));
        const rest = Float64Array.from(x);
        for (let a = 0; a < k; a++) {
          let dot = 0;
          for (let c = 0; c < d; c++) dot += (x[c] as number) * (F.data[a * d + c] as number);
          for (let c = 0; c < d; c++) rest[c] = (rest[c] as number) - dot * (F.data[a * d + c] as number);
        }
        worst = Math.max(worst, Math.hypot(...rest));
      }
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it("every categorical variable has exactly one active value per row; programs, vocabularies and lengths vary", () => {
    for (const inst of instances) {
      const labels = inst.meta.features as string[];
      const F = inst.truth.features as NdArray;
      const X = inst.inputs.activations as NdArray;
      const [k, d] = F.shape as [number, number];
      const groups = new Map<string, number[]>();
      labels.forEach((label, a) => {
        const name = label.includes(":") ? label.slice(0, label.lastIndexOf(":")) : label;
        if (label.includes(":") && !label.endsWith(":scratch")) groups.set(name, [...(groups.get(name) ?? []), a]);
      });
      expect(groups.has("tokens")).toBe(true);
      for (let r = 0; r < (X.shape[0] as number); r += 5) {
        const coord = (a: number) => {
          let dot = 0;
          for (let c = 0; c < d; c++) dot += (X.data[r * d + c] as number) * (F.data[a * d + c] as number);
          return dot;
        };
        for (const [name, members] of groups) {
          const on = members.filter((a) => coord(a) > 0.5).length;
          // A categorical aggregate that selects nothing (prev_token at index 0) is None: no value active.
          expect(on, `${name} row ${r}`).toBeLessThanOrEqual(1);
          if (name === "tokens" || name === "indices") expect(on).toBe(1);
        }
      }
      expect(k).toBeGreaterThan(groups.size);
    }
    expect(new Set(instances.map((i) => i.meta.program)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(instances.map((i) => i.meta.dModel)).size).toBeGreaterThanOrEqual(3);
  });
});
