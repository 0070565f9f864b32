/**
 * Training configuration: config/training.yaml (the embedded default) and the presets in config/training/.
 *
 * The shape is the seed's (`model:` with architecture, label and group counts, prototype size, CRF switch,
 * frozen backbone and loss weights; `training:` with batch size, learning rate, epochs, warmup, sampler,
 * dataset size and splits) plus what a real run needs (gradient accumulation, clipping, weight decay, the
 * LR decay, early stopping on val entity F1, focal loss, the decoder, the seed) and a `curriculum:` of
 * phases, each with its epochs and its own loss weights, sampler and focal-loss switch.
 *
 * The model preset (config/models/NAME.yaml) owns the backbone shapes, the heads and the training recipe
 * (learning rate, warmup, batch size): every preset but an imported base trains from scratch and so needs
 * its own recipe; `base-finetune` carries the seed's 5e-5 and 1000 warmup steps for imported weights.
 * Recipe keys and the head keys (prototype_dim, use_crf, freeze_backbone) left out of a training config are
 * taken from its preset; keys set here win. `sources` records which was which.
 *
 * A config may start from another with `extends: NAME` (`default` is config/training.yaml, other names are
 * config/training/NAME.yaml) and override keys mapping by mapping (lists are replaced whole); command-line
 * overrides are dotted keys (`training.num_epochs`). Every key is checked and any bad or inconsistent value
 * throws one HybridocError line `FILE: KEY: problem`, naming the file the key came from.
 *
 * Epochs are counted from 1 everywhere in this file (config, phases, curriculumAt), as the logs print them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { DECODE_MODES, type DecodeMode } from '../decoding/decode.js';
import { listModelPresets, loadModelConfig, type ModelConfig, type TrainingRecipe } from '../model/config.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
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
  type ConfigMapping,
} from '../util/yaml-config.js';

export type Architecture = 'hierarchical_prototype' | 'standard';
export const ARCHITECTURES: readonly Architecture[] = ['hierarchical_prototype', 'standard'];
export type SamplerType = 'domain_balanced' | 'shuffled';
export const SAMPLER_TYPES: readonly SamplerType[] = ['domain_balanced', 'shuffled'];
export type LrDecay = 'linear' | 'cosine' | 'constant';
export const LR_DECAYS: readonly LrDecay[] = ['linear', 'cosine', 'constant'];

/** Multipliers of the loss terms: total = entity x L_entity + group x L_group + proto_reg x R + crf x L_crf. */
export interface LossWeights {
  entity: number;
  group: number;
  proto_reg: number;
  crf: number;
}

export interface SamplerSettings {
  type: SamplerType;
  /** documents carrying a rare entity per batch (the sampling module's minRareDocsPerBatch); domain_balanced only */
  min_rare_entities_per_batch: number;
}

/** Class-balanced focal loss (Cui et al. 2019 effective-number weights with Lin et al. 2017 focusing). */
export interface FocalLossSettings {
  enabled: boolean;
  /** effective-number beta: class weight (1 - beta) / (1 - beta^n_c) */
  beta: number;
  /** focusing exponent: (1 - p)^gamma */
  gamma: number;
}

export interface LrScheduleSettings {
  /** after warmup: linear or cosine decay to the floor, or constant at the peak */
  decay: LrDecay;
  /** the floor as a fraction of the peak learning rate */
  min_lr_ratio: number;
}

export interface EarlyStoppingSettings {
  enabled: boolean;
  /** epochs without a val entity F1 improvement of more than min_delta before training stops */
  patience: number;
  min_delta: number;
}

export interface DatasetSettings {
  /** documents generated for the run (train + val + test) */
  total_size: number;
  train_split: number;
  val_split: number;
  test_split: number;
}

export interface ModelSection {
  name: string;
  architecture: Architecture;
  /** model preset name (config/models/NAME.yaml) or a model-config path */
  preset: string;
  num_labels: number;
  /** entity groups, as the seed counts them (19); the group head adds the outside group of O */
  num_groups: number;
  prototype_dim: number;
  use_crf: boolean;
  freeze_backbone: boolean;
  loss_weights: LossWeights;
}

export interface TrainingSection {
  /** examples per optimizer step (per micro-batch x gradient_accumulation) */
  batch_size: number;
  /** micro-batches summed into one optimizer step; each micro-batch holds batch_size / gradient_accumulation */
  gradient_accumulation: number;
  /** peak learning rate */
  learning_rate: number;
  num_epochs: number;
  /** exactly one of warmup_steps and warmup_fraction (of all optimizer steps) is set */
  warmup_steps?: number;
  warmup_fraction?: number;
  lr_schedule: LrScheduleSettings;
  /** global gradient-norm clip; 0 turns clipping off */
  max_grad_norm: number;
  /** decoupled (AdamW) weight decay */
  weight_decay: number;
  early_stopping: EarlyStoppingSettings;
  sampler: SamplerSettings;
  focal_loss: FocalLossSettings;
  /** how validation and prediction decode */
  decode: DecodeMode;
  dataset: DatasetSettings;
  seed: number;
}

/** One curriculum phase, with its settings already merged over the model and training sections. */
export interface CurriculumPhase {
  name: string;
  /** first and last epoch of the phase, inclusive, counted from 1 */
  first_epoch: number;
  last_epoch: number;
  loss_weights: LossWeights;
  sampler: SamplerSettings;
  focal_loss: FocalLossSettings;
}

export interface CurriculumSection {
  /** false: every epoch trains with the model and training sections' settings (phases are kept, not used) */
  enabled: boolean;
  phases: CurriculumPhase[];
}

/** Where a recipe or head value came from. */
export type ValueSource = 'config' | 'preset';

export interface TrainingConfig {
  /** the file that was loaded (the last of an `extends` chain) */
  file: string;
  /** every file of the `extends` chain, the loaded one last */
  files: string[];
  description: string;
  model: ModelSection;
  training: TrainingSection;
  curriculum: CurriculumSection;
  /** which recipe and head values the config set and which came from the model preset */
  sources: Record<'batch_size' | 'learning_rate' | 'warmup' | 'prototype_dim' | 'use_crf' | 'freeze_backbone', ValueSource>;
  /** the model preset, with the heads' prototype_dim / use_crf / freeze_backbone and the recipe set as above */
  modelConfig: ModelConfig;
}

/** The effective settings of one epoch. */
export interface EpochSettings {
  epoch: number;
  /** the phase's name, or "all" when the curriculum is off */
  phase: string;
  /** index into curriculum.phases, or -1 when the curriculum is off */
  phaseIndex: number;
  loss_weights: LossWeights;
  sampler: SamplerSettings;
  focal_loss: FocalLossSettings;
}

export interface LoadTrainingConfigOptions {
  /** dotted keys applied after the files, e.g. { 'training.num_epochs': 3 } */
  overrides?: Record<string, unknown>;
  /** how overridden keys are named in errors (default "command line") */
  overridesSource?: string;
  /** the label schema num_labels and num_groups are checked against (default: config/labels.yaml) */
  schema?: LabelSchema;
  /** how a preset name is loaded (default loadModelConfig) */
  loadPreset?: (preset: string) => ModelConfig;
}

type Obj = ConfigMapping;
/** Throw the one-line error for `key`; `related`: other keys the problem involves. */
type Fail = (key: string, problem: string, related?: string[]) => never;

const TOP_KEYS = ['extends', 'description', 'model', 'training', 'curriculum'];
const MODEL_KEYS = [
  'name',
  'architecture',
  'preset',
  'num_labels',
  'num_groups',
  'prototype_dim',
  'use_crf',
  'freeze_backbone',
  'loss_weights',
];
const LOSS_KEYS: Array<keyof LossWeights> = ['entity', 'group', 'proto_reg', 'crf'];
const TRAINING_KEYS = [
  'batch_size',
  'gradient_accumulation',
  'learning_rate',
  'num_epochs',
  'warmup_steps',
  'warmup_fraction',
  'lr_schedule',
  'max_grad_norm',
  'weight_decay',
  'early_stopping',
  'sampler',
  'focal_loss',
  'decode',
  'dataset',
  'seed',
];
const LR_KEYS = ['decay', 'min_lr_ratio'];
const EARLY_KEYS = ['enabled', 'patience', 'min_delta'];
const SAMPLER_KEYS = ['type', 'min_rare_entities_per_batch'];
const FOCAL_KEYS = ['enabled', 'beta', 'gamma'];
const DATASET_KEYS = ['total_size', 'train_split', 'val_split', 'test_split'];
const CURRICULUM_KEYS = ['enabled', 'phases'];
const PHASE_KEYS = ['name', 'epochs', 'loss_weights', 'sampler', 'focal_loss'];
const PHASE_FOCAL_KEYS = ['enabled'];
const SPLIT_TOLERANCE = 1e-6;

/** config/training.yaml */
export function defaultTrainingConfigPath(): string {
  return configPath('training.yaml');
}

/** config/training/ */
export function trainingPresetDir(): string {
  return configPath('training');
}

/** Names of the training presets: "default" (config/training.yaml) and config/training/*.yaml. */
export function listTrainingPresets(): string[] {
  const dir = trainingPresetDir();
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -5))
    : [];
  return ['default', ...names.sort()];
}

function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes('\\') || /\.ya?ml$/i.test(s);
}

/** The file a training preset name or path points at. */
export function resolveTrainingConfigPath(presetOrPath: string = 'default', relativeTo?: string): string {
  if (looksLikePath(presetOrPath)) return relativeTo ? resolve(dirname(relativeTo), presetOrPath) : resolve(presetOrPath);
  if (presetOrPath === 'default') return defaultTrainingConfigPath();
  const p = join(trainingPresetDir(), `${presetOrPath}.yaml`);
  if (!existsSync(p)) throw new HybridocError(`${p}: no training preset "${presetOrPath}" (presets: ${listTrainingPresets().join(', ')})`);
  return p;
}

/**
 * Load a training config: a preset name ("default", or a file in config/training/), or a YAML path.
 * Follows `extends`, applies overrides, checks every key, and resolves the model preset's recipe and heads.
 */
export function loadTrainingConfig(presetOrPath: string = 'default', options: LoadTrainingConfigOptions = {}): TrainingConfig {
  const file = resolveTrainingConfigPath(presetOrPath);
  const origins = new Map<string, string>();
  const files: string[] = [];
  const merged = readChain(file, origins, files, new Set());
  if (options.overrides) applyOverrides(merged, options.overrides, origins, options.overridesSource ?? 'command line');
  return parseTrainingConfig(merged, file, { ...options, origins, files });
}

function readChain(file: string, origins: Map<string, string>, files: string[], seen: Set<string>): Obj {
  seen.add(resolve(file));
  const doc = readConfigMapping(file, 'training config', { emptyIsMapping: true });
  let base: Obj = {};
  if (doc.extends !== undefined) {
    if (typeof doc.extends !== 'string' || doc.extends === '')
      throw inputError(file, 'extends', `expected a preset name or path, got ${typeName(doc.extends)}`);
    let parent: string;
    try {
      parent = resolveTrainingConfigPath(doc.extends, file);
    } catch (err) {
      throw inputError(file, 'extends', err instanceof Error ? err.message : String(err));
    }
    if (!existsSync(parent)) throw inputError(file, 'extends', `no such training config "${doc.extends}" (${parent})`);
    if (seen.has(resolve(parent))) throw inputError(file, 'extends', `"${doc.extends}" extends itself (cycle through ${parent})`);
    base = readChain(parent, origins, files, seen);
  }
  files.push(file);
  const { extends: _extends, ...own } = doc;
  deepMerge(base, own, '', origins, file);
  return base;
}

/** Merge `src` into `dst` (mappings recursively, everything else replaced), recording each key's file. */
function deepMerge(dst: Obj, src: Obj, prefix: string, origins: Map<string, string>, file: string): void {
  for (const [k, v] of Object.entries(src)) {
    const key = prefix + k;
    if (isMapping(v) && isMapping(dst[k])) {
      deepMerge(dst[k] as Obj, v, `${key}.`, origins, file);
    } else {
      dst[k] = isMapping(v) ? structuredClone(v) : v;
      markOrigin(key, v, origins, file);
    }
    // a config that sets one warmup form replaces the other one it inherited
    if (key === 'training.warmup_steps' && src.warmup_fraction === undefined) delete dst.warmup_fraction;
    if (key === 'training.warmup_fraction' && src.warmup_steps === undefined) delete dst.warmup_steps;
  }
}

function markOrigin(key: string, v: unknown, origins: Map<string, string>, file: string): void {
  for (const existing of [...origins.keys()])
    if (existing.startsWith(`${key}.`) || existing.startsWith(`${key}[`)) origins.delete(existing);
  origins.set(key, file);
  if (isMapping(v)) for (const [k, x] of Object.entries(v)) markOrigin(`${key}.${k}`, x, origins, file);
}

function applyOverrides(doc: Obj, overrides: Record<string, unknown>, origins: Map<string, string>, source: string): void {
  for (const [key, value] of Object.entries(overrides)) {
    const parts = key.split('.');
    if (parts.some((p) => p === '')) throw inputError(source, key, 'not a dotted key such as training.num_epochs');
    let node = doc;
    for (const p of parts.slice(0, -1)) {
      if (node[p] === undefined) node[p] = {};
      if (!isMapping(node[p])) throw inputError(source, key, `${p} is not a mapping`);
      node = node[p] as Obj;
    }
    const last = parts[parts.length - 1];
    node[last] = value;
    if (key === 'training.warmup_steps') delete node.warmup_fraction;
    if (key === 'training.warmup_fraction') delete node.warmup_steps;
    markOrigin(key, value, origins, source);
  }
}

interface ParseContext extends LoadTrainingConfigOptions {
  origins?: Map<string, string>;
  files?: string[];
}

/**
 * Validate a merged training-config document (`extends` is not followed here). `file` names keys in
 * errors unless `origins` says another file set them.
 */
export function parseTrainingConfig(raw: unknown, file = '<training-config>', context: ParseContext = {}): TrainingConfig {
  const origins = context.origins ?? new Map<string, string>();
  const fail: Fail = (key, problem, related = []) => {
    // a problem between keys set in different files says where the other key came from
    const at = originOf(key, origins, file);
    const notes = related.filter((k) => origins.has(k) && origins.get(k) !== at).map((k) => `${k} is set in ${origins.get(k)}`);
    throw inputError(at, key, notes.length ? `${problem} (${notes.join('; ')})` : problem);
  };
  if (!isMapping(raw)) throw inputError(file, undefined, `expected a mapping at the top level, got ${typeName(raw)}`);
  checkKnownKeys(raw, TOP_KEYS, '', fail);
  const description = raw.description === undefined ? '' : raw.description;
  if (typeof description !== 'string') fail('description', `expected a string, got ${typeName(description)}`);

  const m = section(raw, 'model', fail, true);
  const t = section(raw, 'training', fail, true);
  const c = section(raw, 'curriculum', fail, false);

  // model
  checkKnownKeys(m, MODEL_KEYS, 'model.', fail);
  const name = m.name === undefined ? basename(file, extname(file)) : m.name;
  if (typeof name !== 'string' || name === '') fail('model.name', `expected a non-empty string, got ${typeName(name)}`);
  const architecture = oneOf(m.architecture, ARCHITECTURES, 'model.architecture', fail, 'hierarchical_prototype');
  if (m.preset === undefined) fail('model.preset', `missing (a model preset: ${listModelPresets().join(', ')})`);
  if (typeof m.preset !== 'string' || m.preset === '') fail('model.preset', `expected a preset name, got ${typeName(m.preset)}`);
  const presetName = m.preset as string;
  const preset = loadPresetFor(presetName, context.loadPreset, fail);

  const schema = context.schema ?? loadLabelSchema();
  const entityGroups = schema.numGroupClasses - 1;
  const numLabels = m.num_labels === undefined ? schema.numLabels : intValue(m.num_labels, 'model.num_labels', 1, fail);
  if (numLabels !== schema.numLabels) {
    fail(
      'model.num_labels',
      `${numLabels} does not match the label schema ${schema.file} (${schema.numLabels} labels: ${schema.numEntities} entities x B/I + O)`,
    );
  }
  const numGroups = m.num_groups === undefined ? entityGroups : intValue(m.num_groups, 'model.num_groups', 1, fail);
  if (numGroups !== entityGroups) {
    fail(
      'model.num_groups',
      `${numGroups} does not match the label schema ${schema.file}: it has ${entityGroups} entity groups ` +
        '(num_groups counts entity groups only, as the seed does; the group head adds the outside group of O itself)',
    );
  }
  const sources = {} as TrainingConfig['sources'];
  const fromPreset = <T>(key: 'prototype_dim' | 'use_crf' | 'freeze_backbone', parse: (v: unknown) => T, presetValue: T): T => {
    sources[key] = m[key] === undefined ? 'preset' : 'config';
    return m[key] === undefined ? presetValue : parse(m[key]);
  };
  const prototypeDim = fromPreset('prototype_dim', (v) => intValue(v, 'model.prototype_dim', 1, fail), preset.heads.prototype_dim);
  const useCrf = fromPreset('use_crf', (v) => boolValue(v, 'model.use_crf', fail), preset.heads.use_crf);
  const freezeBackbone = fromPreset('freeze_backbone', (v) => boolValue(v, 'model.freeze_backbone', fail), preset.heads.freeze_backbone);
  const lossWeights = parseLossWeights(section(m, 'loss_weights', fail, true, 'model.'), 'model.loss_weights', undefined, fail);
  checkLossConsistency(lossWeights, 'model.loss_weights', architecture, useCrf, fail);

  // training
  checkKnownKeys(t, TRAINING_KEYS, 'training.', fail);
  const recipe = preset.training;
  sources.batch_size = t.batch_size === undefined ? 'preset' : 'config';
  const batchSize = t.batch_size === undefined ? recipe.batch_size : intValue(t.batch_size, 'training.batch_size', 1, fail);
  const accumulation =
    t.gradient_accumulation === undefined ? 1 : intValue(t.gradient_accumulation, 'training.gradient_accumulation', 1, fail);
  if (batchSize % accumulation !== 0) {
    fail('training.gradient_accumulation', `batch_size ${batchSize} is not a multiple of gradient_accumulation ${accumulation}`, [
      'training.batch_size',
    ]);
  }
  sources.learning_rate = t.learning_rate === undefined ? 'preset' : 'config';
  const learningRate = t.learning_rate === undefined ? recipe.learning_rate : numValue(t.learning_rate, 'training.learning_rate', fail);
  if (learningRate <= 0 || learningRate >= 1) fail('training.learning_rate', `must be in (0, 1), got ${learningRate}`);
  if (t.num_epochs === undefined) fail('training.num_epochs', 'missing');
  const numEpochs = intValue(t.num_epochs, 'training.num_epochs', 1, fail);
  const warmup = parseWarmup(t, recipe, fail);
  sources.warmup = warmup.source;
  const lrSchedule = parseLrSchedule(t.lr_schedule, fail);
  const maxGradNorm = t.max_grad_norm === undefined ? 1.0 : numValue(t.max_grad_norm, 'training.max_grad_norm', fail);
  if (maxGradNorm < 0) fail('training.max_grad_norm', `must be at least 0 (0 turns clipping off), got ${maxGradNorm}`);
  const weightDecay = t.weight_decay === undefined ? 0.01 : numValue(t.weight_decay, 'training.weight_decay', fail);
  if (weightDecay < 0 || weightDecay >= 1) fail('training.weight_decay', `must be in [0, 1), got ${weightDecay}`);
  const earlyStopping = parseEarlyStopping(t.early_stopping, fail);
  const sampler = parseSampler(section(t, 'sampler', fail, false, 'training.'), 'training.sampler', undefined, batchSize, fail);
  const focal = parseFocal(section(t, 'focal_loss', fail, false, 'training.'), fail);
  const decode = oneOf(t.decode, DECODE_MODES, 'training.decode', fail, useCrf ? 'viterbi' : 'argmax');
  if (decode === 'viterbi' && !useCrf)
    fail('training.decode', 'viterbi needs the CRF but model.use_crf is false (use argmax)', ['model.use_crf']);
  const dataset = parseDataset(section(t, 'dataset', fail, true, 'training.'), fail);
  const seed = t.seed === undefined ? 0 : intValue(t.seed, 'training.seed', 0, fail);

  const training: TrainingSection = {
    batch_size: batchSize,
    gradient_accumulation: accumulation,
    learning_rate: learningRate,
    num_epochs: numEpochs,
    ...warmup.value,
    lr_schedule: lrSchedule,
    max_grad_norm: maxGradNorm,
    weight_decay: weightDecay,
    early_stopping: earlyStopping,
    sampler,
    focal_loss: focal,
    decode,
    dataset,
    seed,
  };
  if (training.warmup_steps !== undefined) {
    const total = plannedOptimizerSteps(training);
    if (training.warmup_steps >= total) {
      fail(
        'training.warmup_steps',
        `${training.warmup_steps} warmup steps is not less than the ${total} optimizer steps the run plans ` +
          `(${trainDocuments(dataset)} training documents / batch ${batchSize} x ${numEpochs} epochs)`,
      );
    }
  }

  // curriculum
  checkKnownKeys(c, CURRICULUM_KEYS, 'curriculum.', fail);
  const phasesRaw = c.phases === undefined || c.phases === null ? [] : c.phases;
  if (!Array.isArray(phasesRaw)) fail('curriculum.phases', `expected a list of phases, got ${typeName(phasesRaw)}`);
  const enabled = c.enabled === undefined ? (phasesRaw as unknown[]).length > 0 : boolValue(c.enabled, 'curriculum.enabled', fail);
  const base = { loss_weights: lossWeights, sampler, focal_loss: focal };
  // a disabled curriculum keeps its phases for reference; their epochs are then not held to num_epochs
  const phases = (phasesRaw as unknown[]).map((p, i) =>
    parsePhase(p, i, base, enabled ? numEpochs : undefined, architecture, useCrf, batchSize, fail),
  );
  if (enabled) checkCoverage(phases, numEpochs, fail);

  const modelConfig: ModelConfig = {
    ...preset,
    heads: { ...preset.heads, prototype_dim: prototypeDim, use_crf: useCrf, freeze_backbone: freezeBackbone },
    training: {
      learning_rate: learningRate,
      batch_size: batchSize,
      ...(training.warmup_steps !== undefined ? { warmup_steps: training.warmup_steps } : { warmup_fraction: training.warmup_fraction }),
    },
  };
  return {
    file,
    files: context.files ?? [file],
    description: description as string,
    model: {
      name: name as string,
      architecture,
      preset: presetName,
      num_labels: numLabels,
      num_groups: numGroups,
      prototype_dim: prototypeDim,
      use_crf: useCrf,
      freeze_backbone: freezeBackbone,
      loss_weights: lossWeights,
    },
    training,
    curriculum: { enabled, phases },
    sources,
    modelConfig,
  };
}

/** The effective loss weights, sampler and focal-loss settings of an epoch (counted from 1). */
export function curriculumAt(config: Pick<TrainingConfig, 'model' | 'training' | 'curriculum'>, epoch: number): EpochSettings {
  if (!Number.isSafeInteger(epoch) || epoch < 1)
    throw new RangeError(`curriculumAt: epoch must be an integer counted from 1, got ${epoch}`);
  const { curriculum } = config;
  if (!curriculum.enabled || curriculum.phases.length === 0) {
    return {
      epoch,
      phase: 'all',
      phaseIndex: -1,
      loss_weights: { ...config.model.loss_weights },
      sampler: { ...config.training.sampler },
      focal_loss: { ...config.training.focal_loss },
    };
  }
  // epochs past the last phase (a run extended beyond num_epochs) stay in the last phase
  let index = curriculum.phases.findIndex((p) => epoch >= p.first_epoch && epoch <= p.last_epoch);
  if (index < 0) index = curriculum.phases.length - 1;
  const p = curriculum.phases[index];
  return {
    epoch,
    phase: p.name,
    phaseIndex: index,
    loss_weights: { ...p.loss_weights },
    sampler: { ...p.sampler },
    focal_loss: { ...p.focal_loss },
  };
}

/** Training documents the dataset section plans: floor(total_size x train_split). */
export function trainDocuments(dataset: DatasetSettings): number {
  return Math.floor(dataset.total_size * dataset.train_split + 1e-9);
}

/** Optimizer steps per epoch for a number of training examples (a last partial batch counts as a step). */
export function optimizerStepsPerEpoch(trainExamples: number, batchSize: number): number {
  return Math.max(1, Math.ceil(trainExamples / batchSize));
}

/** Optimizer steps over the whole run, for the dataset section's size or a given number of examples. */
export function plannedOptimizerSteps(
  training: Pick<TrainingSection, 'batch_size' | 'num_epochs' | 'dataset'>,
  trainExamples?: number,
): number {
  return optimizerStepsPerEpoch(trainExamples ?? trainDocuments(training.dataset), training.batch_size) * training.num_epochs;
}

/** Warmup in optimizer steps: warmup_steps as set, or warmup_fraction x total steps (rounded). */
export function warmupStepsFor(training: Pick<TrainingSection, 'warmup_steps' | 'warmup_fraction'>, totalSteps: number): number {
  if (training.warmup_steps !== undefined) return training.warmup_steps;
  return Math.round((training.warmup_fraction ?? 0) * totalSteps);
}

// ---------------------------------------------------------------------------------------------------------

function loadPresetFor(name: string, loader: ((preset: string) => ModelConfig) | undefined, fail: Fail): ModelConfig {
  if (!looksLikePath(name) && !loader) {
    const known = listModelPresets();
    if (!known.includes(name)) fail('model.preset', `no model preset "${name}" (presets: ${known.join(', ') || 'none'})`);
  }
  try {
    return (loader ?? loadModelConfig)(name);
  } catch (err) {
    if (err instanceof HybridocError && err.message.includes(': ')) throw err; // names the preset file and key
    return fail('model.preset', `cannot load "${name}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseLossWeights(s: Obj, prefix: string, inherit: LossWeights | undefined, fail: Fail): LossWeights {
  checkKnownKeys(s, LOSS_KEYS, `${prefix}.`, fail);
  const out = {} as LossWeights;
  for (const k of LOSS_KEYS) {
    const key = `${prefix}.${k}`;
    if (s[k] === undefined) {
      if (!inherit) fail(key, 'missing');
      out[k] = inherit![k];
      continue;
    }
    const w = numValue(s[k], key, fail);
    if (w < 0) fail(key, `must be at least 0, got ${w}`);
    if (w > 100) fail(key, `must be at most 100, got ${w}`);
    out[k] = w;
  }
  return out;
}

function checkLossConsistency(w: LossWeights, prefix: string, architecture: Architecture, useCrf: boolean, fail: Fail): void {
  if (w.entity <= 0) fail(`${prefix}.entity`, `must be above 0 (the entity loss is what trains the labels), got ${w.entity}`);
  if (!useCrf && w.crf > 0) fail(`${prefix}.crf`, `${w.crf} but model.use_crf is false (set it to 0)`, ['model.use_crf']);
  if (architecture === 'standard') {
    if (w.group > 0)
      fail(`${prefix}.group`, `${w.group} but the standard architecture has no group head (set it to 0)`, ['model.architecture']);
    if (w.proto_reg > 0)
      fail(`${prefix}.proto_reg`, `${w.proto_reg} but the standard architecture has no prototypes (set it to 0)`, ['model.architecture']);
  }
}

function parseWarmup(
  t: Obj,
  recipe: TrainingRecipe,
  fail: Fail,
): { value: { warmup_steps?: number; warmup_fraction?: number }; source: ValueSource } {
  const hasSteps = t.warmup_steps !== undefined;
  const hasFraction = t.warmup_fraction !== undefined;
  if (hasSteps && hasFraction) fail('training.warmup_steps', 'set one of warmup_steps and warmup_fraction, not both');
  if (hasSteps) return { value: { warmup_steps: intValue(t.warmup_steps, 'training.warmup_steps', 0, fail) }, source: 'config' };
  if (hasFraction) {
    const f = numValue(t.warmup_fraction, 'training.warmup_fraction', fail);
    if (f < 0 || f >= 1) fail('training.warmup_fraction', `must be in [0, 1), got ${f}`);
    return { value: { warmup_fraction: f }, source: 'config' };
  }
  const value =
    recipe.warmup_steps !== undefined ? { warmup_steps: recipe.warmup_steps } : { warmup_fraction: recipe.warmup_fraction ?? 0 };
  return { value, source: 'preset' };
}

function parseLrSchedule(v: unknown, fail: Fail): LrScheduleSettings {
  const s = v === undefined ? {} : v;
  if (!isMapping(s)) fail('training.lr_schedule', `expected a mapping, got ${typeName(s)}`);
  checkKnownKeys(s as Obj, LR_KEYS, 'training.lr_schedule.', fail);
  const o = s as Obj;
  const decay = oneOf(o.decay, LR_DECAYS, 'training.lr_schedule.decay', fail, 'linear');
  const floor = o.min_lr_ratio === undefined ? 0 : numValue(o.min_lr_ratio, 'training.lr_schedule.min_lr_ratio', fail);
  if (floor < 0 || floor >= 1) fail('training.lr_schedule.min_lr_ratio', `must be in [0, 1), got ${floor}`);
  return { decay, min_lr_ratio: floor };
}

function parseEarlyStopping(v: unknown, fail: Fail): EarlyStoppingSettings {
  const s = v === undefined ? {} : v;
  if (!isMapping(s)) fail('training.early_stopping', `expected a mapping, got ${typeName(s)}`);
  const o = s as Obj;
  checkKnownKeys(o, EARLY_KEYS, 'training.early_stopping.', fail);
  const enabled = o.enabled === undefined ? true : boolValue(o.enabled, 'training.early_stopping.enabled', fail);
  const patience = o.patience === undefined ? 3 : intValue(o.patience, 'training.early_stopping.patience', 1, fail);
  const minDelta = o.min_delta === undefined ? 0 : numValue(o.min_delta, 'training.early_stopping.min_delta', fail);
  if (minDelta < 0 || minDelta >= 1) fail('training.early_stopping.min_delta', `must be in [0, 1) (an F1 difference), got ${minDelta}`);
  return { enabled, patience, min_delta: minDelta };
}

function parseSampler(s: Obj, prefix: string, inherit: SamplerSettings | undefined, batchSize: number, fail: Fail): SamplerSettings {
  checkKnownKeys(s, SAMPLER_KEYS, `${prefix}.`, fail);
  const type = oneOf(s.type, SAMPLER_TYPES, `${prefix}.type`, fail, inherit?.type ?? 'domain_balanced');
  const min =
    s.min_rare_entities_per_batch === undefined
      ? (inherit?.min_rare_entities_per_batch ?? 4)
      : intValue(s.min_rare_entities_per_batch, `${prefix}.min_rare_entities_per_batch`, 0, fail);
  if (min > batchSize) {
    fail(`${prefix}.min_rare_entities_per_batch`, `${min} is more than the batch holds (training.batch_size ${batchSize})`, [
      'training.batch_size',
    ]);
  }
  return { type, min_rare_entities_per_batch: min };
}

function parseFocal(s: Obj, fail: Fail): FocalLossSettings {
  checkKnownKeys(s, FOCAL_KEYS, 'training.focal_loss.', fail);
  const enabled = s.enabled === undefined ? false : boolValue(s.enabled, 'training.focal_loss.enabled', fail);
  const beta = s.beta === undefined ? 0.9999 : numValue(s.beta, 'training.focal_loss.beta', fail);
  if (beta < 0 || beta >= 1) fail('training.focal_loss.beta', `must be in [0, 1), got ${beta}`);
  const gamma = s.gamma === undefined ? 2.0 : numValue(s.gamma, 'training.focal_loss.gamma', fail);
  if (gamma < 0 || gamma > 10) fail('training.focal_loss.gamma', `must be in [0, 10], got ${gamma}`);
  return { enabled, beta, gamma };
}

function parseDataset(s: Obj, fail: Fail): DatasetSettings {
  checkKnownKeys(s, DATASET_KEYS, 'training.dataset.', fail);
  if (s.total_size === undefined) fail('training.dataset.total_size', 'missing');
  const total = intValue(s.total_size, 'training.dataset.total_size', 1, fail);
  const split = (k: 'train_split' | 'val_split' | 'test_split', dflt: number): number => {
    const key = `training.dataset.${k}`;
    const v = s[k] === undefined ? dflt : numValue(s[k], key, fail);
    if (v < 0 || v > 1) fail(key, `must be in [0, 1], got ${v}`);
    return v;
  };
  const train = split('train_split', 0.85);
  const val = split('val_split', 0.1);
  const test = split('test_split', 0.05);
  const sum = train + val + test;
  if (Math.abs(sum - 1) > SPLIT_TOLERANCE) {
    fail('training.dataset.test_split', `train_split + val_split + test_split must be 1, got ${train} + ${val} + ${test} = ${round(sum)}`);
  }
  if (train <= 0) fail('training.dataset.train_split', 'must be above 0');
  const out = { total_size: total, train_split: train, val_split: val, test_split: test };
  if (trainDocuments(out) < 1) fail('training.dataset.total_size', `${total} documents leave no training document at train_split ${train}`);
  if (val > 0 && Math.floor(total * val + 1e-9) < 1)
    fail('training.dataset.total_size', `${total} documents leave no validation document at val_split ${val}`);
  return out;
}

function parsePhase(
  raw: unknown,
  i: number,
  base: { loss_weights: LossWeights; sampler: SamplerSettings; focal_loss: FocalLossSettings },
  numEpochs: number | undefined,
  architecture: Architecture,
  useCrf: boolean,
  batchSize: number,
  fail: Fail,
): CurriculumPhase {
  const prefix = `curriculum.phases[${i}]`;
  if (!isMapping(raw)) fail(prefix, `expected a mapping with name, epochs and settings, got ${typeName(raw)}`);
  const p = raw as Obj;
  checkKnownKeys(p, PHASE_KEYS, `${prefix}.`, fail);
  const name = p.name === undefined ? `phase ${i + 1}` : p.name;
  if (typeof name !== 'string' || name === '') fail(`${prefix}.name`, `expected a non-empty string, got ${typeName(name)}`);
  const [first, last] = parseEpochRange(p.epochs, `${prefix}.epochs`, numEpochs, fail);
  const lw = parseLossWeights(section(p, 'loss_weights', fail, false, `${prefix}.`), `${prefix}.loss_weights`, base.loss_weights, fail);
  checkLossConsistency(lw, `${prefix}.loss_weights`, architecture, useCrf, fail);
  const sampler = parseSampler(section(p, 'sampler', fail, false, `${prefix}.`), `${prefix}.sampler`, base.sampler, batchSize, fail);
  const f = section(p, 'focal_loss', fail, false, `${prefix}.`);
  checkKnownKeys(f, PHASE_FOCAL_KEYS, `${prefix}.focal_loss.`, fail);
  const focal = {
    ...base.focal_loss,
    ...(f.enabled === undefined ? {} : { enabled: boolValue(f.enabled, `${prefix}.focal_loss.enabled`, fail) }),
  };
  return { name: name as string, first_epoch: first, last_epoch: last, loss_weights: lw, sampler, focal_loss: focal };
}

/** [first, last] counted from 1; `numEpochs` undefined: not held to the run's length ("end" = first). */
function parseEpochRange(v: unknown, key: string, numEpochs: number | undefined, fail: Fail): [number, number] {
  if (v === undefined) fail(key, 'missing ([first, last] epochs counted from 1; last may be "end")');
  let first: unknown;
  let last: unknown;
  if (typeof v === 'number') {
    first = v;
    last = v;
  } else if (Array.isArray(v) && v.length === 2) {
    [first, last] = v;
  } else {
    fail(key, `expected [first, last] (epochs counted from 1; last may be "end"), got ${typeName(v)}`);
  }
  const a = intValue(first, key, 1, fail);
  const b = last === 'end' ? Math.max(a, numEpochs ?? a) : intValue(last, key, 1, fail);
  if (b < a) fail(key, `last epoch ${b} is before first epoch ${a}`);
  if (numEpochs !== undefined && a > numEpochs) fail(key, `starts at epoch ${a} but training.num_epochs is ${numEpochs}`);
  if (numEpochs !== undefined && b > numEpochs)
    fail(key, `ends at epoch ${b} but training.num_epochs is ${numEpochs} (use "end" to run to the last epoch)`);
  return [a, b];
}

function checkCoverage(phases: CurriculumPhase[], numEpochs: number, fail: Fail): void {
  if (phases.length === 0) fail('curriculum.phases', 'the curriculum is enabled but has no phases');
  let next = 1;
  for (let i = 0; i < phases.length; i++) {
    const p = phases[i];
    const key = `curriculum.phases[${i}].epochs`;
    if (p.first_epoch < next) {
      const prev = phases[i - 1];
      fail(
        key,
        `epochs ${p.first_epoch}-${p.last_epoch} overlap phases[${i - 1}] (epochs ${prev.first_epoch}-${prev.last_epoch}); list phases in epoch order`,
      );
    }
    if (p.first_epoch > next)
      fail(key, `epochs ${next}-${p.first_epoch - 1} are in no phase (phases must cover epochs 1-${numEpochs} without gaps)`);
    next = p.last_epoch + 1;
  }
  if (next <= numEpochs) {
    fail(
      `curriculum.phases[${phases.length - 1}].epochs`,
      `epochs ${next}-${numEpochs} are in no phase (training.num_epochs is ${numEpochs}; end the last phase with "end")`,
    );
  }
}

function originOf(key: string, origins: Map<string, string>, fallback: string): string {
  let k = key;
  for (;;) {
    const o = origins.get(k);
    if (o !== undefined) return o;
    const cut = Math.max(k.lastIndexOf('.'), k.lastIndexOf('['));
    if (cut <= 0) return fallback;
    k = k.slice(0, cut);
  }
}

function section(raw: Obj, key: string, fail: Fail, required: boolean, prefix = ''): Obj {
  const s = raw[key];
  if (s === undefined || s === null) {
    if (required) fail(prefix + key, 'missing section');
    return {};
  }
  if (!isMapping(s)) fail(prefix + key, `expected a mapping, got ${typeName(s)}`);
  return s as Obj;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], key: string, fail: Fail, dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(key, `must be one of ${allowed.join(', ')}, got ${typeName(v)}`);
  return v as T;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
