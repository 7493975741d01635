// Every real recording Cajal knows, one card each (datasets/<id>/card.ts). Used by
// `npx cajal datasets fetch [id]` and the site's dataset pages. Adding one: create datasets/<id>/card.ts
// (and load.ts, README.md, <id>.test.ts) and add its card here.
import type { RecordingCard } from "../harness/data.ts";
import { fmriHaxbyCard } from "./fmri_haxby2001_subj1_slice/card.ts";
import { hdPeyrache2015Card } from "./hd_peyrache2015_adn/card.ts";
import { humanMtlZheng2022Card } from "./human_mtl_zheng2022_boundaries/card.ts";
import { m1Dyer2017Card } from "./m1_reaching_dyer2017_dad/card.ts";
import { placeCellsTampuu2019Card } from "./place_cells_tampuu2019_openfield/card.ts";
import { v1AllenNaturalScenesCard } from "./v1_allen_natural_scenes_cux2/card.ts";

export const RECORDINGS: readonly RecordingCard[] = [
  hdPeyrache2015Card,
  placeCellsTampuu2019Card,
  m1Dyer2017Card,
  fmriHaxbyCard,
  v1AllenNaturalScenesCard,
  humanMtlZheng2022Card,
];

/** Ids of the recordings that have a loader (the others are catalogued only). */
export const LOADABLE_RECORDINGS: readonly string[] = [
  "hd_peyrache2015_adn",
  "place_cells_tampuu2019_openfield",
  "m1_reaching_dyer2017_dad",
  "fmri_haxby2001_subj1_slice",
  "v1_allen_natural_scenes_cux2",
];

export class UnknownRecordingError extends Error {
  override name = "UnknownRecordingError";
}

export function getRecording(id: string): RecordingCard {
  const card = RECORDINGS.find((c) => c.id === id);
  if (!card) throw new UnknownRecordingError(`unknown recording "${id}"; available recordings: ${RECORDINGS.map((c) => c.id).join(", ")}`);
  return card;
}
