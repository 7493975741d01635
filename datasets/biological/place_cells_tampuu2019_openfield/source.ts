// The place_cells_tampuu2019_openfield source: CA1 place cells of 5 rats in an open field (Tampuu et al. 2019): position decoding (T2), dimension (T3), topology (T4) and planted features (T1).
import { defineSource } from "../../../harness/source.ts";
import { placeCellsTampuu2019Card as card } from "./card.ts";
import { placeCellsDimension, placeCellsPositionDecoding, placeCellsTopology } from "./datasets.ts";
import { hybridPlaceCells } from "./hybrid.ts";

export const source = defineSource({
  id: card.id,
  domain: "biological",
  title: card.title,
  availability: "recording",
  card,
  datasets: [placeCellsPositionDecoding, placeCellsDimension, placeCellsTopology, hybridPlaceCells],
});
