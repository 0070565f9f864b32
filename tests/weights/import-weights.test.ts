import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import {
  importWeights,
  resolveImportConfig,
  loadModelConfig,
  loadLabelSchema,
  backboneParameters,
  headParameters,
  initializeParameters,
  backboneToHfConfig,
  openSafetensors,
  readCheckpoint,
  modelParameters,
  writeSafetensors,
  f32ToF16Bits,
  LAYOUTLMV3_WEIGHTS_LICENCE,
  type SafetensorsTensorSource,
  type LayoutLMv3Config,
} from '@hybridoc/core';
import { runCli } from '../support/cli.js';

const tmp = () => mkdtempSync(resolve(tmpdir(), 'hd-iw-'));
const tiny = loadModelConfig('tiny');
const schema = loadLabelSchema();

/** Made-up weights for a backbone: distinct random values per tensor (seeded), as an HF file names them. */
function madeUpWeights(
  b: LayoutLMv3Config,
  opts: { prefix?: boolean; positionIds?: boolean; drop?: string; extra?: string; reshape?: string; half?: boolean } = {},
): { file: string; dir: string; values: Map<string, Float32Array> } {
  const specs = backboneParameters(b);
  const values = initializeParameters(
    specs.map((s) => ({ ...s, init: { kind: 'normal' as const, std: 1 } })),
    99,
  );
  const tensors: Array<[string, SafetensorsTensorSource]> = [];
  for (const s of specs) {
    if (s.name === opts.drop) continue;
    const name = opts.prefix === false ? s.name.slice('layoutlmv3.'.length) : s.name;
    const shape = s.name === opts.reshape ? [s.shape[0] + 1, ...s.shape.slice(1)] : s.shape;
    const data = s.name === opts.reshape ? new Float32Array(shape.reduce((a, d) => a * d, 1)) : values.get(s.name)!;
    tensors.push([name, opts.half ? { dtype: 'F16', shape, data: f32ToF16Bits(data) } : { dtype: 'F32', shape, data }]);
  }
  if (opts.positionIds) {
    const ids = BigInt64Array.from({ length: b.max_position_embeddings }, (_, i) => BigInt(i));
    tensors.push([
      opts.prefix === false ? 'embeddings.position_ids' : 'layoutlmv3.embeddings.position_ids',
      { dtype: 'I64', shape: [1, b.max_position_embeddings], data: ids },
    ]);
  }
  if (opts.extra) tensors.push([opts.extra, { dtype: 'F32', shape: [2], data: new Float32Array(2) }]);
  const dir = tmp();
  const file = resolve(dir, 'model.safetensors');
  writeSafetensors(file, tensors, { format: 'pt' });
  return { file, dir, values };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('importWeights', () => {
  test('prefixed names with the int64 position_ids buffer: backbone copied exactly, heads fresh, config written', () => {
    const { file, values } = madeUpWeights(tiny.backbone, { positionIds: true });
    const out = resolve(tmp(), 'model');
    const r = importWeights({ from: file, preset: 'tiny', out, seed: 3 });
    expect(r.ignored).toEqual(['layoutlmv3.embeddings.position_ids']);
    expect(r.bareNames).toBe(0);
    expect(r.backbone).toMatchObject({ tensors: 52, parameters: 73_184 });
    expect(r.heads.byModule.group!.parameters).toBe(32 * 16 + 16 + 16 * 20 + 20);
    expect(r.licence).toBe(LAYOUTLMV3_WEIGHTS_LICENCE);

    const cfg = loadModelConfig(out);
    expect(cfg.backbone).toEqual(tiny.backbone);
    const ckpt = readCheckpoint(r.checkpoint, modelParameters(cfg, schema));
    for (const [name, v] of values) expect([name, ckpt.params.get(name)]).toEqual([name, v]);
    const fresh = initializeParameters(headParameters(32, tiny.heads, schema), 3);
    for (const [name, v] of fresh) expect(ckpt.params.get(name)).toEqual(v);
    expect(ckpt.metadata).toMatchObject({
      format: 'hybridoc-checkpoint',
      model: 'tiny',
      head_seed: '3',
      schema_hash: schema.hash,
      licence: LAYOUTLMV3_WEIGHTS_LICENCE,
    });
    expect(openSafetensors(r.checkpoint).has('layoutlmv3.embeddings.position_ids')).toBe(false);
  });

  test('bare LayoutLMv3Model names (no layoutlmv3. prefix) and F16 storage are accepted', () => {
    const { file, values } = madeUpWeights(tiny.backbone, { prefix: false, positionIds: true, half: true });
    const r = importWeights({ from: file, preset: 'tiny', out: tmp() });
    expect(r.bareNames).toBe(52);
    expect(r.ignored).toEqual(['embeddings.position_ids']);
    const got = openSafetensors(r.checkpoint).float32('layoutlmv3.encoder.layer.1.output.dense.weight');
    const want = values.get('layoutlmv3.encoder.layer.1.output.dense.weight')!;
    expect(openSafetensors(r.checkpoint).entry('layoutlmv3.encoder.layer.1.output.dense.weight').dtype).toBe('F32');
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -11 + 2 ** -24);
  });

  test('a config.json beside the weights sets the model; with --preset it must agree', () => {
    const textOnly = { ...tiny.backbone, visual_embed: false };
    const { file, dir } = madeUpWeights(textOnly);
    writeFileSync(resolve(dir, 'config.json'), JSON.stringify(backboneToHfConfig(textOnly)));
    const r = importWeights({ from: file, out: tmp() });
    expect(r.configSource).toBe(resolve(dir, 'config.json'));
    expect(r.backbone.parameters).toBe(48_256);
    expect(loadModelConfig(resolve(r.modelConfig)).backbone.visual_embed).toBe(false);
    expect(errorOf(() => importWeights({ from: file, preset: 'tiny', out: tmp() }))).toBe(
      `${resolve(dir, 'config.json')}: visual_embed: false differs from preset tiny (true)`,
    );
  });

  test('base-shaped weights train with the base-finetune recipe; no config at all is an error', () => {
    const dir = tmp();
    const weights = resolve(dir, 'model.safetensors');
    expect(resolveImportConfig(weights, 'base').config.name).toBe('base-finetune');
    writeFileSync(resolve(dir, 'config.json'), JSON.stringify(backboneToHfConfig(loadModelConfig('base').backbone)));
    const { config } = resolveImportConfig(weights, undefined);
    expect(config.name).toBe('base-finetune');
    expect(config.training).toEqual({ learning_rate: 5e-5, warmup_steps: 1000, batch_size: 16 });
    expect(errorOf(() => importWeights({ from: '/nope/model.safetensors', out: tmp() }))).toMatch(
      /^\/nope\/model\.safetensors: no config\.json beside the weights; name the model with --preset/,
    );
  });

  test('a missing tensor is named', () => {
    const { file } = madeUpWeights(tiny.backbone, { drop: 'layoutlmv3.encoder.layer.1.output.LayerNorm.bias' });
    const out = tmp();
    expect(errorOf(() => importWeights({ from: file, preset: 'tiny', out }))).toBe(
      `${file}: does not fit the tiny backbone (${tiny.file}): 1 missing: layoutlmv3.encoder.layer.1.output.LayerNorm.bias`,
    );
    expect(existsSync(resolve(out, 'checkpoint.safetensors'))).toBe(false);
  });

  test('an unknown tensor is named, and passes with allowUnknown', () => {
    const { file } = madeUpWeights(tiny.backbone, { extra: 'classifier.bias' });
    expect(errorOf(() => importWeights({ from: file, preset: 'tiny', out: tmp() }))).toMatch(/: 1 unknown: classifier\.bias$/);
    expect(importWeights({ from: file, preset: 'tiny', out: tmp(), allowUnknown: true }).ignored).toEqual(['classifier.bias']);
  });

  test('a wrong shape is named with both shapes', () => {
    const { file } = madeUpWeights(tiny.backbone, { reshape: 'layoutlmv3.pos_embed' });
    expect(errorOf(() => importWeights({ from: file, preset: 'tiny', out: tmp() }))).toMatch(
      /: wrong shape: layoutlmv3\.pos_embed is \[2, 5, 32\], expected \[1, 5, 32\]$/,
    );
  });

  test('weights for another size list every difference', () => {
    const { file } = madeUpWeights({ ...tiny.backbone, num_hidden_layers: 3 });
    const msg = errorOf(() => importWeights({ from: file, preset: 'tiny', out: tmp() }));
    expect(msg).toMatch(/: 16 unknown: (layoutlmv3\.encoder\.layer\.2\.[a-zA-Z.]+, ){8}\.\.\. and 8 more$/);
  });
});

describe('hybridoc import-weights', () => {
  test('imports, prints the licence line and the counts', () => {
    const { file } = madeUpWeights(tiny.backbone, { positionIds: true });
    const out = resolve(tmp(), 'm');
    const r = runCli(['import-weights', '--from', file, '--preset', 'tiny', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.stdout.split('\n')[0]).toBe(LAYOUTLMV3_WEIGHTS_LICENCE);
    expect(r.stdout).toMatch(/backbone\s+52\s+73,184\s+imported/);
    expect(r.stdout).toContain('ignored: layoutlmv3.embeddings.position_ids');
    expect(JSON.parse(readFileSync(resolve(out, 'model-config.json'), 'utf8')).name).toBe('tiny');
  });

  test('--json output, and a bad file gives one line and a non-zero exit', () => {
    const { file } = madeUpWeights(tiny.backbone, { drop: 'layoutlmv3.cls_token' });
    const bad = runCli(['import-weights', '--from', file, '--preset', 'tiny', '--out', tmp()]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('1 missing: layoutlmv3.cls_token');
    const good = madeUpWeights(tiny.backbone);
    const j = runCli(['import-weights', '--json', '--from', good.file, '--preset', 'tiny', '--out', tmp(), '--heads', 'baseline']);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.heads.byModule.baseline.parameters).toBe(32 * 161 + 161);
    expect(parsed.licence).toBe(LAYOUTLMV3_WEIGHTS_LICENCE);
  });
});
