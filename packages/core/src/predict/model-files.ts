/**
 * What a model directory holds for prediction, resolved once: the artifact set's manifest, the weights (a
 * serving export, or infer.onnx plus a checkpoint's parameters), the tokenizer, the label schema the model
 * was built for, and how its features are made. Two layouts are read:
 *
 *   a training run (hybridoc train --out DIR)   DIR/run.json, DIR/tokenizer.json, DIR/artifacts/,
 *                                               DIR/checkpoints/{best,last}/checkpoint.safetensors
 *   an artifact directory (hybridoc build)      DIR/manifest.json, DIR/infer.onnx, DIR/checkpoint.safetensors,
 *                                               and DIR/tokenizer.json beside them
 *
 * Either may hold DIR/serve.onnx, the serving export (`hybridoc export`: weights baked in as initializers),
 * which is preferred when its recorded checkpoint step and schema hash match the weights it stands for.
 *
 * The label schema comes from the model itself when its manifest carries the schema document (head models
 * do), else from the run's schema file, the caller, or config/labels.yaml; whichever it is, its hash must equal
 * the hash the model was built for, so a model never runs under another schema.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CHECKPOINT_STEP_KEY } from '../artifacts/graph-names.js';
import { MANIFEST_FILE, readArtifactManifest, type ArtifactManifest } from '../artifacts/manifest.js';
import type { DecodeMode } from '../decoding/decode.js';
import { defaultStride } from '../features/featurize.js';
import { labelSchemaFromDocument } from '../heads/schema-document.js';
import { METADATA_KEYS } from '../onnx/model.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { readRunInfo, type RunInfo } from '../trainer/run-info.js';
import { CHECKPOINT_WEIGHTS_FILE, runPaths } from '../trainer/run-layout.js';
import { hasTrainerCheckpoint } from '../trainer/trainer-checkpoint.js';
import { HybridocError, inputError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { openSafetensors } from '../weights/safetensors.js';
import { readOnnxMetadataFile } from './onnx-metadata.js';

/** The serving export prediction prefers, inside the model directory. */
export const SERVING_MODEL_FILE = 'serve.onnx';
/** The tokenizer inside the model directory. */
export const TOKENIZER_FILE = 'tokenizer.json';
/** The feeds prediction knows how to make. */
export const PREDICTION_FEEDS = ['input_ids', 'attention_mask', 'bbox', 'pixel_values'] as const;

const log = logger('predict');

export interface ModelFeatureSettings {
  /** tokens per window, <s> and </s> included */
  maxLength: number;
  /** tokens consecutive windows of a page share */
  stride: number;
  /** side of the page image the model reads; 0 when it reads none */
  imageSize: number;
}

export interface ModelFiles {
  /** the directory as given, resolved */
  dir: string;
  layout: 'run' | 'artifacts';
  artifactsDir: string;
  manifest: ArtifactManifest;
  /** the checkpoint the weights come from (absent only for a directory that ships just the serving export) */
  checkpoint: string | undefined;
  /** its optimizer step */
  checkpointStep: number | undefined;
  /** the serving export to load, when present and current; undefined: infer.onnx with the checkpoint's parameters */
  servingExport: string | undefined;
  /** why a serving export present in the directory is not used */
  servingExportSkipped?: string;
  tokenizer: string;
  schema: LabelSchema;
  features: ModelFeatureSettings;
  /** the decoder the model was validated with (a training run records it); undefined: the model's default */
  decode: DecodeMode | undefined;
  run?: RunInfo;
}

export interface ResolveModelOptions {
  /** training runs: 'best' (default, falling back to 'last'), 'last', or a checkpoint file */
  checkpoint?: 'best' | 'last' | (string & {});
  /** the label schema to check against the model (default: the one the model carries or names) */
  schema?: LabelSchema;
  /** false: never use serve.onnx (default: use it when current) */
  servingExport?: boolean;
}

/** Resolve a model directory for prediction (see the file header). */
export function resolveModelFiles(dirArg: string, options: ResolveModelOptions = {}): ModelFiles {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw inputError(dirArg, undefined, 'no such model directory');
  const paths = runPaths(dir);
  const run = readRunInfo(paths.run);
  const layout: ModelFiles['layout'] = run ? 'run' : 'artifacts';
  const artifactsDir = run ? paths.artifacts : dir;
  if (!existsSync(join(artifactsDir, MANIFEST_FILE))) {
    throw inputError(
      dirArg,
      undefined,
      'not a model directory: neither run.json (hybridoc train) nor manifest.json (hybridoc build) is in it',
    );
  }
  const manifest = readArtifactManifest(artifactsDir);
  for (const f of manifest.feeds.inputs) {
    if (!(PREDICTION_FEEDS as readonly string[]).includes(f.name)) {
      throw inputError(
        join(artifactsDir, MANIFEST_FILE),
        'feeds.inputs',
        `'${f.name}' is not a feed prediction makes (it makes ${PREDICTION_FEEDS.join(', ')})`,
      );
    }
  }
  if (!manifest.outputs.includes('emissions')) {
    throw inputError(
      join(artifactsDir, MANIFEST_FILE),
      'outputs',
      `the model has no 'emissions' output (outputs: ${manifest.outputs.join(', ')})`,
    );
  }

  const checkpoint = run ? runCheckpoint(paths, options.checkpoint) : artifactCheckpoint(artifactsDir, manifest, options.checkpoint);
  const checkpointStep = checkpoint ? readCheckpointStep(checkpoint) : undefined;
  const schema = modelSchema(dirArg, manifest, run, options.schema);

  // serving export: used when it was made from these weights under this schema
  let servingExport: string | undefined;
  let servingExportSkipped: string | undefined;
  const serveFile = join(dir, SERVING_MODEL_FILE);
  if (options.servingExport !== false && existsSync(serveFile)) {
    const meta = readOnnxMetadataFile(serveFile);
    const step = meta.get('checkpoint_step');
    const hash = meta.get(METADATA_KEYS.schemaHash);
    if (hash !== undefined && hash !== schema.hash)
      servingExportSkipped = `it was exported under label schema ${hash}, the model's is ${schema.hash}`;
    else if (checkpointStep !== undefined && step !== undefined && Number(step) !== checkpointStep) {
      servingExportSkipped = `it holds the weights of step ${step}, the checkpoint ${checkpoint} is at step ${checkpointStep}`;
    } else servingExport = serveFile;
    if (servingExportSkipped)
      log.warn({ file: serveFile, reason: servingExportSkipped }, 'serving export is stale; using infer.onnx with the checkpoint');
  }
  if (!servingExport && !checkpoint) throw inputError(dirArg, undefined, `no weights: neither ${SERVING_MODEL_FILE} nor a checkpoint`);

  const tokenizer = [join(dir, TOKENIZER_FILE), join(artifactsDir, TOKENIZER_FILE)].find((f) => existsSync(f));
  if (!tokenizer) throw inputError(dirArg, undefined, `no ${TOKENIZER_FILE} (the tokenizer the model reads) in the model directory`);

  return {
    dir,
    layout,
    artifactsDir,
    manifest,
    checkpoint,
    checkpointStep,
    servingExport,
    ...(servingExportSkipped ? { servingExportSkipped } : {}),
    tokenizer,
    schema,
    features: featureSettings(manifest, run, join(artifactsDir, MANIFEST_FILE)),
    decode: run?.decode,
    ...(run ? { run } : {}),
  };
}

function runCheckpoint(paths: ReturnType<typeof runPaths>, choice: ResolveModelOptions['checkpoint']): string | undefined {
  if (choice && choice !== 'best' && choice !== 'last') return explicitCheckpoint(choice);
  const order = choice === 'last' ? [paths.last] : [paths.best, paths.last];
  for (const d of order) if (hasTrainerCheckpoint(d)) return join(d, CHECKPOINT_WEIGHTS_FILE);
  if (existsSync(join(paths.dir, SERVING_MODEL_FILE))) return undefined;
  throw new HybridocError(`${paths.checkpoints}: no checkpoint yet; train first (hybridoc train ... --out ${paths.dir})`);
}

function artifactCheckpoint(dir: string, manifest: ArtifactManifest, choice: ResolveModelOptions['checkpoint']): string | undefined {
  if (choice && choice !== 'best' && choice !== 'last') return explicitCheckpoint(choice);
  const file = join(dir, manifest.checkpoint.file);
  return existsSync(file) ? file : undefined;
}

function explicitCheckpoint(choice: string): string {
  const file = existsSync(join(choice, CHECKPOINT_WEIGHTS_FILE)) ? join(choice, CHECKPOINT_WEIGHTS_FILE) : choice;
  if (!existsSync(file)) throw inputError(choice, undefined, 'no such checkpoint file or directory');
  return resolve(file);
}

function readCheckpointStep(file: string): number {
  const text = openSafetensors(file).metadata[CHECKPOINT_STEP_KEY] ?? '0';
  const step = Number(text);
  if (!Number.isSafeInteger(step) || step < 0) throw inputError(file, `__metadata__.${CHECKPOINT_STEP_KEY}`, `not a step count: ${text}`);
  return step;
}

/** The label schema the model runs under, checked against the hash it was built for. */
function modelSchema(dirArg: string, manifest: ArtifactManifest, run: RunInfo | undefined, given: LabelSchema | undefined): LabelSchema {
  const want = manifest.schemaHash ?? run?.schema.hash;
  if (!want)
    throw inputError(
      dirArg,
      'manifest.json: schemaHash',
      'missing: the model does not say which label schema it was built for; rebuild it',
    );
  const doc = (manifest.model.config as { labelSchema?: unknown }).labelSchema;
  let schema: LabelSchema;
  if (given) schema = given;
  else if (doc) schema = labelSchemaFromDocument(doc, `${dirArg}: manifest.json: model.config.labelSchema`);
  else if (run) schema = loadLabelSchema(isAbsolute(run.schema.file) ? run.schema.file : resolve(run.schema.file));
  else schema = loadLabelSchema();
  if (schema.hash !== want) {
    throw new HybridocError(
      `${dirArg}: the model was built for label schema ${want}, but ${schema.file} is ${schema.hash}; a model only runs under its own schema`,
    );
  }
  return schema;
}

type Json = Record<string, unknown>;

/** Window length, stride and image side: the run's record, else the model's config. */
function featureSettings(manifest: ArtifactManifest, run: RunInfo | undefined, file: string): ModelFeatureSettings {
  const pixelFeed = manifest.feeds.inputs.find((f) => f.name === 'pixel_values');
  const fixedImage = typeof pixelFeed?.shape[2] === 'number' ? pixelFeed.shape[2] : undefined;
  const modelConfig = (manifest.modelConfig ?? (manifest.model.config as Json).modelConfig) as Json | undefined;
  const backbone = (modelConfig?.backbone ?? {}) as Json;
  const ids = manifest.feeds.inputs.find((f) => f.name === 'input_ids');
  const fixedLength = typeof ids?.shape[1] === 'number' ? ids.shape[1] : undefined;
  const maxLength =
    run?.features.maxLength ??
    fixedLength ??
    (typeof backbone.max_text_length === 'number' ? backbone.max_text_length : undefined) ??
    (typeof (manifest.model.config as Json).maxPositions === 'number'
      ? ((manifest.model.config as Json).maxPositions as number)
      : undefined);
  if (!maxLength) throw inputError(file, 'modelConfig.backbone.max_text_length', 'missing: cannot tell how long a window the model reads');
  let imageSize = 0;
  if (pixelFeed) {
    imageSize = fixedImage ?? run?.features.imageSize ?? (typeof backbone.input_size === 'number' ? backbone.input_size : 0);
    if (!imageSize)
      throw inputError(file, 'modelConfig.backbone.input_size', 'missing: the model reads page images but does not say their size');
  }
  return { maxLength, stride: run?.features.stride ?? defaultStride(maxLength), imageSize };
}
