// The m1_reaching_dyer2017_dad source: monkey M1 during centre-out reaching (Dyer et al. 2017): velocity decoding (T2), cross-session correspondence (T5), planted features (T1) and co-smoothing (T8).
import { defineSource } from "../../../harness/source.ts";
import { m1Dyer2017Card as card } from "./card.ts";
import { m1CrossSessionEpochs, m1VelocityDecoding } from "./datasets.ts";
import { chewieCoSmoothing } from "./dynamics.ts";
import { hybridM1 } from "./hybrid.ts";

export const source = defineSource({
  id: card.id,
  domain: "biological",
  title: card.title,
  availability: "recording",
  card,
  datasets: [m1VelocityDecoding, m1CrossSessionEpochs, hybridM1, chewieCoSmoothing],
});
