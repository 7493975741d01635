// A small subset of RASP (Weiss et al. 2021), the language Tracr compiles (Lindner et al. 2023): sequence
// operations (SOps) over token and index streams, combined by element-wise maps and by select/aggregate, the
// operation an attention head implements. This file defines the language and its reference interpreter; compiler.ts
// turns a program into transformer weights and programs.ts holds the library of programs.
//
// Values are numbers. Every SOp is categorical (one residual dimension per possible value, one-hot) or numerical
// (one dimension holding the value). Supported:
//   tokens, indices                        categorical inputs
//   map(f, x)                              element-wise; x categorical, or numerical with a finite value set
//   sequenceMap(f, x, y)                   element-wise on two categorical SOps
//   select(keys, queries, predicate)       selector: query position q selects key position k when predicate(key_k, query_q)
//   aggregate(selector, x)                 mean of x over the selected positions (categorical x: exactly one selected)
//   selectorWidth(selector)                number of selected positions (categorical 0 … maxLen)

export type Encoding = "categorical" | "numerical";
export type Predicate = (key: number, query: number) => boolean;

export interface Selector {
  keys: SOp;
  queries: SOp;
  predicate: Predicate;
  /** For reports: e.g. "EQ", "LT", "TRUE". */
  name: string;
}

interface Base {
  label: string;
  encoding: Encoding;
}

export type SOp =
  | (Base & { op: "tokens" })
  | (Base & { op: "indices" })
  | (Base & { op: "map"; input: SOp; f: (x: number) => number })
  | (Base & { op: "sequenceMap"; left: SOp; right: SOp; f: (x: number, y: number) => number })
  | (Base & { op: "aggregate"; selector: Selector; input: SOp })
  | (Base & { op: "selectorWidth"; selector: Selector });

export const tokens: SOp = { op: "tokens", label: "tokens", encoding: "categorical" };
export const indices: SOp = { op: "indices", label: "indices", encoding: "categorical" };

export const map = (label: string, input: SOp, f: (x: number) => number, encoding: Encoding = "categorical"): SOp => ({
  op: "map",
  label,
  input,
  f,
  encoding,
});

export const sequenceMap = (label: string, left: SOp, right: SOp, f: (x: number, y: number) => number): SOp => {
  if (left.encoding !== "categorical" || right.encoding !== "categorical")
    throw new Error(`${label}: sequenceMap needs categorical inputs`);
  return { op: "sequenceMap", label, left, right, f, encoding: "categorical" };
};

export const select = (keys: SOp, queries: SOp, predicate: Predicate, name: string): Selector => {
  if (keys.encoding !== "categorical" || queries.encoding !== "categorical")
    throw new Error(`select ${name}: keys and queries must be categorical`);
  return { keys, queries, predicate, name };
};

/** Mean of `input` over the selected positions; the output has the input's encoding. */
export const aggregate = (label: string, selector: Selector, input: SOp): SOp => ({
  op: "aggregate",
  label,
  selector,
  input,
  encoding: input.encoding,
});

export const selectorWidth = (label: string, selector: Selector): SOp => ({
  op: "selectorWidth",
  label,
  selector,
  encoding: "categorical",
});

/** Predicates of the library, named as in RASP. */
export const PREDICATES = {
  TRUE: (() => true) as Predicate,
  EQ: ((k, q) => k === q) as Predicate,
  LT: ((k, q) => k < q) as Predicate,
  LEQ: ((k, q) => k <= q) as Predicate,
  GT: ((k, q) => k > q) as Predicate,
} as const;

/** The SOps a SOp reads directly (selectors' keys and queries included), in a fixed order. */
export function dependencies(sop: SOp): SOp[] {
  switch (sop.op) {
    case "tokens":
    case "indices":
      return [];
    case "map":
      return [sop.input];
    case "sequenceMap":
      return [sop.left, sop.right];
    case "aggregate":
      return [sop.selector.keys, sop.selector.queries, sop.input];
    case "selectorWidth":
      return [sop.selector.keys, sop.selector.queries];
  }
}

/** Every SOp reachable from `roots`, dependencies first (each once, by identity). */
export function topologicalOrder(roots: readonly SOp[]): SOp[] {
  const seen = new Set<SOp>();
  const order: SOp[] = [];
  const visit = (s: SOp) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const d of dependencies(s)) visit(d);
    order.push(s);
  };
  for (const r of roots) visit(r);
  const labels = new Set<string>();
  for (const s of order) {
    if (labels.has(s.label)) throw new Error(`two SOps are labelled "${s.label}"`);
    labels.add(s.label);
  }
  return order;
}

/** One SOp's value at every position; null where a categorical aggregate selects nothing (RASP's None). */
export type Values = (number | null)[];

/** The reference interpreter: every SOp reachable from `roots` on one input sequence (no BOS). */
export function evaluate(roots: readonly SOp[], input: readonly number[]): Map<SOp, Values> {
  const N = input.length;
  const values = new Map<SOp, Values>();
  const get = (s: SOp) => values.get(s) as Values;
  const matrix = (sel: Selector) => {
    const k = get(sel.keys);
    const q = get(sel.queries);
    return Array.from({ length: N }, (_, qi) =>
      Array.from({ length: N }, (_, ki) => k[ki] !== null && q[qi] !== null && sel.predicate(k[ki] as number, q[qi] as number)),
    );
  };
  for (const s of topologicalOrder(roots)) {
    let v: Values;
    switch (s.op) {
      case "tokens":
        v = [...input];
        break;
      case "indices":
        v = Array.from({ length: N }, (_, i) => i);
        break;
      case "map":
        v = get(s.input).map((x) => (x === null ? null : s.f(x)));
        break;
      case "sequenceMap": {
        const r = get(s.right);
        v = get(s.left).map((x, i) => (x === null || r[i] === null ? null : s.f(x, r[i] as number)));
        break;
      }
      case "aggregate": {
        const sel = matrix(s.selector);
        const x = get(s.input);
        v = sel.map((row) => {
          const chosen = row.flatMap((on, k) => (on && x[k] !== null ? [x[k] as number] : []));
          if (s.encoding === "numerical") return chosen.length === 0 ? 0 : chosen.reduce((a, b) => a + b, 0) / chosen.length;
          if (chosen.length === 0) return null;
          if (chosen.some((c) => c !== chosen[0])) throw new Error(`${s.label}: a categorical aggregate must select one value`);
          return chosen[0] as number;
        });
        break;
      }
      case "selectorWidth":
        v = matrix(s.selector).map((row) => row.filter(Boolean).length);
        break;
    }
    values.set(s, v);
  }
  return values;
}
