/**
 * Import Hugging Face LayoutLMv3 weights (e.g. microsoft/layoutlmv3-base's model.safetensors) into our
 * checkpoint form:
 *
 *   OUT/checkpoint.safetensors  every parameter by checkpoint name: the backbone under its HF name
 *                               (`layoutlmv3.` prefix), fresh seeded heads under `heads.`; metadata names the
 *                               source file, schema hash, seed and licence
 *   OUT/model-config.json       the model config (loadModelConfig(OUT) reads it back)
 *
 * The backbone config comes from a `config.json` beside the weights when there is one (checked against
 * `preset` when both are given), else from the preset. Imported weights train with the `NAME-finetune`
 * recipe when such a preset exists (base-finetune: the seed's 5e-5, 1000 warmup steps). Tensor names are
 * accepted with or without `layoutlmv3.`; the int64 `embeddings.position_ids` buffer is ignored; any
 * missing, unknown, misshapen or non-float tensor stops the import with one line naming the tensors.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HybridocError } from '../util/errors.js';
import { HYBRIDOC_VERSION } from '../version.js';
import { logger } from '../util/logger.js';
import { loadLabelSchema } from '../schema/label-schema.js';
import {
  backboneDifference,
  listModelPresets,
  loadModelConfig,
  modelConfigFromHf,
  modelConfigToJson,
  type ModelConfig,
} from '../model/config.js';
import { backboneParameters, headParameters, parameterCounts, type HeadKind, type ParameterCounts } from '../model/parameters.js';
import { openSafetensors } from './safetensors.js';
import { BACKBONE_PREFIX, backboneCheckpointName, isIgnoredHfBuffer } from './checkpoint-names.js';
import { compareWithTable, describeMismatch, writeCheckpoint } from './checkpoint.js';
import { initializeParameters } from './init.js';

/** The one-line notice import-weights prints and the README repeats. */
export const LAYOUTLMV3_WEIGHTS_LICENCE =
  'Licence: microsoft/layoutlmv3 weights are CC BY-NC-SA 4.0 (non-commercial use only); hybridoc ships no pretrained weights.';

export interface ImportWeightsOptions {
  /** the safetensors file to import */
  from: string;
  /** preset name or model-config path; optional when a config.json sits beside the weights */
  preset?: string;
  /** output directory (created if missing) */
  out: string;
  /** label schema YAML (default config/labels.yaml) */
  labels?: string;
  /** seed for the fresh heads (default 0) */
  seed?: number;
  /** which heads to initialise (default hybrid: group + prototype) */
  heads?: HeadKind;
  /** let tensors the backbone does not have pass (e.g. an HF token-classification head); default false */
  allowUnknown?: boolean;
}

export interface ImportWeightsResult {
  checkpoint: string;
  modelConfig: string;
  /** the model config written (its name is the preset or recipe used) */
  model: string;
  configSource: string;
  backbone: ParameterCounts;
  heads: ParameterCounts;
  /** tensors in the file that were skipped: the position_ids buffer, and unknown ones with allowUnknown */
  ignored: string[];
  /** how many file names lacked the `layoutlmv3.` prefix */
  bareNames: number;
  seed: number;
  schemaHash: string;
  licence: string;
}

/** Decide the model config: config.json beside the weights, the preset, or both (which must agree). */
export function resolveImportConfig(from: string, preset: string | undefined): { config: ModelConfig; source: string } {
  const hfConfig = join(dirname(resolve(from)), 'config.json');
  const hasHf = existsSync(hfConfig);
  if (!hasHf && preset === undefined) {
    throw new HybridocError(
      `${from}: no config.json beside the weights; name the model with --preset (presets: ${listModelPresets().join(', ')})`,
    );
  }
  let config: ModelConfig;
  let source: string;
  if (hasHf) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(hfConfig, 'utf8'));
    } catch (err) {
      throw new HybridocError(`${hfConfig}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const fromHf = modelConfigFromHf(raw, hfConfig);
    source = hfConfig;
    if (preset !== undefined) {
      const p = loadModelConfig(preset);
      const d = backboneDifference(p.backbone, fromHf.backbone);
      if (d) throw new HybridocError(`${hfConfig}: ${d.key}: ${String(d.b)} differs from preset ${p.name} (${String(d.a)})`);
      config = p;
      source = `${p.file} (checked against ${hfConfig})`;
    } else config = fromHf;
  } else {
    config = loadModelConfig(preset!);
    source = config.file;
  }
  if (!config.name.endsWith('-finetune') && listModelPresets().includes(`${config.name}-finetune`)) {
    const ft = loadModelConfig(`${config.name}-finetune`);
    if (!backboneDifference(ft.backbone, config.backbone)) config = { ...ft, backbone: config.backbone };
  }
  return { config, source };
}

export function importWeights(opts: ImportWeightsOptions): ImportWeightsResult {
  const log = logger('import-weights');
  const seed = opts.seed ?? 0;
  const kind = opts.heads ?? 'hybrid';
  const { config, source } = resolveImportConfig(opts.from, opts.preset);
  const schema = loadLabelSchema(opts.labels);
  const backbone = backboneParameters(config.backbone);
  const heads = headParameters(config.backbone.hidden_size, config.heads, schema, kind, config.backbone.initializer_range);

  const reader = openSafetensors(opts.from);
  const cmp = compareWithTable(reader.entries(), backbone, { rename: backboneCheckpointName, ignore: isIgnoredHfBuffer });
  const problem = describeMismatch(cmp, { allowUnknown: opts.allowUnknown });
  if (problem) throw new HybridocError(`${opts.from}: does not fit the ${config.name} backbone (${source}): ${problem}`);
  const ignored = [...cmp.ignored, ...cmp.unknown];
  const bareNames = [...cmp.found.values()].filter((n) => !n.startsWith(BACKBONE_PREFIX)).length;

  const values = new Map<string, Float32Array | (() => Float32Array)>();
  for (const s of backbone) {
    const stored = cmp.found.get(s.name)!;
    values.set(s.name, () => reader.float32(stored));
  }
  for (const [name, v] of initializeParameters(heads, seed)) values.set(name, v);

  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  const checkpoint = join(out, 'checkpoint.safetensors');
  const modelConfig = join(out, 'model-config.json');
  writeCheckpoint(checkpoint, [...backbone, ...heads], values, {
    format: 'hybridoc-checkpoint',
    hybridoc_version: HYBRIDOC_VERSION,
    model: config.name,
    heads: kind,
    source: resolve(opts.from),
    head_seed: String(seed),
    schema: schema.name,
    schema_hash: schema.hash,
    licence: LAYOUTLMV3_WEIGHTS_LICENCE,
  });
  const tmp = `${modelConfig}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(modelConfigToJson(config), null, 2) + '\n');
  renameSync(tmp, modelConfig);
  log.debug({ checkpoint, tensors: backbone.length + heads.length }, 'imported weights');
  return {
    checkpoint,
    modelConfig,
    model: config.name,
    configSource: source,
    backbone: parameterCounts(backbone),
    heads: parameterCounts(heads),
    ignored,
    bareNames,
    seed,
    schemaHash: schema.hash,
    licence: LAYOUTLMV3_WEIGHTS_LICENCE,
  };
}
