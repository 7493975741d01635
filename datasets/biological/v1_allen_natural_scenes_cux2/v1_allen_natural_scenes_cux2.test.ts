// Loader of v1_allen_natural_scenes_cux2 against the converted copy (numpy), and checksums.
import { describe, expect, it } from "vitest";
import { recordingStatus } from "../../../harness/data.ts";
import { bundleArray, firstMismatch, readBundle, skipReason } from "../../../tests/helpers/converted-bundles.ts";
import { v1AllenNaturalScenesCard as card } from "./card.ts";
import { loadV1NaturalScenes } from "./load.ts";

const skip = skipReason(card);
if (skip) console.log(skip);

describe.skipIf(skip !== undefined)("v1_allen_natural_scenes_cux2", () => {
  it("has every original file with the card's sha256", () => {
    expect(recordingStatus(card).complete).toBe(true);
  });

  it("loads the same arrays as the converted copy", () => {
    const v = loadV1NaturalScenes();
    expect(v.isTest.reduce((a, b) => a + b, 0)).toBe(18);
    const bundle = readBundle(card.id, "natural_scenes");
    if (!bundle) {
      console.log(`${card.id}: no converted/ copy found; skipping the cross-check`);
      return;
    }
    expect(firstMismatch(v.scenes, bundleArray(bundle, "scenes").data)).toBe(-1);
    expect(firstMismatch(v.meanResponse, bundleArray(bundle, "meanResponse").data, Math.fround)).toBe(-1);
    expect(firstMismatch(v.isTest, bundleArray(bundle, "isTest").data)).toBe(-1);
    expect(firstMismatch(v.trainSceneIndex, bundleArray(bundle, "trainSceneIndex").data)).toBe(-1);
    expect(firstMismatch(v.testSceneIndex, bundleArray(bundle, "testSceneIndex").data)).toBe(-1);
  });
});
