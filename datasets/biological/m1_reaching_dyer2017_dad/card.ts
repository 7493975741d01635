// Card of the motor-cortex reaching recordings (DAD demo data, Dyer et al. 2017): facts from
// ../shared/datasets/m1_reaching_dyer2017_dad/PROVENANCE.md.
import { defineRecordingCard } from "../../../harness/data.ts";

const COMMIT = "2f2059798cf599df5839a704682a18958811e13b";

export const m1Dyer2017Card = defineRecordingCard({
  id: "m1_reaching_dyer2017_dad",
  title: "Monkey motor cortex during centre-out reaching (DAD demo data, Dyer et al. 2017; Miller lab recordings)",
  species: "rhesus macaque (2 monkeys: M = Mihi, C = Chewie)",
  area: "primary motor cortex (M1)",
  modality: "multi-electrode array spikes, binned: firing rates (Mihi, Hz) or spike counts (Chewie), two sessions per monkey",
  citations: [
    {
      text: "Dyer EL, Gheshlaghi Azar M, Perich MG, Fernandes HL, Naufel S, Miller LE, Körding KP (2017). A cryptography-based approach for movement decoding. Nature Biomedical Engineering 1:967–976. doi:10.1038/s41551-017-0169-7",
      doi: "10.1038/s41551-017-0169-7",
      bibtex: `@article{dyer2017cryptography,
  author  = {Dyer, Eva L. and Gheshlaghi Azar, Mohammad and Perich, Matthew G. and Fernandes, Hugo L. and Naufel, Stephanie and Miller, Lee E. and K{\\"o}rding, Konrad P.},
  title   = {A cryptography-based approach for movement decoding},
  journal = {Nature Biomedical Engineering},
  volume  = {1},
  pages   = {967--976},
  year    = {2017},
  doi     = {10.1038/s41551-017-0169-7}
}`,
    },
  ],
  licence: {
    name: "Not stated",
    terms:
      'Not stated (no LICENSE file). README: "If you use any of the datasets and/or code in this repository, please cite this paper." Treat as research use with attribution, inside this project only.',
  },
  source: {
    repository: "KordingLab/DAD",
    commit: COMMIT,
    fullDataset:
      "the authors' full data (more sessions and subjects), linked from the repository README: https://www.dropbox.com/s/nrgnte5m34xb18n/DAD-data-10-21-2017.zip?dl=0",
  },
  files: [
    {
      name: "mihi_demo.mat",
      url: `https://github.com/KordingLab/DAD/raw/${COMMIT}/data/demo/mihi_demo.mat`,
      sha256: "907bc78863d9488ef352eaad8af8296bc28484d5a49591309b1c8576c6009f8c",
      bytes: 105990,
      format: "MATLAB 5.0 (Level 5) MAT-file",
      description:
        "Subject M: Ytr 623 × 174 and Yte 803 × 187 firing rates (Hz; multiples of 5, i.e. counts in 200 ms bins / 0.2 s), Xtr/Xte hand velocity (vx, vy), Ttr/Tte target class (values 3, 4, 5, 7); tr and te are different sessions with different neurons",
    },
    {
      name: "chewie_demo.mat",
      url: `https://github.com/KordingLab/DAD/raw/${COMMIT}/data/demo/chewie_demo.mat`,
      sha256: "170c7db01cfa790de9e8700dfbdf3050b23c5f907131fdcfa3ae99e1c3ed3d32",
      bytes: 78391,
      format: "MATLAB 5.0 (Level 5) MAT-file",
      description:
        "Subject C: Ytr 1200 × 71 and Yte 1818 × 71 spike counts per bin (bin width not stated), Xtr/Xte hand velocity, Ttr/Tte target class (values 0–3); te is a second session with the same 71 channels",
    },
  ],
  groundTruth: {
    variable: "hand velocity (vx, vy) per time bin, and the reach-target class of the trial",
    description:
      "Velocity units are not stated (cm/s assumed; |v| ≤ ~30). The target index is the position of the trial's target angle in the sorted list of target angles used when the file was built; only 4 of the 8 reach directions are present in each file.",
  },
  preprocessing: {
    version: 1,
    description:
      "Arrays are returned as stored (activity as float64, row-major [bins × neurons]; velocity float64 [bins × 2]; target uint8). The files concatenate the bins of many trials without trial boundaries, so the loader segments them (rules checked against the velocity traces): a trial starts at every change of target class; for Mihi also wherever the speed |v| jumps by more than 5 from below 5 (movement onset after a stop: gives 74 and 102 trials of 6–11 bins); for Chewie every 31 bins from the start of a constant-target run (all runs are multiples of 31 bins except the first run of the second session, 20 bins, and the last of the first, 22 bins, which are flagged as incomplete trials: 39 and 59 trials).",
  },
});
