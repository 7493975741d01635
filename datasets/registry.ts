// Every dataset source, one line each: a folder datasets/<domain>/<id>/ whose source.ts lists the task datasets it
// feeds. Adding one: create the folder (source.ts, README.md, tests) and add its line here. The dataset list and the
// recording list are derived from these.
import type { RecordingCard } from "../harness/data.ts";
import type { DatasetSource } from "../harness/source.ts";
import type { DatasetDefinition } from "../harness/types.ts";
import { source as compiledCircuits } from "./artificial/compiled-circuits/source.ts";
import { source as factorNetwork } from "./artificial/factor-network/source.ts";
import { source as inductionHeads } from "./artificial/induction-heads/source.ts";
import { source as mnistMlp } from "./artificial/mnist-mlp/source.ts";
import { source as modularAddition } from "./artificial/modular-addition/source.ts";
import { source as rnnFlipFlop } from "./artificial/rnn-flip-flop/source.ts";
import { source as rnnHeadDirection } from "./artificial/rnn-head-direction/source.ts";
import { source as seedTwins } from "./artificial/seed-twins/source.ts";
import { source as torusNetwork } from "./artificial/torus-network/source.ts";
import { source as toySuperposition } from "./artificial/toy-superposition/source.ts";
import { source as trainedMlp } from "./artificial/trained-mlp/source.ts";
import { source as fmriHaxby2001 } from "./biological/fmri_haxby2001_subj1_slice/source.ts";
import { source as hdPeyrache2015 } from "./biological/hd_peyrache2015_adn/source.ts";
import { source as humanMtlZheng2022 } from "./biological/human_mtl_zheng2022_boundaries/source.ts";
import { source as m1Dyer2017 } from "./biological/m1_reaching_dyer2017_dad/source.ts";
import { source as placeCellsTampuu2019 } from "./biological/place_cells_tampuu2019_openfield/source.ts";
import { source as v1AllenNaturalScenes } from "./biological/v1_allen_natural_scenes_cux2/source.ts";
import { source as benchmarkManifolds } from "./synthetic/benchmark-manifolds/source.ts";
import { source as capacityManifolds } from "./synthetic/capacity-manifolds/source.ts";
import { source as dynamicalSystems } from "./synthetic/dynamical-systems/source.ts";
import { source as mixedSelectivity } from "./synthetic/mixed-selectivity/source.ts";
import { source as neuralEmbedding } from "./synthetic/neural-embedding/source.ts";
import { source as neuralManifolds } from "./synthetic/neural-manifolds/source.ts";
import { source as plantedCircuits } from "./synthetic/planted-circuits/source.ts";
import { source as sparseLinear } from "./synthetic/sparse-linear/source.ts";
import { source as transformedLayers } from "./synthetic/transformed-layers/source.ts";
import { source as tuningCurves } from "./synthetic/tuning-curves/source.ts";

export const SOURCES: readonly DatasetSource[] = [
  sparseLinear,
  mixedSelectivity,
  tuningCurves,
  transformedLayers,
  capacityManifolds,
  plantedCircuits,
  benchmarkManifolds,
  neuralEmbedding,
  neuralManifolds,
  toySuperposition,
  rnnHeadDirection,
  rnnFlipFlop,
  mnistMlp,
  factorNetwork,
  torusNetwork,
  seedTwins,
  trainedMlp,
  compiledCircuits,
  modularAddition,
  inductionHeads,
  hdPeyrache2015,
  placeCellsTampuu2019,
  m1Dyer2017,
  fmriHaxby2001,
  v1AllenNaturalScenes,
  humanMtlZheng2022,
  dynamicalSystems,
];

/** Every task dataset, in source order. */
export const DATASETS: readonly DatasetDefinition[] = SOURCES.flatMap((s) => s.datasets);

/** Every real recording's card, catalogued ones too (`npx cajal datasets fetch` downloads any of them). */
export const RECORDINGS: readonly RecordingCard[] = SOURCES.flatMap((s) => (s.card ? [s.card] : []));
