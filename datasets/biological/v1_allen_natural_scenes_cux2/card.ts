// Card of the Allen Brain Observatory natural-scenes extract (mouse V1, Cux2): facts from
// ../shared/datasets/v1_allen_natural_scenes_cux2/PROVENANCE.md.
import { defineRecordingCard } from "../../../harness/data.ts";

const COMMIT = "44c5e0bb3342ef20611a320ef9d023c9620d8acb";
const base = `https://github.com/psailamul/Allen_Brain_Observatory/raw/${COMMIT}/Allen_data_170513`;

const FILES: [name: string, bytes: number, sha256: string, description: string][] = [
  [
    "all_input_scenes_118_961.npy",
    907264,
    "0d40bbf7490200a0f833c8ca942773c60e72959c32a9810baeae73972ac73ea2",
    "118 × 961 float64: the 118 scenes, each down-sampled to 31 × 31 (row-major), grey 0–255 (integers)",
  ],
  [
    "Allen_train_input.npy",
    768880,
    "1e688234d71453e655dd8d3b1122c149986fd56a79c8bb86d36d1224443a72e4",
    "100 × 961 float64: images of the 100-scene training split",
  ],
  [
    "Allen_train_output.npy",
    169680,
    "d51c2606fc7df9f4caa747fdb10f9da7ef46786009167a5a66a3ca4290aeabc8",
    "100 × 212 float64: mean response of 212 neurons to each training scene",
  ],
  [
    "Allen_test_input.npy",
    138464,
    "737078f8c73a67eba504b62a11657a3bb85a838af71a47f85acb35b319b2215e",
    "18 × 961 float64: images of the 18-scene test split",
  ],
  [
    "Allen_test_output.npy",
    30608,
    "4a761c48fc020acac16f993199d82c6243bcbde846878ea6fd488832bae5cb33",
    "18 × 212 float64: mean response of 212 neurons to each test scene",
  ],
  [
    "readme.txt",
    1564,
    "b265b75a403b691e9dd29c8188794c18dcb1dca97e9d26ca78a689b20f361199",
    "the repository author's description (50 repeats per image; experiment metadata)",
  ],
];

export const v1AllenNaturalScenesCard = defineRecordingCard({
  id: "v1_allen_natural_scenes_cux2",
  title: "Mouse V1 (VISp, layer 2/3, Cux2) two-photon responses to the 118 Brain Observatory natural scenes",
  species: "mouse (Cux2-CreERT2;Camk2a-tTA;Ai93 GCaMP6f)",
  area: "primary visual cortex (VISp), 275 µm depth",
  modality: "two-photon calcium imaging (GCaMP6f), trial-averaged responses of 212 neurons",
  citations: [
    {
      text: "de Vries SEJ, Lecoq JA, Buice MA, et al. (2020). A large-scale standardized physiological survey reveals functional organization of the mouse visual cortex. Nature Neuroscience 23:138–151. doi:10.1038/s41593-019-0550-9",
      doi: "10.1038/s41593-019-0550-9",
      bibtex: `@article{devries2020largescale,
  author  = {de Vries, Saskia E. J. and Lecoq, Jerome A. and Buice, Michael A. and others},
  title   = {A large-scale standardized physiological survey reveals functional organization of the mouse visual cortex},
  journal = {Nature Neuroscience},
  volume  = {23},
  pages   = {138--151},
  year    = {2020},
  doi     = {10.1038/s41593-019-0550-9}
}`,
    },
  ],
  licence: {
    name: "Allen Institute Terms of Use",
    terms:
      "Allen Institute data: Allen Institute Terms of Use (https://alleninstitute.org/terms-of-use/) and citation policy — free reuse with attribution (check the current terms before redistribution). The extracting repository has no licence file. Use inside this project with attribution.",
  },
  source: {
    repository: "psailamul/Allen_Brain_Observatory",
    commit: COMMIT,
    fullDataset:
      "Allen Brain Observatory, Visual Coding 2-photon, experiment container 511510667 (sessions A/B/C = experiments 501574836, 501498760, 501773889), via AllenSDK BrainObservatoryCache or http://observatory.brain-map.org/visualcoding/",
  },
  files: FILES.map(([name, bytes, sha256, description]) => ({
    name,
    url: `${base}/${name}`,
    sha256,
    bytes,
    format: name.endsWith(".npy") ? "NumPy .npy v1, float64" : "text",
    description,
  })),
  groundTruth: {
    variable: "identity (0–117) and pixels (31 × 31) of the natural scene shown",
    description:
      "Responses are AllenSDK mean_sweep_response statistics (mean ΔF/F in percent over the response window after each 250 ms flash), averaged over ≈ 50 presentations.",
  },
  preprocessing: {
    version: 1,
    description:
      "Scenes are returned as uint8 [118 × 31 × 31] (the files' integer grey levels); the train and test response rows are put back in scene order (each split row is matched to its scene by exact pixel equality) as float64 [118 × 212], with the author's test split kept as a flag.",
  },
});
