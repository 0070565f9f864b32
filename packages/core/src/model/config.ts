/**
 * Model configuration: the LayoutLMv3 backbone (Hugging Face key names, so an HF `config.json` maps one to
 * one), our heads' settings and the preset's training recipe.
 *
 * Presets live in config/models/NAME.yaml with three sections, `backbone`, `heads` and `training`; a preset
 * may start from another with `extends: NAME` and override keys section by section. `loadModelConfig`
 * takes a preset name, a YAML or JSON path (our model-config.json, or an HF config.json), or a directory
 * holding one of those; every key is checked and a bad one gives one line naming the file and the key.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { HybridocError, inputError } from '../util/errors.js';
import { configPath } from '../util/paths.js';
import {
  boolValue,
  checkKnownKeys,
  intValue,
  isMapping,
  numValue,
  readConfigMapping,
  typeName,
  type ConfigFail,
  type ConfigMapping,
} from '../util/yaml-config.js';

/** LayoutLMv3 backbone hyper-parameters, named as in Hugging Face's LayoutLMv3Config. */
export interface LayoutLMv3Config {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  /** only the exact erf GELU is supported */
  hidden_act: 'gelu';
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  /** rows of the 1-D position table: pad_token_id + 1 reserved rows + max_text_length positions */
  max_position_embeddings: number;
  type_vocab_size: number;
  /** rows of the x/y/h/w tables (box coordinates 0..1000 need at least 1001) */
  max_2d_position_embeddings: number;
  coordinate_size: number;
  shape_size: number;
  has_relative_attention_bias: boolean;
  rel_pos_bins: number;
  max_rel_pos: number;
  has_spatial_attention_bias: boolean;
  rel_2d_pos_bins: number;
  max_rel_2d_pos: number;
  /** always true here (image-only models are not supported) */
  text_embed: boolean;
  /** false: the text + layout model, no image input */
  visual_embed: boolean;
  /** square image side in pixels */
  input_size: number;
  patch_size: number;
  num_channels: number;
  layer_norm_eps: number;
  initializer_range: number;
  pad_token_id: number;
  bos_token_id: number;
  eos_token_id: number;
  /** text tokens per window, special tokens included (not an HF key; HF's tokenizer caps at 512) */
  max_text_length: number;
}

/** Our heads on top of the backbone. */
export interface HeadConfig {
  /** group head: hidden -> group_hidden (GELU, dropout) -> group classes */
  group_hidden: number;
  /** prototype head: hidden -> prototype_dim, one prototype of this size per label */
  prototype_dim: number;
  /** dropout inside the heads */
  head_dropout: number;
  use_crf: boolean;
  /** rank of the CRF's within-group low-rank label residual */
  crf_rank: number;
  /** normalized: log P(group) + log-softmax within the group; product: the seed's literal group_prob x similarity */
  combine: 'normalized' | 'product';
  freeze_backbone: boolean;
  /** train the relative-position bias tables (Hugging Face computes them under no_grad, so they stay frozen) */
  train_rel_pos_bias: boolean;
}

/** How this preset trains: every preset but imported weights trains from scratch. */
export interface TrainingRecipe {
  learning_rate: number;
  /** warmup as a fraction of all steps; exactly one of warmup_fraction and warmup_steps is set */
  warmup_fraction?: number;
  warmup_steps?: number;
  batch_size: number;
}

export interface ModelConfig {
  /** preset name, or the file's stem */
  name: string;
  /** the file it was read from (the last one, for presets that extend another) */
  file: string;
  description: string;
  backbone: LayoutLMv3Config;
  heads: HeadConfig;
  training: TrainingRecipe;
}

type Obj = ConfigMapping;
type Fail = ConfigFail;

const BACKBONE_KEYS: Array<keyof LayoutLMv3Config> = [
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'hidden_act',
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'max_position_embeddings',
  'type_vocab_size',
  'max_2d_position_embeddings',
  'coordinate_size',
  'shape_size',
  'has_relative_attention_bias',
  'rel_pos_bins',
  'max_rel_pos',
  'has_spatial_attention_bias',
  'rel_2d_pos_bins',
  'max_rel_2d_pos',
  'text_embed',
  'visual_embed',
  'input_size',
  'patch_size',
  'num_channels',
  'layer_norm_eps',
  'initializer_range',
  'pad_token_id',
  'bos_token_id',
  'eos_token_id',
  'max_text_length',
];
const HEAD_KEYS: Array<keyof HeadConfig> = [
  'group_hidden',
  'prototype_dim',
  'head_dropout',
  'use_crf',
  'crf_rank',
  'combine',
  'freeze_backbone',
  'train_rel_pos_bias',
];
const TRAINING_KEYS: Array<keyof TrainingRecipe> = ['learning_rate', 'warmup_fraction', 'warmup_steps', 'batch_size'];
const TOP_KEYS = ['name', 'description', 'extends', 'backbone', 'heads', 'training'];

const INT_BACKBONE = new Set<string>([
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'max_position_embeddings',
  'type_vocab_size',
  'max_2d_position_embeddings',
  'coordinate_size',
  'shape_size',
  'rel_pos_bins',
  'max_rel_pos',
  'rel_2d_pos_bins',
  'max_rel_2d_pos',
  'input_size',
  'patch_size',
  'num_channels',
  'max_text_length',
]);
const TOKEN_ID_KEYS = new Set(['pad_token_id', 'bos_token_id', 'eos_token_id']);
const BOOL_BACKBONE = new Set(['has_relative_attention_bias', 'has_spatial_attention_bias', 'text_embed', 'visual_embed']);
const PROB_BACKBONE = new Set(['hidden_dropout_prob', 'attention_probs_dropout_prob']);

/** Hugging Face's LayoutLMv3Config class defaults, for keys an HF config.json leaves out. */
export const HF_LAYOUTLMV3_DEFAULTS: Readonly<Omit<LayoutLMv3Config, 'max_text_length'>> = {
  vocab_size: 50265,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  max_2d_position_embeddings: 1024,
  coordinate_size: 128,
  shape_size: 128,
  has_relative_attention_bias: true,
  rel_pos_bins: 32,
  max_rel_pos: 128,
  has_spatial_attention_bias: true,
  rel_2d_pos_bins: 64,
  max_rel_2d_pos: 256,
  text_embed: true,
  visual_embed: true,
  input_size: 224,
  patch_size: 16,
  num_channels: 3,
  layer_norm_eps: 1e-5,
  initializer_range: 0.02,
  pad_token_id: 1,
  bos_token_id: 0,
  eos_token_id: 2,
};

/** Head settings used for an HF config.json that matches no preset (the seed's sizes). */
const DEFAULT_HEADS: HeadConfig = {
  group_hidden: 384,
  prototype_dim: 256,
  head_dropout: 0.1,
  use_crf: true,
  crf_rank: 4,
  combine: 'normalized',
  freeze_backbone: false,
  train_rel_pos_bias: false,
};

/** The directory of the built-in presets. */
export function modelPresetDir(): string {
  return configPath('models');
}

/** Names of the built-in presets (config/models/*.yaml). */
export function listModelPresets(): string[] {
  const dir = modelPresetDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes('\\') || /\.(ya?ml|json)$/i.test(s) || s === '.' || s === '..';
}

/** Where a preset name or path points: a file to read. */
export function resolveModelConfigPath(presetOrPath: string): string {
  if (!looksLikePath(presetOrPath)) {
    const p = join(modelPresetDir(), `${presetOrPath}.yaml`);
    if (!existsSync(p)) {
      throw new HybridocError(`${p}: no model preset "${presetOrPath}" (presets: ${listModelPresets().join(', ') || 'none'})`);
    }
    return p;
  }
  const p = resolve(presetOrPath);
  if (existsSync(p) && statSync(p).isDirectory()) {
    for (const f of ['model-config.json', 'config.json']) if (existsSync(join(p, f))) return join(p, f);
    throw new HybridocError(`${p}: no model-config.json or config.json in this directory`);
  }
  return p;
}

/** Load a preset by name, a model YAML/JSON file, an HF config.json, or a directory holding one. */
export function loadModelConfig(presetOrPath: string): ModelConfig {
  const file = resolveModelConfigPath(presetOrPath);
  const raw = readDocument(file);
  if (extname(file).toLowerCase() === '.json' && !('backbone' in raw)) return modelConfigFromHf(raw, file);
  return resolveDocument(raw, file, new Set());
}

function readDocument(file: string): Obj {
  return readConfigMapping(file, 'model config', { json: true });
}

/** Follow `extends`, merge section by section, then validate the result against the last file. */
function resolveDocument(doc: Obj, file: string, seen: Set<string>): ModelConfig {
  const merged = mergeChain(doc, file, seen);
  return parseModelConfig(merged, file);
}

function mergeChain(doc: Obj, file: string, seen: Set<string>): Obj {
  seen.add(resolve(file));
  for (const k of Object.keys(doc)) {
    if (!TOP_KEYS.includes(k)) throw inputError(file, k, `unknown key (known: ${TOP_KEYS.join(', ')})`);
  }
  if (doc.extends === undefined) return { ...doc, name: doc.name ?? basename(file, extname(file)) };
  if (typeof doc.extends !== 'string' || doc.extends === '')
    throw inputError(file, 'extends', `expected a preset name or path, got ${typeName(doc.extends)}`);
  const sibling = looksLikePath(doc.extends) ? resolve(dirname(file), doc.extends) : join(dirname(file), `${doc.extends}.yaml`);
  const parentFile = existsSync(sibling) ? sibling : resolveModelConfigPath(doc.extends);
  if (seen.has(resolve(parentFile))) throw inputError(file, 'extends', `"${doc.extends}" extends itself (cycle through ${parentFile})`);
  if (!existsSync(parentFile)) throw inputError(file, 'extends', `no such preset or file "${doc.extends}"`);
  const parent = mergeChain(readDocument(parentFile), parentFile, seen);
  const out: Obj = { name: doc.name ?? basename(file, extname(file)), description: doc.description ?? parent.description };
  for (const section of ['backbone', 'heads', 'training']) {
    const mine = doc[section];
    if (mine !== undefined && !isMapping(mine)) throw inputError(file, section, `expected a mapping, got ${typeName(mine)}`);
    let merged: Obj = { ...((parent[section] as Obj | undefined) ?? {}), ...((mine as Obj | undefined) ?? {}) };
    // a recipe that sets one warmup form replaces the parent's other form
    if (section === 'training' && isMapping(mine)) {
      if ('warmup_steps' in mine && !('warmup_fraction' in mine)) delete merged.warmup_fraction;
      if ('warmup_fraction' in mine && !('warmup_steps' in mine)) delete merged.warmup_steps;
    }
    if (Object.keys(merged).length === 0) merged = undefined as unknown as Obj;
    out[section] = merged;
  }
  return out;
}

/** Validate a model-config document (already merged; `extends` is not followed here). */
export function parseModelConfig(raw: unknown, file = '<model-config>'): ModelConfig {
  const fail: Fail = (key, problem) => {
    throw inputError(file, key, problem);
  };
  if (!isMapping(raw)) throw inputError(file, undefined, `expected a mapping at the top level, got ${typeName(raw)}`);
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) fail(k, `unknown key (known: ${TOP_KEYS.join(', ')})`);
  const name = raw.name === undefined ? basename(file, extname(file)) : raw.name;
  if (typeof name !== 'string' || name === '') fail('name', `expected a non-empty string, got ${typeName(name)}`);
  const description = raw.description === undefined ? '' : raw.description;
  if (typeof description !== 'string') fail('description', `expected a string, got ${typeName(description)}`);
  const backbone = parseBackbone(section(raw, 'backbone', fail), 'backbone.', fail);
  const heads = parseHeads(section(raw, 'heads', fail), fail);
  const training = parseTraining(section(raw, 'training', fail), fail);
  return { name: name as string, file, description: description as string, backbone, heads, training };
}

function section(raw: Obj, key: string, fail: Fail): Obj {
  const s = raw[key];
  if (s === undefined) fail(key, 'missing section');
  if (!isMapping(s)) fail(key, `expected a mapping, got ${typeName(s)}`);
  return s as Obj;
}

/** Check every backbone key and the relations between them. `prefix` names the keys in messages. */
export function parseBackbone(s: Obj, prefix: string, fail: Fail): LayoutLMv3Config {
  checkKnownKeys(s, BACKBONE_KEYS, prefix, fail);
  const out: Obj = {};
  for (const k of BACKBONE_KEYS) {
    const key = prefix + k;
    const v = s[k];
    if (v === undefined) fail(key, 'missing');
    if (INT_BACKBONE.has(k)) out[k] = intValue(v, key, 1, fail);
    else if (TOKEN_ID_KEYS.has(k)) out[k] = intValue(v, key, 0, fail);
    else if (BOOL_BACKBONE.has(k)) out[k] = boolValue(v, key, fail);
    else if (PROB_BACKBONE.has(k)) {
      const p = numValue(v, key, fail);
      if (p < 0 || p >= 1) fail(key, `must be in [0, 1), got ${p}`);
      out[k] = p;
    } else if (k === 'layer_norm_eps' || k === 'initializer_range') {
      const x = numValue(v, key, fail);
      if (x <= 0 || x >= 1) fail(key, `must be in (0, 1), got ${x}`);
      out[k] = x;
    } else if (k === 'hidden_act') {
      if (v !== 'gelu') fail(key, `only "gelu" (exact erf GELU, as LayoutLMv3 uses) is supported, got ${typeName(v)}`);
      out[k] = v;
    }
  }
  const c = out as unknown as LayoutLMv3Config;
  const p = prefix;
  if (c.hidden_size % c.num_attention_heads !== 0) {
    fail(`${p}num_attention_heads`, `hidden_size ${c.hidden_size} is not divisible by ${c.num_attention_heads} heads`);
  }
  if (4 * c.coordinate_size + 2 * c.shape_size !== c.hidden_size) {
    fail(
      `${p}coordinate_size`,
      `4 x coordinate_size + 2 x shape_size = ${4 * c.coordinate_size + 2 * c.shape_size}, must equal hidden_size ${c.hidden_size}`,
    );
  }
  if (!c.text_embed) fail(`${p}text_embed`, 'only text_embed: true is supported (image-only models are not)');
  for (const k of ['pad_token_id', 'bos_token_id', 'eos_token_id'] as const) {
    if (c[k] >= c.vocab_size) fail(p + k, `${c[k]} is outside the vocabulary (vocab_size ${c.vocab_size})`);
  }
  if (c.max_text_length < 3) fail(`${p}max_text_length`, `must be at least 3 (<s>, one token, </s>), got ${c.max_text_length}`);
  if (c.max_text_length + c.pad_token_id + 1 > c.max_position_embeddings) {
    fail(
      `${p}max_text_length`,
      `${c.max_text_length} tokens need ${c.max_text_length + c.pad_token_id + 1} position rows (pad_token_id + 1 reserved), ` +
        `max_position_embeddings is ${c.max_position_embeddings}`,
    );
  }
  if (c.max_2d_position_embeddings < 1001)
    fail(`${p}max_2d_position_embeddings`, `boxes use coordinates 0..1000, need at least 1001 rows, got ${c.max_2d_position_embeddings}`);
  checkBuckets(c.rel_pos_bins, c.max_rel_pos, `${p}rel_pos_bins`, `${p}max_rel_pos`, fail);
  checkBuckets(c.rel_2d_pos_bins, c.max_rel_2d_pos, `${p}rel_2d_pos_bins`, `${p}max_rel_2d_pos`, fail);
  if (c.input_size % c.patch_size !== 0)
    fail(`${p}patch_size`, `input_size ${c.input_size} is not a multiple of patch_size ${c.patch_size}`);
  return c;
}

function checkBuckets(bins: number, maxDistance: number, binsKey: string, maxKey: string, fail: Fail): void {
  if (bins % 4 !== 0) fail(binsKey, `must be a multiple of 4 (half for each sign, half of those exact), got ${bins}`);
  if (maxDistance <= bins / 4) fail(maxKey, `must exceed the ${bins / 4} exact buckets, got ${maxDistance}`);
}

function parseHeads(s: Obj, fail: Fail): HeadConfig {
  checkKnownKeys(s, HEAD_KEYS, 'heads.', fail);
  for (const k of HEAD_KEYS) if (s[k] === undefined) fail(`heads.${k}`, 'missing');
  const dropout = numValue(s.head_dropout, 'heads.head_dropout', fail);
  if (dropout < 0 || dropout >= 1) fail('heads.head_dropout', `must be in [0, 1), got ${dropout}`);
  if (s.combine !== 'normalized' && s.combine !== 'product')
    fail('heads.combine', `must be normalized or product, got ${typeName(s.combine)}`);
  return {
    group_hidden: intValue(s.group_hidden, 'heads.group_hidden', 1, fail),
    prototype_dim: intValue(s.prototype_dim, 'heads.prototype_dim', 1, fail),
    head_dropout: dropout,
    use_crf: boolValue(s.use_crf, 'heads.use_crf', fail),
    crf_rank: intValue(s.crf_rank, 'heads.crf_rank', 0, fail),
    combine: s.combine as HeadConfig['combine'],
    freeze_backbone: boolValue(s.freeze_backbone, 'heads.freeze_backbone', fail),
    train_rel_pos_bias: boolValue(s.train_rel_pos_bias, 'heads.train_rel_pos_bias', fail),
  };
}

function parseTraining(s: Obj, fail: Fail): TrainingRecipe {
  checkKnownKeys(s, TRAINING_KEYS, 'training.', fail);
  if (s.learning_rate === undefined) fail('training.learning_rate', 'missing');
  const lr = numValue(s.learning_rate, 'training.learning_rate', fail);
  if (lr <= 0 || lr >= 1) fail('training.learning_rate', `must be in (0, 1), got ${lr}`);
  if (s.batch_size === undefined) fail('training.batch_size', 'missing');
  const out: TrainingRecipe = { learning_rate: lr, batch_size: intValue(s.batch_size, 'training.batch_size', 1, fail) };
  const hasF = s.warmup_fraction !== undefined;
  const hasS = s.warmup_steps !== undefined;
  if (hasF === hasS) fail('training.warmup_fraction', 'set exactly one of warmup_fraction and warmup_steps');
  if (hasF) {
    const f = numValue(s.warmup_fraction, 'training.warmup_fraction', fail);
    if (f < 0 || f >= 1) fail('training.warmup_fraction', `must be in [0, 1), got ${f}`);
    out.warmup_fraction = f;
  } else {
    out.warmup_steps = intValue(s.warmup_steps, 'training.warmup_steps', 0, fail);
  }
  return out;
}

/**
 * A model config from a Hugging Face config.json: the backbone from its keys (class defaults for absent
 * ones, unknown keys ignored), max_text_length from its position table (at most 512, as HF's tokenizer),
 * and heads and training from the built-in preset whose backbone matches, else the seed's head sizes
 * and the base-finetune recipe.
 */
export function modelConfigFromHf(raw: unknown, file = '<config.json>'): ModelConfig {
  const fail: Fail = (key, problem) => {
    throw inputError(file, key, problem);
  };
  if (!isMapping(raw)) throw inputError(file, undefined, `expected a JSON object, got ${typeName(raw)}`);
  if (raw.model_type !== undefined && raw.model_type !== 'layoutlmv3')
    fail('model_type', `expected "layoutlmv3", got ${typeName(raw.model_type)}`);
  const s: Obj = { ...HF_LAYOUTLMV3_DEFAULTS };
  for (const k of BACKBONE_KEYS) if (raw[k] !== undefined && raw[k] !== null) s[k] = raw[k];
  if (raw.max_text_length === undefined) {
    const pad = typeof s.pad_token_id === 'number' ? s.pad_token_id : 1;
    const positions = typeof s.max_position_embeddings === 'number' ? s.max_position_embeddings : 512;
    s.max_text_length = Math.min(512, positions - pad - 1);
  }
  const backbone = parseBackbone(s, '', fail);
  const match = matchingPreset(backbone);
  if (match) return { ...match, name: match.name, file, backbone };
  let fallback: ModelConfig | undefined;
  try {
    fallback = loadModelConfig('base-finetune');
  } catch {
    fallback = undefined;
  }
  return {
    name: basename(dirname(resolve(file))) || 'hf',
    file,
    description: `Hugging Face config ${file}`,
    backbone,
    heads: { ...(fallback?.heads ?? DEFAULT_HEADS) },
    training: { ...(fallback?.training ?? { learning_rate: 5e-5, warmup_steps: 1000, batch_size: 16 }) },
  };
}

/** Keys that decide parameter shapes and the forward computation (dropout and window length excluded). */
export const ARCHITECTURE_KEYS: ReadonlyArray<keyof LayoutLMv3Config> = BACKBONE_KEYS.filter(
  (k) => !PROB_BACKBONE.has(k) && k !== 'max_text_length' && k !== 'initializer_range',
);

/** The first architecture key where two backbones differ, or undefined when they agree. */
export function backboneDifference(
  a: LayoutLMv3Config,
  b: LayoutLMv3Config,
): { key: keyof LayoutLMv3Config; a: unknown; b: unknown } | undefined {
  for (const k of ARCHITECTURE_KEYS) if (a[k] !== b[k]) return { key: k, a: a[k], b: b[k] };
  return undefined;
}

/** The built-in preset whose backbone architecture equals this one; `-finetune` presets first. */
export function matchingPreset(backbone: LayoutLMv3Config): ModelConfig | undefined {
  const names = listModelPresets().sort((x, y) => Number(y.endsWith('-finetune')) - Number(x.endsWith('-finetune')) || (x < y ? -1 : 1));
  for (const n of names) {
    const p = loadModelConfig(n);
    if (!backboneDifference(p.backbone, backbone)) return p;
  }
  return undefined;
}

/** The document written as model-config.json (and read back by loadModelConfig). */
export function modelConfigToJson(cfg: ModelConfig): Obj {
  return {
    name: cfg.name,
    description: cfg.description,
    backbone: { ...cfg.backbone },
    heads: { ...cfg.heads },
    training: { ...cfg.training },
  };
}

/** The backbone as a Hugging Face config.json (for LayoutLMv3Model in Python). */
export function backboneToHfConfig(b: LayoutLMv3Config): Obj {
  const { max_text_length: _drop, ...rest } = b;
  return { model_type: 'layoutlmv3', architectures: ['LayoutLMv3Model'], ...rest };
}

// ---------------------------------------------------------------------------------------------------------
// Derived sizes

export function headDim(b: LayoutLMv3Config): number {
  return b.hidden_size / b.num_attention_heads;
}

/** Patches per image side (input_size / patch_size). */
export function patchGridSize(b: LayoutLMv3Config): number {
  return b.input_size / b.patch_size;
}

/** Visual tokens appended after the text: grid x grid patches + 1 visual CLS, or 0 without the image. */
export function visualTokenCount(b: LayoutLMv3Config): number {
  return b.visual_embed ? patchGridSize(b) ** 2 + 1 : 0;
}

/** Encoder sequence length for a text length (default: the preset's window). */
export function encoderSequenceLength(b: LayoutLMv3Config, textLength = b.max_text_length): number {
  return textLength + visualTokenCount(b);
}
