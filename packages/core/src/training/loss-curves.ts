/**
 * Loss curves as a PNG: one panel per loss part (total first, then entity, group, proto_reg, crf and any
 * other part the log holds) and one for validation entity F1 when the log has evaluations. Each panel
 * shows the raw per-step values as faint points, an exponentially smoothed line over them (TensorBoard's
 * debiased EMA), epoch boundaries as dashed vertical lines, and axes with ticks and labels; a panel whose
 * values span more than a factor of 20 uses a log scale. The trainer redraws it after every epoch.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { font } from '../render/fonts.js';
import { atomicWriteFile } from './atomic-files.js';
import type { EvalRecord, StepRecord } from './metrics-log.js';

export interface LossCurveOptions {
  /** figure title (default "Training losses") */
  title?: string;
  /** figure width in pixels (default 1500) */
  width?: number;
  /** panel height in pixels (default 300) */
  panelHeight?: number;
  /** panels per row (default 3) */
  columns?: number;
  /** EMA weight in [0, 1); default grows with the number of steps (0 below 10 steps, at most 0.97) */
  smoothing?: number;
  /** y axis: 'auto' (log when all values are positive and span more than 20x), 'linear' or 'log' */
  yScale?: 'auto' | 'linear' | 'log';
}

export interface LossCurvePanel {
  key: string;
  title: string;
  /** x pixel range and y pixel range of the plot area */
  plot: [number, number, number, number];
  scale: 'linear' | 'log';
  points: number;
  color: string;
}

export interface LossCurveFigure {
  png: Buffer;
  width: number;
  height: number;
  panels: LossCurvePanel[];
  /** steps at which a new epoch starts (the boundary lines) */
  epochStarts: number[];
  smoothing: number;
}

const PART_ORDER = ['total', 'entity', 'group', 'proto_reg', 'crf'];
const PART_COLORS: Record<string, string> = {
  total: '#1F2937',
  entity: '#0067A5',
  group: '#008856',
  proto_reg: '#875692',
  crf: '#E25822',
  val_entity_f1: '#BE0032',
};
const OTHER_COLORS = ['#B3446C', '#604E97', '#654522', '#848482'];
const BG = '#FFFFFF';
const GRID = '#E5E7EB';
const AXIS = '#6B7280';
const TEXT = '#111827';

/** The debiased exponential moving average TensorBoard draws (weight 0: the values themselves). */
export function smoothSeries(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothSeries: weight must be in [0, 1), got ${weight}`);
  const out: number[] = [];
  let last = 0;
  let n = 0;
  for (const v of values) {
    last = last * weight + (1 - weight) * v;
    n++;
    out.push(weight === 0 ? v : last / (1 - weight ** n));
  }
  return out;
}

/** The smoothing weight used for `n` points when none is given. */
export function defaultSmoothing(n: number): number {
  if (n < 10) return 0;
  return Math.min(0.97, Math.max(0, 1 - 3 / Math.sqrt(n)));
}

/** Draw the figure. */
export function drawLossCurves(
  steps: readonly StepRecord[],
  evals: readonly EvalRecord[] = [],
  options: LossCurveOptions = {},
): LossCurveFigure {
  const sorted = [...steps].sort((a, b) => a.step - b.step);
  const parts = partKeys(sorted);
  const smoothing = options.smoothing ?? defaultSmoothing(sorted.length);
  if (!(smoothing >= 0 && smoothing < 1)) throw new RangeError(`drawLossCurves: smoothing must be in [0, 1), got ${smoothing}`);
  const epochStarts = epochBoundaries(sorted);

  const width = Math.round(options.width ?? 1500);
  const columns = Math.max(1, Math.round(options.columns ?? 3));
  const panelH = Math.round(options.panelHeight ?? 300);
  const keys = [...parts, ...(evals.length > 0 ? ['val_entity_f1'] : [])];
  const rows = Math.max(1, Math.ceil(keys.length / columns));
  const headerH = 74;
  const margin = 20;
  const panelW = Math.floor((width - 2 * margin) / columns);
  const height = headerH + rows * panelH + margin;

  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = BG;
  ctx.fillRect(0, 0, width, height);
  drawHeader(ctx, options.title ?? 'Training losses', sorted, smoothing, width, margin);

  const xMin = sorted.length ? sorted[0].step : 0;
  const xMax = Math.max(xMin + 1, sorted.length ? sorted[sorted.length - 1].step : 1, ...evals.map((e) => e.step));
  const panels: LossCurvePanel[] = [];
  keys.forEach((key, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const x0 = margin + col * panelW;
    const y0 = headerH + row * panelH;
    const isEval = key === 'val_entity_f1';
    const points: Array<[number, number]> = isEval
      ? evals.filter((e) => Number.isFinite(e.val_entity_f1)).map((e) => [e.step, e.val_entity_f1])
      : sorted.flatMap((s) => {
          const v = s.losses[key];
          return typeof v === 'number' && Number.isFinite(v) ? [[s.step, v] as [number, number]] : [];
        });
    const color = PART_COLORS[key] ?? OTHER_COLORS[i % OTHER_COLORS.length];
    const title = isEval ? 'val entity F1 (micro, strict)' : panelTitle(key, sorted);
    const plot: [number, number, number, number] = [x0 + 62, x0 + panelW - 14, y0 + 30, y0 + panelH - 46];
    const scale = drawPanel(ctx, {
      title,
      plot,
      points,
      color,
      smoothing: isEval ? 0 : smoothing,
      xRange: [xMin, xMax],
      epochStarts,
      yScale: isEval ? 'linear' : (options.yScale ?? 'auto'),
      yLabel: isEval ? 'F1' : 'loss',
      markers: isEval,
      fixedY: isEval ? [0, 1] : undefined,
    });
    panels.push({ key, title, plot, scale, points: points.length, color });
  });
  return { png: canvas.toBuffer('image/png'), width, height, panels, epochStarts, smoothing };
}

/** Draw the figure and write it to `path` atomically. */
export function writeLossCurves(
  path: string,
  steps: readonly StepRecord[],
  evals: readonly EvalRecord[] = [],
  options: LossCurveOptions = {},
): LossCurveFigure {
  const fig = drawLossCurves(steps, evals, options);
  atomicWriteFile(path, fig.png);
  return fig;
}

// ---------------------------------------------------------------------------------------------------------

function partKeys(steps: readonly StepRecord[]): string[] {
  const seen = new Set<string>();
  for (const s of steps) for (const [k, v] of Object.entries(s.losses ?? {})) if (typeof v === 'number') seen.add(k);
  const known = PART_ORDER.filter((k) => seen.has(k));
  const others = [...seen].filter((k) => !PART_ORDER.includes(k)).sort();
  const keys = [...known, ...others];
  return keys.length ? keys : ['total'];
}

function epochBoundaries(steps: readonly StepRecord[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < steps.length; i++) if (steps[i].epoch !== steps[i - 1].epoch) out.push(steps[i].step);
  return out;
}

function panelTitle(key: string, steps: readonly StepRecord[]): string {
  if (key === 'total') return 'total (weighted sum)';
  const ws = steps.map((s) => (s.weights as Record<string, number> | undefined)?.[key]).filter((w): w is number => typeof w === 'number');
  if (ws.length === 0) return key;
  const first = ws[0];
  const last = ws[ws.length - 1];
  const changes = ws.some((w, i) => i > 0 && w !== ws[i - 1]);
  return changes ? `${key} (weight ${fmt(first)} \u2192 ${fmt(last)})` : `${key} (weight ${fmt(first)})`;
}

function drawHeader(
  ctx: SKRSContext2D,
  title: string,
  steps: readonly StepRecord[],
  smoothing: number,
  width: number,
  margin: number,
): void {
  ctx.fillStyle = TEXT;
  ctx.textBaseline = 'alphabetic';
  ctx.font = font('bold', 20);
  ctx.fillText(title, margin, 32);
  ctx.font = font('sans', 12);
  ctx.fillStyle = AXIS;
  const last = steps[steps.length - 1];
  const info = last ? `${last.step} steps, ${last.epoch} epoch${last.epoch === 1 ? '' : 's'}` : 'no steps logged';
  ctx.fillText(info, margin, 54);
  // legend, right-aligned
  let x = width - margin;
  const items: Array<[string, (x: number, y: number) => void]> = [
    [
      'epoch boundary',
      (lx, ly) => {
        ctx.strokeStyle = '#9CA3AF';
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 3]);
        strokeLine(ctx, lx + 9, ly - 9, lx + 9, ly + 5);
        ctx.setLineDash([]);
      },
    ],
    [
      'raw value per step',
      (lx, ly) => {
        ctx.fillStyle = 'rgba(31, 41, 55, 0.35)';
        for (const dx of [3, 9, 15]) {
          ctx.beginPath();
          ctx.arc(lx + dx, ly - 2 + (dx % 2), 1.8, 0, 2 * Math.PI);
          ctx.fill();
        }
      },
    ],
    [
      smoothing > 0 ? `smoothed (EMA ${fmt(smoothing)})` : 'value',
      (lx, ly) => {
        ctx.strokeStyle = TEXT;
        ctx.lineWidth = 2;
        strokeLine(ctx, lx, ly - 2, lx + 18, ly - 2);
      },
    ],
  ];
  ctx.font = font('sans', 12);
  for (const [label, glyph] of items) {
    const w = ctx.measureText(label).width;
    x -= w;
    ctx.fillStyle = TEXT;
    ctx.fillText(label, x, 40);
    x -= 24;
    glyph(x, 40);
    x -= 22;
  }
}

interface PanelSpec {
  title: string;
  plot: [number, number, number, number];
  points: Array<[number, number]>;
  color: string;
  smoothing: number;
  xRange: [number, number];
  epochStarts: number[];
  yScale: 'auto' | 'linear' | 'log';
  yLabel: string;
  markers: boolean;
  fixedY?: [number, number];
}

function drawPanel(ctx: SKRSContext2D, p: PanelSpec): 'linear' | 'log' {
  const [px0, px1, py0, py1] = p.plot;
  ctx.fillStyle = TEXT;
  ctx.font = font('bold', 13);
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(p.title, px0 - 50, py0 - 12);

  const ys = p.points.map((q) => q[1]);
  const positive = ys.length > 0 && ys.every((v) => v > 0);
  let lo = ys.length ? Math.min(...ys) : 0;
  let hi = ys.length ? Math.max(...ys) : 1;
  const useLog = p.yScale === 'log' ? positive : p.yScale === 'auto' && positive && hi / lo > 20;
  if (p.fixedY) [lo, hi] = p.fixedY;
  let ticks: number[];
  if (useLog) {
    ticks = logTicks(lo, hi);
    lo = Math.min(lo, ticks[0]);
    hi = Math.max(hi, ticks[ticks.length - 1]);
  } else {
    if (hi - lo < 1e-12) {
      const pad = Math.abs(hi) * 0.1 || 1;
      lo -= pad;
      hi += pad;
    }
    ticks = niceTicks(lo, hi, 5);
    lo = Math.min(lo, ticks[0]);
    hi = Math.max(hi, ticks[ticks.length - 1]);
  }
  const tf = (v: number) => (useLog ? Math.log10(v) : v);
  const [tlo, thi] = [tf(lo), tf(hi)];
  const [xlo, xhi] = p.xRange;
  const X = (x: number) => px0 + ((x - xlo) / (xhi - xlo)) * (px1 - px0);
  const Y = (y: number) => py1 - ((tf(y) - tlo) / (thi - tlo || 1)) * (py1 - py0);

  // grid and y ticks
  ctx.font = font('sans', 11);
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  for (const t of ticks) {
    const y = Math.round(Y(t)) + 0.5;
    ctx.strokeStyle = GRID;
    strokeLine(ctx, px0, y, px1, y);
    ctx.fillStyle = AXIS;
    const label = fmt(t);
    ctx.fillText(label, px0 - 6 - ctx.measureText(label).width, y);
  }
  // x ticks
  const xticks = niceTicks(xlo, xhi, 6).filter((t) => t >= xlo && t <= xhi && Number.isInteger(t));
  ctx.textBaseline = 'top';
  for (const t of xticks) {
    const x = Math.round(X(t)) + 0.5;
    ctx.strokeStyle = GRID;
    strokeLine(ctx, x, py0, x, py1);
    ctx.strokeStyle = AXIS;
    strokeLine(ctx, x, py1, x, py1 + 4);
    ctx.fillStyle = AXIS;
    const label = fmtStep(t);
    ctx.fillText(label, x - ctx.measureText(label).width / 2, py1 + 6);
  }
  // epoch boundaries
  ctx.strokeStyle = '#9CA3AF';
  ctx.setLineDash([4, 3]);
  const labelEvery = Math.max(1, Math.ceil(p.epochStarts.length / 12));
  p.epochStarts.forEach((s, i) => {
    const x = Math.round(X(s - 0.5)) + 0.5;
    strokeLine(ctx, x, py0, x, py1);
    if (i % labelEvery === 0) {
      ctx.fillStyle = '#6B7280';
      ctx.font = font('sans', 10);
      ctx.textBaseline = 'top';
      ctx.fillText(`e${i + 2}`, x + 3, py0 + 2);
    }
  });
  ctx.setLineDash([]);
  // axes
  ctx.strokeStyle = AXIS;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(px0 + 0.5, py0);
  ctx.lineTo(px0 + 0.5, py1 + 0.5);
  ctx.lineTo(px1, py1 + 0.5);
  ctx.stroke();
  ctx.fillStyle = AXIS;
  ctx.font = font('sans', 11);
  ctx.textBaseline = 'alphabetic';
  const xl = 'optimizer step';
  ctx.fillText(xl, (px0 + px1) / 2 - ctx.measureText(xl).width / 2, py1 + 34);
  ctx.save();
  ctx.translate(px0 - 48, (py0 + py1) / 2);
  ctx.rotate(-Math.PI / 2);
  const yl = useLog ? `${p.yLabel} (log)` : p.yLabel;
  ctx.fillText(yl, -ctx.measureText(yl).width / 2, 0);
  ctx.restore();

  if (p.points.length === 0) {
    ctx.fillStyle = AXIS;
    ctx.font = font('sans', 12);
    const t = 'no values logged';
    ctx.fillText(t, (px0 + px1) / 2 - ctx.measureText(t).width / 2, (py0 + py1) / 2);
    return useLog ? 'log' : 'linear';
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(px0, py0 - 2, px1 - px0 + 2, py1 - py0 + 4);
  ctx.clip();
  // raw points
  const [r, g, b] = hex(p.color);
  ctx.fillStyle = `rgba(${r}, ${g}, ${b}, ${p.markers ? 0.9 : p.points.length > 2000 ? 0.15 : 0.3})`;
  const dot = p.markers ? 3.5 : p.points.length > 2000 ? 1.2 : 1.8;
  for (const [x, y] of p.points) {
    ctx.beginPath();
    ctx.arc(X(x), Y(y), dot, 0, 2 * Math.PI);
    ctx.fill();
  }
  // smoothed line
  const smooth = smoothSeries(
    p.points.map((q) => (useLog ? Math.log(q[1]) : q[1])),
    p.smoothing,
  ).map((v) => (useLog ? Math.exp(v) : v));
  ctx.strokeStyle = p.color;
  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  p.points.forEach(([x], i) => {
    if (i === 0) ctx.moveTo(X(x), Y(smooth[i]));
    else ctx.lineTo(X(x), Y(smooth[i]));
  });
  ctx.stroke();
  ctx.restore();
  // the last smoothed value, printed at the top right
  ctx.fillStyle = p.color;
  ctx.font = font('bold', 12);
  ctx.textBaseline = 'alphabetic';
  const lastLabel = `${p.smoothing > 0 ? 'smoothed ' : ''}${fmt(smooth[smooth.length - 1])}`;
  ctx.fillText(lastLabel, px1 - ctx.measureText(lastLabel).width, py0 - 12);
  return useLog ? 'log' : 'linear';
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(lo / step + 1e-9) * step;
  const out: number[] = [];
  for (let t = first; t <= hi + step * 0.5 && out.length < 50; t += step) {
    out.push(Number(t.toPrecision(12)));
    if (t >= hi - 1e-12 * Math.abs(hi)) break;
  }
  return out;
}

/** Ticks for a log axis: powers of ten, with 2 and 5 between them when the range is short. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const mults = b - a <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = a; e <= b; e++) for (const m of mults) out.push(Number((m * 10 ** e).toPrecision(12)));
  // trim to the data, keeping one tick beyond each end
  const i0 = Math.max(0, out.findIndex((t) => t > lo) - 1);
  let i1 = out.findIndex((t) => t >= hi);
  if (i1 < 0) i1 = out.length - 1;
  return out.slice(i0, i1 + 1);
}

/** One straight stroke from (x0, y0) to (x1, y1) in the current stroke style. */
function strokeLine(ctx: SKRSContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, '');
  return Number(v.toPrecision(3)).toString();
}

function fmtStep(v: number): string {
  return v >= 10000 ? `${Number((v / 1000).toPrecision(3))}k` : String(v);
}

function hex(c: string): [number, number, number] {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}
