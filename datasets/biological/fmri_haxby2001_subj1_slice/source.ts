// The fmri_haxby2001_subj1_slice source: one fMRI slice of Haxby et al. 2001, subject 1: object-category decoding (T2).
import { defineSource } from "../../../harness/source.ts";
import { fmriHaxbyCard as card } from "./card.ts";
import { haxbyCategoryDecoding } from "./datasets.ts";

export const source = defineSource({
  id: card.id,
  domain: "biological",
  title: card.title,
  availability: "recording",
  card,
  datasets: [haxbyCategoryDecoding],
});
