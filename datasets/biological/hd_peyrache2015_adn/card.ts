// Card of the head-direction recording (Peyrache et al. 2015): facts from ../shared/datasets/hd_peyrache2015_adn/PROVENANCE.md.
import { defineRecordingCard } from "../../../harness/data.ts";

const COMMIT = "0d621093f5c7a50285de72aa4e470ce28634a472";

export const hdPeyrache2015Card = defineRecordingCard({
  id: "hd_peyrache2015_adn",
  title: "Head-direction cells, mouse anterodorsal thalamus (Peyrache et al. 2015)",
  species: "mouse",
  area: "anterodorsal thalamic nucleus (ADn)",
  modality: "extracellular spikes (silicon probe), 19 head-direction cells binned at 10 ms",
  citations: [
    {
      text: "Peyrache A, Lacroix MM, Petersen PC, Buzsáki G (2015). Internally organized mechanisms of the head direction sense. Nature Neuroscience 18:569–575. doi:10.1038/nn.3968",
      doi: "10.1038/nn.3968",
      bibtex: `@article{peyrache2015internally,
  author  = {Peyrache, Adrien and Lacroix, Marie M. and Petersen, Peter C. and Buzs{\\'a}ki, Gy{\\"o}rgy},
  title   = {Internally organized mechanisms of the head direction sense},
  journal = {Nature Neuroscience},
  volume  = {18},
  pages   = {569--575},
  year    = {2015},
  doi     = {10.1038/nn.3968}
}`,
    },
    {
      text: "Peyrache A, Petersen P, Buzsáki G (2015). Extracellular recordings from multi-site silicon probes in the anterior thalamus and subicular formation of freely moving mice. CRCNS.org. doi:10.6080/K0G15XS1",
      doi: "10.6080/K0G15XS1",
      bibtex: `@misc{peyrache2015crcnsth1,
  author       = {Peyrache, Adrien and Petersen, Peter and Buzs{\\'a}ki, Gy{\\"o}rgy},
  title        = {Extracellular recordings from multi-site silicon probes in the anterior thalamus and subicular formation of freely moving mice},
  howpublished = {CRCNS.org},
  year         = {2015},
  doi          = {10.6080/K0G15XS1}
}`,
    },
  ],
  licence: {
    name: "No licence file in the extracting repository; underlying recordings published on DANDI (000056, CC-BY-4.0 or CC0) and CRCNS (th-1, CRCNS terms of use)",
    terms:
      "The Class-Decoding repository has no licence file. The underlying recordings are published openly on DANDI (000056; DANDI only accepts CC-BY-4.0 or CC0 — check the dandiset page) and on CRCNS (th-1, CRCNS terms of use). Treat as: free for research with attribution; cite the paper below. Not redistributed outside this project's shared/ folder.",
  },
  source: {
    repository: "PeyracheLab/Class-Decoding",
    commit: COMMIT,
    fullDataset:
      "DANDI:000056 https://dandiarchive.org/dandiset/000056 and CRCNS th-1 https://crcns.org/data-sets/thalamus/th-1 (doi:10.6080/K0G15XS1); the repository does not say which session this extract comes from",
  },
  files: [
    {
      name: "dataHD.mat",
      url: `https://github.com/PeyracheLab/Class-Decoding/raw/${COMMIT}/dataHD.mat`,
      sha256: "4cadf140878e97587631dd343b6a861329e89e9e9d59a7b6a10f23c1d162e62e",
      bytes: 1997967,
      format: "MATLAB 5.0 (Level 5) MAT-file, zlib-compressed variables",
      description:
        "Qrun (212078 × 19 spike counts per 10 ms bin, wake), angRun (212078 × 2: tracking timestamp in s, head direction in rad), Qrem (97600 × 19, REM sleep), Qsws (870900 × 19, slow-wave sleep), hdTuning (61 × 20: angle, 19 tuning curves in Hz), prefHD (19 × 1, rad)",
    },
  ],
  groundTruth: {
    variable: "head direction (rad, [0, 2π)) for every 10 ms bin of wake exploration",
    description:
      "The animal's head direction from video tracking (39.0625 Hz, assigned to 10 ms bins). The population lies on a ring during wake and REM sleep (d* = 1, Betti numbers 1, 1, 0); REM and SWS have no behavioural variable.",
  },
  preprocessing: {
    version: 1,
    description:
      "None beyond the upstream extract: counts are returned as stored (uint8, row-major [bins × cells]); angRun is split into its timestamp and angle columns; wake bins are grouped into segments of continuous tracking, a new segment starting wherever consecutive timestamps are more than 0.1 s apart (112 such gaps mark excluded periods). SWS counts are not loaded unless asked for.",
  },
});
