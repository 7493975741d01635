// Floor reference: a shape-only predictor (issue 10). It answers with the best constant over the truths of the
// instances whose input shapes and params are nearest to this one's (leave-one-out), so it scores well exactly when
// the shape of the input, not its content, gives the answer away.
import type { JsonValue, SplitTruth } from "../../harness/types.ts";
import { type AnyTaskMethod, floorsOf } from "../shared/references.ts";

/** How many nearest instances the shape predictor pools (ties at the last distance are all included). */
export const SHAPE_NEIGHBOURS = 3;

/** Signed log scale for numbers of any sign and size: counts (n, widths) compare by ratio. */
const slog = (x: number) => Math.sign(x) * Math.log1p(Math.abs(x));

/**
 * Distance between two instances seen only through their input shapes and params: Euclidean over the log of every
 * input dimension and the signed log of every numeric param; a missing input, a different rank or a different
 * non-numeric param adds 1 (about a factor e in one dimension).
 */
export function shapeDistance(
  a: { shapes: Record<string, number[]>; params: Record<string, JsonValue> },
  b: { shapes: Record<string, number[]>; params: Record<string, JsonValue> },
): number {
  let d2 = 0;
  for (const name of new Set([...Object.keys(a.shapes), ...Object.keys(b.shapes)])) {
    const x = a.shapes[name];
    const y = b.shapes[name];
    if (!x || !y || x.length !== y.length) {
      d2 += 1;
      continue;
    }
    for (let i = 0; i < x.length; i++) d2 += (Math.log1p(x[i] as number) - Math.log1p(y[i] as number)) ** 2;
  }
  for (const key of new Set([...Object.keys(a.params), ...Object.keys(b.params)])) {
    const x = a.params[key];
    const y = b.params[key];
    if (typeof x === "number" && typeof y === "number") d2 += (slog(x) - slog(y)) ** 2;
    else if (JSON.stringify(x) !== JSON.stringify(y)) d2 += 1;
  }
  return Math.sqrt(d2);
}

/** The other instances of the split nearest to `self` by shapeDistance: the k nearest, ties at the k-th included. */
export function nearestByShape(
  self: { id: string; shapes: Record<string, number[]>; params: Record<string, JsonValue> },
  splitTruths: readonly SplitTruth[],
  k = SHAPE_NEIGHBOURS,
): SplitTruth[] {
  const others = splitTruths
    .filter((s) => s.id !== self.id)
    .map((s) => ({ s, d: shapeDistance(self, s) }))
    .sort((p, q) => p.d - q.d);
  if (others.length <= k) return others.map((o) => o.s);
  const cut = (others[k - 1] as { d: number }).d + 1e-9;
  return others.filter((o) => o.d <= cut).map((o) => o.s);
}

export const floorShape: AnyTaskMethod = {
  id: "floor-shape",
  version: "1.0.1",
  name: "Floor: shape only",
  kind: "floor",
  description: `Looks only at the input's shapes and params: the best constant over the truths of the ${SHAPE_NEIGHBOURS} other instances of the split nearest in log input dimensions and params (leave-one-out). A row to beat: it scores well when the shape gives the answer away.`,
  appliesTo: () => true,
  readsSplitTruths: true,
  async run(ctx) {
    const { task, instance, splitTruths } = floorsOf(ctx, "floor-shape");
    const self = {
      id: instance.key,
      shapes: Object.fromEntries(Object.entries(ctx.inputs).map(([name, a]) => [name, a.shape])),
      params: ctx.params,
    };
    const near = nearestByShape(self, splitTruths);
    // A split of one instance has no other: the shape then says nothing, and the best constant over itself stands in.
    const pool = near.length ? near : splitTruths;
    return task.floors.bestConstant(
      pool.map((s) => s.truth),
      instance,
    );
  },
};
