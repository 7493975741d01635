// The hd_peyrache2015_adn source: 19 head-direction cells of a mouse (Peyrache et al. 2015): decoding (T2), the ring's dimension (T3) and topology (T4) in wake and REM, planted features (T1) and heading-manifold capacity (T7) and co-smoothing (T8).
import { defineSource } from "../../../harness/source.ts";
import { hdHeadingCapacity } from "./capacity.ts";
import { hdPeyrache2015Card as card } from "./card.ts";
import { hdDecoding, hdRemDimension, hdRemTopology, hdWakeDimension, hdWakeTopology, hybridHd } from "./datasets.ts";
import { hdCoSmoothing } from "./dynamics.ts";

export const source = defineSource({
  id: card.id,
  domain: "biological",
  title: card.title,
  availability: "recording",
  card,
  datasets: [hdDecoding, hdWakeDimension, hdRemDimension, hdWakeTopology, hdRemTopology, hybridHd, hdHeadingCapacity, hdCoSmoothing],
});
