// Loader of the Allen natural-scenes extract: reads the original .npy files (harness/npy.ts, verified against
// the card's sha256s). Reading only; `npx cajal datasets fetch` downloads.
import { type DataOptions, readDataFile, resolveDataDir } from "../../../harness/data.ts";
import { readNpy } from "../../../harness/npy.ts";
import type { NdArray } from "../../../harness/types.ts";
import { v1AllenNaturalScenesCard as card } from "./card.ts";

export const SCENES = 118;
export const SCENE_SIDE = 31;
export const V1_NEURONS = 212;

export interface NaturalScenes {
  nScenes: number;
  nNeurons: number;
  /** Row-major [118, 31, 31] grey levels. */
  scenes: Uint8Array;
  /** Row-major [118, 212]: mean response of each neuron to each scene (percent ΔF/F). */
  meanResponse: Float64Array;
  /** 1 for the author's 18 test scenes. */
  isTest: Uint8Array;
  /** Scene index of each row of the original train / test files. */
  trainSceneIndex: Int32Array;
  testSceneIndex: Int32Array;
}

const cache = new Map<string, NaturalScenes>();

function npy(file: string, dataDir: string, shape: number[]): NdArray {
  const a = readNpy(readDataFile(card, file, { dataDir }), `${card.id}/${file}`);
  if (a.shape.join(",") !== shape.join(","))
    throw new Error(`${card.id}/${file}: shape [${a.shape.join(", ")}], expected [${shape.join(", ")}]`);
  return a;
}

/** Load the extract (cached per data dir; do not mutate the arrays). */
export function loadV1NaturalScenes(options: DataOptions = {}): NaturalScenes {
  const dataDir = options.dataDir ?? resolveDataDir().dir;
  const hit = cache.get(dataDir);
  if (hit) return hit;
  const px = SCENE_SIDE * SCENE_SIDE;
  const all = npy("all_input_scenes_118_961.npy", dataDir, [SCENES, px]);
  const scenes = new Uint8Array(SCENES * px);
  for (let k = 0; k < scenes.length; k++) {
    const v = all.data[k] as number;
    if (!Number.isInteger(v) || v < 0 || v > 255)
      throw new Error(`${card.id}: scene pixel ${k} is ${v}, expected an integer grey level 0–255`);
    scenes[k] = v;
  }
  const byPixels = new Map<string, number>();
  for (let s = 0; s < SCENES; s++) {
    const key = scenes.subarray(s * px, (s + 1) * px).join(",");
    if (byPixels.has(key)) throw new Error(`${card.id}: scenes ${byPixels.get(key)} and ${s} have identical pixels`);
    byPixels.set(key, s);
  }
  const meanResponse = new Float64Array(SCENES * V1_NEURONS);
  const isTest = new Uint8Array(SCENES);
  const seen = new Uint8Array(SCENES);
  const place = (input: string, output: string, n: number, test: boolean): Int32Array => {
    const x = npy(input, dataDir, [n, px]);
    const y = npy(output, dataDir, [n, V1_NEURONS]);
    const index = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const s = byPixels.get(Array.from(x.data.subarray(r * px, (r + 1) * px)).join(","));
      if (s === undefined) throw new Error(`${card.id}/${input}: row ${r} matches none of the 118 scenes`);
      if (seen[s]) throw new Error(`${card.id}: scene ${s} appears twice in the train/test files`);
      seen[s] = 1;
      index[r] = s;
      isTest[s] = test ? 1 : 0;
      meanResponse.set(y.data.subarray(r * V1_NEURONS, (r + 1) * V1_NEURONS), s * V1_NEURONS);
    }
    return index;
  };
  const trainSceneIndex = place("Allen_train_input.npy", "Allen_train_output.npy", 100, false);
  const testSceneIndex = place("Allen_test_input.npy", "Allen_test_output.npy", 18, true);
  readDataFile(card, "readme.txt", { dataDir }); // verified with the rest; nothing to parse
  const out: NaturalScenes = { nScenes: SCENES, nNeurons: V1_NEURONS, scenes, meanResponse, isTest, trainSceneIndex, testSceneIndex };
  cache.set(dataDir, out);
  return out;
}
