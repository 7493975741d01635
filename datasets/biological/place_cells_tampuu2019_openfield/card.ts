// Card of the open-field place-cell recordings (Tampuu et al. 2019): facts from
// ../shared/datasets/place_cells_tampuu2019_openfield/PROVENANCE.md.
import { defineRecordingCard } from "../../../harness/data.ts";

const COMMIT = "1ce7e52d72f4c042173582224aa8581b947b5238";
const base = `https://github.com/NeuroCSUT/RatGPS/raw/${COMMIT}/2D/data`;

export const TAMPUU_RATS = ["R2192", "R2198", "R2217", "R2336", "R2337"] as const;
export type TampuuRat = (typeof TAMPUU_RATS)[number];

/** Size and sha256 of every original file, from PROVENANCE.md. */
const FILES: [name: string, bytes: number, sha256: string][] = [
  ["R2192_1x1400_at35_step200_bin100-RAW_feat.dat", 686683, "75c03aea4788ad4f7b1fa9b45eb235e6aaf23ea8c669d74197d073152cc66705"],
  ["R2192_1x1400_at35_step200_bin100-RAW_pos.dat", 85242, "b033c74fb571f0e4420d410da36207a32e9e91f688dc9e00254da0b40cc164bc"],
  ["R2192_20ms.mat", 78693, "ed258909fa0ff9bfa2702f2e0b61a18aa88df5c6b7cc6d44f7bfc16d4c2137c2"],
  ["R2198_1x1400_at35_step200_bin100-RAW_feat.dat", 428868, "e4cb7d4c0feab677738d7cb3baf218600df14f35628297f7ffcc8a3ba143a7da"],
  ["R2198_1x1400_at35_step200_bin100-RAW_pos.dat", 101163, "dddae732bb4f374446e66aff9cc1e028e7ed615ad08aba882cb695f27a0ae078"],
  ["R2217_1x1400_at35_step200_bin100-RAW_feat.dat", 394374, "5f882a89ce275aee9784ca04cdc00676713c16af617e27fc70236a0939cdda38"],
  ["R2217_1x1400_at35_step200_bin100-RAW_pos.dat", 118362, "782329eada394ba61e840dc7eb6f379847b11fff735c699066fcab5712ad84fc"],
  ["R2336_1x1400_at35_step200_bin100-RAW_feat.dat", 603091, "5b6ba52ec749014361b9ba66d087d7e3b4988cd30e610f97eadd3cf11788d6c1"],
  ["R2336_1x1400_at35_step200_bin100-RAW_pos.dat", 97355, "4dd218705d2b5cc2b4148b617ded6a8c130d8f124c1a21d4b2136d52d270ce2f"],
  ["R2337_1x1400_at35_step200_bin100-RAW_feat.dat", 635434, "3743e2dbac734d55a29c79b0df71382344476b935c80d8bf13299b5a1c6b4f1a"],
  ["R2337_1x1400_at35_step200_bin100-RAW_pos.dat", 115059, "275f1f644105b8395fda185fa2b763b2cea617451087d69bc3d1e35a9f70d2c6"],
];

export const featFile = (rat: TampuuRat) => `${rat}_1x1400_at35_step200_bin100-RAW_feat.dat`;
export const posFile = (rat: TampuuRat) => `${rat}_1x1400_at35_step200_bin100-RAW_pos.dat`;

export const placeCellsTampuu2019Card = defineRecordingCard({
  id: "place_cells_tampuu2019_openfield",
  title: "Hippocampal CA1 place cells, rats foraging in a ~1 m open field (Tampuu et al. 2019, Barry lab data)",
  species: "rat",
  area: "hippocampus, CA1",
  modality: "extracellular spikes (tetrodes), 26–63 cells per rat, spike counts in 1400 ms windows (and 20 ms bins for rat R2192)",
  citations: [
    {
      text: "Tampuu A, Matiisen T, Ólafsdóttir HF, Barry C, Vicente R (2019). Efficient neural decoding of self-location with a deep recurrent network. PLoS Computational Biology 15(2):e1006822. doi:10.1371/journal.pcbi.1006822",
      doi: "10.1371/journal.pcbi.1006822",
      bibtex: `@article{tampuu2019efficient,
  author  = {Tampuu, Ardi and Matiisen, Tambet and {\\'O}lafsd{\\'o}ttir, H. Freyja and Barry, Caswell and Vicente, Raul},
  title   = {Efficient neural decoding of self-location with a deep recurrent network},
  journal = {PLoS Computational Biology},
  volume  = {15},
  number  = {2},
  pages   = {e1006822},
  year    = {2019},
  doi     = {10.1371/journal.pcbi.1006822}
}`,
    },
  ],
  licence: {
    name: "Not stated",
    terms:
      'Not stated in the repository (no LICENSE file). The authors describe the repo as "the data and code to reproduce the results" of the paper; the Zenodo record\'s licence was not verifiable offline (check it before any redistribution). Use for research with attribution inside this project only.',
  },
  source: {
    repository: "NeuroCSUT/RatGPS",
    commit: COMMIT,
    fullDataset:
      "Zenodo doi:10.5281/zenodo.2540921 (https://zenodo.org/record/2540921): raw positions, 1-D T-maze data, trained RNN models",
  },
  files: FILES.map(([name, bytes, sha256]) => ({
    name,
    url: `${base}/${name}`,
    sha256,
    bytes,
    format: name.endsWith(".mat") ? "MATLAB 5.0 (Level 5) MAT-file" : "whitespace-separated text, one row per window",
    description: name.endsWith(".mat")
      ? "variable mm: uint8 [63 cells × 54100 bins], spike counts of rat R2192 in consecutive 20 ms bins (1082 s)"
      : name.includes("_feat")
        ? "integer spike count of each cell (column) in 1400 ms windows (rows); window k covers [0.2k, 0.2k + 1.4) s"
        : "x y position in cm at the centre of each window (t = 0.2k + 0.7 s; the 35th 20 ms bin)",
  })),
  groundTruth: {
    variable: "2-D position (x, y) in cm for every 1400 ms window",
    description:
      "The rat's position in the open field (≈ 0–115 cm in x and y) at the centre of each window; the population lies on a disc (d* = 2, Betti numbers 1, 0, 0).",
  },
  preprocessing: {
    version: 1,
    description:
      "None beyond the upstream extract: counts are integers as written (uint8, row-major [windows × cells]); positions are the files' numbers (float64, cm). The 20 ms MAT-file's mm [cells × bins] is transposed to [bins × cells]. Windows overlap (step 200 ms, length 1400 ms), so window k shares spikes with windows k ± 1 … k ± 6: held-out blocks need a gap of 6 windows to the training windows.",
  },
});
