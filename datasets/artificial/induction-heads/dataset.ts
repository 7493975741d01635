// T2 dataset on the induction-heads transformer (recipe.ts): decode the previous token from the residual stream.
// The previous-token head (layer 0) writes "the token before me" into every position; the residual stream after
// layer 0 (or after layer 1) carries it, the embedding E[token] + P before any attention does not (in random
// sequences the previous token is independent of the current one and of the position). Which stream an instance
// shows is drawn from its seed, so the same shape holds decodable and undecodable targets.
import { artifactRef } from "../../../harness/artifacts.ts";
import { Rng } from "../../../harness/rng.ts";
import type { DatasetDefinition, GeneratedInstance } from "../../../harness/types.ts";
import { decodingInstance } from "../../../tasks/latent-decoding/generate.ts";
import { inductionHeadsRecipe, loadInductionHeads, MODEL, residualStream, sampleSequences } from "./recipe.ts";

/** Attention layers applied before the residual stream is read: 0 (embedding only), 1 or 2 — each 1/3. */
export const STREAM_LAYERS = [0, 1, 2] as const;

const config = {
  artifact: artifactRef(inductionHeadsRecipe),
  /** S ~ U{sequencesMin…sequencesMax} fresh sequences; positions 1…23 of each (position 0 has no previous token). */
  sequencesMin: 30,
  sequencesMax: 45,
  layers: [...STREAM_LAYERS],
  /** The first 75 % of the rows (whole sequences, in order) train, the rest test. */
  trainFraction: 0.75,
};

export function generatePreviousToken(seed: number): GeneratedInstance {
  const rng = new Rng(seed);
  const layer = STREAM_LAYERS[rng.int(STREAM_LAYERS.length)] as number;
  const S = config.sequencesMin + rng.int(config.sequencesMax - config.sequencesMin + 1);
  const { context: T, dModel: d, vocab: V } = MODEL;
  const w = loadInductionHeads();
  const batch = sampleSequences(rng, S);
  const rows = S * (T - 1);
  const activity = new Float64Array(rows * d);
  const target = new Float64Array(rows);
  for (let s = 0; s < S; s++) {
    const tokens = batch.tokens.subarray(s * T, (s + 1) * T);
    const x = residualStream(w, tokens, layer);
    for (let t = 1; t < T; t++) {
      const row = s * (T - 1) + t - 1;
      activity.set(x.subarray(t * d, (t + 1) * d), row * d);
      target[row] = tokens[t - 1] as number;
    }
  }
  return decodingInstance(
    { activity, target, T: rows, d, q: 1, targetKind: "categorical", targetNames: ["previous token"], nClasses: V },
    config.trainFraction,
    { layer, sequences: S, stream: layer === 0 ? "embedding (before attention)" : `after attention layer ${layer - 1}` },
  );
}

export const inductionHeadsPreviousToken: DatasetDefinition = {
  slug: "induction-heads",
  version: 1,
  task: "latent-decoding",
  domain: "artificial",
  title: "Induction-heads transformer: the previous token in the residual stream",
  description:
    "Residual stream (32 dimensions) of a two-layer attention-only transformer trained (TensorFlow.js) to predict repeated token segments, at positions 1–23 of 30–45 fresh random sequences; decode the previous token (24 classes), which its layer-0 previous-token head writes into the stream. One third of the instances show the embedding before any attention (the previous token is absent: chance), one third the stream after layer 0, one third after layer 1.",
  sizes: { dev: 9, official: 30, private: 30 },
  config,
  artifacts: [inductionHeadsRecipe],
  generate(_split, _index, seed) {
    return generatePreviousToken(seed);
  },
};
