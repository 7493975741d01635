// Card of the Haxby et al. 2001 fMRI slice (PyMVPA example data): facts from
// ../shared/datasets/fmri_haxby2001_subj1_slice/PROVENANCE.md.
import { defineRecordingCard } from "../../../harness/data.ts";

const COMMIT = "20f0335f98bbb59a0e11bc0b7a469edf8681a9a1";
const base = `https://github.com/PyMVPA/PyMVPA/raw/${COMMIT}/mvpa2/data`;

/** Category of each label code (PROVENANCE.md; attributes_literal.txt agrees). */
export const HAXBY_LABELS = ["rest", "face", "house", "shoe", "cat", "scissors", "scrambledpix", "bottle", "chair"] as const;

export const fmriHaxbyCard = defineRecordingCard({
  id: "fmri_haxby2001_subj1_slice",
  title: "Human fMRI, ventral-visual object categories (Haxby et al. 2001), subject 1, one axial slice (PyMVPA example data)",
  species: "human",
  area: "posterior half of one axial slice through ventral temporal cortex (530 in-mask voxels)",
  modality: "BOLD fMRI, TR 2.5 s, 12 runs × 121 volumes, block design",
  citations: [
    {
      text: "Haxby JV, Gobbini MI, Furey ML, Ishai A, Schouten JL, Pietrini P (2001). Distributed and overlapping representations of faces and objects in ventral temporal cortex. Science 293:2425–2430.",
      doi: "10.1126/science.1063736",
      bibtex: `@article{haxby2001distributed,
  author  = {Haxby, James V. and Gobbini, M. Ida and Furey, Maura L. and Ishai, Alumit and Schouten, Jennifer L. and Pietrini, Pietro},
  title   = {Distributed and overlapping representations of faces and objects in ventral temporal cortex},
  journal = {Science},
  volume  = {293},
  pages   = {2425--2430},
  year    = {2001},
  doi     = {10.1126/science.1063736}
}`,
    },
    {
      text: "Hanke M, Halchenko YO, Sederberg PB, et al. (2009). PyMVPA: a Python toolbox for multivariate pattern analysis of fMRI data. Neuroinformatics 7:37–53.",
      doi: "10.1007/s12021-008-9041-y",
      bibtex: `@article{hanke2009pymvpa,
  author  = {Hanke, Michael and Halchenko, Yaroslav O. and Sederberg, Per B. and others},
  title   = {{PyMVPA}: a {Python} toolbox for multivariate pattern analysis of {fMRI} data},
  journal = {Neuroinformatics},
  volume  = {7},
  pages   = {37--53},
  year    = {2009},
  doi     = {10.1007/s12021-008-9041-y}
}`,
    },
  ],
  licence: {
    name: "CC BY-SA 3.0",
    terms:
      "PyMVPA's data page (doc/source/datadb/haxby2001.rst): \"The original authors of Haxby et al. (2001) hold the copyright of this dataset and made it available under the terms of the Creative Commons Attribution-Share Alike 3.0 license.\" Share-alike: derived data (our converted copy) carries the same licence. (PyMVPA's code is MIT.)",
  },
  source: {
    repository: "PyMVPA/PyMVPA",
    commit: COMMIT,
    fullDataset:
      "http://data.pymvpa.org/datasets/haxby2001/ (6 subjects, whole brain 40×64×64, VT/face/house masks; also fetched by nilearn's fetch_haxby)",
  },
  files: [
    {
      name: "bold.nii.gz",
      url: `${base}/bold.nii.gz`,
      sha256: "cbbd4d07803caaa9f77381af24e790cf77058664a128bd514a4c1668eefb92d7",
      bytes: 1311329,
      format: "NIfTI-1, gzip",
      description:
        "int16, shape (40, 20, 1, 1452): x × y × z × volume; voxel 3.1 × 3.75 × 3.75 mm (pixdim as stored), TR 2.5 s; raw, not detrended",
    },
    {
      name: "mask.nii.gz",
      url: `${base}/mask.nii.gz`,
      sha256: "8d879d35aaeee3afddfb69a7e1b8dd2b3be446671452d7e841dc6588845f2877",
      bytes: 197,
      format: "NIfTI-1, gzip",
      description: "int16 (40, 20, 1), 530 voxels = 1",
    },
    {
      name: "attributes.txt",
      url: `${base}/attributes.txt`,
      sha256: "a252fa822cd1cec9e1192b139d7b5e35a5615dbe75598f73d4cf1b803aae62b0",
      bytes: 6050,
      format: "text, 1452 lines",
      description: '"label chunk": numeric label 0–8 and run 0–11 per volume',
    },
    {
      name: "attributes_literal.txt",
      url: `${base}/attributes_literal.txt`,
      sha256: "7769f235e93d3157ef7bd1102abfaf3bc058ad9ca28e89dc60b8e47f473207c3",
      bytes: 12026,
      format: "text, 1452 lines",
      description: '"label chunk" with literal label names',
    },
  ],
  groundTruth: {
    variable:
      "stimulus category of each volume (0 rest, 1 face, 2 house, 3 shoe, 4 cat, 5 scissors, 6 scrambledpix, 7 bottle, 8 chair) and its run",
    description: "Classic block design: 12 runs × 121 volumes; rest 588 volumes, each object category 108. Decoding splits by run (chunk).",
  },
  preprocessing: {
    version: 1,
    description:
      "None: raw BOLD (not detrended, not z-scored). The volume series is returned as stored (int16, [1452 volumes × 20 y × 40 x], the NIfTI voxel order) and restricted to the 530 mask voxels (float32, [1452 × 530], voxels in row-major (y, x) order), with the NIfTI scaling applied when scl_slope is set (it is not: slope 1). Labels and runs come from attributes.txt, checked line by line against attributes_literal.txt.",
  },
});
