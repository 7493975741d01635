// The library of RASP programs Cajal compiles, after Tracr's lib (Lindner et al. 2023) and Weiss et al. (2021).
// Each builder takes the longest input length where the program needs it and returns the output SOp; labels are
// prefixed so that two copies of a program (a distractor beside the real one) never share a SOp.
import { aggregate, indices, map, PREDICATES, type SOp, select, selectorWidth, sequenceMap, tokens } from "./rasp.ts";

export interface ProgramDefinition {
  id: string;
  /** What the output is, for READMEs and reports. */
  description: string;
  build(prefix: string, maxLen: number): SOp;
}

/** length = selectorWidth(select(tokens, tokens, TRUE)): the number of tokens, at every position. */
export const makeLength = (p: string) => selectorWidth(`${p}length`, select(tokens, tokens, PREDICATES.TRUE, "TRUE"));

export const PROGRAMS: readonly ProgramDefinition[] = [
  {
    id: "reverse",
    description: "reverse[i] = tokens[length − i − 1]",
    build(p) {
      const length = makeLength(p);
      const opp = sequenceMap(`${p}opp_index`, length, indices, (l, i) => l - i - 1);
      return aggregate(`${p}reverse`, select(indices, opp, PREDICATES.EQ, "EQ"), tokens);
    },
  },
  {
    id: "sort",
    description: "the tokens in ascending order (stable: ties by position)",
    build(p, maxLen) {
      // Unique keys (token, position) make the order total, as Tracr's make_sort does.
      const keys = sequenceMap(`${p}sort_key`, tokens, indices, (t, i) => t * maxLen + i);
      const target = selectorWidth(`${p}target_pos`, select(keys, keys, PREDICATES.LT, "LT"));
      return aggregate(`${p}sort`, select(target, indices, PREDICATES.EQ, "EQ"), tokens);
    },
  },
  {
    id: "histogram",
    description: "hist[i] = number of positions holding tokens[i]",
    build(p) {
      return selectorWidth(`${p}hist`, select(tokens, tokens, PREDICATES.EQ, "EQ"));
    },
  },
  {
    id: "frac-prevs",
    description: "frac[i] = fraction of positions ≤ i holding the vocabulary's first value",
    build(p) {
      const isFirst = map(`${p}is_first`, tokens, (t) => (t === 0 ? 1 : 0), "numerical");
      return aggregate(`${p}frac_prevs`, select(indices, indices, PREDICATES.LEQ, "LEQ"), isFirst);
    },
  },
  {
    id: "count-smaller",
    description: "count[i] = number of positions whose token is smaller than tokens[i]",
    build(p) {
      return selectorWidth(`${p}count_smaller`, select(tokens, tokens, PREDICATES.LT, "LT"));
    },
  },
  {
    id: "prev-sum",
    description: "tokens[i − 1] + tokens[i] at i ≥ 1, None at 0 (a previous-token head, then a lookup table)",
    build(p) {
      const prev = aggregate(
        `${p}prev_token`,
        select(indices, indices, (k, q) => k === q - 1, "PREV"),
        tokens,
      );
      return sequenceMap(`${p}prev_sum`, tokens, prev, (t, x) => t + x);
    },
  },
];

export const programById = (id: string) => {
  const program = PROGRAMS.find((p) => p.id === id);
  if (!program) throw new Error(`no RASP program "${id}"`);
  return program;
};
