import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { backboneParameters, loadModelConfig } from '@hybridoc/core';
import {
  PARITY_FIXTURE_DIR,
  listParityFixtures,
  loadParityFixture,
  readParityManifest,
  relativeMaxError,
} from '../support/parity-fixture.js';

const tiny = loadModelConfig('tiny').backbone;

/** The spec's bucket rule (section 4.3), evaluated in float64. */
function bucket(r: number, bins: number, maxDistance: number): number {
  const half = bins / 2;
  const exact = half / 2;
  const n = Math.abs(r);
  const base = r > 0 ? half : 0;
  if (n < exact) return base + n;
  return base + Math.min(half - 1, exact + Math.trunc((Math.log(n / exact) / Math.log(maxDistance / exact)) * (half - exact)));
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((a, f) => {
    const p = resolve(dir, f);
    return a + (statSync(p).isDirectory() ? dirSize(p) : statSync(p).size);
  }, 0);
}

describe('parity fixtures (made from Hugging Face modeling_layoutlmv3.py)', () => {
  const manifest = readParityManifest();

  test('manifest records the reference revision and versions; both fixtures present; under 2 MB', () => {
    expect(manifest.reference.file).toBe('src/transformers/models/layoutlmv3/modeling_layoutlmv3.py');
    expect(manifest.reference.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(manifest.torch).toMatch(/^1\.13/);
    expect(manifest.fixtures.map((f) => f.name)).toEqual(['tiny-visual', 'tiny-text']);
    expect(listParityFixtures()).toEqual(['tiny-text', 'tiny-visual']);
    expect(dirSize(PARITY_FIXTURE_DIR)).toBeLessThan(2 * 1024 * 1024);
  });

  test.each(['tiny-visual', 'tiny-text'])('%s: config, weights, inputs, outputs and gradients have the documented shapes', (name) => {
    const fx = loadParityFixture(name);
    const visual = fx.entry.visual_embed;
    const B = 2;
    const T = 24;
    const V = visual ? 5 : 0;
    const S = T + V;
    const H = 32;
    expect(fx.config.backbone).toEqual({ ...tiny, visual_embed: visual });
    expect([fx.entry.batch, fx.entry.text_length, fx.entry.visual_tokens, fx.entry.sequence_length]).toEqual([B, T, V, S]);

    const specs = backboneParameters(fx.config.backbone);
    expect([...fx.weights.keys()]).toEqual(specs.map((s) => s.name));
    for (const s of specs) expect([s.name, fx.weights.get(s.name)!.shape]).toEqual([s.name, s.shape]);
    // the relative-position tables are standardised to unit variance
    for (const n of [
      'layoutlmv3.encoder.rel_pos_bias.weight',
      'layoutlmv3.encoder.rel_pos_x_bias.weight',
      'layoutlmv3.encoder.rel_pos_y_bias.weight',
    ]) {
      const d = fx.weights.get(n)!.data;
      const mean = d.reduce((a, x) => a + x, 0) / d.length;
      const variance = d.reduce((a, x) => a + (x - mean) ** 2, 0) / d.length;
      expect(Math.abs(mean)).toBeLessThan(1e-6);
      expect(variance).toBeCloseTo(1, 5);
    }

    const { input_ids, bbox, attention_mask, pixel_values } = fx.inputs;
    expect([input_ids.shape, bbox.shape, attention_mask.shape]).toEqual([
      [B, T],
      [B, T, 4],
      [B, T],
    ]);
    expect(pixel_values?.shape).toEqual(visual ? [B, 3, 32, 32] : undefined);
    // row 1 is padded after its 15 real tokens: <pad> id 1, mask 0, box [0,0,0,0]
    const real = fx.entry.padded_row.real_tokens;
    for (let t = 0; t < T; t++) {
      expect(attention_mask.data[T + t]).toBe(t < real ? 1n : 0n);
      if (t >= real) {
        expect(input_ids.data[T + t]).toBe(1n);
        expect(Array.from(bbox.data.subarray((T + t) * 4, (T + t) * 4 + 4))).toEqual([0n, 0n, 0n, 0n]);
      }
    }
    expect([input_ids.data[0], input_ids.data[T - 1], input_ids.data[T + real - 1]]).toEqual([0n, 2n, 2n]);

    const o = fx.outputs;
    expect(o.last_hidden_state.shape).toEqual([B, S, H]);
    expect(o.hidden_states).toHaveLength(fx.config.backbone.num_hidden_layers + 1);
    for (const h of o.hidden_states) expect(h.shape).toEqual([B, S, H]);
    expect(relativeMaxError(o.hidden_states.at(-1)!.data, o.last_hidden_state.data)).toBe(0);
    let loss = 0;
    for (let i = 0; i < o.last_hidden_state.data.length; i++) loss += o.last_hidden_state.data[i] * o.loss_weight.data[i];
    expect(Math.abs(loss - o.loss) / Math.abs(o.loss)).toBeLessThan(1e-5);

    // gradients: every parameter except the no_grad relative-position tables
    expect(fx.entry.no_grad).toEqual(specs.filter((s) => s.noGradInReference).map((s) => s.name));
    expect([...fx.grads.keys()]).toEqual(specs.filter((s) => !s.noGradInReference).map((s) => s.name));
    for (const [n, g] of fx.grads) expect([n, g.shape]).toEqual([n, fx.weights.get(n)!.shape]);
    // and the tables' own gradients for a model that trains them
    expect([...fx.relPosGrads.keys()]).toEqual(fx.entry.no_grad);
    for (const [n, g] of fx.relPosGrads) {
      expect(g.shape).toEqual(fx.weights.get(n)!.shape);
      expect(g.data.some((x) => x !== 0)).toBe(true);
    }
    for (const { name: n, row } of fx.entry.zero_grad_rows) {
      const g = fx.grads.get(n)!;
      const width = g.shape[1];
      expect(Array.from(g.data.subarray(row * width, (row + 1) * width)).every((x) => x === 0)).toBe(true);
      // the neighbouring rows are used by real tokens (<s> is 0 and position 2 is the first real token)
      expect(Array.from(g.data.subarray((row + 1) * width, (row + 2) * width)).some((x) => x !== 0)).toBe(true);
    }
  });

  test.each(['tiny-visual', 'tiny-text'])(
    '%s: the encoder saw the positions and boxes the spec describes, and the buckets reach both ends',
    (name) => {
      const fx = loadParityFixture(name);
      const { position_ids, bbox, rel_pos_bucket, rel_2d_x_bucket, rel_2d_y_bucket } = fx.outputs.debug;
      const S = fx.entry.sequence_length;
      const T = fx.entry.text_length;
      expect(position_ids.shape).toEqual([2, S]);
      const expectedPos = [...Array.from({ length: T }, (_, i) => i), ...Array.from({ length: S - T }, (_, i) => i)];
      expect(Array.from(position_ids.data.subarray(0, S), Number)).toEqual(expectedPos);
      if (fx.entry.visual_embed) {
        // 2 x 2 grid: g = [0, 500, 1000]; visual CLS [1, 1, 999, 999], then patches row-major
        const visualBoxes = Array.from(bbox.data.subarray(T * 4, S * 4), Number);
        expect(visualBoxes).toEqual([1, 1, 999, 999, 0, 0, 500, 500, 500, 0, 1000, 500, 0, 500, 500, 1000, 500, 500, 1000, 1000]);
      }
      const b = fx.config.backbone;
      for (let batch = 0; batch < 2; batch++) {
        for (let i = 0; i < S; i++) {
          for (let j = 0; j < S; j++) {
            const at = (batch * S + i) * S + j;
            const p = (k: number) => Number(position_ids.data[batch * S + k]);
            const x = (k: number) => Number(bbox.data[(batch * S + k) * 4]);
            const y = (k: number) => Number(bbox.data[(batch * S + k) * 4 + 3]);
            if (Number(rel_pos_bucket.data[at]) !== bucket(p(j) - p(i), b.rel_pos_bins, b.max_rel_pos))
              throw new Error(`1-D bucket at ${batch},${i},${j}`);
            if (Number(rel_2d_x_bucket.data[at]) !== bucket(x(j) - x(i), b.rel_2d_pos_bins, b.max_rel_2d_pos))
              throw new Error(`x bucket at ${batch},${i},${j}`);
            if (Number(rel_2d_y_bucket.data[at]) !== bucket(y(j) - y(i), b.rel_2d_pos_bins, b.max_rel_2d_pos))
              throw new Error(`y bucket at ${batch},${i},${j}`);
          }
        }
      }
      const values = (t: { data: BigInt64Array }) => new Set(Array.from(t.data, Number));
      const r1 = values(rel_pos_bucket);
      expect([r1.has(b.rel_pos_bins / 2 - 1), r1.has(b.rel_pos_bins - 1)]).toEqual([true, true]);
      for (const m of [rel_2d_x_bucket, rel_2d_y_bucket]) {
        const r2 = values(m);
        expect([r2.has(b.rel_2d_pos_bins / 2 - 1), r2.has(b.rel_2d_pos_bins - 1)]).toEqual([true, true]);
      }
    },
  );

  test('relativeMaxError is the issue measure', () => {
    expect(relativeMaxError([1, -4, 2], [1, -4, 2])).toBe(0);
    expect(relativeMaxError([1.1, -4, 2], [1, -4, 2])).toBeCloseTo(0.025, 10);
    expect(relativeMaxError([0, 0], [0, 0])).toBe(0);
    expect(relativeMaxError([1e-9], [0])).toBe(Infinity);
  });
});
