// Loader of place_cells_tampuu2019_openfield against the converted copy (numpy.loadtxt, scipy.io.loadmat),
// checksums, and decoding sanity numbers (the project's ridge baseline and a plain kNN).
import { describe, expect, it } from "vitest";
import { recordingStatus } from "../../../harness/data.ts";
import { f32 } from "../../../harness/ndarray.ts";
import type { MethodDefinition, NdArray } from "../../../harness/types.ts";
import { ridge } from "../../../methods/ridge/method.ts";
import { bundleArray, firstMismatch, readBundle, skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { placeCellsTampuu2019Card as card, TAMPUU_RATS } from "./card.ts";
import { loadTampuuFineBins, loadTampuuRat, type RatWindows, WINDOW_OVERLAP } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

const WINDOWS = { R2192: [5404, 63], R2198: [6409, 33], R2217: [7504, 26], R2336: [6174, 48], R2337: [7284, 43] } as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** First 75 % train, last 25 % test, with WINDOW_OVERLAP windows dropped in between (they share spikes). */
function split(w: RatWindows) {
  const nTest = Math.floor(w.nWindows / 4);
  const testStart = w.nWindows - nTest;
  const nTrain = testStart - WINDOW_OVERLAP;
  const rows = (a: ArrayLike<number>, width: number, s: number, e: number) =>
    Float32Array.from(Array.prototype.slice.call(a, s * width, e * width));
  return {
    trainActivity: f32([nTrain, w.nCells], rows(w.counts, w.nCells, 0, nTrain)),
    trainTarget: f32([nTrain, 2], rows(w.position, 2, 0, nTrain)),
    testActivity: f32([nTest, w.nCells], rows(w.counts, w.nCells, testStart, w.nWindows)),
    testTarget: rows(w.position, 2, testStart, w.nWindows),
    nTest,
  };
}

function medianDistance(pred: ArrayLike<number>, truth: ArrayLike<number>, n: number): number {
  const errs: number[] = [];
  for (let i = 0; i < n; i++) {
    errs.push(Math.hypot((pred[2 * i] as number) - (truth[2 * i] as number), (pred[2 * i + 1] as number) - (truth[2 * i + 1] as number)));
  }
  return median(errs);
}

/** Plain k-nearest-neighbour regression (fixed k, Euclidean on training-standardised counts). */
function knnErrorCm(w: RatWindows, k = 15): number {
  const s = split(w);
  const d = w.nCells;
  const nTrain = s.trainActivity.shape[0] as number;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const xTr = s.trainActivity.data;
  for (let i = 0; i < nTrain; i++) for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (xTr[i * d + c] as number) / nTrain;
  for (let i = 0; i < nTrain; i++)
    for (let c = 0; c < d; c++) std[c] = (std[c] as number) + ((xTr[i * d + c] as number) - (mean[c] as number)) ** 2 / nTrain;
  for (let c = 0; c < d; c++) std[c] = Math.sqrt(std[c] as number) || 1;
  const z = (x: ArrayLike<number>, n: number) =>
    Float64Array.from({ length: n * d }, (_, j) => ((x[j] as number) - (mean[j % d] as number)) / (std[j % d] as number));
  const a = z(xTr, nTrain);
  const b = z(s.testActivity.data, s.nTest);
  const yTr = s.trainTarget.data;
  const pred = new Float64Array(s.nTest * 2);
  // The k smallest distances so far, ascending (insertion into a short sorted list).
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let q = 0; q < s.nTest; q++) {
    bestD.fill(Infinity);
    for (let i = 0; i < nTrain; i++) {
      let acc = 0;
      for (let c = 0; c < d; c++) acc += ((b[q * d + c] as number) - (a[i * d + c] as number)) ** 2;
      if (acc >= (bestD[k - 1] as number)) continue;
      let j = k - 1;
      while (j > 0 && (bestD[j - 1] as number) > acc) {
        bestD[j] = bestD[j - 1] as number;
        bestI[j] = bestI[j - 1] as number;
        j--;
      }
      bestD[j] = acc;
      bestI[j] = i;
    }
    for (let j = 0; j < k; j++) {
      const i = bestI[j] as number;
      pred[2 * q] = (pred[2 * q] as number) + (yTr[2 * i] as number) / k;
      pred[2 * q + 1] = (pred[2 * q + 1] as number) + (yTr[2 * i + 1] as number) / k;
    }
  }
  return medianDistance(pred, s.testTarget, s.nTest);
}

async function ridgeErrorCm(method: MethodDefinition, w: RatWindows): Promise<number> {
  const s = split(w);
  const out = await method.run({
    task: "latent-decoding",
    params: { targetKind: "linear", targetNames: ["x", "y"] },
    inputs: { trainActivity: s.trainActivity, trainTarget: s.trainTarget, testActivity: s.testActivity },
    outputShapes: { testPrediction: [s.nTest, 2] },
    seed: 1,
  });
  return medianDistance((out.testPrediction as NdArray).data, s.testTarget, s.nTest);
}

describe.skipIf(skip !== undefined)("place_cells_tampuu2019_openfield", () => {
  it("has every original file with the card's sha256", () => {
    expect(recordingStatus(card).complete).toBe(true);
  });

  it("loads the same windows as the converted copy (numpy.loadtxt)", () => {
    const bundle = readBundle(card.id, "openfield_1400ms_windows");
    for (const rat of TAMPUU_RATS) {
      const w = loadTampuuRat(rat);
      expect([w.nWindows, w.nCells]).toEqual(WINDOWS[rat]);
      if (!bundle) continue;
      expect(firstMismatch(w.counts, bundleArray(bundle, `${rat}_counts`).data)).toBe(-1);
      expect(firstMismatch(w.position, bundleArray(bundle, `${rat}_pos`).data, Math.fround)).toBe(-1);
    }
    if (!bundle) console.log(`${card.id}: no converted/ copy found; skipped the cross-check`);
  });

  it("loads R2192's 20 ms bins, equal to the converted copy and summing to the 1400 ms windows", () => {
    const fine = loadTampuuFineBins();
    expect([fine.T, fine.nCells]).toEqual([54100, 63]);
    const bundle = readBundle(card.id, "R2192_20ms");
    if (bundle) expect(firstMismatch(fine.counts, bundleArray(bundle, "counts").data)).toBe(-1);
    const w = loadTampuuRat("R2192");
    for (let k = 0; k < w.nWindows; k++) {
      for (let c = 0; c < fine.nCells; c++) {
        let sum = 0;
        for (let t = 10 * k; t < 10 * k + 70; t++) sum += fine.counts[t * fine.nCells + c] as number;
        if (sum !== w.counts[k * w.nCells + c])
          throw new Error(`window ${k}, cell ${c}: 20 ms bins sum to ${sum}, the window has ${w.counts[k * w.nCells + c]}`);
      }
    }
  });

  it("sanity: positions are in the ≈ 0–115 cm box and decodable (ridge baseline, kNN; last 25 % held out)", async () => {
    const lines: string[] = [];
    for (const rat of TAMPUU_RATS) {
      const w = loadTampuuRat(rat);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of w.position) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(lo).toBeGreaterThan(-5);
      expect(hi).toBeLessThan(130);
      const r = await ridgeErrorCm(ridge, w);
      const k = knnErrorCm(w);
      lines.push(`${rat} (${w.nCells} cells): ridge (methods/ridge) ${r.toFixed(1)} cm, kNN (k = 15) ${k.toFixed(1)} cm`);
      expect(r).toBeLessThan(35);
      expect(k).toBeLessThan(30);
    }
    console.log(`${card.id}: median position error on the last 25 % (contiguous, 6-window gap):\n  ${lines.join("\n  ")}`);
  });
});
