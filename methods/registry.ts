// Every built-in method, one line each. Adding a method: create methods/<id>/ and add its line here.
import type { MethodDefinition } from "../harness/types.ts";
import { TASKS } from "../tasks/registry.ts";
import { ablation } from "./ablation/method.ts";
import { activationPatching } from "./activation-patching/method.ts";
import { attributionPatching } from "./attribution-patching/method.ts";
import { capacityPca } from "./capacity-pca/method.ts";
import { capacitySimulation } from "./capacity-simulation/method.ts";
import { correlation } from "./correlation/method.ts";
import { correlationDimensionMethod } from "./correlation-dimension/method.ts";
import { dictionaryLearning } from "./dictionary-learning/method.ts";
import { fastica } from "./fastica/method.ts";
import { floorConstant } from "./floor-constant/method.ts";
import { floorShape } from "./floor-shape/method.ts";
import { floorShortcut } from "./floor-shortcut/method.ts";
import { gradXActivation } from "./grad-x-activation/method.ts";
import { knn } from "./knn/method.ts";
import { ldsEm } from "./lds-em/method.ts";
import { linearCkaMethod } from "./linear-cka/method.ts";
import { mftma } from "./mftma/method.ts";
import { mle } from "./mle/method.ts";
import { mlp } from "./mlp/method.ts";
import { oracle } from "./oracle/method.ts";
import { participationRatioMethod } from "./participation-ratio/method.ts";
import { pca } from "./pca/method.ts";
import { pca90 } from "./pca-90/method.ts";
import { pcaLds } from "./pca-lds/method.ts";
import { persistentHomology } from "./persistent-homology/method.ts";
import { polyDynamics } from "./poly-dynamics/method.ts";
import { populationVector } from "./population-vector/method.ts";
import { procrustes } from "./procrustes/method.ts";
import { random } from "./random/method.ts";
import { rbfCka } from "./rbf-cka/method.ts";
import { ridge } from "./ridge/method.ts";
import { rnnDynamics } from "./rnn-dynamics/method.ts";
import { rsa } from "./rsa/method.ts";
import { saeL1 } from "./sae-l1/method.ts";
import { saeTopk } from "./sae-topk/method.ts";
import { forTasks } from "./shared/references.ts";
import { spikeSmoothing } from "./spike-smoothing/method.ts";
import { svcca } from "./svcca/method.ts";
import { twonn } from "./twonn/method.ts";

// The references and floors work through the task definition they are given: they apply to every registered task
// that supports them, listed here so that they import no task themselves.
export const METHODS: readonly MethodDefinition[] = [
  forTasks(oracle, TASKS),
  forTasks(random, TASKS),
  forTasks(floorConstant, TASKS),
  forTasks(floorShape, TASKS),
  forTasks(floorShortcut, TASKS),
  pca,
  fastica,
  dictionaryLearning,
  saeL1,
  saeTopk,
  ridge,
  knn,
  mlp,
  populationVector,
  linearCkaMethod,
  rbfCka,
  rsa,
  svcca,
  procrustes,
  correlation,
  gradXActivation,
  ablation,
  activationPatching,
  attributionPatching,
  pca90,
  participationRatioMethod,
  twonn,
  mle,
  correlationDimensionMethod,
  persistentHomology,
  mftma,
  capacitySimulation,
  capacityPca,
  pcaLds,
  polyDynamics,
  spikeSmoothing,
  ldsEm,
  rnnDynamics,
];
