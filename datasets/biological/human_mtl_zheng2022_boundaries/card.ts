// Card of the human MTL single-neuron session (Zheng et al. 2022): facts from
// ../shared/datasets/human_mtl_zheng2022_boundaries/PROVENANCE.md. No loader yet (NWB = HDF5; see README).
import { defineRecordingCard } from "../../../harness/data.ts";

const COMMIT = "fc60ebef758d7a0789d7b4dcd0965aaa8f4f477d";

export const humanMtlZheng2022Card = defineRecordingCard({
  id: "human_mtl_zheng2022_boundaries",
  title: "Human hippocampus/amygdala single neurons during movie clips with cognitive boundaries (Zheng et al. 2022), one session",
  species: "human (epilepsy patient, subject 4, session 4)",
  area: "right hippocampus (25 units) and right amygdala (10 units)",
  modality: "intracranial single-unit spike times (35 sorted units), NWB 2.4.0",
  citations: [
    {
      text: "Zheng J, Schjetnan AGP, Yebra M, Mosher C, Kalia S, Valiante TA, Mamelak AN, Kreiman G, Rutishauser U (2022). Neurons detect cognitive boundaries to structure episodic memories in humans. Nature Neuroscience 25:358–368 (author list as given in the NWB file's related_publications; the published paper may list more authors — check).",
      doi: "10.1038/s41593-022-01020-w",
      bibtex: `@article{zheng2022neurons,
  author  = {Zheng, Jie and Schjetnan, Andrea G. P. and Yebra, Mar and Mosher, Clayton and Kalia, Suneil and Valiante, Taufik A. and Mamelak, Adam N. and Kreiman, Gabriel and Rutishauser, Ueli},
  title   = {Neurons detect cognitive boundaries to structure episodic memories in humans},
  journal = {Nature Neuroscience},
  volume  = {25},
  pages   = {358--368},
  year    = {2022},
  doi     = {10.1038/s41593-022-01020-w}
}`,
    },
  ],
  licence: {
    name: "DANDI:000207 (CC-BY-4.0 or CC0)",
    terms:
      "DANDI archive data are released under CC-BY-4.0 or CC0 (the only two licences DANDI accepts; check the dandiset page for which). Cite the paper. (The pynacollada repository itself is GPL-3.0 for its code.)",
  },
  source: {
    repository: "PeyracheLab/pynacollada",
    commit: COMMIT,
    fullDataset:
      "DANDI:000207, asset sub-4/sub-4_ses-4_ecephys+image.nwb, https://dandiarchive.org/dandiset/000207 (`dandi download DANDI:000207`); example code: https://github.com/rutishauserlab/cogboundary-zheng",
  },
  files: [
    {
      name: "sub-4_ses-4_ecephys+image.nwb",
      url: `https://github.com/PeyracheLab/pynacollada/raw/${COMMIT}/pynacollada/archive/Pynapple%20Paper%20Figures/Zheng%202022/000207/sub-4/sub-4_ses-4_ecephys%2Bimage.nwb`,
      sha256: "1f6d811347d83d9693ce824bded9d73f5c88d8542e78069211da52381153f046",
      bytes: 2070173,
      format: "NWB 2.4.0 (HDF5)",
      description:
        "units/spike_times + spike_times_index (214278 spike times of 35 units), units/electrodes → electrode locations, intervals/encoding_table (90 clips: start/stop, fixation cross, boundary1/2/3_time, stimCategory 0 NB / 1 SB / 2 HB), intervals/recognition_table (180 trials: boundary_type, old_new, stimuli_type, accuracy, confidence, RT), intervals/timediscrimination_table, acquisition/events (TTL codes)",
    },
  ],
  groundTruth: {
    variable: "boundary type of each encoding clip (no, soft or hard boundary) and the old/new memory outcome of each recognition trial",
    description:
      "stimCategory is stored as 0/1/2 although its NWB description says 1/2/3; the clip names (NB_/SB_/HB_ prefixes) confirm 0 = NB, 1 = SB, 2 = HB (30 clips each).",
  },
  preprocessing: {
    version: 1,
    description: "No loader yet: reading the NWB file needs an HDF5 reader (h5wasm is the candidate). Not used by any task.",
  },
});
