// The human_mtl_zheng2022_boundaries source: human hippocampus and amygdala units at event boundaries (Zheng et al. 2022); a card only, no loader yet (NWB).
import { defineSource } from "../../../harness/source.ts";
import { humanMtlZheng2022Card as card } from "./card.ts";

export const source = defineSource({
  id: card.id,
  domain: "biological",
  title: card.title,
  availability: "catalogued",
  card,
  datasets: [],
});
