// Inline SVG plots (server-rendered, no chart library): leaderboard scores with 95% CI whiskers,
// per-instance values of one run, two methods' per-instance scores against each other, and cost vs score.
import type { DatasetPreview } from "@/harness/types.ts";
import type { ScatterPoint } from "@/lib/compare.ts";
import { formatMs, formatScore } from "@/lib/format.ts";

interface Range {
  min: number;
  max: number;
}

function ticks({ min, max }: Range, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => min + ((max - min) * i) / count);
}

/** A coordinate to a tenth of a unit: finer is invisible, and the digits of a full double cost page weight. */
function px(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Extend the task's score range if some value falls outside it. */
function domainOf(range: Range, values: number[]): Range {
  const finite = values.filter(Number.isFinite);
  return { min: Math.min(range.min, ...finite), max: Math.max(range.max, ...finite) };
}

export interface ScorePoint {
  label: string;
  score: number;
  ciLow: number | null;
  ciHigh: number | null;
  chance?: boolean;
}

const WIDTH = 720;
const LEFT = 170;
const RIGHT = 24;
const ROW = 26;
const TOP = 22;
const AXIS = 28;

export function ScorePlot({
  points,
  range,
  label,
  chance,
  oracle,
}: {
  points: ScorePoint[];
  range: Range;
  label: string;
  chance: number | null;
  oracle: number | null;
}) {
  if (points.length === 0) return null;
  const values = points.flatMap((p) => [p.score, p.ciLow ?? p.score, p.ciHigh ?? p.score]);
  if (chance !== null) values.push(chance);
  if (oracle !== null) values.push(oracle);
  const dom = domainOf(range, values);
  const x = (v: number) => px(LEFT + ((v - dom.min) / (dom.max - dom.min || 1)) * (WIDTH - LEFT - RIGHT));
  const height = TOP + points.length * ROW + AXIS;
  const bottom = TOP + points.length * ROW;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${height}`}
      className="w-full max-w-3xl text-slate-700"
      role="img"
      aria-label={`${label} per method with 95% confidence intervals`}
      data-testid="score-plot"
    >
      <title>{`${label} per method (dots) with 95% bootstrap confidence intervals (whiskers)`}</title>
      {ticks(dom).map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={TOP - 6} y2={bottom} className="stroke-slate-200" />
          <text x={x(t)} y={bottom + 16} textAnchor="middle" className="fill-slate-500 text-[11px]">
            {formatScore(t, 2)}
          </text>
        </g>
      ))}
      {chance !== null && (
        <g>
          <line x1={x(chance)} x2={x(chance)} y1={TOP - 10} y2={bottom} className="stroke-slate-400" strokeDasharray="4 3" />
          <text x={x(chance)} y={TOP - 12} textAnchor="middle" className="fill-slate-500 text-[10px]">
            chance
          </text>
        </g>
      )}
      {oracle !== null && (
        <g>
          <line x1={x(oracle)} x2={x(oracle)} y1={TOP - 10} y2={bottom} className="stroke-amber-500" strokeDasharray="4 3" />
          <text x={x(oracle)} y={TOP - 12} textAnchor="end" className="fill-amber-700 text-[10px]">
            oracle
          </text>
        </g>
      )}
      {points.map((p, i) => {
        const y = TOP + i * ROW + ROW / 2;
        const color = p.chance ? "fill-slate-400 stroke-slate-400" : "fill-indigo-600 stroke-indigo-600";
        return (
          <g key={p.label}>
            <text
              x={LEFT - 10}
              y={y + 4}
              textAnchor="end"
              className={`text-[12px] ${p.chance ? "fill-slate-500 italic" : "fill-slate-800"}`}
            >
              {p.label}
            </text>
            {p.ciLow !== null && p.ciHigh !== null && (
              // The whisker and its two end caps as one path (one element per point, not four: pages plot hundreds).
              <path
                d={`M${x(p.ciLow)} ${y}H${x(p.ciHigh)}M${x(p.ciLow)} ${y - 5}v10M${x(p.ciHigh)} ${y - 5}v10`}
                className={color}
                strokeWidth={1.5}
              />
            )}
            <circle cx={x(p.score)} cy={y} r={4.5} className={color} />
          </g>
        );
      })}
      <line x1={LEFT} x2={WIDTH - RIGHT} y1={bottom} y2={bottom} className="stroke-slate-300" />
    </svg>
  );
}

export interface StripValue {
  index: number;
  value: number | null;
  failed: boolean;
}

/** One dot per instance (jittered vertically by index); failed instances in a separate lane. */
export function StripPlot({ values, range, label, mean }: { values: StripValue[]; range: Range; label: string; mean: number | null }) {
  if (values.length === 0) return null;
  const ok = values.filter((v) => !v.failed && v.value !== null);
  const failed = values.filter((v) => v.failed);
  const dom = domainOf(
    range,
    ok.map((v) => v.value as number),
  );
  const left = 70;
  const x = (v: number) => px(left + ((v - dom.min) / (dom.max - dom.min || 1)) * (WIDTH - left - RIGHT));
  const laneH = 44;
  const lanes = failed.length ? 2 : 1;
  const top = 10;
  const bottom = top + lanes * laneH;
  const jitter = (i: number) => ((((i * 0.6180339887) % 1) + 1) % 1) * 0.7 - 0.35;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${bottom + AXIS}`}
      className="w-full max-w-3xl"
      role="img"
      aria-label={`${label} per instance`}
      data-testid="strip-plot"
    >
      <title>{`${label} of each instance${failed.length ? `; ${failed.length} failed instances have no score` : ""}`}</title>
      {ticks(dom).map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={top} y2={bottom} className="stroke-slate-200" />
          <text x={x(t)} y={bottom + 16} textAnchor="middle" className="fill-slate-500 text-[11px]">
            {formatScore(t, 2)}
          </text>
        </g>
      ))}
      <text x={left - 10} y={top + laneH / 2 + 4} textAnchor="end" className="fill-slate-600 text-[11px]">
        scored
      </text>
      {mean !== null && <line x1={x(mean)} x2={x(mean)} y1={top + 4} y2={top + laneH - 4} className="stroke-indigo-900" strokeWidth={2} />}
      {ok.map((v) => (
        <circle
          key={v.index}
          cx={x(v.value as number)}
          cy={top + laneH / 2 + jitter(v.index) * laneH * 0.8}
          r={3.5}
          className="fill-indigo-600/70"
        >
          <title>{`#${v.index}: ${formatScore(v.value)}`}</title>
        </circle>
      ))}
      {failed.length > 0 && (
        <g>
          <text x={left - 10} y={top + laneH * 1.5 + 4} textAnchor="end" className="fill-rose-700 text-[11px]">
            failed
          </text>
          {failed.map((v, i) => {
            const cx = left + 8 + i * 12;
            const cy = top + laneH * 1.5;
            return (
              <g key={v.index} className="stroke-rose-600" strokeWidth={2}>
                <title>{`#${v.index}: failed (no score)`}</title>
                <line x1={cx - 3.5} x2={cx + 3.5} y1={cy - 3.5} y2={cy + 3.5} />
                <line x1={cx - 3.5} x2={cx + 3.5} y1={cy + 3.5} y2={cy - 3.5} />
              </g>
            );
          })}
        </g>
      )}
      <line x1={left} x2={WIDTH - RIGHT} y1={bottom} y2={bottom} className="stroke-slate-300" />
    </svg>
  );
}

const SERIES_COLORS = [
  "stroke-indigo-600",
  "stroke-amber-600",
  "stroke-emerald-600",
  "stroke-rose-600",
  "stroke-sky-600",
  "stroke-violet-600",
];

function niceTicks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  return Array.from({ length: count + 1 }, (_, i) => min + ((max - min) * i) / count);
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e4 || a < 1e-2) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** A dataset's preview: lines (e.g. tuning curves) or points (e.g. a position trace), with axes. */
export function DataPlot({ preview }: { preview: DatasetPreview }) {
  const xs = preview.series.flatMap((s) => s.x).filter(Number.isFinite);
  const ys = preview.series.flatMap((s) => s.y).filter(Number.isFinite);
  if (xs.length === 0 || ys.length === 0) return null;
  const width = 720;
  const height = 300;
  const left = 56;
  const right = 16;
  const top = 12;
  const bottom = height - 40;
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * (width - left - right);
  const sy = (v: number) => bottom - ((v - y0) / (y1 - y0 || 1)) * (bottom - top);
  return (
    <figure data-testid="data-plot">
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full max-w-3xl text-slate-700" role="img" aria-label={preview.title}>
        <title>{preview.title}</title>
        {niceTicks(x0, x1).map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={top} y2={bottom} className="stroke-slate-100" />
            <text x={sx(t)} y={bottom + 14} textAnchor="middle" className="fill-slate-500 text-[10px]">
              {formatTick(t)}
            </text>
          </g>
        ))}
        {niceTicks(y0, y1).map((t) => (
          <g key={`y${t}`}>
            <line x1={left} x2={width - right} y1={sy(t)} y2={sy(t)} className="stroke-slate-100" />
            <text x={left - 6} y={sy(t) + 3} textAnchor="end" className="fill-slate-500 text-[10px]">
              {formatTick(t)}
            </text>
          </g>
        ))}
        {preview.series.map((s, i) => {
          const color = SERIES_COLORS[i % SERIES_COLORS.length] as string;
          if (preview.kind === "points") {
            // One path of zero-length round-capped segments draws thousands of dots cheaply.
            const dots = s.x.map((x, j) => `M${sx(x).toFixed(1)},${sy(s.y[j] as number).toFixed(1)}h0`).join("");
            return <path key={s.name} d={dots} className={color} strokeWidth={2.5} strokeLinecap="round" strokeOpacity={0.5} />;
          }
          const d = s.x.map((x, j) => `${j === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(s.y[j] as number).toFixed(1)}`).join("");
          return <path key={s.name} d={d} className={color} fill="none" strokeWidth={1.4} />;
        })}
        <AxisLabels frame={{ left, right, top, bottom, width, height }} x={preview.xLabel} y={preview.yLabel} />
      </svg>
      {preview.caption && <figcaption className="mt-1 max-w-3xl text-xs text-slate-500">{preview.caption}</figcaption>}
    </figure>
  );
}

/** The x axis line with its label under it, and the y label rotated along the left edge (DataPlot, CostPlot). */
function AxisLabels({
  frame: { left, right, top, bottom, width, height },
  x,
  y,
}: {
  frame: { left: number; right: number; top: number; bottom: number; width: number; height: number };
  x: string;
  y: string;
}) {
  return (
    <>
      <line x1={left} x2={width - right} y1={bottom} y2={bottom} className="stroke-slate-300" />
      <text x={(left + width - right) / 2} y={height - 6} textAnchor="middle" className="fill-slate-600 text-[11px]">
        {x}
      </text>
      <text
        x={12}
        y={(top + bottom) / 2}
        textAnchor="middle"
        transform={`rotate(-90 12 ${(top + bottom) / 2})`}
        className="fill-slate-600 text-[11px]"
      >
        {y}
      </text>
    </>
  );
}

export interface CostPlotPoint {
  method: string;
  label: string;
  /** Median wall time per instance, ms (log scale). */
  ms: number;
  /** Mean normalized score. */
  score: number;
  /** Chance and floor rows: references, drawn grey, never on the front. */
  reference: boolean;
  onFront: boolean;
  /** Shown in the point's tooltip: where its time was measured. */
  machine: string;
}

/** Cost vs score: time per instance (log x) against normalized score, with the Pareto front joined by a line. */
export function CostPlot({ points, caption }: { points: CostPlotPoint[]; caption: string }) {
  if (points.length === 0) return null;
  const width = 720;
  const height = 340;
  const left = 56;
  const right = 130;
  const top = 14;
  const bottom = height - 42;
  const logs = points.map((p) => Math.log10(Math.max(p.ms, 1e-3)));
  // Whole decades around the data, so every tick is a round time.
  let lo = Math.floor(Math.min(...logs));
  let hi = Math.ceil(Math.max(...logs));
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const scores = points.map((p) => p.score);
  const y0 = Math.min(0, ...scores);
  const y1 = Math.max(1, ...scores);
  const sx = (ms: number) => px(left + ((Math.log10(Math.max(ms, 1e-3)) - lo) / (hi - lo)) * (width - left - right));
  const sy = (v: number) => px(bottom - ((v - y0) / (y1 - y0 || 1)) * (bottom - top));
  const front = points.filter((p) => p.onFront).sort((a, b) => a.ms - b.ms);
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  return (
    <figure data-testid="cost-plot">
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full max-w-3xl text-slate-700" role="img" aria-labelledby="cost-plot-title">
        <title id="cost-plot-title">{`Normalized score against median time per instance (log scale); Pareto front: ${front.map((p) => p.label).join(", ") || "none"}`}</title>
        {decades.map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={top} y2={bottom} className="stroke-slate-100" />
            <text x={sx(t)} y={bottom + 14} textAnchor="middle" className="fill-slate-500 text-[10px]">
              {formatMs(t)}
            </text>
          </g>
        ))}
        {ticks({ min: y0, max: y1 }).map((t) => (
          <g key={`y${t}`}>
            <line x1={left} x2={width - right} y1={sy(t)} y2={sy(t)} className="stroke-slate-100" />
            <text x={left - 6} y={sy(t) + 3} textAnchor="end" className="fill-slate-500 text-[10px]">
              {formatScore(t, 2)}
            </text>
          </g>
        ))}
        {front.length > 1 && (
          <polyline
            points={front.map((p) => `${sx(p.ms)},${sy(p.score)}`).join(" ")}
            className="stroke-indigo-400"
            fill="none"
            strokeWidth={1.5}
            strokeDasharray="5 3"
            data-testid="pareto-line"
          />
        )}
        {points.map((p) => {
          const style = p.reference
            ? "fill-white stroke-slate-400"
            : p.onFront
              ? "fill-indigo-600 stroke-indigo-600"
              : "fill-white stroke-indigo-600";
          return (
            <g key={p.method} data-testid="cost-point" data-method={p.method} data-front={p.onFront}>
              <title>{`${p.label}: normalized ${formatScore(p.score)}, ${formatMs(p.ms)} per instance (median)${p.onFront ? ", on the Pareto front" : ""}; ${p.machine}`}</title>
              <circle cx={sx(p.ms)} cy={sy(p.score)} r={5} className={style} strokeWidth={1.5} />
              <text
                x={sx(p.ms) + 8}
                y={sy(p.score) + 4}
                className={`text-[11px] ${p.reference ? "fill-slate-500 italic" : p.onFront ? "fill-slate-900 font-medium" : "fill-slate-600"}`}
              >
                {p.label}
              </text>
            </g>
          );
        })}
        <AxisLabels
          frame={{ left, right, top, bottom, width, height }}
          x="median wall time per instance (log scale)"
          y="mean normalized score"
        />
      </svg>
      <figcaption className="mt-1 max-w-3xl text-xs text-slate-500">{caption}</figcaption>
    </figure>
  );
}

const WINNER_STYLE = { a: "fill-indigo-600/75", b: "fill-amber-500/80", tie: "fill-slate-400/80" } as const;

/**
 * Method A (x) against method B (y), one dot per shared instance, both axes on the same scale: dots below the
 * diagonal are instances A wins (indigo), above it B wins (amber), on it ties (slate). A failed instance (counted at
 * the task's lowest score) has a rose ring.
 */
export function PairScatter({ points, range, a, b }: { points: ScatterPoint[]; range: Range; a: string; b: string }) {
  if (points.length === 0) return null;
  const dom = domainOf(
    range,
    points.flatMap((p) => [p.a, p.b]),
  );
  const size = 300;
  const left = 48;
  const top = 10;
  const span = dom.max - dom.min || 1;
  const sx = (v: number) => left + ((v - dom.min) / span) * size;
  const sy = (v: number) => top + size - ((v - dom.min) / span) * size;
  const bottom = top + size;
  const failed = points.filter((p) => p.aFailed || p.bFailed).length;
  return (
    <figure data-testid="pair-scatter" data-a={a} data-b={b}>
      <svg
        viewBox={`0 0 ${left + size + 16} ${bottom + 40}`}
        className="w-full max-w-sm"
        role="img"
        aria-label={`Per-instance scores: ${a} (x) against ${b} (y)`}
      >
        <title>{`${a} (x) against ${b} (y) on each shared instance; below the diagonal ${a} scores higher`}</title>
        {ticks(dom).map((t) => (
          <g key={t}>
            <line x1={sx(t)} x2={sx(t)} y1={top} y2={bottom} className="stroke-slate-100" />
            <line x1={left} x2={left + size} y1={sy(t)} y2={sy(t)} className="stroke-slate-100" />
            <text x={sx(t)} y={bottom + 14} textAnchor="middle" className="fill-slate-500 text-[10px]">
              {formatScore(t, 2)}
            </text>
            <text x={left - 6} y={sy(t) + 3} textAnchor="end" className="fill-slate-500 text-[10px]">
              {formatScore(t, 2)}
            </text>
          </g>
        ))}
        <line x1={sx(dom.min)} y1={sy(dom.min)} x2={sx(dom.max)} y2={sy(dom.max)} className="stroke-slate-400" strokeDasharray="4 3" />
        <rect x={left} y={top} width={size} height={size} className="fill-none stroke-slate-300" />
        {points.map((p) => {
          const flag = p.aFailed || p.bFailed;
          return (
            <circle
              key={p.index}
              cx={sx(p.a)}
              cy={sy(p.b)}
              r={4}
              className={`${WINNER_STYLE[p.winner]} ${flag ? "stroke-rose-600" : "stroke-white"}`}
              strokeWidth={flag ? 2 : 0.75}
              data-testid="scatter-point"
              data-winner={p.winner}
              data-failed={flag ? "true" : undefined}
            >
              <title>{`${p.key}: ${a} ${formatScore(p.a)}${p.aFailed ? " (failed)" : ""}, ${b} ${formatScore(p.b)}${p.bFailed ? " (failed)" : ""}`}</title>
            </circle>
          );
        })}
        <text x={left + size / 2} y={bottom + 32} textAnchor="middle" className="fill-slate-700 text-[11px]">
          {a}
        </text>
        <text
          x={12}
          y={top + size / 2}
          textAnchor="middle"
          transform={`rotate(-90 12 ${top + size / 2})`}
          className="fill-slate-700 text-[11px]"
        >
          {b}
        </text>
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-x-3 text-xs text-slate-600">
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-indigo-600" aria-hidden="true" />
          {a} higher
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-amber-500" aria-hidden="true" />
          {b} higher
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-slate-400" aria-hidden="true" />
          tie
        </span>
        {failed > 0 && (
          <span>
            <span className="mr-1 inline-block h-2 w-2 rounded-full ring-2 ring-rose-600" aria-hidden="true" />
            {failed} with a failed instance (at the lowest score)
          </span>
        )}
      </figcaption>
    </figure>
  );
}
