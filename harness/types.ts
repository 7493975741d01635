// Core contracts shared by tasks, datasets, methods, the runner and the site.

import type { z } from "zod";
import type { GpuAssignment, GpuUsage } from "./gpu.ts";
import type { Rng } from "./rng.ts";

export const DOMAINS = ["synthetic", "artificial", "biological"] as const;
export type Domain = (typeof DOMAINS)[number];

export const SPLITS = ["dev", "official", "private"] as const;
export type Split = (typeof SPLITS)[number];

/** Outcome of one instance, exactly as PROTOCOL.md names them. */
export const OUTCOMES = ["ok", "invalid-output", "error", "timeout"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type RunStatus = "queued" | "running" | Outcome;

export type DType = "float32" | "float64" | "int32";
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** A dense, C-ordered n-dimensional array. */
export interface NdArray {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One problem with hidden ground truth, deterministic in (dataset, version, split, index). */
export interface Instance {
  /** e.g. "sparse-linear/official/3" */
  key: string;
  index: number;
  seed: number;
  params: Record<string, JsonValue>;
  inputs: Record<string, NdArray>;
  /** JSON documents given to the method next to the arrays, written as `<name>.json` (e.g. T6's `network`). */
  jsonInputs?: Record<string, JsonValue>;
  truth: Record<string, NdArray>;
  /** Generator settings of this instance (regime), shown with per-instance results. */
  meta: Record<string, JsonValue>;
}

/** What a dataset's generator returns; the harness adds key, index and seed. */
export type GeneratedInstance = Omit<Instance, "key" | "index" | "seed">;

export interface ArrayInputSpec {
  kind: "array";
  dtype: "float32" | "int32";
  /** Symbolic dimensions ("n", "d") or fixed sizes; documentation of the contract. */
  dims: (string | number)[];
  description: string;
}

export interface JsonInputSpec {
  kind: "json";
  description: string;
}

export interface ArrayOutputSpec {
  kind: "array";
  dims: (string | number)[];
  description: string;
}

export interface JsonOutputSpec {
  kind: "json";
  /** Keys the result.json object must have, each a finite number… */
  keys: string[];
  /** …except those listed here, which hold an array of exactly this many finite numbers (T4's betti). */
  lengths?: Record<string, number>;
  description: string;
}

export type OutputSpec = ArrayOutputSpec | JsonOutputSpec;

/** Method outputs: arrays by name, or plain JSON objects for JSON outputs. */
export type MethodOutputs = Record<string, NdArray | Record<string, JsonValue>>;

export interface InstanceScore {
  /** The task's mainScore for this instance (higher is better). */
  main: number;
  metrics: Record<string, number>;
}

export interface TaskDefinition {
  id: string;
  /** Changes only when scores would change; results are keyed by it. */
  version: number;
  title: string;
  question: string;
  description: string;
  mainScore: { id: string; label: string; min: number; max: number };
  metrics: { id: string; label: string }[];
  paramsSchema: z.ZodType<Record<string, JsonValue>>;
  /**
   * Declared inputs. Instances may carry further arrays whose names follow a documented pattern
   * (T5's a0…a{L-1}); declared ones must always be present with the declared dtype.
   */
  inputs: Record<string, ArrayInputSpec | JsonInputSpec>;
  outputs: Record<string, OutputSpec>;
  truth: Record<string, ArrayInputSpec>;
  /** Concrete output shapes for one instance (-1 = any length). */
  outputShapes(instance: Instance): Record<string, number[]>;
  /** Score validated outputs against the instance's truth. */
  score(instance: Instance, outputs: MethodOutputs): InstanceScore;
  /** Domains where no dataset can have ground truth yet, with the reason shown on the site (T6: biological). */
  noGroundTruth?: Partial<Record<Domain, string>>;
  /** The `oracle` reference: outputs read off the ground truth (scores at the ceiling). */
  oracle(instance: Instance): MethodOutputs;
  /** The `random` reference: chance-level outputs of the right shape from `rng`. */
  random(instance: Instance, rng: Rng): MethodOutputs;
  /** Trivial answers every real method must beat; the floor references (methods of kind "floor") call these. */
  floors: TaskFloors;
}

/**
 * The strongest trivial answers of a task (issue 10). The normalized score puts its 0 at the best of `random` and
 * the floor references built on these, so "normalized > 0" means "better than any shortcut".
 */
export interface TaskFloors {
  /**
   * The single answer that scores best over `truths` (the truths of a set of instances of one dataset and split),
   * shaped for `instance`. The `floor-constant` reference gives it every truth of the split; `floor-shape` gives it
   * the truths of the instances whose input shapes and params are nearest to this one's (leave-one-out).
   */
  bestConstant(truths: readonly Record<string, NdArray>[], instance: Instance): MethodOutputs;
  /** The task's natural one-line shortcut (T1: k random data rows; T5: order parts within one system; T6: activation spread × outgoing weight norm), or null where the task has none beyond the others. */
  shortcut: ((instance: Instance, rng: Rng) => MethodOutputs) | null;
}

/** A small plot of a dataset for its page: lines (e.g. tuning curves) or points (e.g. a position trace). */
export interface DatasetPreview {
  title: string;
  kind: "lines" | "points";
  xLabel: string;
  yLabel: string;
  series: { name: string; x: number[]; y: number[] }[];
  caption?: string;
}

/** What a dataset page shows about a real recording (the card in datasets/biological/<recording>/card.ts). */
export interface DatasetCardView {
  id: string;
  title: string;
  species: string;
  area: string;
  modality: string;
  citation: string;
  doi?: string;
  bibtex: string;
  licence: string;
  groundTruth: string;
  preprocessing: string;
  preprocessingVersion: number;
  files: { name: string; url: string; sha256: string; bytes: number }[];
}

/**
 * A trained network behind artificial datasets: a versioned, seeded training script whose output file is pinned by
 * its sha256 (harness/artifacts.ts builds, checks and loads it).
 */
export interface ArtifactRecipe {
  /** File stem and unique id, e.g. "rnn-head-direction". */
  id: string;
  /** Bumped whenever the recipe changes what it builds (its pinned sha256 then changes too). */
  version: number;
  title: string;
  /** sha256 (hex) of the file the recipe builds on the wasm backend; pinned, so datasets hash it. */
  sha256: string;
  /** Rough build time on a 2-core machine, shown before training starts. */
  estimatedSeconds: number;
  /**
   * Train and return the tensors and metadata (the network's own task performance, e.g. test accuracy).
   * Must be deterministic: fixed seeds, no wall-clock values in the metadata.
   */
  build(log: (message: string) => void): Promise<{ tensors: Record<string, NdArray>; metadata: Record<string, JsonValue> }>;
}

export interface DatasetDefinition {
  /** Results are keyed by (task, slug, version); the folder is its source's (harness/source.ts). */
  slug: string;
  task: string;
  version: number;
  title: string;
  domain: Domain;
  description: string;
  /** Number of instances per split. */
  sizes: Record<Split, number>;
  /** Generator settings, stored with the dataset version and hashed. */
  config: Record<string, JsonValue>;
  /** Trained networks the generator reads (artificial datasets); their pinned sha256s belong in `config`. */
  artifacts?: readonly ArtifactRecipe[];
  /** Real recordings: the card shown on the dataset page (licence, citation, original files). */
  card?: DatasetCardView;
  /**
   * Why the dataset cannot be generated here (e.g. a recording's files are not in the data cache), or null.
   * Unavailable datasets are skipped by the default suite and registration, with this reason printed.
   */
  unavailable?(): string | null;
  /** A small plot of the data for the dataset page, computed once per dataset version. */
  preview?(): DatasetPreview;
  generate(split: Split, index: number, seed: number): GeneratedInstance;
}

/** What an out-of-process method reports about one instance (process-tree resources, output tail). */
export interface MethodUsage {
  cpuMs?: number;
  peakRssMb?: number;
  /** Last 64 KiB of the method's stdout/stderr. */
  log?: string;
  /** Wall time of the method itself (excluding harness work), when measured separately. */
  wallMs?: number;
  /** What the method's GPU did (PROTOCOL 1.1), when it had one. */
  gpu?: GpuUsage;
}

/**
 * Thrown by a method's run() to end an instance with a specific PROTOCOL.md outcome (any other
 * exception is an `error`). External methods use it for timeouts and invalid outputs.
 */
export class MethodFailure extends Error {
  override name = "MethodFailure";
  constructor(
    readonly outcome: "invalid-output" | "error" | "timeout",
    message: string,
    readonly log?: string,
  ) {
    super(message);
  }
}

export interface MethodContext {
  task: string;
  params: Record<string, JsonValue>;
  inputs: Record<string, NdArray>;
  jsonInputs?: Record<string, JsonValue>;
  /** Required output shapes (from the task), as given to external methods in task.json. */
  outputShapes: Record<string, number[]>;
  seed: number;
  /** Only for reference methods that declare `readsTruth` (the oracle). */
  truth?: Record<string, NdArray>;
  /** Only for methods that declare `readsSplitTruths` (the floor references): every instance of the same dataset and split. */
  splitTruths?: readonly SplitTruth[];
  /** The task definition and instance, for methods that need the full contract (external methods write task.json). */
  taskDefinition?: TaskDefinition;
  instance?: Instance;
  /** Out-of-process methods report their process tree's resources and output here. */
  report?(usage: MethodUsage): void;
  /** The GPU a queue worker's GPU slot assigned to this instance (PROTOCOL 1.1); only methods that ask for one use it. */
  gpu?: GpuAssignment;
}

/** What a method that declares `readsSplitTruths` knows about one instance of its split (never the inputs). */
export interface SplitTruth {
  /** The harness's own key ("dataset/split/index"); methods are given the opaque id of their instance as its key. */
  key: string;
  /** Opaque id of the instance, as methods see it (`MethodContext.instance.key`, task.json's `instance`). */
  id: string;
  /** Shapes of the instance's array inputs, by name. */
  shapes: Record<string, number[]>;
  params: Record<string, JsonValue>;
  truth: Record<string, NdArray>;
}

export interface MethodDefinition {
  id: string;
  version: string;
  name: string;
  /** reference: oracle and random (the normalization); floor: trivial answers shown as rows to beat, never ranked. */
  kind: "baseline" | "reference" | "floor" | "external";
  description: string;
  url?: string;
  tasks: string[];
  /** Content hash of the method's source; built-ins default to a hash of methods/<id>/. */
  sourceHash?: string;
  /** The oracle reads ground truth: it is dev-only and never ranked. */
  readsTruth?: boolean;
  /** Floor references read the truths, input shapes and params of every instance of the split (`MethodContext.splitTruths`). */
  readsSplitTruths?: boolean;
  /** Chance-like methods: the runner scores this many draws (seeds) per instance and records their mean (random: 8). */
  draws?: number;
  /** Instances may run concurrently (external processes); in-process TypeScript methods run one at a time. */
  concurrent?: boolean;
  /** Recorded on the run, e.g. that an external method ran without the sandbox. */
  notes?: string[];
  run(ctx: MethodContext): Promise<MethodOutputs>;
}
