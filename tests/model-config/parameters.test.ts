import { resolve } from 'node:path';
import {
  loadModelConfig,
  loadLabelSchema,
  backboneParameters,
  headParameters,
  modelParameters,
  parameterCounts,
  countParameters,
  isTrainable,
  initializeParameters,
  initializeParameter,
  PROTOTYPE_LOGIT_SCALE_INIT,
  type LayoutLMv3Config,
} from '@hybridoc/core';
import { REPO } from '../support/cli.js';
import { readParityManifest } from '../support/parity-fixture.js';

/** The backbone count from the config by arithmetic, independently of the table. */
function expectedBackboneCount(b: LayoutLMv3Config): number {
  const H = b.hidden_size;
  const text =
    (b.vocab_size + b.max_position_embeddings + b.type_vocab_size) * H +
    2 * b.max_2d_position_embeddings * (b.coordinate_size + b.shape_size) +
    2 * H;
  const grid = b.input_size / b.patch_size;
  const visual = b.visual_embed ? H * b.num_channels * b.patch_size ** 2 + H + H + (grid * grid + 1) * H + 4 * H : 0;
  const layer = 4 * (H * H + H) + 2 * H + (b.intermediate_size * H + b.intermediate_size) + (H * b.intermediate_size + H) + 2 * H;
  const rel =
    b.num_attention_heads *
    ((b.has_relative_attention_bias ? b.rel_pos_bins : 0) + (b.has_spatial_attention_bias ? 2 * b.rel_2d_pos_bins : 0));
  return text + visual + b.num_hidden_layers * layer + rel;
}

describe('backbone parameter table', () => {
  test('base: exactly 125,326,976 parameters in 212 tensors (layoutlmv3-base)', () => {
    const specs = backboneParameters(loadModelConfig('base').backbone);
    expect(specs).toHaveLength(212);
    expect(countParameters(specs)).toBe(125_326_976);
    expect(new Set(specs.map((s) => s.name)).size).toBe(212);
  });

  test('large: exactly 356,005,376 parameters (404 tensors)', () => {
    const specs = backboneParameters(loadModelConfig('large').backbone);
    expect(countParameters(specs)).toBe(356_005_376);
    expect(specs).toHaveLength(404);
  });

  test('tiny and small agree with the arithmetic, with and without the visual branch', () => {
    const counts: Record<string, number> = {};
    for (const p of ['tiny', 'small', 'base', 'large']) {
      const b = loadModelConfig(p).backbone;
      for (const visual of [true, false]) {
        const cfg = { ...b, visual_embed: visual };
        const n = countParameters(backboneParameters(cfg));
        expect(n).toBe(expectedBackboneCount(cfg));
        counts[`${p}${visual ? '' : '-text'}`] = n;
      }
    }
    expect(counts.tiny).toBe(73_184);
    expect(counts['tiny-text']).toBe(48_256);
    expect(counts.small).toBe(5_708_672);
    expect(counts['base-text']).toBe(124_581_248);
  });

  test('names, shapes and order equal the Hugging Face state dict (the parity fixtures, from HF code)', () => {
    const manifest = readParityManifest();
    const tiny = loadModelConfig('tiny').backbone;
    for (const fx of manifest.fixtures) {
      const specs = backboneParameters({ ...tiny, visual_embed: fx.visual_embed });
      expect(specs.map((s) => s.name)).toEqual(fx.parameters);
      expect(countParameters(specs)).toBe(fx.parameter_count);
    }
  });

  test('base names and shapes as in spec section 7', () => {
    const byName = new Map(backboneParameters(loadModelConfig('base').backbone).map((s) => [s.name, s]));
    const shapes: Record<string, number[]> = {
      'layoutlmv3.embeddings.word_embeddings.weight': [50265, 768],
      'layoutlmv3.embeddings.position_embeddings.weight': [514, 768],
      'layoutlmv3.embeddings.token_type_embeddings.weight': [1, 768],
      'layoutlmv3.embeddings.x_position_embeddings.weight': [1024, 128],
      'layoutlmv3.embeddings.w_position_embeddings.weight': [1024, 128],
      'layoutlmv3.patch_embed.proj.weight': [768, 3, 16, 16],
      'layoutlmv3.cls_token': [1, 1, 768],
      'layoutlmv3.pos_embed': [1, 197, 768],
      'layoutlmv3.norm.weight': [768],
      'layoutlmv3.LayerNorm.bias': [768],
      'layoutlmv3.encoder.layer.11.intermediate.dense.weight': [3072, 768],
      'layoutlmv3.encoder.layer.0.output.dense.weight': [768, 3072],
      'layoutlmv3.encoder.layer.5.attention.output.LayerNorm.weight': [768],
      'layoutlmv3.encoder.rel_pos_bias.weight': [12, 32],
      'layoutlmv3.encoder.rel_pos_x_bias.weight': [12, 64],
      'layoutlmv3.encoder.rel_pos_y_bias.weight': [12, 64],
    };
    for (const [name, shape] of Object.entries(shapes)) expect([name, byName.get(name)?.shape]).toEqual([name, shape]);
  });

  test('init kinds follow the reference: N(0, 0.02), zero padding rows and biases, unit LayerNorm, zero cls/pos', () => {
    const b = loadModelConfig('base').backbone;
    const byName = new Map(backboneParameters(b).map((s) => [s.name, s]));
    expect(byName.get('layoutlmv3.embeddings.word_embeddings.weight')!.init).toEqual({ kind: 'normal', std: 0.02, zeroRow: 1 });
    expect(byName.get('layoutlmv3.embeddings.position_embeddings.weight')!.paddingRow).toBe(1);
    expect(byName.get('layoutlmv3.embeddings.token_type_embeddings.weight')!.init).toEqual({ kind: 'normal', std: 0.02 });
    expect(byName.get('layoutlmv3.encoder.layer.0.attention.self.query.bias')!.init).toEqual({ kind: 'zeros' });
    expect(byName.get('layoutlmv3.norm.weight')!.init).toEqual({ kind: 'ones' });
    expect(byName.get('layoutlmv3.embeddings.LayerNorm.bias')!.init).toEqual({ kind: 'zeros' });
    expect(byName.get('layoutlmv3.cls_token')!.init).toEqual({ kind: 'zeros' });
    expect(byName.get('layoutlmv3.pos_embed')!.init).toEqual({ kind: 'zeros' });
    expect(byName.get('layoutlmv3.patch_embed.proj.weight')!.init).toEqual({ kind: 'normal', std: 0.02 });
    const noGrad = [...byName.values()].filter((s) => s.noGradInReference).map((s) => s.name);
    expect(noGrad).toEqual([
      'layoutlmv3.encoder.rel_pos_bias.weight',
      'layoutlmv3.encoder.rel_pos_x_bias.weight',
      'layoutlmv3.encoder.rel_pos_y_bias.weight',
    ]);
  });

  test('without the relative biases or the visual branch those tensors are absent', () => {
    const b = {
      ...loadModelConfig('tiny').backbone,
      has_relative_attention_bias: false,
      has_spatial_attention_bias: false,
      visual_embed: false,
    };
    const names = backboneParameters(b).map((s) => s.name);
    expect(names.some((n) => n.includes('rel_pos') || n.includes('patch_embed') || n.endsWith('cls_token'))).toBe(false);
  });
});

describe('head parameter tables', () => {
  const schema = loadLabelSchema();

  test('at 768 hidden with the 161-label schema (20 group classes): what the dimensions give', () => {
    const base = loadModelConfig('base');
    const hybrid = parameterCounts(headParameters(768, base.heads, schema, 'hybrid'));
    expect(schema.numLabels).toBe(161);
    expect(schema.numGroupClasses).toBe(20);
    // group: 768 x 384 + 384, 384 x 20 + 20
    expect(hybrid.byModule.group).toEqual({ tensors: 4, parameters: 768 * 384 + 384 + 384 * 20 + 20 });
    expect(hybrid.byModule.group!.parameters).toBe(302_996);
    // prototype: 768 x 256 + 256, 161 x 256 prototypes, 1 scale
    expect(hybrid.byModule.prototype).toEqual({ tensors: 4, parameters: 768 * 256 + 256 + 161 * 256 + 1 });
    expect(hybrid.parameters).toBe(541_077);
    // the seed's standard classifier: 768 x 161 + 161 (the seed's 123,648 leaves out the bias)
    expect(countParameters(headParameters(768, base.heads, schema, 'baseline'))).toBe(123_809);
  });

  test('sizes follow the schema, nothing hard-coded: the 98-entity schema gives 197 labels', () => {
    const other = loadLabelSchema(resolve(REPO, 'tests/fixtures/schemas/labels-98.yaml'));
    const heads = loadModelConfig('base').heads;
    const specs = new Map(headParameters(768, heads, other).map((s) => [s.name, s.shape]));
    expect(specs.get('heads.prototype.prototypes')).toEqual([other.numLabels, 256]);
    expect(specs.get('heads.group.classifier.weight')).toEqual([other.numGroupClasses, 384]);
    expect(specs.get('heads.group.dense.weight')).toEqual([384, 768]);
    expect(specs.get('heads.prototype.projection.weight')).toEqual([256, 768]);
    expect(specs.get('heads.prototype.logit_scale')).toEqual([]);
    expect(
      new Map(headParameters(768, heads, other, 'baseline').map((s) => [s.name, s.shape])).get('heads.baseline.classifier.weight'),
    ).toEqual([197, 768]);
  });

  test('modelParameters is backbone then heads; trainable flags follow freeze_backbone and train_rel_pos_bias', () => {
    const cfg = loadModelConfig('tiny');
    const all = modelParameters(cfg, schema);
    expect(all[0].name).toBe('layoutlmv3.cls_token');
    expect(all.at(-1)!.name).toBe('heads.prototype.logit_scale');
    const rel = all.find((s) => s.name === 'layoutlmv3.encoder.rel_pos_x_bias.weight')!;
    const q = all.find((s) => s.name === 'layoutlmv3.encoder.layer.0.attention.self.query.weight')!;
    const head = all.find((s) => s.name === 'heads.group.dense.weight')!;
    expect([isTrainable(rel, cfg.heads), isTrainable(q, cfg.heads), isTrainable(head, cfg.heads)]).toEqual([false, true, true]);
    expect(isTrainable(rel, { freeze_backbone: false, train_rel_pos_bias: true })).toBe(true);
    expect([
      isTrainable(q, { freeze_backbone: true, train_rel_pos_bias: true }),
      isTrainable(head, { freeze_backbone: true, train_rel_pos_bias: false }),
    ]).toEqual([false, true]);
  });
});

describe('seeded initialisation', () => {
  const tiny = loadModelConfig('tiny');
  const schema = loadLabelSchema();
  const specs = modelParameters(tiny, schema);

  test('values follow each init kind', () => {
    const v = initializeParameters(specs, 7);
    const word = v.get('layoutlmv3.embeddings.word_embeddings.weight')!;
    const H = tiny.backbone.hidden_size;
    expect(Array.from(word.subarray(H, 2 * H)).every((x) => x === 0)).toBe(true);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < word.length; i++) {
      if (i >= H && i < 2 * H) continue;
      sum += word[i];
      sq += word[i] ** 2;
    }
    const n = word.length - H;
    expect(Math.abs(sum / n)).toBeLessThan(0.002);
    expect(Math.sqrt(sq / n)).toBeCloseTo(0.02, 3);
    expect(Array.from(v.get('layoutlmv3.norm.weight')!).every((x) => x === 1)).toBe(true);
    expect(Array.from(v.get('layoutlmv3.pos_embed')!).every((x) => x === 0)).toBe(true);
    expect(Array.from(v.get('layoutlmv3.encoder.layer.1.output.dense.bias')!).every((x) => x === 0)).toBe(true);
    expect(v.get('heads.prototype.logit_scale')![0]).toBeCloseTo(PROTOTYPE_LOGIT_SCALE_INIT, 6);
    const protos = v.get('heads.prototype.prototypes')!;
    const rms = Math.sqrt(protos.reduce((a, x) => a + x * x, 0) / protos.length);
    expect(rms).toBeGreaterThan(0.9);
    expect(rms).toBeLessThan(1.1);
  });

  test('same seed, same values; another seed, other values; a tensor does not depend on the others', () => {
    const a = initializeParameters(specs, 1);
    const b = initializeParameters(specs, 1);
    const c = initializeParameters(specs, 2);
    const name = 'heads.group.dense.weight';
    expect(a.get(name)).toEqual(b.get(name));
    expect(a.get(name)).not.toEqual(c.get(name));
    const alone = initializeParameter(
      specs.find((s) => s.name === name)!,
      1,
    );
    expect(alone).toEqual(a.get(name));
  });
});
