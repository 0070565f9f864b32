/**
 * The seed's comparison, measured (`hybridoc compare`): the standard 161-way head, the hybrid head (group +
 * prototype) without a CRF, and the hybrid head with the adaptive CRF, trained from scratch on the same
 * corpus, the same backbone preset and the same fixed step budget with early stopping off; plus a fourth
 * run of the hybrid head with one entity held out of training, which add-label then adds from a few
 * documents ("new labels without retraining").
 *
 * Work directory layout (outside the repository; everything in it can be made again from the settings):
 *
 *   compare.json                the settings; a later run with other settings is refused
 *   corpus/                     the corpus, regenerated from its seed when missing
 *   corpus-held-out/, labels-held-out.yaml   the corpus with the held-out entity relabelled O, its schema
 *   features/                   the feature cache the runs share
 *   arms/ARM/run/               each arm's training run (resumable)
 *   arms/ARM/result.json        written when the arm is trained and evaluated: a finished arm is never redone
 *   arms/hybrid-held-out/added/ the held-out model extended by add-label (delete it and run again to redo
 *                               only the add-label step and its scores; the trained run is kept)
 *   comparison.md, comparison.json   the table
 *
 * Arms run one at a time; a run that is stopped (Ctrl-C, a kill) continues with the unfinished arms, an arm
 * cut off in training continuing from its last checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SplitName } from '../corpus/corpus-plan.js';
import type { ConfidenceInterval } from '../evaluation/bootstrap.js';
import type { SpanScore } from '../evaluation/span-scores.js';
import { evaluateModel, type ModelEvaluation } from '../trainer/evaluate-model.js';
import { train } from '../trainer/train.js';
import { runPaths } from '../trainer/run-layout.js';
import { atomicWriteFile } from '../training/atomic-files.js';
import type { ProgressOptions } from '../training/progress.js';
import { loadTrainingConfig, type TrainingConfig } from '../training/training-config.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { ensureExperimentCorpus } from './experiment-corpus.js';
import { addHeldOutEntity, documentsWithEntity, writeCorpusWithout, writeSchemaWithout, type AddedEntityScore } from './held-out-entity.js';
import { renderComparisonMarkdown, comparisonRows, type ComparisonRow } from './comparison-table.js';
import { lossSmoothness, runParameterCounts, type LossSmoothness, type ParameterCounts } from './training-measures.js';

export type CompareArm = 'standard' | 'hybrid' | 'hybrid-crf' | 'hybrid-held-out';
export const COMPARE_ARMS: readonly CompareArm[] = ['standard', 'hybrid', 'hybrid-crf', 'hybrid-held-out'];
export const ARM_TITLES: Record<CompareArm, string> = {
  standard: 'standard 161-way head',
  hybrid: 'hybrid head (group + prototype), no CRF',
  'hybrid-crf': 'hybrid head + adaptive CRF',
  'hybrid-held-out': 'hybrid head, one entity held out (then add-label)',
};
/** The training config the comparison starts from (config/training/compare.yaml). */
export const COMPARE_CONFIG = 'compare';
/** The entity held out and added back by add-label (its group, accounting, keeps INVOICE_STATUS). */
export const DEFAULT_HOLD_OUT = 'PAYMENT_TERMS';
export const DEFAULT_ADD_LABEL_EXAMPLES = 5;
const SETTINGS_FORMAT = 'hybridoc-compare/1';
const EVAL_SPLITS: SplitName[] = ['test', 'test-unseen-templates'];

export interface CompareOptions {
  /** work directory (outside the repository): corpus, runs, results */
  workDir: string;
  /** training config name or path (default config/training/compare.yaml) */
  config?: string;
  /** dotted-key overrides applied to every arm */
  overrides?: Record<string, unknown>;
  /** model preset of every arm's backbone (default: the config's model.preset) */
  preset?: string;
  /** documents in the corpus (default: the config's training.dataset.total_size) */
  documents?: number;
  /** optimizer steps per arm (default: the config's num_epochs over the training split) */
  steps?: number;
  /** corpus seed (default: the config's training.seed) */
  seed?: number;
  holdOut?: string;
  addLabelExamples?: number;
  /** run only these arms (default all); the table shows what is finished */
  arms?: readonly CompareArm[];
  threads?: number;
  progress?: ProgressOptions['mode'];
  signal?: AbortSignal;
  /** the command line, shown with the table */
  command?: string;
  /** told when an arm starts, finishes, or is found finished */
  onArm?: (event: { arm: CompareArm; status: 'start' | 'done' | 'reused'; result?: ArmResult }) => void;
}

/** What the work directory was made with. */
export interface CompareSettings {
  format: typeof SETTINGS_FORMAT;
  config: string;
  preset: string;
  documents: number;
  seed: number;
  steps: number | null;
  holdOut: string;
  holdOutGroup: string;
  addLabelExamples: number;
  overrides: Record<string, unknown>;
}

export interface ArmEvaluation {
  decode: 'viterbi' | 'argmax';
  inTemplate: { microF1: number; macroF1: number; documents: number; support: number };
  crossTemplate: { microF1: number; documents: number; support: number; interval: ConfidenceInterval | null } | null;
  rare: { macroF1: number | null; evaluated: string[]; support: number; interval: ConfidenceInterval | null };
  seconds: number;
}

export interface ArmResult {
  arm: CompareArm;
  title: string;
  model: string;
  preset: string;
  useCrf: boolean;
  steps: number;
  epochs: number;
  bestStep: number | null;
  bestValF1: number | null;
  /** val F1 after each epoch, with its step */
  valCurve: Array<{ step: number; f1: number }>;
  trainSeconds: number;
  evaluation: ArmEvaluation;
  /** the CRF arm: the same model decoded with argmax */
  argmax?: ArmEvaluation;
  /** strict span scores per entity over the evaluated splits */
  perEntity: Record<string, SpanScore>;
  smoothness: LossSmoothness;
  parameters: ParameterCounts;
  /** the held-out arm: the entity added back */
  heldOut?: AddedEntityScore;
  corpus: string;
}

export interface CompareResult {
  workDir: string;
  settings: CompareSettings;
  corpus: { documents: number; splits: Record<string, number> };
  arms: Partial<Record<CompareArm, ArmResult>>;
  rows: ComparisonRow[];
  markdown: string;
  files: { markdown: string; json: string };
  /** training + evaluation seconds of every finished arm */
  seconds: number;
}

/** Run (or continue) the comparison; see the file comment. */
export async function runComparison(options: CompareOptions): Promise<CompareResult> {
  const log = logger('compare');
  const workDir = resolve(options.workDir);
  const schema = loadLabelSchema();
  const baseOverrides = { ...(options.overrides ?? {}), ...(options.preset ? { 'model.preset': options.preset } : {}) };
  const base = loadTrainingConfig(options.config ?? COMPARE_CONFIG, { overrides: baseOverrides, schema });
  const holdOut = options.holdOut ?? DEFAULT_HOLD_OUT;
  const holdIndex = schema.entityIndex.get(holdOut);
  if (holdIndex === undefined) throw new HybridocError(`--hold-out: "${holdOut}" is not an entity of ${schema.file}`);
  if (options.steps !== undefined && !(Number.isSafeInteger(options.steps) && options.steps >= 1))
    throw new HybridocError(`--steps: expected an integer >= 1, got ${options.steps}`);
  const settings: CompareSettings = {
    format: SETTINGS_FORMAT,
    config: base.file,
    preset: base.modelConfig.name,
    documents: options.documents ?? base.training.dataset.total_size,
    seed: options.seed ?? base.training.seed,
    steps: options.steps ?? null,
    holdOut,
    holdOutGroup: schema.groups[schema.entities[holdIndex].group].name,
    addLabelExamples: options.addLabelExamples ?? DEFAULT_ADD_LABEL_EXAMPLES,
    overrides: baseOverrides,
  };
  mkdirSync(workDir, { recursive: true });
  checkSettings(join(workDir, 'compare.json'), settings);

  const backbone = base.modelConfig.backbone;
  const corpus = await ensureExperimentCorpus({
    dir: join(workDir, 'corpus'),
    count: settings.documents,
    seed: settings.seed,
    dataset: base.training.dataset,
    images: backbone.visual_embed,
    imageSize: backbone.visual_embed ? backbone.input_size : undefined,
    progress: options.progress,
    signal: options.signal,
  });
  const splits = Object.fromEntries(Object.entries(corpus.manifest.splits).map(([k, v]) => [k, v.documents]));
  const withHeldOut = corpus.manifest.entities.find((e) => e.name === holdOut)?.train.documents ?? 0;
  if (withHeldOut < settings.addLabelExamples) {
    throw new HybridocError(
      `--hold-out: only ${withHeldOut} training documents of ${corpus.dir} carry ${holdOut}, add-label needs ${settings.addLabelExamples} (--examples); use more documents or another entity`,
    );
  }
  const ctx: ArmContext = { options, settings, base, schema, workDir, corpus: corpus.dir, log };

  const wanted = new Set(options.arms ?? COMPARE_ARMS);
  const arms: Partial<Record<CompareArm, ArmResult>> = {};
  for (const arm of COMPARE_ARMS) {
    const resultFile = join(workDir, 'arms', arm, 'result.json');
    if (existsSync(resultFile)) {
      const saved = JSON.parse(readFileSync(resultFile, 'utf8')) as ArmResult;
      // the loss-curve figures are recomputed from the run's metrics log (cheap; a result written by an
      // older version may lack some)
      const runDir = join(workDir, 'arms', arm, 'run');
      arms[arm] = existsSync(runPaths(runDir).metrics) ? { ...saved, smoothness: lossSmoothness(runDir) } : saved;
      if (arm === 'hybrid-held-out' && !existsSync(join(workDir, 'arms', arm, 'added', 'manifest.json'))) {
        arms[arm] = { ...arms[arm]!, heldOut: await addHeldOutArmEntity(runDir, ctx) };
        atomicWriteFile(resultFile, JSON.stringify(arms[arm], null, 2) + '\n');
      }
      options.onArm?.({ arm, status: 'reused', result: arms[arm] });
      log.info({ arm }, 'arm already finished');
      continue;
    }
    if (!wanted.has(arm)) continue;
    options.onArm?.({ arm, status: 'start' });
    log.info({ arm, title: ARM_TITLES[arm] }, 'arm starting');
    const result = await runArm(arm, ctx);
    if (!result) throw new HybridocError(`compare interrupted in arm ${arm}; run the same command again to continue`);
    atomicWriteFile(resultFile, JSON.stringify(result, null, 2) + '\n');
    arms[arm] = result;
    options.onArm?.({ arm, status: 'done', result });
  }

  const rows = comparisonRows(arms, settings);
  const seconds = Object.values(arms).reduce((a, r) => a + r.trainSeconds + r.evaluation.seconds + (r.argmax?.seconds ?? 0), 0);
  const markdown = renderComparisonMarkdown(rows, settings, { documents: corpus.manifest.counts.documents, splits }, arms, {
    command: options.command,
    wallSeconds: seconds,
  });
  const files = { markdown: join(workDir, 'comparison.md'), json: join(workDir, 'comparison.json') };
  const result: CompareResult = {
    workDir,
    settings,
    corpus: { documents: corpus.manifest.counts.documents, splits },
    arms,
    rows,
    markdown,
    files,
    seconds,
  };
  writeFileSync(files.markdown, markdown);
  writeFileSync(files.json, JSON.stringify({ ...result, markdown: undefined }, null, 2) + '\n');
  return result;
}

interface ArmContext {
  options: CompareOptions;
  settings: CompareSettings;
  base: TrainingConfig;
  schema: LabelSchema;
  workDir: string;
  corpus: string;
  log: ReturnType<typeof logger>;
}

const NO_CURRICULUM = { 'curriculum.enabled': false, 'curriculum.phases': [] };

/** The config overrides that make an arm out of the base config. */
export function armOverrides(arm: CompareArm, base: TrainingConfig, steps: number | null): Record<string, unknown> {
  const common: Record<string, unknown> = { 'training.early_stopping.enabled': false };
  // a fixed step budget: enough epochs that the budget, not the epoch count, ends the run
  if (steps !== null) common['training.num_epochs'] = Math.max(base.training.num_epochs, steps);
  const w = base.model.loss_weights;
  switch (arm) {
    case 'standard':
      return {
        ...common,
        ...NO_CURRICULUM,
        'model.architecture': 'standard',
        'model.use_crf': false,
        'model.loss_weights': { entity: w.entity, group: 0, proto_reg: 0, crf: 0 },
        'training.decode': 'argmax',
      };
    case 'hybrid':
    case 'hybrid-held-out':
      return {
        ...common,
        ...NO_CURRICULUM,
        'model.architecture': 'hierarchical_prototype',
        'model.use_crf': false,
        'model.loss_weights': { ...w, crf: 0 },
        'training.decode': 'argmax',
      };
    case 'hybrid-crf':
      return {
        ...common,
        'model.architecture': 'hierarchical_prototype',
        'model.use_crf': true,
        'model.loss_weights': { ...w, crf: w.crf > 0 ? w.crf : 0.5 },
        'training.decode': 'viterbi',
      };
  }
}

/** Train and evaluate one arm; undefined when interrupted. */
async function runArm(arm: CompareArm, ctx: ArmContext): Promise<ArmResult | undefined> {
  const { options, settings, workDir, log } = ctx;
  const armDir = join(workDir, 'arms', arm);
  const runDir = join(armDir, 'run');
  let corpus = ctx.corpus;
  let schema = ctx.schema;
  const overrides = { ...settings.overrides, ...armOverrides(arm, ctx.base, settings.steps) };
  if (arm === 'hybrid-held-out') {
    schema = writeSchemaWithout(ctx.schema, settings.holdOut, join(workDir, 'labels-held-out.yaml'));
    corpus = join(workDir, 'corpus-held-out');
    writeCorpusWithout(ctx.corpus, settings.holdOut, schema, corpus);
    overrides['model.num_labels'] = schema.numLabels;
  }
  const config = loadTrainingConfig(options.config ?? COMPARE_CONFIG, { overrides, schema });
  const trained = await train({
    config,
    corpus,
    out: runDir,
    schema,
    threads: options.threads,
    featureCacheDir: join(workDir, 'features'),
    maxSteps: settings.steps ?? undefined,
    progress: options.progress,
    signal: options.signal,
  });
  if (trained.stoppedBy === 'interrupted') return undefined;
  const evaluation = await evaluateArm(runDir, corpus, config.training.decode, options.threads, schema);
  const result: ArmResult = {
    arm,
    title: ARM_TITLES[arm],
    model: trained.run.model.name,
    preset: trained.run.model.preset,
    useCrf: config.model.use_crf,
    steps: trained.steps,
    epochs: trained.epochs,
    bestStep: trained.bestStep,
    bestValF1: trained.bestValF1,
    valCurve: trained.evals.map((e) => ({ step: e.step, f1: e.val_entity_f1 })),
    trainSeconds: trained.elapsedSeconds,
    evaluation: evaluation.summary,
    perEntity: Object.fromEntries(Object.entries(evaluation.raw.report.perEntity).map(([k, v]) => [k, spanScore(v)])),
    smoothness: lossSmoothness(runDir),
    parameters: runParameterCounts(runDir),
    corpus,
  };
  if (arm === 'hybrid-crf') result.argmax = (await evaluateArm(runDir, corpus, 'argmax', options.threads, schema)).summary;
  if (arm === 'hybrid-held-out') result.heldOut = await addHeldOutArmEntity(runDir, ctx);
  log.info(
    { arm, steps: result.steps, inTemplateF1: result.evaluation.inTemplate.microF1, seconds: Math.round(result.trainSeconds) },
    'arm finished',
  );
  return result;
}

/** The held-out arm's add-label step: the entity added to its trained run from the examples, then scored. */
async function addHeldOutArmEntity(runDir: string, ctx: ArmContext): Promise<AddedEntityScore> {
  const { settings, options, log } = ctx;
  const examples = await documentsWithEntity(ctx.corpus, 'train', settings.holdOut, settings.addLabelExamples);
  log.info({ entity: settings.holdOut, examples: examples.length }, 'adding the held-out entity with add-label');
  return addHeldOutEntity({
    run: runDir,
    out: join(runDir, '..', 'added'),
    corpus: ctx.corpus,
    entity: settings.holdOut,
    group: settings.holdOutGroup,
    examples,
    splits: EVAL_SPLITS,
    threads: options.threads,
  });
}

function spanScore(s: SpanScore): SpanScore {
  return { precision: s.precision, recall: s.recall, f1: s.f1, support: s.support, predicted: s.predicted, correct: s.correct };
}

async function evaluateArm(
  runDir: string,
  corpus: string,
  decode: 'viterbi' | 'argmax',
  threads: number | undefined,
  schema: LabelSchema,
): Promise<{ summary: ArmEvaluation; raw: ModelEvaluation }> {
  const ev = await evaluateModel({
    model: runDir,
    corpus,
    splits: EVAL_SPLITS,
    decode,
    threads,
    schema,
    bootstrap: { samples: 200, seed: 0 },
  });
  const r = ev.report;
  if (!r.inTemplate) throw new HybridocError(`${corpus}: no in-template test documents to evaluate`);
  return {
    raw: ev,
    summary: {
      decode: ev.decode,
      inTemplate: {
        microF1: r.inTemplate.micro.f1,
        macroF1: r.inTemplate.macro.f1,
        documents: r.inTemplate.documents,
        support: r.inTemplate.micro.support,
      },
      crossTemplate: r.crossTemplate
        ? {
            microF1: r.crossTemplate.micro.f1,
            documents: r.crossTemplate.documents,
            support: r.crossTemplate.micro.support,
            interval: r.crossTemplate.interval,
          }
        : null,
      rare: {
        macroF1: r.rare.evaluated.length ? r.rare.macroF1 : null,
        evaluated: r.rare.evaluated,
        support: r.rare.micro.support,
        interval: r.rare.interval,
      },
      seconds: ev.seconds,
    },
  };
}

/** Write the settings of a new work directory, or check that they match the ones it was made with. */
function checkSettings(file: string, settings: CompareSettings): void {
  if (!existsSync(file)) {
    atomicWriteFile(file, JSON.stringify(settings, null, 2) + '\n');
    return;
  }
  const prev = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const differ = Object.keys(settings).filter(
    (k) => JSON.stringify(prev[k]) !== JSON.stringify((settings as unknown as Record<string, unknown>)[k]),
  );
  if (differ.length) {
    throw new HybridocError(
      `${file}: ${differ.join(', ')}: this work directory holds a comparison with other settings (${differ
        .map((k) => `${k} ${JSON.stringify(prev[k])}`)
        .join(', ')}); use another --work-dir or the same options`,
    );
  }
}
