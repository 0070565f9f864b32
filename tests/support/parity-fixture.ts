/**
 * Loader for the LayoutLMv3 parity fixtures in tests/fixtures/parity (made by scripts/parity/make_fixtures.py
 * from Hugging Face's own modeling file; see its README and manifest.json).
 *
 * A fixture holds the tiny preset's backbone with random weights, a batch of 2 (row 1 padded), Hugging
 * Face's hidden states and the gradients of loss = sum(last_hidden_state * loss_weight). The parity test
 * runs our graph on `weights` + `inputs` and compares with `relativeMaxError` against `outputs` and `grads`.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { f32, i64, loadModelConfig, readSafetensors, type HostTensor, type ModelConfig, type SafetensorsTensor } from '@hybridoc/core';
import { REPO } from './cli.js';

export const PARITY_FIXTURE_DIR = resolve(REPO, 'tests/fixtures/parity');

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

export interface IntTensor {
  shape: number[];
  data: BigInt64Array;
}

export interface ParityManifestEntry {
  name: string;
  dir: string;
  visual_embed: boolean;
  batch: number;
  text_length: number;
  visual_tokens: number;
  sequence_length: number;
  hidden_size: number;
  padded_row: { row: number; real_tokens: number };
  /** checkpoint names in Hugging Face state-dict order */
  parameters: string[];
  parameter_count: number;
  /** parameters the reference computes under no_grad (no gradient in grads) */
  no_grad: string[];
  /** rows whose gradient is exactly zero (padding_idx) */
  zero_grad_rows: Array<{ name: string; row: number }>;
  loss: string;
  loss_value: number;
  max_abs_last_hidden_state: number;
  bucket_extremes: Record<string, [number, number]>;
}

export interface ParityManifest {
  description: string;
  generator: string;
  reference: { library: string; file: string; revision: string; run_through: string; source_note: string };
  torch: string;
  numpy: string;
  python: string;
  seed: number;
  tolerances: { hidden_states: number; gradients: number; measure: string };
  notes: string[];
  fixtures: ParityManifestEntry[];
}

export interface ParityFixture {
  name: string;
  dir: string;
  manifest: ParityManifest;
  entry: ParityManifestEntry;
  /** the fixture's config.json read as a model config (backbone = tiny, visual_embed per fixture) */
  config: ModelConfig;
  /** every parameter by checkpoint name, in state-dict order */
  weights: Map<string, FloatTensor>;
  inputs: {
    input_ids: IntTensor;
    bbox: IntTensor;
    attention_mask: IntTensor;
    /** visual fixtures only */
    pixel_values?: FloatTensor;
  };
  outputs: {
    last_hidden_state: FloatTensor;
    /** embedding output (after the joint LayerNorm when visual), then each layer's output */
    hidden_states: FloatTensor[];
    loss_weight: FloatTensor;
    loss: number;
    /** what the encoder received and the bucket matrices it built */
    debug: { position_ids: IntTensor; bbox: IntTensor; rel_pos_bucket: IntTensor; rel_2d_x_bucket: IntTensor; rel_2d_y_bucket: IntTensor };
  };
  /** d loss / d parameter, for every parameter not in entry.no_grad */
  grads: Map<string, FloatTensor>;
  /** gradients of the entry.no_grad tables when they are trained (heads.train_rel_pos_bias): HF's code
   *  with the bias gathers outside no_grad; every other output is bit-identical to the default run */
  relPosGrads: Map<string, FloatTensor>;
}

export function readParityManifest(): ParityManifest {
  return JSON.parse(readFileSync(resolve(PARITY_FIXTURE_DIR, 'manifest.json'), 'utf8')) as ParityManifest;
}

export function listParityFixtures(): string[] {
  return readdirSync(PARITY_FIXTURE_DIR)
    .filter((d) => statSync(resolve(PARITY_FIXTURE_DIR, d)).isDirectory())
    .sort();
}

function float(t: SafetensorsTensor | undefined, what: string): FloatTensor {
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`parity fixture: ${what} is missing or not float32`);
  return { shape: t.shape, data: t.data };
}

function int(t: SafetensorsTensor | undefined, what: string): IntTensor {
  if (!t || !(t.data instanceof BigInt64Array)) throw new Error(`parity fixture: ${what} is missing or not int64`);
  return { shape: t.shape, data: t.data };
}

function floats(m: Map<string, SafetensorsTensor>, file: string): Map<string, FloatTensor> {
  return new Map([...m].map(([k, t]) => [k, float(t, `${file}: ${k}`)]));
}

/** Load one fixture ("tiny-visual" or "tiny-text"); weights and grads keep the manifest's state-dict order. */
export function loadParityFixture(name: string): ParityFixture {
  const manifest = readParityManifest();
  const entry = manifest.fixtures.find((f) => f.name === name);
  if (!entry) throw new Error(`parity fixture "${name}" is not in the manifest (have: ${manifest.fixtures.map((f) => f.name).join(', ')})`);
  const dir = resolve(PARITY_FIXTURE_DIR, entry.dir);
  const rawWeights = floats(readSafetensors(resolve(dir, 'weights.safetensors')), 'weights');
  const rawGrads = floats(readSafetensors(resolve(dir, 'grads.safetensors')), 'grads');
  const ordered = (m: Map<string, FloatTensor>) => new Map(entry.parameters.filter((n) => m.has(n)).map((n) => [n, m.get(n)!]));
  const inp = readSafetensors(resolve(dir, 'inputs.safetensors'));
  const out = readSafetensors(resolve(dir, 'outputs.safetensors'));
  const hidden: FloatTensor[] = [];
  for (let i = 0; out.has(`hidden_states.${i}`); i++) hidden.push(float(out.get(`hidden_states.${i}`), `hidden_states.${i}`));
  return {
    name,
    dir,
    manifest,
    entry,
    config: loadModelConfig(resolve(dir, 'config.json')),
    weights: ordered(rawWeights),
    inputs: {
      input_ids: int(inp.get('input_ids'), 'input_ids'),
      bbox: int(inp.get('bbox'), 'bbox'),
      attention_mask: int(inp.get('attention_mask'), 'attention_mask'),
      ...(inp.has('pixel_values') ? { pixel_values: float(inp.get('pixel_values'), 'pixel_values') } : {}),
    },
    outputs: {
      last_hidden_state: float(out.get('last_hidden_state'), 'last_hidden_state'),
      hidden_states: hidden,
      loss_weight: float(out.get('loss_weight'), 'loss_weight'),
      loss: float(out.get('loss'), 'loss').data[0],
      debug: {
        position_ids: int(out.get('debug.position_ids'), 'debug.position_ids'),
        bbox: int(out.get('debug.bbox'), 'debug.bbox'),
        rel_pos_bucket: int(out.get('debug.rel_pos_bucket'), 'debug.rel_pos_bucket'),
        rel_2d_x_bucket: int(out.get('debug.rel_2d_x_bucket'), 'debug.rel_2d_x_bucket'),
        rel_2d_y_bucket: int(out.get('debug.rel_2d_y_bucket'), 'debug.rel_2d_y_bucket'),
      },
    },
    grads: ordered(rawGrads),
    relPosGrads: ordered(floats(readSafetensors(resolve(dir, 'grads-rel-pos.safetensors')), 'grads-rel-pos')),
  };
}

/**
 * The graph feeds of a fixture: every weight by checkpoint name, input_ids, bbox, attention_mask, pixel_values
 * (visual fixtures), and with `lossWeight` the loss_weight of loss = sum(last_hidden_state * loss_weight).
 */
export function parityFeeds(fx: ParityFixture, options: { lossWeight?: boolean } = {}): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const [name, t] of fx.weights) feeds[name] = f32(t.shape, t.data);
  feeds.input_ids = i64(fx.inputs.input_ids.shape, fx.inputs.input_ids.data);
  feeds.bbox = i64(fx.inputs.bbox.shape, fx.inputs.bbox.data);
  feeds.attention_mask = i64(fx.inputs.attention_mask.shape, fx.inputs.attention_mask.data);
  if (fx.inputs.pixel_values) feeds.pixel_values = f32(fx.inputs.pixel_values.shape, fx.inputs.pixel_values.data);
  if (options.lossWeight) feeds.loss_weight = f32(fx.outputs.loss_weight.shape, fx.outputs.loss_weight.data);
  return feeds;
}

/** max|ours - reference| / max|reference|, the parity measure (0 when both are all zero). */
export function relativeMaxError(ours: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (ours.length !== reference.length) throw new Error(`relativeMaxError: lengths differ (${ours.length} vs ${reference.length})`);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < ours.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - reference[i]));
    ref = Math.max(ref, Math.abs(reference[i]));
  }
  return ref === 0 ? (diff === 0 ? 0 : Infinity) : diff / ref;
}
