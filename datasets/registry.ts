// Every dataset, one line each. Adding a dataset: create datasets/<slug>/ and add its line here.
import type { DatasetDefinition } from "../harness/types.ts";
import { benchmarkManifolds } from "./benchmark-manifolds/dataset.ts";
import { factorNetwork } from "./factor-network/dataset.ts";
import { haxbyCategoryDecoding } from "./fmri_haxby2001_subj1_slice/datasets.ts";
import { hdDecoding, hdRemDimension, hdRemTopology, hdWakeDimension, hdWakeTopology, hybridHd } from "./hd_peyrache2015_adn/datasets.ts";
import { m1CrossSessionEpochs, m1VelocityDecoding } from "./m1_reaching_dyer2017_dad/datasets.ts";
import { hybridM1 } from "./m1_reaching_dyer2017_dad/hybrid.ts";
import { mixedSelectivity } from "./mixed-selectivity/dataset.ts";
import { mnistMlp } from "./mnist-mlp/dataset.ts";
import { neuralEmbeddingDataset } from "./neural-embedding/dataset.ts";
import { neuralManifolds } from "./neural-manifolds/dataset.ts";
import { placeCellsDimension, placeCellsPositionDecoding, placeCellsTopology } from "./place_cells_tampuu2019_openfield/datasets.ts";
import { hybridPlaceCells } from "./place_cells_tampuu2019_openfield/hybrid.ts";
import { plantedCircuits } from "./planted-circuits/dataset.ts";
import { rnnHeadDirectionDecoding, rnnHeadDirectionDimension, rnnHeadDirectionTopology } from "./rnn-head-direction/dataset.ts";
import { seedTwins } from "./seed-twins/dataset.ts";
import { sparseLinear } from "./sparse-linear/dataset.ts";
import { torusNetwork } from "./torus-network/dataset.ts";
import { toySuperposition } from "./toy-superposition/dataset.ts";
import { trainedMlp } from "./trained-mlp/dataset.ts";
import { transformedLayers } from "./transformed-layers/dataset.ts";
import { tuningCurves } from "./tuning-curves/dataset.ts";

export const DATASETS: readonly DatasetDefinition[] = [
  sparseLinear,
  toySuperposition,
  mixedSelectivity,
  tuningCurves,
  transformedLayers,
  plantedCircuits,
  benchmarkManifolds,
  neuralEmbeddingDataset,
  neuralManifolds,
  factorNetwork,
  torusNetwork,
  trainedMlp,
  mnistMlp,
  seedTwins,
  placeCellsPositionDecoding,
  m1VelocityDecoding,
  haxbyCategoryDecoding,
  placeCellsDimension,
  placeCellsTopology,
  m1CrossSessionEpochs,
  hdDecoding,
  hdWakeDimension,
  hdRemDimension,
  hdWakeTopology,
  hdRemTopology,
  hybridHd,
  hybridPlaceCells,
  hybridM1,
  rnnHeadDirectionDecoding,
  rnnHeadDirectionDimension,
  rnnHeadDirectionTopology,
];
