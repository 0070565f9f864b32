import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultSmoothing,
  drawLossCurves,
  logTicks,
  niceTicks,
  smoothSeries,
  writeLossCurves,
} from '../../packages/core/src/training/loss-curves.js';
import type { EvalRecord, StepRecord } from '../../packages/core/src/training/metrics-log.js';
import { countColor, decodePng, distinctColors, hexRgb, pngSize } from '../render/png.js';

/** 3 epochs of 40 steps: losses decaying with deterministic noise; the CRF joins (weight 0.5) in epoch 2. */
function run(): { steps: StepRecord[]; evals: EvalRecord[] } {
  const steps: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  for (let s = 1; s <= 120; s++) {
    const epoch = Math.ceil(s / 40);
    const noise = Math.sin(s * 12.9898) * 0.1;
    const losses = {
      entity: 3 * Math.exp(-s / 30) + 0.1 + noise * 0.2,
      group: 1.5 * Math.exp(-s / 25) + 0.05,
      proto_reg: 0.2 + noise * 0.01,
      crf: 60 * Math.exp(-s / 30) + 0.5,
    };
    const weights = { entity: 1, group: 0.3, proto_reg: 0.01, crf: epoch === 1 ? 0 : 0.5 };
    const total = losses.entity + 0.3 * losses.group + 0.01 * losses.proto_reg + weights.crf * losses.crf;
    steps.push({
      type: 'step',
      step: s,
      epoch,
      losses: { total, ...losses },
      weights,
      grad_norm: 1,
      lr: 1e-3,
      tokens_per_s: 1000,
      data_wait_fraction: 0,
    });
    if (s % 40 === 0) evals.push({ type: 'eval', step: s, epoch, val_entity_f1: 0.3 * epoch });
  }
  return { steps, evals };
}

describe('drawLossCurves', () => {
  const { steps, evals } = run();
  const fig = drawLossCurves(steps, evals, { width: 900, panelHeight: 220, columns: 3 });

  test('one panel per loss part, total first, and val F1; epoch boundaries where the epoch changes', () => {
    expect(fig.panels.map((p) => p.key)).toEqual(['total', 'entity', 'group', 'proto_reg', 'crf', 'val_entity_f1']);
    expect(fig.panels.map((p) => p.points)).toEqual([120, 120, 120, 120, 120, 3]);
    expect(fig.epochStarts).toEqual([41, 81]);
    expect(fig.panels.find((p) => p.key === 'crf')!.title).toBe('crf (weight 0 \u2192 0.5)');
    expect(fig.panels.find((p) => p.key === 'group')!.title).toBe('group (weight 0.3)');
    // the CRF term falls from 58 to 1.6 (more than 20x): log scale; proto_reg barely moves: linear
    expect(fig.panels.find((p) => p.key === 'crf')!.scale).toBe('log');
    expect(fig.panels.find((p) => p.key === 'proto_reg')!.scale).toBe('linear');
    expect(fig.smoothing).toBeCloseTo(defaultSmoothing(120), 12);
  });

  test('a PNG of the stated size whose panels hold their curve colour and are not blank', async () => {
    expect(pngSize(fig.png)).toEqual({ width: fig.width, height: fig.height });
    expect(fig.width).toBe(900);
    expect(fig.height).toBe(74 + 2 * 220 + 20);
    const px = await decodePng(fig.png);
    for (const p of fig.panels) {
      const [x0, x1, y0, y1] = p.plot;
      const rect: [number, number, number, number] = [x0, y0, x1, y1];
      // the smoothed line is drawn in the panel's colour, fully opaque
      expect(countColor(px, rect, hexRgb(p.color), 8)).toBeGreaterThan(p.key === 'val_entity_f1' ? 20 : 100);
      expect(distinctColors(px, rect)).toBeGreaterThan(5);
    }
    // an epoch boundary is a dashed grey vertical line inside each panel
    const entity = fig.panels.find((p) => p.key === 'entity')!;
    const [x0, x1, y0, y1] = entity.plot;
    const bx = Math.round(x0 + ((41 - 0.5 - 1) / (120 - 1)) * (x1 - x0));
    expect(countColor(px, [bx - 1, y0, bx + 2, y1], hexRgb('#9CA3AF'), 10)).toBeGreaterThan((y1 - y0) * 0.3);
  });

  test('missing loss parts and an empty log still draw', async () => {
    const partial: StepRecord[] = run().steps.map((s) => ({
      ...s,
      losses: { total: s.losses.total, ...(s.epoch > 1 ? { crf: s.losses.crf } : {}) },
    }));
    const f = drawLossCurves(partial);
    expect(f.panels.map((p) => [p.key, p.points])).toEqual([
      ['total', 120],
      ['crf', 80],
    ]);
    const empty = drawLossCurves([]);
    expect(empty.panels.map((p) => p.points)).toEqual([0]);
    expect(pngSize(empty.png)).toEqual({ width: empty.width, height: empty.height });
  });

  test('writeLossCurves writes the PNG atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-curves-'));
    try {
      const out = join(dir, 'loss-curves.png');
      const f = writeLossCurves(out, steps, evals, { width: 600 });
      expect(readFileSync(out).equals(f.png)).toBe(true);
      expect(readdirSync(dir)).toEqual(['loss-curves.png']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('smoothing and ticks', () => {
  test('debiased EMA: weight 0 is the identity, a constant stays constant, the first value is kept', () => {
    expect(smoothSeries([3, 1, 2], 0)).toEqual([3, 1, 2]);
    for (const v of smoothSeries([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
    const s = smoothSeries([10, 0], 0.5);
    expect(s[0]).toBeCloseTo(10, 12);
    expect(s[1]).toBeCloseTo((0.5 * 0.5 * 10 + 0.5 * 0) / (1 - 0.25), 12); // 10/3
    expect(() => smoothSeries([1], 1)).toThrow(RangeError);
    expect(defaultSmoothing(5)).toBe(0);
    expect(defaultSmoothing(100)).toBeCloseTo(0.7, 12);
    expect(defaultSmoothing(1e6)).toBe(0.97);
  });

  test('nice ticks cover the range with round steps', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 4.7, 5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(1, 120, 6)).toEqual([0, 20, 40, 60, 80, 100, 120]);
    expect(niceTicks(0, 0.07, 5)).toEqual([0, 0.02, 0.04, 0.06, 0.08]);
    expect(logTicks(0.03, 45)).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(logTicks(1.2, 41)).toEqual([1, 2, 5, 10, 20, 50]);
  });
});
