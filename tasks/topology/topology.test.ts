// T4 topology: scoring, chance level, the Vietoris–Rips engine (against Debian's `ripser` when installed)
// and the scientific check (persistent homology recovers circle, two circles, sphere and torus at default noise).
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { neuralManifolds } from "../../datasets/synthetic/neural-manifolds/dataset.ts";
import { f32, i32 } from "../../harness/ndarray.ts";
import { generateInstance, getMethod } from "../../harness/registry.ts";
import { Rng, seedFrom } from "../../harness/rng.ts";
import { evaluateInstance } from "../../harness/runner.ts";
import type { Instance } from "../../harness/types.ts";
import { validateOutputs } from "../../harness/validate.ts";
import { activityBarcode, BETTI_RULE, bettiFromBars, DEFAULT_OPTIONS } from "../../methods/persistent-homology/pipeline.ts";
import { type Bar, distanceMatrix, ripsBarcode } from "../../methods/persistent-homology/rips.ts";
import { floorScores, methodMean } from "../../tests/helpers/floor-checks.ts";
import { controlBetti, controlOffsets, productBetti, readRows, varyingColumns } from "./controls.ts";
import { BETTI, encodeLatent, LATENT_SPACES, type LatentSpace } from "./generate.ts";
import { mostFrequentBetti, topology } from "./task.ts";

function instanceWith(betti: [number, number, number]): Instance {
  return { key: "t/dev/0", index: 0, seed: 1, params: {}, inputs: { activity: f32([4, 3]) }, truth: { betti: i32([3], betti) }, meta: {} };
}
const score = (truth: [number, number, number], betti: unknown) => topology.score(instanceWith(truth), { result: { betti } as never });

describe("topology scoring", () => {
  it("scores an exact match 1 and counts each Betti number separately", () => {
    expect(score([1, 2, 1], [1, 2, 1])).toEqual({ main: 1, metrics: { b0: 1, b1: 1, b2: 1 } });
    expect(score([1, 2, 1], [1, 1, 1])).toEqual({ main: 0, metrics: { b0: 1, b1: 0, b2: 1 } });
    expect(score([2, 2, 0], [0, 0, 1])).toEqual({ main: 0, metrics: { b0: 0, b1: 0, b2: 0 } });
  });

  it("is order-sensitive and never matches a non-integer", () => {
    expect(score([1, 2, 1], [1, 1, 2]).main).toBe(0);
    expect(score([1, 1, 0], [1, 1.0000001, 0]).metrics.b1).toBe(0);
    expect(score([1, 1, 0], [1.0, 1.0, 0.0]).main).toBe(1);
  });

  it("rejects anything but three numbers (validation admits arrays of finite numbers)", () => {
    const inst = instanceWith([1, 1, 0]);
    expect(validateOutputs(topology, inst, { result: { betti: [1, 1, 0] } })).toEqual({ ok: true });
    expect(validateOutputs(topology, inst, { result: { betti: [1, Number.NaN, 0] } }).ok).toBe(false);
    expect(validateOutputs(topology, inst, { result: { betti: [] } }).ok).toBe(false);
    expect(validateOutputs(topology, inst, { result: {} }).ok).toBe(false);
    expect(() => score([1, 1, 0], [1, 1])).toThrow(/three numbers/);
    expect(() => score([1, 1, 0], 2)).toThrow(/three numbers/);
  });

  it("oracle reads the truth", () => {
    expect(topology.oracle(instanceWith([2, 2, 0]))).toEqual({ result: { betti: [2, 2, 0] } });
  });
});

describe("topology chance level", () => {
  it("random matches exactly with probability 1/27 and each Betti number with probability 1/3", () => {
    const rng = new Rng(9);
    const trials = 27000;
    let exact = 0;
    const per = new Float64Array(3);
    for (let t = 0; t < trials; t++) {
      const truth = BETTI[LATENT_SPACES[t % LATENT_SPACES.length] as LatentSpace];
      const s = topology.score(instanceWith(truth), topology.random(instanceWith(truth), rng));
      exact += s.main;
      for (let k = 0; k < 3; k++) per[k] = (per[k] as number) + (s.metrics[`b${k}`] as number);
    }
    expect(Math.abs(exact / trials - 1 / 27)).toBeLessThan(4 * Math.sqrt(((1 / 27) * (26 / 27)) / trials));
    for (const p of per) expect(Math.abs(p / trials - 1 / 3)).toBeLessThan(0.015);
  });

  it("dev split: oracle at 1, random near chance", async () => {
    const oracle = getMethod("oracle");
    const random = getMethod("random");
    let exact = 0;
    let perBetti = 0;
    const m = neuralManifolds.sizes.dev;
    for (let i = 0; i < m; i++) {
      const inst = generateInstance(neuralManifolds, "dev", i);
      expect((await evaluateInstance(oracle, topology, inst)).score).toBe(1);
      const r = await evaluateInstance(random, topology, inst);
      expect(r.status).toBe("ok");
      exact += r.score as number;
      perBetti += ((r.metrics?.b0 as number) + (r.metrics?.b1 as number) + (r.metrics?.b2 as number)) / 3;
    }
    // 7 exact-match draws at p = 1/27: more than 2 hits has probability < 3%.
    expect(exact).toBeLessThanOrEqual(2);
    // Mean of 21 per-Betti draws at p = 1/3: within 3 standard errors (0.31).
    expect(Math.abs(perBetti / m - 1 / 3)).toBeLessThan(0.31);
  });
});

describe("topology floors (issue 10)", () => {
  it("the best constant is the most frequent Betti vector; there is no shortcut", () => {
    expect(
      mostFrequentBetti([
        [1, 1, 0],
        [1, 0, 0],
        [1, 1, 0],
      ]),
    ).toEqual([1, 1, 0]);
    expect(
      mostFrequentBetti([
        [1, 2, 1],
        [1, 0, 0],
      ]),
    ).toEqual([1, 0, 0]);
    const truths = [
      [1, 2, 1],
      [1, 2, 1],
      [1, 1, 0],
    ].map((b) => ({ betti: i32([3], b) }));
    expect(topology.floors.bestConstant(truths, instanceWith([1, 1, 0]))).toEqual({ result: { betti: [1, 2, 1] } });
    expect(topology.floors.shortcut).toBeNull();
  });

  it("neural-manifolds: regimes and shapes drawn from the seed; constant and shape-only probe at the floor, persistent homology far above", async () => {
    const official = Array.from({ length: neuralManifolds.sizes.official }, (_, i) => generateInstance(neuralManifolds, "official", i));
    const floors = floorScores(topology, official);
    console.log(`neural-manifolds official: constant ${floors.constant.toFixed(3)}, shape-only ${floors.shape.toFixed(3)}`);
    expect(floors.oracle).toBe(1);
    expect(floors.constant).toBeLessThan(0.4);
    expect(floors.shape).toBeLessThan(floors.constant + 0.1);
    expect(new Set(official.map((i) => i.meta.latent)).size).toBe(LATENT_SPACES.length);
    const dev = Array.from({ length: neuralManifolds.sizes.dev }, (_, i) => generateInstance(neuralManifolds, "dev", i));
    const ph = await methodMean(topology, "persistent-homology", dev);
    console.log(`neural-manifolds dev: persistent-homology ${ph.toFixed(3)}, constant ${floorScores(topology, dev).constant.toFixed(3)}`);
    expect(ph).toBeGreaterThan(floorScores(topology, dev).constant + 0.3);
  });
});

describe("controls built from one recording (controls.ts)", () => {
  const T = 400;
  const C = 6;
  const x = Float64Array.from({ length: T * C }, (_, i) => i);
  const series = { T, C, x };
  const rows = Int32Array.from({ length: 50 }, (_, i) => 10 + i);

  it("recorded reads the rows as they are; product shifts one group by T/4…3T/4; shuffled gives every cell its own offset", () => {
    const rng = new Rng(1);
    const rec = readRows(series, rows, controlOffsets(rng, "recorded", T, C));
    expect(rec.data[0]).toBe(10 * C);
    const groups = Uint8Array.from([0, 1, 0, 1, 0, 1]);
    const prod = controlOffsets(rng, "product", T, C, groups);
    expect(new Set([prod[0], prod[2], prod[4]])).toEqual(new Set([0]));
    expect(prod[1]).toBe(prod[3]);
    expect(prod[1] as number).toBeGreaterThanOrEqual(T / 4);
    expect(prod[1] as number).toBeLessThanOrEqual((3 * T) / 4);
    const shuf = Array.from(controlOffsets(rng, "shuffled", T, C)).sort((a, b) => a - b);
    for (let k = 1; k < C; k++) expect((shuf[k] as number) - (shuf[k - 1] as number)).toBeGreaterThanOrEqual(Math.floor(T / C) - 1);
    const wrapped = readRows(series, Int32Array.from([T - 1]), Int32Array.from([0, 1, 2, 3, 4, 5]));
    expect(wrapped.data[1]).toBe(0 * C + 1);
  });

  it("truths: Künneth for products, a contractible box when shuffled, varying cells counted", () => {
    expect(productBetti([1, 1, 0], [1, 1, 0])).toEqual([1, 2, 1]);
    expect(productBetti([1, 0, 0], [1, 1, 0])).toEqual([1, 1, 0]);
    expect(controlBetti("product", [1, 1, 0])).toEqual([1, 2, 1]);
    expect(controlBetti("shuffled", [1, 1, 0])).toEqual([1, 0, 0]);
    expect(controlBetti("recorded", [1, 1, 0])).toEqual([1, 1, 0]);
    const a = f32([3, 3], [1, 5, 2, 1, 6, 2, 1, 7, 3]);
    expect(varyingColumns(a)).toBe(2);
  });
});

// ---- The Vietoris–Rips engine.
const sortBars = (bars: Bar[], dim: number) =>
  bars
    .filter((b) => b.dim === dim)
    .map((b) => [b.birth, b.death] as const)
    .sort((p, q) => p[0] - q[0] || p[1] - q[1]);

function cloud(rng: Rng, n: number, shape: "circle" | "torus", noise: number): { x: Float64Array; d: number } {
  const d = shape === "circle" ? 2 : 3;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * rng.uniform();
    const p = 2 * Math.PI * rng.uniform();
    if (shape === "circle") {
      x[i * d] = Math.cos(t);
      x[i * d + 1] = Math.sin(t);
    } else {
      x[i * d] = (2 + Math.cos(p)) * Math.cos(t);
      x[i * d + 1] = (2 + Math.cos(p)) * Math.sin(t);
      x[i * d + 2] = Math.sin(p);
    }
    for (let c = 0; c < d; c++) x[i * d + c] = (x[i * d + c] as number) + noise * rng.normal();
  }
  return { x, d };
}

/** Textbook persistent homology (Z/2) of the full Vietoris–Rips complex up to tetrahedra: every simplex
 * stored, sorted by diameter then dimension, boundary columns reduced left to right. Zero-length bars omitted. */
function naiveBarcode(dist: Float64Array, n: number): Bar[] {
  const simplices: { vertices: number[]; diameter: number }[] = [];
  const grow = (vertices: number[], diameter: number) => {
    simplices.push({ vertices, diameter });
    if (vertices.length === 4) return;
    for (let v = (vertices.at(-1) as number) + 1; v < n; v++) {
      let diam = diameter;
      for (const u of vertices) diam = Math.max(diam, dist[u * n + v] as number);
      grow([...vertices, v], diam);
    }
  };
  for (let v = 0; v < n; v++) grow([v], 0);
  simplices.sort((a, b) => a.diameter - b.diameter || a.vertices.length - b.vertices.length);
  const position = new Map(simplices.map((s, i) => [s.vertices.join(","), i]));
  const lowOwner = new Map<number, Set<number>>();
  const bars: Bar[] = [];
  const paired = new Set<number>();
  simplices.forEach((simplex, j) => {
    const column = new Set<number>();
    if (simplex.vertices.length > 1) {
      for (const drop of simplex.vertices.keys())
        column.add(position.get(simplex.vertices.filter((_, i) => i !== drop).join(",")) as number);
    }
    for (;;) {
      if (!column.size) return;
      const low = Math.max(...column);
      const owner = lowOwner.get(low);
      if (!owner) {
        lowOwner.set(low, column);
        paired.add(low);
        paired.add(j);
        const born = simplices[low] as { vertices: number[]; diameter: number };
        if (simplex.diameter > born.diameter) bars.push({ dim: born.vertices.length - 1, birth: born.diameter, death: simplex.diameter });
        return;
      }
      for (const e of owner) {
        if (column.has(e)) column.delete(e);
        else column.add(e);
      }
    }
  });
  simplices.forEach((s, i) => {
    if (!paired.has(i) && s.vertices.length < 4)
      bars.push({ dim: s.vertices.length - 1, birth: s.diameter, death: Number.POSITIVE_INFINITY });
  });
  return bars;
}

describe("Vietoris–Rips barcodes", () => {
  it("a square has one H1 bar [1, √2) and four points three finite H0 bars", () => {
    const x = Float64Array.from([0, 0, 1, 0, 1, 1, 0, 1]);
    const bars = ripsBarcode(distanceMatrix(x, 4, 2), 4);
    expect(sortBars(bars, 1)).toEqual([[1, Math.SQRT2]]);
    expect(sortBars(bars, 0).filter((b) => Number.isFinite(b[1]))).toHaveLength(3);
    expect(sortBars(bars, 0).filter((b) => !Number.isFinite(b[1]))).toHaveLength(1);
    expect(sortBars(bars, 2)).toEqual([]);
  });

  it("the octahedron has one H2 bar [√2, 2) and no H1", () => {
    const x = Float64Array.from([1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1]);
    // Threshold above the enclosing radius (2) so the H2 class can die.
    const bars = ripsBarcode(distanceMatrix(x, 6, 3), 6, { threshold: 3 });
    const h2 = sortBars(bars, 2);
    expect(h2).toHaveLength(1);
    expect(h2[0]?.[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(h2[0]?.[1]).toBeCloseTo(2, 12);
    expect(sortBars(bars, 1)).toEqual([]);
  });

  it("a noisy circle has exactly one long H1 bar; a torus has two long H1 bars and one H2 bar", () => {
    const rng = new Rng(21);
    const circle = cloud(rng, 60, "circle", 0.03);
    const c = ripsBarcode(distanceMatrix(circle.x, 60, 2), 60).filter((b) => b.dim === 1 && b.death - b.birth > 0.5);
    expect(c).toHaveLength(1);
    // A 16 × 8 grid on the torus (R = 2, r = 1): bars 1.46 and 1.08 in H1 (next 0.59), 0.60 in H2 (next 0.10).
    const grid: number[] = [];
    for (let a = 0; a < 16; a++) {
      for (let b = 0; b < 8; b++) {
        const t = (2 * Math.PI * a) / 16;
        const p = (2 * Math.PI * b) / 8;
        grid.push((2 + Math.cos(p)) * Math.cos(t), (2 + Math.cos(p)) * Math.sin(t), Math.sin(p));
      }
    }
    const t = ripsBarcode(distanceMatrix(Float64Array.from(grid), 128, 3), 128);
    const long = (dim: number, min: number) => t.filter((b) => b.dim === dim && b.death - b.birth > min).length;
    expect(long(1, 0.8)).toBe(2);
    expect(long(2, 0.3)).toBe(1);
  });

  it("finite bars equal those of a plain boundary-matrix reduction of the whole complex (H0–H2)", () => {
    // The pairing does not depend on how columns are reduced: cohomology with clearing, pivots found among
    // facets and reductions replayed from a heap must give, bar for bar, what textbook homology gives.
    // Gaussian clouds in 3-D: a few H1 and H2 bars, and columns of both dimensions reduced explicitly.
    const rng = new Rng(seedFrom("rips-naive"));
    let h2 = 0;
    for (const n of [16, 18, 20, 22, 26]) {
      const x = Float64Array.from({ length: 3 * n }, () => rng.normal());
      const dist = distanceMatrix(x, n, 3);
      const mine = ripsBarcode(dist, n);
      const naive = naiveBarcode(dist, n);
      for (const dim of [0, 1, 2]) {
        const finite = (bars: Bar[]) => sortBars(bars, dim).filter((b) => Number.isFinite(b[1]));
        expect(finite(mine), `n=${n} H${dim}`).toEqual(finite(naive));
      }
      expect(sortBars(mine, 0).filter((b) => !Number.isFinite(b[1]))).toHaveLength(1);
      expect(mine.filter((b) => b.dim === 1).length).toBeGreaterThan(0);
      h2 += mine.filter((b) => b.dim === 2).length;
    }
    expect(h2).toBeGreaterThan(0);
  });

  it("is invariant to the order of the points", () => {
    const rng = new Rng(8);
    const { x, d } = cloud(rng, 40, "torus", 0.1);
    const perm = Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
    const y = new Float64Array(x.length);
    for (const [i, src] of perm.entries()) y.set(x.subarray(src * d, (src + 1) * d), i * d);
    const a = ripsBarcode(distanceMatrix(x, 40, d), 40);
    const b = ripsBarcode(distanceMatrix(y, 40, d), 40);
    for (const dim of [0, 1, 2]) {
      const pa = sortBars(a, dim);
      const pb = sortBars(b, dim);
      expect(pb.length).toBe(pa.length);
      pa.forEach((bar, i) => {
        expect(pb[i]?.[0]).toBeCloseTo(bar[0], 12);
        if (Number.isFinite(bar[1])) expect(pb[i]?.[1]).toBeCloseTo(bar[1], 12);
      });
    }
  });
});

function ripserAvailable(): boolean {
  try {
    execFileSync("ripser", ["--help"], { stdio: "ignore" });
    return true;
  } catch (e) {
    // `ripser --help` exits non-zero on some builds; only a missing binary (ENOENT) means unavailable.
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

/** Run Debian's ripser on a lower-triangular distance matrix; parse its barcode. */
function ripser(dist: Float64Array, n: number): Bar[] {
  let text = "";
  for (let i = 1; i < n; i++) {
    const row: string[] = [];
    for (let j = 0; j < i; j++) row.push((dist[i * n + j] as number).toPrecision(12));
    text += `${row.join(",")}\n`;
  }
  const out = execFileSync("ripser", ["--dim", "2", "--format", "lower-distance"], { input: text }).toString();
  const bars: Bar[] = [];
  let dim = -1;
  for (const line of out.split("\n")) {
    const header = /persistence intervals in dim (\d+)/.exec(line);
    if (header) {
      dim = Number(header[1]);
      continue;
    }
    const bar = /\[([^,]*),([^)]*)\)/.exec(line);
    if (bar && dim >= 0)
      bars.push({ dim, birth: Number(bar[1]), death: (bar[2] ?? "").trim() === "" ? Number.POSITIVE_INFINITY : Number(bar[2]) });
  }
  return bars;
}

describe("agreement with Debian's ripser", () => {
  const available = ripserAvailable();
  if (!available) console.log("ripser not installed (apt-get install ripser): skipping the comparison with the reference implementation");

  it.skipIf(!available)("H1 bar lengths on a noisy circle agree", () => {
    const rng = new Rng(seedFrom("ripser-circle"));
    const { x, d } = cloud(rng, 80, "circle", 0.08);
    const dist = distanceMatrix(x, 80, d);
    const lengths = (bars: Bar[]) =>
      bars
        .filter((b) => b.dim === 1)
        .map((b) => b.death - b.birth)
        .sort((a, b) => b - a);
    const mine = lengths(ripsBarcode(dist, 80));
    const ref = lengths(ripser(dist, 80));
    expect(mine.length).toBe(ref.length);
    expect(mine[0]).toBeGreaterThan(1);
    // ripser computes in single precision.
    for (const [i, v] of mine.entries()) expect(Math.abs(v - (ref[i] as number))).toBeLessThan(1e-5);
  });

  it.skipIf(!available)("full barcodes (H0–H2) agree on small noisy tori of several sizes", () => {
    const rng = new Rng(seedFrom("ripser-torus"));
    for (const n of [30, 60, 90]) {
      const { x, d } = cloud(rng, n, "torus", 0.15);
      const dist = distanceMatrix(x, n, d);
      const mine = ripsBarcode(dist, n);
      const ref = ripser(dist, n);
      for (const dim of [0, 1, 2]) {
        const a = sortBars(mine, dim);
        const b = sortBars(ref, dim);
        expect(a.length, `n=${n} H${dim}`).toBe(b.length);
        a.forEach((bar, i) => {
          expect(Math.abs(bar[0] - (b[i]?.[0] as number))).toBeLessThan(1e-5);
          if (Number.isFinite(bar[1])) expect(Math.abs(bar[1] - (b[i]?.[1] as number))).toBeLessThan(1e-5);
          else expect(b[i]?.[1]).toBe(Number.POSITIVE_INFINITY);
        });
      }
    }
  });
});

describe("Betti rule", () => {
  it("counts the bars that stand out in units of the covering radius", () => {
    const eps = 1;
    const bars: Bar[] = [
      { dim: 0, birth: 0, death: Number.POSITIVE_INFINITY },
      { dim: 0, birth: 0, death: 6 }, // a second component
      { dim: 0, birth: 0, death: 1.9 }, // sampling
      { dim: 1, birth: 2, death: 9 },
      { dim: 1, birth: 2, death: 6 },
      { dim: 1, birth: 2, death: 3.2 }, // above τ₁ε but below 0.4 × the longest
      { dim: 2, birth: 3, death: 3.2 },
    ];
    expect(bettiFromBars(bars, eps)).toEqual([2, 2, 0]);
    expect(
      bettiFromBars(
        [
          { dim: 0, birth: 0, death: Number.POSITIVE_INFINITY },
          { dim: 2, birth: 2, death: 3 },
        ],
        eps,
      ),
    ).toEqual([1, 0, 1]);
    expect(
      bettiFromBars(
        [
          { dim: 0, birth: 0, death: Number.POSITIVE_INFINITY },
          { dim: 1, birth: 2, death: 2 + 0.9 * BETTI_RULE.h1 },
        ],
        eps,
      ),
    ).toEqual([1, 0, 0]);
  });
});

// SCIENTIFIC CHECK: persistent homology recovers the Betti numbers of circle, two circles, sphere and torus
// at the default noise level (peak count 10), on fresh instances of the dataset's generator.
describe("scientific check: persistent homology at default noise", () => {
  it.each(["circle", "two-circles", "sphere", "torus"] as const)("recovers the Betti numbers of the %s", (space) => {
    for (const rep of [0, 1]) {
      const { activity } = encodeLatent(new Rng(seedFrom("t4-scientific-check", space, rep)), space, {
        neurons: 100,
        samples: 1500,
        peakCount: 10,
        baselineCount: 0.5,
      });
      const t0 = performance.now();
      const { bars, coverRadius, landmarks } = activityBarcode(activity.data, 1500, 100, DEFAULT_OPTIONS);
      const ms = performance.now() - t0;
      const betti = bettiFromBars(bars, coverRadius);
      // Margins: in every dimension the bars counted clear the rule's threshold, and the rest stay below it,
      // by at least 5% (persistence in units of the covering radius ε).
      const margins = [0, 1, 2].map((dim) => {
        const ps = bars
          .filter((b) => b.dim === dim && Number.isFinite(b.death))
          .map((b) => (b.death - b.birth) / coverRadius)
          .sort((a, b) => b - a);
        const threshold =
          dim === 0 ? BETTI_RULE.h0 : Math.max(dim === 1 ? BETTI_RULE.h1 : BETTI_RULE.h2, BETTI_RULE.relative * (ps[0] ?? 0));
        const counted = (BETTI[space][dim] as number) - (dim === 0 ? 1 : 0);
        const weakestSignal = counted > 0 ? (ps[counted - 1] as number) : Number.POSITIVE_INFINITY;
        const strongestNoise = ps[counted] ?? 0;
        return { weakestSignal: weakestSignal / threshold, strongestNoise: strongestNoise / threshold };
      });
      console.log(
        `${space} #${rep}: betti ${betti.join(",")} (${landmarks} landmarks, ${ms.toFixed(0)} ms); signal/threshold ≥ ${margins.map((m) => m.weakestSignal.toFixed(2)).join(", ")}; noise/threshold ≤ ${margins.map((m) => m.strongestNoise.toFixed(2)).join(", ")}`,
      );
      expect(betti).toEqual(BETTI[space]);
      for (const m of margins) {
        expect(m.weakestSignal).toBeGreaterThan(1.05);
        expect(m.strongestNoise).toBeLessThan(1 / 1.05);
      }
    }
  });
});
