import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import {
  loadModelConfig,
  listModelPresets,
  modelConfigFromHf,
  modelConfigToJson,
  backboneToHfConfig,
  visualTokenCount,
  encoderSequenceLength,
  headDim,
  HybridocError,
} from '@hybridoc/core';

const tmp = () => mkdtempSync(resolve(tmpdir(), 'hd-mc-'));

/** microsoft/layoutlmv3-base's hub config.json (spec 1.1). */
const BASE_HUB_CONFIG = {
  architectures: ['LayoutLMv3ForTokenClassification'],
  attention_probs_dropout_prob: 0.1,
  bos_token_id: 0,
  classifier_dropout: null,
  coordinate_size: 128,
  eos_token_id: 2,
  has_relative_attention_bias: true,
  has_spatial_attention_bias: true,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  hidden_size: 768,
  initializer_range: 0.02,
  input_size: 224,
  intermediate_size: 3072,
  layer_norm_eps: 1e-5,
  max_2d_position_embeddings: 1024,
  max_position_embeddings: 514,
  max_rel_2d_pos: 256,
  max_rel_pos: 128,
  model_type: 'layoutlmv3',
  num_attention_heads: 12,
  num_channels: 3,
  num_hidden_layers: 12,
  pad_token_id: 1,
  patch_size: 16,
  rel_2d_pos_bins: 64,
  rel_pos_bins: 32,
  second_input_size: 112,
  shape_size: 128,
  text_embed: true,
  torch_dtype: 'float32',
  transformers_version: '4.12.5',
  type_vocab_size: 1,
  visual_embed: true,
  vocab_size: 50265,
};

/** A preset file in a temp dir with one key replaced (path 'section.key'), or deleted when value is undefined. */
function presetWith(path: string, value: unknown, base = 'tiny'): string {
  const cfg = modelConfigToJson(loadModelConfig(base)) as Record<string, Record<string, unknown>>;
  const [section, key] = path.split('.');
  if (key === undefined) (cfg as Record<string, unknown>)[section] = value;
  else if (value === undefined) delete cfg[section][key];
  else cfg[section][key] = value;
  const f = resolve(tmp(), 'm.json');
  writeFileSync(f, JSON.stringify(cfg));
  return f;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HybridocError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('model presets', () => {
  test('the five presets exist and load', () => {
    expect(listModelPresets()).toEqual(expect.arrayContaining(['base', 'base-finetune', 'large', 'small', 'tiny']));
    for (const p of listModelPresets()) expect(loadModelConfig(p).name).toBe(p);
  });

  test('base is the layoutlmv3-base checkpoint config (spec 1.1), not the HF class defaults', () => {
    const b = loadModelConfig('base').backbone;
    expect(b).toMatchObject({
      vocab_size: 50265,
      hidden_size: 768,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      intermediate_size: 3072,
      max_position_embeddings: 514,
      type_vocab_size: 1,
      max_2d_position_embeddings: 1024,
      coordinate_size: 128,
      shape_size: 128,
      rel_pos_bins: 32,
      max_rel_pos: 128,
      rel_2d_pos_bins: 64,
      max_rel_2d_pos: 256,
      input_size: 224,
      patch_size: 16,
      layer_norm_eps: 1e-5,
      pad_token_id: 1,
      max_text_length: 512,
    });
    expect(visualTokenCount(b)).toBe(197);
    expect(encoderSequenceLength(b)).toBe(709);
    expect(headDim(b)).toBe(64);
  });

  test('large: 1024 hidden, 24 layers, 16 heads, coordinate 171 / shape 170, the rest as base', () => {
    const l = loadModelConfig('large').backbone;
    const b = loadModelConfig('base').backbone;
    expect(l).toEqual({
      ...b,
      hidden_size: 1024,
      num_hidden_layers: 24,
      num_attention_heads: 16,
      intermediate_size: 4096,
      coordinate_size: 171,
      shape_size: 170,
    });
  });

  test('base-finetune: base backbone and heads with the seed recipe (5e-5, 1000 warmup steps, batch 16)', () => {
    const ft = loadModelConfig('base-finetune');
    const base = loadModelConfig('base');
    expect(ft.backbone).toEqual(base.backbone);
    expect(ft.heads).toEqual(base.heads);
    expect(ft.training).toEqual({ learning_rate: 5e-5, warmup_steps: 1000, batch_size: 16 });
    expect(base.training.warmup_fraction).toBeGreaterThan(0);
  });

  test('small and tiny sizes: 50 and 5 visual tokens, heads and recipes set', () => {
    const s = loadModelConfig('small');
    expect(s.backbone).toMatchObject({
      num_hidden_layers: 4,
      hidden_size: 256,
      num_attention_heads: 4,
      vocab_size: 8192,
      max_text_length: 256,
      input_size: 112,
    });
    expect(visualTokenCount(s.backbone)).toBe(50);
    const t = loadModelConfig('tiny');
    expect(t.backbone).toMatchObject({
      num_hidden_layers: 2,
      hidden_size: 32,
      num_attention_heads: 2,
      max_text_length: 64,
      input_size: 32,
      patch_size: 16,
    });
    expect(visualTokenCount(t.backbone)).toBe(5);
    expect(visualTokenCount({ ...t.backbone, visual_embed: false })).toBe(0);
    expect(loadModelConfig('base').heads).toMatchObject({
      group_hidden: 384,
      prototype_dim: 256,
      combine: 'normalized',
      train_rel_pos_bias: false,
    });
    for (const p of ['tiny', 'small', 'base', 'large']) {
      const r = loadModelConfig(p).training;
      expect(r.learning_rate).toBeGreaterThan(0);
      expect(r.warmup_fraction).toBeGreaterThan(0);
      expect(r.batch_size).toBeGreaterThan(0);
    }
  });

  test('a model-config.json round-trips, and a directory holding one loads', () => {
    const dir = tmp();
    const cfg = loadModelConfig('small');
    writeFileSync(resolve(dir, 'model-config.json'), JSON.stringify(modelConfigToJson(cfg)));
    const back = loadModelConfig(dir);
    expect({ ...back, file: '' }).toEqual({ ...cfg, file: '' });
  });

  test('extends follows a chain and overrides section by section', () => {
    const dir = tmp();
    writeFileSync(resolve(dir, 'a.yaml'), 'extends: tiny\nbackbone:\n  num_hidden_layers: 3\n');
    writeFileSync(resolve(dir, 'b.yaml'), 'extends: a\ntraining:\n  learning_rate: 0.002\n  warmup_steps: 10\n  batch_size: 2\n');
    const b = loadModelConfig(resolve(dir, 'b.yaml'));
    expect(b.name).toBe('b');
    expect(b.backbone.num_hidden_layers).toBe(3);
    expect(b.backbone.hidden_size).toBe(32);
    expect(b.training).toEqual({ learning_rate: 0.002, warmup_steps: 10, batch_size: 2 });
  });
});

describe('model config errors: one line naming the file and the key', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['backbone.hidden_size', 'big', /backbone\.hidden_size: expected an integer, got string "big"$/],
    ['backbone.num_hidden_layers', 0, /backbone\.num_hidden_layers: must be at least 1, got 0$/],
    ['backbone.num_attention_heads', 3, /backbone\.num_attention_heads: hidden_size 32 is not divisible by 3 heads$/],
    ['backbone.coordinate_size', 5, /backbone\.coordinate_size: 4 x coordinate_size \+ 2 x shape_size = 28, must equal hidden_size 32$/],
    ['backbone.max_text_length', 65, /backbone\.max_text_length: 65 tokens need 67 position rows .*max_position_embeddings is 66$/],
    ['backbone.hidden_dropout_prob', 1.5, /backbone\.hidden_dropout_prob: must be in \[0, 1\), got 1\.5$/],
    ['backbone.hidden_act', 'relu', /backbone\.hidden_act: only "gelu" .* got string "relu"$/],
    ['backbone.visual_embed', 'yes', /backbone\.visual_embed: expected true or false, got string "yes"$/],
    ['backbone.patch_size', 7, /backbone\.patch_size: input_size 32 is not a multiple of patch_size 7$/],
    ['backbone.rel_pos_bins', 10, /backbone\.rel_pos_bins: must be a multiple of 4/],
    [
      'backbone.max_2d_position_embeddings',
      1000,
      /backbone\.max_2d_position_embeddings: boxes use coordinates 0\.\.1000, need at least 1001 rows/,
    ],
    ['backbone.pad_token_id', 300, /backbone\.pad_token_id: 300 is outside the vocabulary \(vocab_size 256\)$/],
    ['backbone.vocab_size', undefined, /backbone\.vocab_size: missing$/],
    ['backbone.hiden_size', 3, /backbone\.hiden_size: unknown key \(known: vocab_size, hidden_size/],
    ['heads.combine', 'sum', /heads\.combine: must be normalized or product, got string "sum"$/],
    ['heads.group_hidden', undefined, /heads\.group_hidden: missing$/],
    ['training.warmup_steps', 10, /training\.warmup_fraction: set exactly one of warmup_fraction and warmup_steps$/],
    ['training.learning_rate', -1, /training\.learning_rate: must be in \(0, 1\), got -1$/],
    ['heads', undefined, /heads: missing section$/],
    ['colour', 'red', /colour: unknown key \(known: name, description, extends, backbone, heads, training\)$/],
  ];
  test.each(cases)('%s = %p', (key, value, message) => {
    const f = presetWith(key, value);
    const msg = errorOf(() => loadModelConfig(f));
    expect(msg.startsWith(`${f}: `)).toBe(true);
    expect(msg).toMatch(message);
    expect(msg.split('\n')).toHaveLength(1);
  });

  test('unknown preset, unreadable file, bad YAML, extends cycle', () => {
    expect(errorOf(() => loadModelConfig('huge'))).toMatch(
      /huge\.yaml: no model preset "huge" \(presets: base, base-finetune, demo, large, small, tiny/,
    );
    expect(errorOf(() => loadModelConfig('/no/such.yaml'))).toBe('/no/such.yaml: cannot read model config (ENOENT)');
    const dir = tmp();
    writeFileSync(resolve(dir, 'bad.yaml'), 'backbone: [1,\n');
    expect(errorOf(() => loadModelConfig(resolve(dir, 'bad.yaml')))).toMatch(/bad\.yaml: not valid YAML/);
    writeFileSync(resolve(dir, 'x.yaml'), 'extends: y\n');
    writeFileSync(resolve(dir, 'y.yaml'), 'extends: x\n');
    expect(errorOf(() => loadModelConfig(resolve(dir, 'x.yaml')))).toMatch(/y\.yaml: extends: "x" extends itself/);
  });
});

describe('Hugging Face config.json', () => {
  test('layoutlmv3-base hub config maps to the base backbone and the base-finetune recipe', () => {
    const dir = tmp();
    writeFileSync(resolve(dir, 'config.json'), JSON.stringify(BASE_HUB_CONFIG));
    const cfg = loadModelConfig(resolve(dir, 'config.json'));
    expect(cfg.backbone).toEqual(loadModelConfig('base').backbone);
    expect(cfg.name).toBe('base-finetune');
    expect(cfg.training.warmup_steps).toBe(1000);
    expect(loadModelConfig(dir).backbone.max_text_length).toBe(512);
  });

  test('absent keys take the class defaults (512 positions, type_vocab 2), not the checkpoint values', () => {
    const cfg = modelConfigFromHf({ model_type: 'layoutlmv3' }, 'c.json');
    expect(cfg.backbone.max_position_embeddings).toBe(512);
    expect(cfg.backbone.type_vocab_size).toBe(2);
    expect(cfg.backbone.max_text_length).toBe(510);
    expect(cfg.name).not.toBe('base');
  });

  test('our tiny backbone written as an HF config reads back as the tiny preset', () => {
    const tiny = loadModelConfig('tiny');
    const cfg = modelConfigFromHf(backboneToHfConfig(tiny.backbone), 'c.json');
    expect(cfg.backbone).toEqual(tiny.backbone);
    expect(cfg.name).toBe('tiny');
    expect(cfg.heads).toEqual(tiny.heads);
  });

  test('bad HF configs name the file and key', () => {
    expect(errorOf(() => modelConfigFromHf({ model_type: 'bert' }, 'c.json'))).toBe(
      'c.json: model_type: expected "layoutlmv3", got string "bert"',
    );
    expect(errorOf(() => modelConfigFromHf({ ...BASE_HUB_CONFIG, hidden_size: 769 }, 'c.json'))).toMatch(
      /^c\.json: num_attention_heads: hidden_size 769/,
    );
    const dir = tmp();
    mkdirSync(resolve(dir, 'm'));
    writeFileSync(resolve(dir, 'm/config.json'), '{ nope');
    expect(errorOf(() => loadModelConfig(resolve(dir, 'm')))).toMatch(/m\/config\.json: not valid JSON/);
  });
});
