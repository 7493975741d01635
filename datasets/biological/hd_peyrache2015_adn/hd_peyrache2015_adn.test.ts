// Loader of hd_peyrache2015_adn against the converted copy (scipy.io.loadmat), checksums, and the sanity
// numbers the task datasets rely on (preferred directions, decodability of heading).
import { describe, expect, it } from "vitest";
import { recordingStatus } from "../../../harness/data.ts";
import { bundleArray, firstMismatch, readBundle, skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { hdPeyrache2015Card as card } from "./card.ts";
import { type CoarseWake, HD_CELLS, loadHdPeyrache2015, rebinWake } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

const TAU = 2 * Math.PI;
const wrap = (a: number) => ((((a + Math.PI) % TAU) + TAU) % TAU) - Math.PI;
const deg = (rad: number) => (rad * 180) / Math.PI;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Vector-sum preferred direction and mean rate (per bin) of each cell over the bins in `use`. */
function tuning(counts: ArrayLike<number>, angle: ArrayLike<number>, use: (t: number) => boolean, T: number, nBins = 60) {
  const occ = new Float64Array(nBins);
  const sums = new Float64Array(nBins * HD_CELLS);
  for (let t = 0; t < T; t++) {
    if (!use(t)) continue;
    const a = ((((angle[t] as number) % TAU) + TAU) % TAU) / TAU;
    const b = Math.min(nBins - 1, Math.floor(a * nBins));
    occ[b] = (occ[b] as number) + 1;
    for (let c = 0; c < HD_CELLS; c++) sums[b * HD_CELLS + c] = (sums[b * HD_CELLS + c] as number) + (counts[t * HD_CELLS + c] as number);
  }
  const pref = new Float64Array(HD_CELLS);
  const mean = new Float64Array(HD_CELLS);
  const curve = new Float64Array(nBins * HD_CELLS);
  for (let c = 0; c < HD_CELLS; c++) {
    let sx = 0;
    let sy = 0;
    let total = 0;
    let n = 0;
    for (let b = 0; b < nBins; b++) {
      const r = (occ[b] as number) > 0 ? (sums[b * HD_CELLS + c] as number) / (occ[b] as number) : 0;
      curve[b * HD_CELLS + c] = r;
      const centre = ((b + 0.5) / nBins) * TAU;
      sx += r * Math.cos(centre);
      sy += r * Math.sin(centre);
      total += sums[b * HD_CELLS + c] as number;
      n += occ[b] as number;
    }
    pref[c] = Math.atan2(sy, sx);
    mean[c] = total / n;
  }
  return { pref, mean, curve, nBins };
}

/** Median |heading error| (deg) of a population-vector and a Poisson maximum-likelihood decoder, 5 contiguous folds. */
function decodeHeading(w: CoarseWake, folds = 5) {
  const pvErr: number[] = [];
  const mlErr: number[] = [];
  for (let f = 0; f < folds; f++) {
    const lo = Math.floor((f * w.T) / folds);
    const hi = Math.floor(((f + 1) * w.T) / folds);
    const tc = tuning(w.counts, w.angle, (t) => t < lo || t >= hi, w.T);
    const logCurve = tc.curve.map((r) => Math.log(Math.max(r, 1e-3)));
    for (let t = lo; t < hi; t++) {
      let sx = 0;
      let sy = 0;
      for (let c = 0; c < HD_CELLS; c++) {
        const wgt = (w.counts[t * HD_CELLS + c] as number) / (tc.mean[c] as number);
        sx += wgt * Math.cos(tc.pref[c] as number);
        sy += wgt * Math.sin(tc.pref[c] as number);
      }
      pvErr.push(Math.abs(deg(wrap(Math.atan2(sy, sx) - (w.angle[t] as number)))));
      let best = -Infinity;
      let bestB = 0;
      for (let b = 0; b < tc.nBins; b++) {
        let ll = 0;
        for (let c = 0; c < HD_CELLS; c++) {
          ll += (w.counts[t * HD_CELLS + c] as number) * (logCurve[b * HD_CELLS + c] as number) - (tc.curve[b * HD_CELLS + c] as number);
        }
        if (ll > best) {
          best = ll;
          bestB = b;
        }
      }
      mlErr.push(Math.abs(deg(wrap(((bestB + 0.5) / tc.nBins) * TAU - (w.angle[t] as number)))));
    }
  }
  return { pv: median(pvErr), ml: median(mlErr), n: pvErr.length };
}

describe.skipIf(skip !== undefined)("hd_peyrache2015_adn", () => {
  it("has the original file with the card's sha256", () => {
    expect(recordingStatus(card).complete).toBe(true);
  });

  it("loads the same arrays as the converted copy (scipy.io.loadmat)", () => {
    const hd = loadHdPeyrache2015();
    expect(hd.wake.T).toBe(212078);
    expect(hd.rem.T).toBe(97600);
    expect(hd.wake.counts.length).toBe(212078 * HD_CELLS);
    const bundle = readBundle(card.id, "hd_wake_rem");
    if (!bundle) {
      console.log(`${card.id}: no converted/ copy found; skipping the cross-check`);
      return;
    }
    expect(firstMismatch(hd.wake.counts, bundleArray(bundle, "Qrun").data)).toBe(-1);
    expect(firstMismatch(hd.rem.counts, bundleArray(bundle, "Qrem").data)).toBe(-1);
    expect(firstMismatch(hd.wake.time, bundleArray(bundle, "angRun_time").data)).toBe(-1);
    expect(firstMismatch(hd.wake.angle, bundleArray(bundle, "angRun_angle").data, Math.fround)).toBe(-1);
    expect(firstMismatch(hd.tuning.angles, bundleArray(bundle, "hdTuning_angles").data, Math.fround)).toBe(-1);
    expect(firstMismatch(hd.tuning.rates, bundleArray(bundle, "hdTuning_rates").data, Math.fround)).toBe(-1);
    expect(firstMismatch(hd.prefHD, bundleArray(bundle, "prefHD").data, Math.fround)).toBe(-1);
  });

  it("loads SWS on request, equal to the converted copy", () => {
    const hd = loadHdPeyrache2015({ sws: true });
    expect(hd.sws?.T).toBe(870900);
    const bundle = readBundle(card.id, "hd_sws");
    if (bundle) expect(firstMismatch(hd.sws?.counts ?? [], bundleArray(bundle, "Qsws").data)).toBe(-1);
  });

  it("splits wake into 113 tracking segments at the 112 gaps > 0.1 s", () => {
    const { wake } = loadHdPeyrache2015();
    expect(wake.segments.length).toBe(113);
    expect(wake.segments[0]?.start).toBe(0);
    expect(wake.segments.at(-1)?.end).toBe(wake.T);
    for (const s of wake.segments) expect(s.end).toBeGreaterThan(s.start);
    for (let i = 0; i < wake.angle.length; i++) {
      const a = wake.angle[i] as number;
      if (!(a >= 0 && a < TAU)) throw new Error(`angle ${a} at bin ${i} is outside [0, 2π)`);
    }
  });

  it("sanity: preferred directions recomputed from the wake spikes match prefHD", () => {
    const { wake, prefHD } = loadHdPeyrache2015();
    const tc = tuning(wake.counts, wake.angle, () => true, wake.T);
    const diffs = [...tc.pref].map((p, c) => Math.abs(deg(wrap(p - (prefHD[c] as number)))));
    const summary = { medianDeg: median(diffs), maxDeg: Math.max(...diffs) };
    console.log(
      `${card.id}: preferred directions vs prefHD: median |diff| ${summary.medianDeg.toFixed(1)}°, max ${summary.maxDeg.toFixed(1)}°`,
    );
    expect(summary.medianDeg).toBeLessThan(10);
    expect(summary.maxDeg).toBeLessThan(20);
  });

  it("sanity: heading is decodable from 100 ms bins on held-out contiguous blocks", () => {
    const { wake } = loadHdPeyrache2015();
    const coarse = rebinWake(wake, 10);
    expect(coarse.T).toBeGreaterThan(21000);
    const r = decodeHeading(coarse);
    console.log(
      `${card.id}: 100 ms bins, 5 contiguous folds (${r.n} test bins): median |heading error| population vector ${r.pv.toFixed(1)}°, Poisson ML ${r.ml.toFixed(1)}°`,
    );
    expect(r.pv).toBeLessThan(30);
    expect(r.ml).toBeLessThan(30);
  });
});
