// Loader of m1_reaching_dyer2017_dad against the converted copy (scipy.io.loadmat), checksums, the trial
// segmentation, and a velocity-decoding sanity number with the project's ridge baseline.
import { describe, expect, it } from "vitest";
import { recordingStatus } from "../../../harness/data.ts";
import { f32 } from "../../../harness/ndarray.ts";
import type { NdArray } from "../../../harness/types.ts";
import { ridge } from "../../../methods/ridge/method.ts";
import { r2PerTarget } from "../../../tasks/latent-decoding/task.ts";
import { bundleArray, firstMismatch, readBundle, skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { m1Dyer2017Card as card } from "./card.ts";
import { loadM1Subject, M1_SUBJECTS, type M1SessionData } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

const SHAPES = { mihi: { A: [623, 174], B: [803, 187] }, chewie: { A: [1200, 71], B: [1818, 71] } } as const;
const TRIALS = { mihi: { A: 74, B: 102 }, chewie: { A: 39, B: 59 } } as const;

/** Ridge on the first 75 % of trials, R² of (vx, vy) on the last 25 %. */
async function velocityR2(s: M1SessionData): Promise<number> {
  const cut = (s.trials[Math.floor(s.trials.length * 0.75)] as { start: number }).start;
  const nTest = s.n - cut;
  const out = await ridge.run({
    task: "latent-decoding",
    params: { targetKind: "linear", targetNames: ["vx", "vy"] },
    inputs: {
      trainActivity: f32([cut, s.d], s.activity.subarray(0, cut * s.d)),
      trainTarget: f32([cut, 2], s.velocity.subarray(0, cut * 2)),
      testActivity: f32([nTest, s.d], s.activity.subarray(cut * s.d)),
    },
    outputShapes: { testPrediction: [nTest, 2] },
    seed: 1,
  });
  const r2 = r2PerTarget(f32([nTest, 2], s.velocity.subarray(cut * 2)), out.testPrediction as NdArray);
  return r2.reduce((a, b) => a + b, 0) / r2.length;
}

describe.skipIf(skip !== undefined)("m1_reaching_dyer2017_dad", () => {
  it("has both original files with the card's sha256", () => {
    expect(recordingStatus(card).complete).toBe(true);
  });

  it("loads the same arrays as the converted copy (scipy.io.loadmat)", () => {
    for (const subject of M1_SUBJECTS) {
      const data = loadM1Subject(subject);
      const bundle = readBundle(card.id, subject);
      for (const [session, part] of [
        ["A", "tr"],
        ["B", "te"],
      ] as const) {
        const s = data[session];
        expect([s.n, s.d]).toEqual(SHAPES[subject][session]);
        if (!bundle) continue;
        expect(firstMismatch(s.activity, bundleArray(bundle, `Y${part}`).data, Math.fround)).toBe(-1);
        expect(firstMismatch(s.velocity, bundleArray(bundle, `X${part}`).data, Math.fround)).toBe(-1);
        expect(firstMismatch(s.target, bundleArray(bundle, `T${part}`).data)).toBe(-1);
      }
      if (!bundle) console.log(`${card.id}: no converted/ copy of ${subject}; skipped the cross-check`);
    }
  });

  it("segments each session into trials of one target that cover every bin", () => {
    for (const subject of M1_SUBJECTS) {
      const data = loadM1Subject(subject);
      for (const session of ["A", "B"] as const) {
        const s = data[session];
        expect(s.trials.length).toBe(TRIALS[subject][session]);
        let next = 0;
        for (const [i, tr] of s.trials.entries()) {
          expect(tr.start).toBe(next);
          next = tr.end;
          for (let b = tr.start; b < tr.end; b++) {
            expect(s.target[b]).toBe(tr.target);
            expect(s.trialOf[b]).toBe(i);
          }
          const len = tr.end - tr.start;
          if (subject === "mihi") expect(len >= 6 && len <= 11).toBe(true);
          else expect(tr.complete ? len === 31 : len < 31).toBe(true);
        }
        expect(next).toBe(s.n);
        expect(new Set(s.target).size).toBe(4);
      }
    }
  });

  it("sanity: hand velocity is linearly decodable on held-out trials (ridge baseline)", async () => {
    const lines: string[] = [];
    for (const subject of M1_SUBJECTS) {
      const data = loadM1Subject(subject);
      for (const session of ["A", "B"] as const) {
        const r2 = await velocityR2(data[session]);
        lines.push(`${subject} ${session}: mean R² ${r2.toFixed(2)}`);
        expect(r2).toBeGreaterThan(0.3);
      }
    }
    console.log(`${card.id}: ridge, first 75 % of trials → last 25 %: ${lines.join("; ")}`);
  });
});
