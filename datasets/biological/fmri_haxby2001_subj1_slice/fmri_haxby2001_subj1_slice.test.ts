// Loader of fmri_haxby2001_subj1_slice against the converted copy (nibabel, numpy.loadtxt), checksums, and a
// category-decoding sanity number (Haxby-style correlation classifier, leave one run out).
import { describe, expect, it } from "vitest";
import { recordingStatus } from "../../../harness/data.ts";
import { bundleArray, firstMismatch, readBundle, skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { fmriHaxbyCard as card, HAXBY_LABELS } from "./card.ts";
import { HAXBY_RUNS, type HaxbySlice, loadHaxby2001Slice } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

/** Voxels z-scored within each run (removes run offsets; no other preprocessing). */
function zscoreByRun(s: HaxbySlice): Float64Array {
  const v = s.nVoxels;
  const out = new Float64Array(s.masked.length);
  for (let run = 0; run < HAXBY_RUNS; run++) {
    const rows: number[] = [];
    for (let t = 0; t < s.nVolumes; t++) if (s.runs[t] === run) rows.push(t);
    for (let k = 0; k < v; k++) {
      let mean = 0;
      for (const t of rows) mean += (s.masked[t * v + k] as number) / rows.length;
      let sd = 0;
      for (const t of rows) sd += ((s.masked[t * v + k] as number) - mean) ** 2 / rows.length;
      sd = Math.sqrt(sd) || 1;
      for (const t of rows) out[t * v + k] = ((s.masked[t * v + k] as number) - mean) / sd;
    }
  }
  return out;
}

/** Leave-one-run-out nearest-centroid (Pearson correlation) over the 8 object categories; balanced accuracy. */
function categoryAccuracy(s: HaxbySlice): number {
  const v = s.nVoxels;
  const x = zscoreByRun(s);
  const nClass = HAXBY_LABELS.length;
  const hits = new Float64Array(nClass);
  const totals = new Float64Array(nClass);
  const corr = (a: Float64Array, off: number, b: Float64Array) => {
    let ma = 0;
    let mb = 0;
    for (let k = 0; k < v; k++) {
      ma += (a[off + k] as number) / v;
      mb += (b[k] as number) / v;
    }
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let k = 0; k < v; k++) {
      const da = (a[off + k] as number) - ma;
      const db = (b[k] as number) - mb;
      sab += da * db;
      saa += da * da;
      sbb += db * db;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  for (let test = 0; test < HAXBY_RUNS; test++) {
    const centroids = Array.from({ length: nClass }, () => new Float64Array(v));
    const counts = new Float64Array(nClass);
    for (let t = 0; t < s.nVolumes; t++) {
      const c = s.labels[t] as number;
      if (c === 0 || s.runs[t] === test) continue;
      counts[c] = (counts[c] as number) + 1;
      const cen = centroids[c] as Float64Array;
      for (let k = 0; k < v; k++) cen[k] = (cen[k] as number) + (x[t * v + k] as number);
    }
    for (let t = 0; t < s.nVolumes; t++) {
      const c = s.labels[t] as number;
      if (c === 0 || s.runs[t] !== test) continue;
      let best = -Infinity;
      let pred = -1;
      for (let k = 1; k < nClass; k++) {
        const r = corr(x, t * v, centroids[k] as Float64Array);
        if (r > best) {
          best = r;
          pred = k;
        }
      }
      totals[c] = (totals[c] as number) + 1;
      if (pred === c) hits[c] = (hits[c] as number) + 1;
    }
  }
  let acc = 0;
  for (let c = 1; c < nClass; c++) acc += (hits[c] as number) / (totals[c] as number) / (nClass - 1);
  return acc;
}

describe.skipIf(skip !== undefined)("fmri_haxby2001_subj1_slice", () => {
  it("has every original file with the card's sha256", () => {
    expect(recordingStatus(card).complete).toBe(true);
  });

  it("loads the same arrays as the converted copy (nibabel, numpy.loadtxt)", () => {
    const s = loadHaxby2001Slice();
    expect([s.nVolumes, s.ny, s.nx, s.nVoxels]).toEqual([1452, 20, 40, 530]);
    expect(s.trSeconds).toBe(2.5);
    const bundle = readBundle(card.id, "haxby_slice");
    if (!bundle) {
      console.log(`${card.id}: no converted/ copy found; skipping the cross-check`);
      return;
    }
    expect(firstMismatch(s.bold, bundleArray(bundle, "bold").data)).toBe(-1);
    expect(firstMismatch(s.mask, bundleArray(bundle, "mask").data)).toBe(-1);
    expect(firstMismatch(s.masked, bundleArray(bundle, "masked").data)).toBe(-1);
    expect(firstMismatch(s.labels, bundleArray(bundle, "targets").data)).toBe(-1);
    expect(firstMismatch(s.runs, bundleArray(bundle, "chunks").data)).toBe(-1);
    expect(s.affine).toEqual(bundle.meta.affine);
    expect(s.voxelSizeMm).toEqual(bundle.meta.voxelSize_mm);
    expect(Object.values(bundle.meta.labelNames as Record<string, string>)).toEqual([...HAXBY_LABELS]);
  });

  it("has 12 runs of 121 volumes, 588 rest volumes and 108 per category", () => {
    const s = loadHaxby2001Slice();
    const perRun = new Array(HAXBY_RUNS).fill(0);
    const perLabel = new Array(HAXBY_LABELS.length).fill(0);
    for (let t = 0; t < s.nVolumes; t++) {
      perRun[s.runs[t] as number]++;
      perLabel[s.labels[t] as number]++;
      if (t > 0) expect(s.runs[t]).toBeGreaterThanOrEqual(s.runs[t - 1] as number);
    }
    expect(perRun).toEqual(new Array(HAXBY_RUNS).fill(121));
    expect(perLabel).toEqual([588, 108, 108, 108, 108, 108, 108, 108, 108]);
  });

  it("sanity: object category is decodable across runs (correlation classifier, leave one run out)", () => {
    const acc = categoryAccuracy(loadHaxby2001Slice());
    console.log(
      `${card.id}: 8 object categories, leave-one-run-out correlation classifier: balanced accuracy ${acc.toFixed(2)} (chance 0.125)`,
    );
    expect(acc).toBeGreaterThan(0.3);
  });
});
