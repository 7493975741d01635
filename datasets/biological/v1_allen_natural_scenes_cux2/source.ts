// The v1_allen_natural_scenes_cux2 source: mouse V1 responses to natural scenes (Allen Brain Observatory); it has a loader but feeds no task yet.
import { defineSource } from "../../../harness/source.ts";
import { v1AllenNaturalScenesCard as card } from "./card.ts";

export const source = defineSource({
  id: card.id,
  domain: "biological",
  title: card.title,
  availability: "recording",
  card,
  datasets: [],
});
