// T6 artificial dataset on compiled transformers: RASP programs compiled to weights (rasp/compiler.ts), whose
// scored units are every attention head and MLP neuron. Each instance draws from its seed the program, the
// vocabulary size, the sequence length, the read-out position, a distractor program compiled beside it and the
// order of the units. Beside the program the model also computes an exact copy of its last step (the "shadow") and the distractor, into residual directions nothing reads: their heads and neurons
// are active, and the shadow's are perfectly correlated with the real ones, but ablating them changes nothing.
// Truth: exact single-unit mean ablation on held-out sequences (tasks/causal-attribution/transformer.ts).
import { f32 } from "../../../harness/ndarray.ts";
import { Rng } from "../../../harness/rng.ts";
import { loadTransformer, runSequence, transformerUnits } from "../../../harness/transformer.ts";
import type { DatasetDefinition, GeneratedInstance, JsonValue, NdArray } from "../../../harness/types.ts";
import { buildTransformerInstance, CAUSAL_THRESHOLD } from "../../../tasks/causal-attribution/instance.ts";
import { type TransformerNetworkSpec, unitJson } from "../../../tasks/causal-attribution/transformer.ts";
import { type CompiledProgram, compile, encodeInput } from "./rasp/compiler.ts";
import { PROGRAMS, programById } from "./rasp/programs.ts";
import type { SOp } from "./rasp/rasp.ts";

export const COMPILED_CONFIG = {
  /** Sequences given to the method, and held-out sequences that define the truth (uniform random tokens). */
  n: 96,
  nTruth: 160,
  causalThreshold: CAUSAL_THRESHOLD,
  programs: PROGRAMS.map((p) => p.id),
  vocabSizes: [3, 4, 5],
  lengths: [4, 5],
  /** Distractor programs: the one-layer programs of the library (the larger ones would double the cost). */
  distractors: ["histogram", "count-smaller", "frac-prevs", "prev-sum"],
  attnGain: 100,
};

/** What an instance draws from its seed. */
export interface CompiledRegime {
  program: string;
  distractor: string;
  vocabSize: number;
  length: number;
  /** RASP index of the read-out position (the model's position is one more: BOS comes first). */
  readout: number;
}

export function drawCompiledRegime(rng: Rng): CompiledRegime {
  const ids = COMPILED_CONFIG.programs;
  const program = ids[rng.int(ids.length)] as string;
  const others = COMPILED_CONFIG.distractors.filter((id) => id !== program);
  const distractor = others[rng.int(others.length)] as string;
  const vocabSize = COMPILED_CONFIG.vocabSizes[rng.int(COMPILED_CONFIG.vocabSizes.length)] as number;
  const length = COMPILED_CONFIG.lengths[rng.int(COMPILED_CONFIG.lengths.length)] as number;
  // prev-sum is None at index 0.
  const first = program === "prev-sum" ? 1 : 0;
  const readout = first + rng.int(length - first);
  return { program, distractor, vocabSize, length, readout };
}

/** The compiled model of a regime: the program, its shadow copy and the distractor, with the value read-out. */
export function compileRegime(regime: CompiledRegime): CompiledProgram {
  const vocab = Array.from({ length: regime.vocabSize }, (_, i) => i);
  const output = programById(regime.program).build("", regime.length);
  // The shadow repeats the program's last step on the same intermediate SOps, into dimensions nothing reads.
  const shadow: SOp = { ...output, label: `shadow_${output.label}` };
  const distractor = programById(regime.distractor).build("aux_", regime.length);
  return compile(output, {
    vocab,
    maxLen: regime.length,
    extra: [shadow, distractor],
    attnGain: COMPILED_CONFIG.attnGain,
    readout: "value",
  });
}

/** n random sequences of the regime's length, as token ids with BOS first: [n, length + 1] float32. */
function sequences(rng: Rng, program: CompiledProgram, regime: CompiledRegime, n: number): NdArray {
  const T = regime.length + 1;
  const out = f32([n, T]);
  for (let s = 0; s < n; s++) {
    const input = Array.from({ length: regime.length }, () => rng.int(regime.vocabSize));
    out.data.set(encodeInput(program, input), s * T);
  }
  return out;
}

/** Which SOp each unit computes: "<label> (head)" or "<label> (neuron)", or "" for a neuron no step uses. */
export function unitRoles(program: CompiledProgram): Map<string, string> {
  const roles = new Map<string, string>();
  for (const step of program.steps) {
    if (step.head !== undefined) roles.set(`h${step.layer}:${step.head}`, step.label);
    if (step.neurons) for (let j = step.neurons[0]; j < step.neurons[1]; j++) roles.set(`n${step.layer}:${j}`, step.label);
  }
  return roles;
}

/**
 * Compiled circuits have discrete effects: a lookup neuron's ablation effect depends on how often its value occurs.
 * A regime is redrawn (from the same seed) until no unit lies within MARGIN of the threshold, so that the truth is
 * not decided by the sample: every causal unit at ≥ 1 + MARGIN, every non-causal one at ≤ 1 − MARGIN thresholds.
 */
export const MARGIN = 0.2;

export function generateCompiledCircuit(seed: number): GeneratedInstance & { program: CompiledProgram; network: TransformerNetworkSpec } {
  const rng = new Rng(seed);
  for (let attempt = 0; ; attempt++) {
    const built = attemptCompiledCircuit(rng.fork(`attempt:${attempt}`), attempt);
    const meta = built.meta;
    const nCausal = meta.nCausal as number;
    const clear = (meta.minCausalEffect as number) >= 1 + MARGIN && (meta.maxNonCausalEffect as number) <= 1 - MARGIN;
    if ((clear && nCausal > 0 && nCausal < (meta.H as number)) || attempt >= 20) return built;
  }
}

function attemptCompiledCircuit(rng: Rng, attempt: number) {
  const regime = drawCompiledRegime(rng.fork("regime"));
  const program = compileRegime(regime);
  const units = transformerUnits(program.spec);
  const order = rng.fork("order").permutation(units.length);
  const network: TransformerNetworkSpec = {
    kind: "transformer",
    transformer: program.spec,
    units: Array.from(order, (i) => unitJson(units[i] as (typeof units)[number])),
    readout: { position: regime.readout + 1, logit: 0 },
  };
  const roles = unitRoles(program);
  const built = buildTransformerInstance(
    network,
    program.weights,
    sequences(rng.fork("inputs"), program, regime, COMPILED_CONFIG.n),
    sequences(rng.fork("held-out"), program, regime, COMPILED_CONFIG.nTruth),
    {
      ...(regime as unknown as Record<string, JsonValue>),
      attempt,
      layers: program.spec.layers.length,
      dModel: program.spec.dModel,
      // What each scored unit computes (its SOp), in the order of `hidden`: shadow_ and aux_ are never read.
      unitSteps: Array.from(order, (i) => {
        const u = units[i] as (typeof units)[number];
        return roles.get(u.kind === "head" ? `h${u.layer}:${u.head}` : `n${u.layer}:${u.neuron}`) ?? "";
      }),
    },
  );
  const { ablation: _ablation, ...instance } = built;
  return { ...instance, program, network };
}

export const compiledCircuits: DatasetDefinition = {
  slug: "compiled-circuits",
  task: "causal-attribution",
  version: 1,
  title: "Compiled RASP transformers (exact circuits)",
  domain: "artificial",
  description:
    "Transformers whose weights are compiled from RASP programs (reverse, sort, histogram, fraction of previous tokens, count of smaller tokens, previous-token sum) by Cajal's Tracr-style compiler, with an exact copy of the program's last step and a second program compiled beside it into residual directions nothing reads. Units: every attention head and MLP neuron, shuffled; output: the program's value at one position. Program, vocabulary (3–5), length (4–5), read-out position and distractor program drawn from the instance seed. Truth: exact single-unit mean ablation on held-out sequences, threshold 0.1 × std(output).",
  sizes: { dev: 6, official: 12, private: 12 },
  config: COMPILED_CONFIG as unknown as Record<string, JsonValue>,
  generate(_split, _index, seed) {
    const { program: _program, network: _network, ...instance } = generateCompiledCircuit(seed);
    return instance;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// T1 feature-recovery on the same compiled models: the residual stream, where every compiled variable has known
// directions (a one-hot direction per value of a categorical SOp, one per numerical SOp).

export const RESIDUAL_CONFIG = {
  /** Sequences per instance; every non-BOS position of each is one row of `activations`. */
  sequences: 100,
  programs: PROGRAMS.map((p) => p.id),
  distractors: COMPILED_CONFIG.distractors,
  vocabSizes: COMPILED_CONFIG.vocabSizes,
  lengths: COMPILED_CONFIG.lengths,
};

/** The canonical dimensions that are features: all but `one` and `bos`, and only those that vary over the rows. */
function featureDims(program: CompiledProgram, rows: Float64Array, nRows: number): number[] {
  const d = program.spec.dModel;
  return program.dimLabels.flatMap((label, i) => {
    if (label === "one" || label === "bos") return [];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < nRows; r++) {
      // Canonical coordinate i of row r: the row's dot product with basis row i.
      let v = 0;
      for (let j = 0; j < d; j++) v += (rows[r * d + j] as number) * (program.basis[i * d + j] as number);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return hi - lo > 1e-6 ? [i] : [];
  });
}

export function generateCompiledResidual(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const regime = drawCompiledRegime(rng.fork("regime"));
  const vocab = Array.from({ length: regime.vocabSize }, (_, i) => i);
  const output = programById(regime.program).build("", regime.length);
  const distractor = programById(regime.distractor).build("aux_", regime.length);
  // A random rotation: without it every feature would be a coordinate axis (the T1 floor tries those).
  const program = compile(output, { vocab, maxLen: regime.length, extra: [distractor], rotation: rng.fork("rotation") });
  const net = loadTransformer(program.spec, program.weights);
  const d = program.spec.dModel;
  const N = regime.length;
  const nRows = RESIDUAL_CONFIG.sequences * N;
  const rows = new Float64Array(nRows * d);
  const inputs = rng.fork("inputs");
  for (let s = 0; s < RESIDUAL_CONFIG.sequences; s++) {
    const input = Array.from({ length: N }, () => inputs.int(regime.vocabSize));
    runSequence(net, encodeInput(program, input), {
      resid: (layer, x) => {
        if (layer === program.spec.layers.length) rows.set(x.subarray(d), s * N * d);
      },
    });
  }
  const dims = featureDims(program, rows, nRows);
  const features = f32([dims.length, d]);
  dims.forEach((i, f) => {
    features.data.set(program.basis.subarray(i * d, (i + 1) * d), f * d);
  });
  return {
    params: { nFeatures: dims.length },
    inputs: { activations: f32([nRows, d], rows) },
    truth: { features },
    meta: {
      program: regime.program,
      distractor: regime.distractor,
      vocabSize: regime.vocabSize,
      length: N,
      layers: program.spec.layers.length,
      dModel: d,
      features: dims.map((i) => program.dimLabels[i] as string),
    },
  };
}

export const compiledResidual: DatasetDefinition = {
  slug: "compiled-residual",
  task: "feature-recovery",
  version: 1,
  title: "Compiled RASP transformers: residual stream",
  domain: "artificial",
  description:
    "The final residual stream (every non-BOS position of 100 random sequences) of transformers compiled from two RASP programs (one of six, plus a one-layer distractor), in a random orthonormal basis. Features: the residual direction of every value of every categorical variable (tokens, indices, intermediate and output SOps: one-hot, exactly one active per variable) and of every numerical variable, known exactly from the compiler. Program, vocabulary (3–5), length (4–5), distractor and rotation drawn from the instance seed.",
  // Small: the two SAE baselines cost ≈ 3 s per instance here (800 steps at k ≈ d ≈ 40–60).
  sizes: { dev: 3, official: 6, private: 6 },
  config: RESIDUAL_CONFIG as unknown as Record<string, JsonValue>,
  generate(_split, _index, seed) {
    return generateCompiledResidual(seed);
  },
};
