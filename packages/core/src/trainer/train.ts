/**
 * The trainer: drives a training-artifact set through ONNX Runtime over a featurised corpus.
 *
 * One optimizer step = one batch from the sampler (domain-balanced or shuffled, per curriculum phase),
 * cut into `gradient_accumulation` micro-batches: train_step.onnx when there is one, else grad.onnx per
 * micro-batch, gradients averaged, then optimizer_step.onnx (global-norm clipping and AdamW inside the
 * graphs). The learning rate follows the schedule, the loss weights follow the curriculum (fed per step),
 * the dropout masks come from a seed derived from (seed, step, micro-batch). After every epoch: validation
 * entity F1 (decoded as configured), early stopping on it, the best checkpoint, the loss-curve PNG, and the
 * last checkpoint; between epochs a checkpoint every `checkpointEvery` steps or `checkpointSeconds` seconds.
 *
 * Exact resume: everything a step depends on is either in the checkpoint (parameters, Adam's moments, the
 * step count, where the run stands in the data) or a pure function of it (sampler batches of
 * (epoch, batch index), learning rate of the step, loss weights of the epoch, dropout seed of the step), and
 * checkpoints are written atomically. So a process killed at any moment and started again with the same
 * command continues from the last checkpoint and ends with the parameters an uninterrupted run ends with,
 * bit for bit (given the same device and thread count). The metrics log is cut back to the checkpoint's step.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArtifactSession } from '../artifacts/artifact-session.js';
import { buildArtifacts } from '../artifacts/build-artifacts.js';
import { readArtifactManifest, type ArtifactManifest } from '../artifacts/manifest.js';
import { createTrainableModel, defaultTrainableModel, listTrainableModels } from '../artifacts/model-registry.js';
import { entityLossFeeds, HYBRID_MODEL, STANDARD_MODEL } from '../heads/hybrid-model.js';
import type { TrainableModelOptions } from '../artifacts/trainable-model.js';
import { readManifest } from '../corpus/read-corpus.js';
import type { CorpusManifest } from '../corpus/manifest.js';
import type { DecodeMode } from '../decoding/decode.js';
import { defaultStride } from '../features/featurize.js';
import { loadTokenizer } from '../features/tokenizer.js';
import { modelConfigToJson } from '../model/config.js';
import type { ProviderName } from '../runtime/backend.js';
import type { HostTensor } from '../runtime/tensor.js';
import { DomainBalancedSampler } from '../sampling/domain-balanced-sampler.js';
import { ShuffledSampler, type BatchSampler } from '../sampling/batch-sampler.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { atomicDirectoryPaths, atomicWriteFile, recoverAtomicDirectory } from '../training/atomic-files.js';
import { writeLossCurves } from '../training/loss-curves.js';
import { learningRateAt, lrScheduleFor, type LrSchedule } from '../training/lr-schedule.js';
import { MetricsLog, readMetricsLog, type LossParts } from '../training/metrics-log.js';
import { createProgress, type ProgressOptions } from '../training/progress.js';
import { curriculumAt, loadTrainingConfig, type SamplerSettings, type TrainingConfig } from '../training/training-config.js';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { HYBRIDOC_VERSION } from '../version.js';
import { batchFeeds, checkSuppliedFeeds, collateCached, fixedSequenceLength, needsPixelValues } from './batch-feeds.js';
import { dropoutSeedFor } from './dropout-seed.js';
import { checkCorpusSchema, evaluateSplit, rareEntityOptions } from './evaluate-model.js';
import { openFeatureSplit, type FeatureSplit } from './feature-cache.js';
import { modelCrf } from './predict.js';
import { differingParts, hashParts, readRunInfo, sha, RUN_FORMAT, type RunInfo } from './run-info.js';
import { CHECKPOINT_WEIGHTS_FILE, runPaths, type RunPaths } from './run-layout.js';
import { makeRunTokenizer } from './run-tokenizer.js';
import {
  TRAINER_STATE_FORMAT,
  hasTrainerCheckpoint,
  readTrainerCheckpoint,
  recoverTrainerCheckpoint,
  writeTrainerCheckpoint,
  type EvalSummary,
  type StopReason,
  type TrainerState,
} from './trainer-checkpoint.js';

export interface TrainOptions {
  /** a training preset name ("default", "tiny"), a YAML path, or a loaded config */
  config: string | TrainingConfig;
  /** dotted-key overrides applied to a config loaded by name (e.g. { 'training.num_epochs': 2 }) */
  overrides?: Record<string, unknown>;
  /** the corpus directory (hybridoc generate) */
  corpus: string;
  /** the run's output directory */
  out: string;
  /** execution provider (default cpu) */
  device?: ProviderName;
  /** intra-op threads (default: ONNX Runtime's choice; keep it the same when resuming for bit-exact results) */
  threads?: number;
  /**
   * 'auto' (default): continue the run in `out` if there is one, else start; 'require': fail unless there is
   * one to continue; 'fresh': delete the run in `out` (not the feature cache) and start over
   */
  resume?: 'auto' | 'require' | 'fresh';
  /** trainable model name in the registry (default: layoutlmv3-hybrid, or layoutlmv3-standard for model.architecture standard) */
  model?: string;
  /** tokenizer file or directory (default: a byte-level BPE trained on the training split) */
  tokenizer?: string;
  /** feature cache root (default OUT/features); runs on the same corpus can share one */
  featureCacheDir?: string;
  /** stop after this many optimizer steps in all; the LR schedule then spans min(planned, maxSteps) steps */
  maxSteps?: number;
  /** write the last checkpoint every this many optimizer steps (default 200), besides every epoch end */
  checkpointEvery?: number;
  /** ... and at least every this many seconds (default 300) */
  checkpointSeconds?: number;
  /** windows per inference run during validation (default 32) */
  evalBatchSize?: number;
  /** progress display (default 'auto': a bar on a terminal, log lines otherwise) */
  progress?: ProgressOptions['mode'];
  /** the label schema (default config/labels.yaml) */
  schema?: LabelSchema;
  /** abort: the run writes a checkpoint after the current step and returns, stoppedBy 'interrupted' */
  signal?: AbortSignal;
  /** called after every epoch's evaluation */
  onEpoch?: (summary: EvalSummary & { phase: string; stepsDone: number; totalSteps: number }) => void;
}

export interface TrainResult {
  out: string;
  paths: RunPaths;
  runId: string;
  /** optimizer steps done in all */
  steps: number;
  totalSteps: number;
  /** epochs finished */
  epochs: number;
  stoppedBy: StopReason;
  bestValF1: number | null;
  bestEpoch: number | null;
  bestStep: number | null;
  /** the step this process started from (0 for a fresh run) */
  resumedFromStep: number;
  /** steps this process did */
  stepsThisRun: number;
  /** seconds of training over every process of the run */
  elapsedSeconds: number;
  evals: EvalSummary[];
  run: RunInfo;
}

const DEFAULT_CHECKPOINT_EVERY = 200;
const DEFAULT_CHECKPOINT_SECONDS = 300;

/** Train (or continue training) a model; see the file comment. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const log = logger('trainer');
  const config = typeof options.config === 'string' ? loadTrainingConfig(options.config, { overrides: options.overrides }) : options.config;
  const schema = options.schema ?? loadLabelSchema();
  const corpus = resolve(options.corpus);
  const corpusManifest = readManifest(corpus);
  checkCorpusSchema(corpus, corpusManifest, schema);
  if ((corpusManifest.splits.train?.documents ?? 0) === 0) throw new HybridocError(`${corpus}: the corpus has no training documents`);
  if (options.maxSteps !== undefined && !(Number.isSafeInteger(options.maxSteps) && options.maxSteps >= 1)) {
    throw new HybridocError(`max steps: expected an integer >= 1, got ${options.maxSteps}`);
  }
  const paths = runPaths(options.out);
  const modelName = trainableModelName(config, options.model);
  const identity = runIdentity(config, corpus, modelName, schema, options);

  // ---- the run directory: start, continue, or refuse
  if (options.resume === 'fresh') removeRun(paths);
  mkdirSync(paths.dir, { recursive: true });
  let info = readRunInfo(paths.run);
  if (info && info.id !== identity.id) {
    throw new HybridocError(
      `${paths.run}: ${paths.dir} holds another training run (${differingParts(info.parts, identity.parts).join(', ')} differ); use another --out, or --fresh to replace it`,
    );
  }
  if (!info && options.resume === 'require') throw new HybridocError(`${paths.dir}: no training run to resume (no run.json)`);
  if (!info) info = await setUpRun(config, corpus, corpusManifest, schema, modelName, identity, paths, options);
  else log.info({ out: paths.dir, run: info.id }, 'continuing the run in this directory');

  // ---- model, tokenizer, features
  recoverAtomicDirectory(paths.artifacts);
  const manifest = readArtifactManifest(paths.artifacts);
  checkSuppliedFeeds(manifest);
  const tokenizer = loadTokenizer(paths.tokenizer);
  const cacheOptions = {
    corpus,
    dir: options.featureCacheDir ?? paths.features,
    tokenizer,
    schema,
    maxLength: info.features.maxLength,
    stride: info.features.stride,
    imageSize: info.features.imageSize,
    onProgress: (p: { split: string; documents: number; total: number }) => log.info(p, 'featurising'),
  };
  const trainSplit = await openFeatureSplit(cacheOptions, 'train');
  const hasVal = (corpusManifest.splits.val?.documents ?? 0) > 0;
  const valSplit = hasVal ? await openFeatureSplit(cacheOptions, 'val') : undefined;
  if (trainSplit.windows.length === 0) throw new HybridocError(`${corpus}: the training split gives no token windows (no words?)`);

  // ---- samplers, schedule
  const samplers = new SamplerCache(trainSplit, schema, corpusManifest, config);
  const numEpochs = config.training.num_epochs;
  let planned = 0;
  for (let e = 1; e <= numEpochs; e++) planned += samplers.get(curriculumAt(config, e).sampler).batchesPerEpoch;
  const totalSteps = options.maxSteps === undefined ? planned : Math.min(planned, options.maxSteps);
  const schedule: LrSchedule = lrScheduleFor(config.training, totalSteps);

  // ---- state: the last checkpoint, or the start
  recoverTrainerCheckpoint(paths.last);
  recoverTrainerCheckpoint(paths.best);
  let state: TrainerState;
  let checkpointFile: string;
  if (hasTrainerCheckpoint(paths.last)) {
    const read = readTrainerCheckpoint(paths.last, manifest);
    state = read.state;
    checkpointFile = join(paths.last, CHECKPOINT_WEIGHTS_FILE);
    if (state.runId !== info.id) throw new HybridocError(`${paths.last}: the checkpoint belongs to run ${state.runId}, not ${info.id}`);
    if (state.totalSteps !== totalSteps)
      throw new HybridocError(`${paths.last}: totalSteps: the checkpoint plans ${state.totalSteps} steps, this run ${totalSteps}`);
  } else {
    state = initialState(info.id, totalSteps);
    checkpointFile = join(paths.artifacts, manifest.checkpoint.file ?? CHECKPOINT_WEIGHTS_FILE);
  }
  const resumedFromStep = state.step;
  const result = (stepsThisRun: number): TrainResult => ({
    out: paths.dir,
    paths,
    runId: info!.id,
    steps: state.step,
    totalSteps,
    epochs: state.epoch - 1,
    stoppedBy: state.finished ?? 'interrupted',
    bestValF1: state.bestValF1,
    bestEpoch: state.bestEpoch,
    bestStep: state.bestStep,
    resumedFromStep,
    stepsThisRun,
    elapsedSeconds: state.elapsedSeconds,
    evals: state.evals,
    run: info!,
  });
  if (state.finished) {
    log.info({ out: paths.dir, stoppedBy: state.finished, steps: state.step }, 'the run is already finished');
    trainSplit.close();
    valSplit?.close();
    return result(0);
  }
  if (state.step > 0) log.info({ step: state.step, epoch: state.epoch, batch: state.batchIndex }, 'resuming from the last checkpoint');

  const session = await ArtifactSession.open(paths.artifacts, {
    checkpoint: checkpointFile,
    provider: options.device ?? 'cpu',
    ...(options.threads ? { intraOpThreads: options.threads } : {}),
  });
  if (session.step !== state.step)
    throw new HybridocError(`${checkpointFile}: at step ${session.step}, the trainer state at ${state.step}`);
  const metrics = MetricsLog.open(paths.metrics, { resumeAfterStep: state.step });
  const progress = createProgress({
    label: 'train',
    total: totalSteps,
    unit: 'steps',
    startAt: state.step,
    mode: options.progress,
    component: 'trainer',
  });

  const A = config.training.gradient_accumulation;
  const microSize = Math.ceil(config.training.batch_size / A);
  const seed = config.training.seed;
  const pixelValues = needsPixelValues(manifest);
  const seqLen = fixedSequenceLength(manifest);
  const feedSpecs = [...manifest.feeds.inputs, ...manifest.feeds.labels];
  const decode = resolveDecode(config.training.decode, session, schema, log);
  const rare = rareEntityOptions(corpusManifest);
  const labelCounts = trainLabelCounts(corpusManifest, schema);
  const warnedParts = new Set<string>();
  const everySteps = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const everySeconds = options.checkpointSeconds ?? DEFAULT_CHECKPOINT_SECONDS;
  const processStart = performance.now();
  const elapsedAtStart = state.elapsedSeconds;
  const elapsed = () => elapsedAtStart + (performance.now() - processStart) / 1000;
  let lastCheckpointStep = state.step;
  let lastCheckpointTime = performance.now();
  let stepsThisRun = 0;

  const saveLast = async () => {
    metrics.sync();
    state.elapsedSeconds = elapsed();
    await writeTrainerCheckpoint(paths.last, manifest, session.trainingState(), state);
    lastCheckpointStep = state.step;
    lastCheckpointTime = performance.now();
  };

  const validate = async (epoch: number, phase: string): Promise<EvalSummary> => {
    let summary: EvalSummary;
    if (valSplit) {
      const report = await evaluateSplit(session, valSplit, corpus, {
        schema,
        decode,
        // the CRF trains too: compile it from the parameters as they are now
        crf: decode === 'viterbi' ? modelCrf(session, schema) : undefined,
        padId: tokenizer.padId,
        rare,
        batchSize: options.evalBatchSize,
        bootstrap: { samples: 100 },
      });
      const m = report.overall.micro;
      summary = {
        epoch,
        step: state.step,
        val_entity_f1: m.f1,
        val_precision: m.precision,
        val_recall: m.recall,
        val_documents: report.documents,
      };
      metrics.logEval({
        step: state.step,
        epoch,
        val_entity_f1: m.f1,
        val_precision: m.precision,
        val_recall: m.recall,
        val_macro_f1: report.overall.macro.f1,
        val_support: m.support,
        val_documents: report.documents,
        phase,
      });
    } else {
      summary = { epoch, step: state.step, val_entity_f1: NaN, val_precision: NaN, val_recall: NaN, val_documents: 0 };
    }
    state.evals.push(summary);
    // early stopping bookkeeping and the best checkpoint
    const f1 = summary.val_entity_f1;
    if (Number.isFinite(f1)) {
      const improved = state.bestValF1 === null || f1 > state.bestValF1 + config.training.early_stopping.min_delta;
      if (improved) {
        state.bestValF1 = f1;
        state.bestEpoch = epoch;
        state.bestStep = state.step;
        state.epochsWithoutImprovement = 0;
        metrics.sync();
        state.elapsedSeconds = elapsed();
        await writeTrainerCheckpoint(paths.best, manifest, session.trainingState(), state);
      } else state.epochsWithoutImprovement++;
    }
    progress.log(
      `epoch ${epoch} (${phase}): val entity F1 ${Number.isFinite(f1) ? f1.toFixed(4) : 'n/a'}` +
        (state.bestValF1 !== null ? `, best ${state.bestValF1.toFixed(4)} at epoch ${state.bestEpoch}` : ''),
      { epoch, step: state.step, val_entity_f1: Number.isFinite(f1) ? f1 : null },
    );
    metrics.sync();
    const { steps, evals } = readMetricsLog(paths.metrics);
    if (steps.length > 0)
      writeLossCurves(paths.lossCurves, steps, evals, { title: `${info!.model.name}: ${info!.model.preset} preset, run ${info!.id}` });
    options.onEpoch?.({ ...summary, phase, stepsDone: state.step, totalSteps });
    return summary;
  };

  try {
    while (!state.finished) {
      const epoch = state.epoch;
      const settings = curriculumAt(config, epoch);
      if (state.batchIndex === 0) {
        log.info(
          { epoch, phase: settings.phase, weights: settings.loss_weights, sampler: settings.sampler.type },
          `epoch ${epoch} of ${numEpochs}`,
        );
      }
      const sampler = samplers.get(settings.sampler);
      const lossWeights = feedWeights(settings.loss_weights as unknown as Record<string, number>, manifest, warnedParts, log);
      const constants = epochLossFeeds(manifest, schema, settings.focal_loss, labelCounts);
      const batches = sampler.batchesFrom(epoch, Math.min(state.batchIndex, sampler.batchesPerEpoch));
      let budgetHit = false;
      for (const batch of batches) {
        if (state.step >= totalSteps) {
          budgetHit = true;
          break;
        }
        const t0 = performance.now();
        const lr = learningRateAt(schedule, state.step);
        let wait = 0;
        let tokens = 0;
        let losses: Record<string, number>;
        let loss: number;
        let gradNorm: number;
        if (A === 1) {
          const w0 = performance.now();
          const cb = collateCached(trainSplit, batch, { padId: tokenizer.padId, pixelValues, seqLen });
          const feeds = batchFeeds(feedSpecs, cb.batch, schema, constants);
          wait += performance.now() - w0;
          tokens = cb.tokens;
          const r = await session.trainStep(feeds, {
            lr,
            lossWeights,
            dropoutSeed: dropoutSeedFor(seed, state.step, 0),
            weightDecay: config.training.weight_decay,
            maxGradNorm: config.training.max_grad_norm,
          });
          ({ losses, loss, gradNorm } = r);
        } else {
          const micro: number[][] = [];
          for (let i = 0; i < batch.length; i += microSize) micro.push(batch.slice(i, i + microSize));
          let sum: Map<string, HostTensor> | undefined;
          const partSums: Record<string, number> = {};
          let lossSum = 0;
          for (let j = 0; j < micro.length; j++) {
            const w0 = performance.now();
            const cb = collateCached(trainSplit, micro[j], { padId: tokenizer.padId, pixelValues, seqLen });
            const feeds = batchFeeds(feedSpecs, cb.batch, schema, constants);
            wait += performance.now() - w0;
            tokens += cb.tokens;
            const g = await session.grad(feeds, { lossWeights, dropoutSeed: dropoutSeedFor(seed, state.step, j) });
            sum = accumulate(sum, g.grads);
            lossSum += g.loss;
            for (const [k, v] of Object.entries(g.losses)) partSums[k] = (partSums[k] ?? 0) + v;
          }
          scaleGradients(sum!, 1 / micro.length);
          const r = await session.optimizerStep(sum!, {
            lr,
            weightDecay: config.training.weight_decay,
            maxGradNorm: config.training.max_grad_norm,
          });
          gradNorm = r.gradNorm;
          loss = lossSum / micro.length;
          losses = Object.fromEntries(Object.entries(partSums).map(([k, v]) => [k, v / micro.length]));
        }
        if (!Number.isFinite(loss)) {
          throw new HybridocError(
            `training diverged at step ${state.step + 1} (epoch ${epoch}): the loss is ${loss}; lower the learning rate (${config.file}: training.learning_rate) and run with --fresh`,
          );
        }
        state.step++;
        state.batchIndex++;
        stepsThisRun++;
        const stepTime = (performance.now() - t0) / 1000;
        const parts: LossParts = { total: loss, ...losses };
        metrics.logStep({
          step: state.step,
          epoch,
          phase: settings.phase,
          losses: parts,
          weights: settings.loss_weights,
          grad_norm: gradNorm,
          lr,
          tokens_per_s: tokens / stepTime,
          data_wait_fraction: Math.min(1, wait / 1000 / stepTime),
          step_time_s: stepTime,
          elapsed_s: elapsed(),
        });
        progress.update(state.step, { epoch, loss: loss, lr, 'tok/s': Math.round(tokens / stepTime) });
        if (options.signal?.aborted) {
          await saveLast();
          state.finished = null;
          log.info({ step: state.step }, 'interrupted: checkpoint written; run the same command to continue');
          return result(stepsThisRun);
        }
        if (state.step - lastCheckpointStep >= everySteps || (performance.now() - lastCheckpointTime) / 1000 >= everySeconds)
          await saveLast();
      }
      // end of the epoch (or of the step budget): validate, maybe stop, checkpoint
      await validate(epoch, settings.phase);
      const es = config.training.early_stopping;
      state.epoch = epoch + 1;
      state.batchIndex = 0;
      if (state.step >= totalSteps) state.finished = budgetHit || state.epoch <= numEpochs ? 'max_steps' : 'completed';
      else if (es.enabled && state.epochsWithoutImprovement >= es.patience) state.finished = 'early_stopping';
      else if (state.epoch > numEpochs) state.finished = 'completed';
      if (state.finished) log.info({ stoppedBy: state.finished, step: state.step, epoch }, 'training finished');
      await saveLast();
    }
  } finally {
    progress.stop();
    metrics.close();
    trainSplit.close();
    valSplit?.close();
    await session.release();
  }
  log.info(
    {
      steps: state.step,
      stoppedBy: state.finished,
      bestValF1: state.bestValF1,
      bestEpoch: state.bestEpoch,
      seconds: (performance.now() - started) / 1000,
    },
    'done',
  );
  return result(stepsThisRun);
}

// ---------------------------------------------------------------------------------------------------------

function initialState(runId: string, totalSteps: number): TrainerState {
  return {
    format: TRAINER_STATE_FORMAT,
    runId,
    step: 0,
    epoch: 1,
    batchIndex: 0,
    totalSteps,
    bestValF1: null,
    bestEpoch: null,
    bestStep: null,
    epochsWithoutImprovement: 0,
    evals: [],
    finished: null,
    elapsedSeconds: 0,
  };
}

/** The registry model a config trains: the hybrid or the standard head per model.architecture, unless named. */
export function trainableModelName(config: TrainingConfig, explicit?: string): string {
  if (explicit) return explicit;
  const wanted = config.model.architecture === 'standard' ? STANDARD_MODEL : HYBRID_MODEL;
  return listTrainableModels().some((m) => m.name === wanted) ? wanted : defaultTrainableModel();
}

/** Per-label token counts of the training split, in label-id order (the focal loss's class weights). */
function trainLabelCounts(manifest: CorpusManifest, schema: LabelSchema): number[] {
  const counts = manifest.labelTokens?.train ?? {};
  return schema.labels.map((l) => counts[l] ?? 0);
}

/** The label feeds that stay fixed through an epoch (class weights and focal gamma of the hybrid heads' entity loss). */
function epochLossFeeds(
  manifest: ArtifactManifest,
  schema: LabelSchema,
  focal: { enabled: boolean; beta: number; gamma: number },
  labelCounts: number[],
): Record<string, HostTensor> {
  const wanted = new Set(manifest.feeds.labels.map((f) => f.name));
  if (!wanted.has('class_weights') && !wanted.has('focal_gamma')) return {};
  const all = entityLossFeeds(schema.numLabels, manifest.dtype, {
    enabled: focal.enabled,
    labelCounts,
    beta: focal.beta,
    gamma: focal.gamma,
  });
  return Object.fromEntries(Object.entries(all).filter(([k]) => wanted.has(k)));
}

function runIdentity(config: TrainingConfig, corpus: string, modelName: string, schema: LabelSchema, options: TrainOptions) {
  return hashParts({
    config: {
      model: config.model,
      training: config.training,
      curriculum: config.curriculum,
      preset: modelConfigToJson(config.modelConfig),
    },
    corpus: sha(readFileSync(join(corpus, 'manifest.json'))),
    model: modelName,
    tokenizer: options.tokenizer ? sha(JSON.stringify(loadTokenizer(options.tokenizer).toJSON())) : 'trained',
    schema: schema.hash,
    budget: options.maxSteps ?? null,
  });
}

function removeRun(paths: RunPaths): void {
  for (const p of [paths.run, paths.config, paths.tokenizer, paths.artifacts, paths.checkpoints, paths.metrics, paths.lossCurves]) {
    rmSync(p, { recursive: true, force: true });
  }
  for (const p of [paths.artifacts, paths.last, paths.best]) {
    const { tmp, old } = atomicDirectoryPaths(p);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/** Tokenizer, artifact set, resolved config and run.json (written last: its presence means set-up is done). */
async function setUpRun(
  config: TrainingConfig,
  corpus: string,
  corpusManifest: CorpusManifest,
  schema: LabelSchema,
  modelName: string,
  identity: { id: string; parts: Record<string, string> },
  paths: RunPaths,
  options: TrainOptions,
): Promise<RunInfo> {
  const log = logger('trainer');
  const mc = config.modelConfig;
  log.info({ out: paths.dir, model: modelName, preset: mc.name }, 'setting up a new run');
  const { source } = await makeRunTokenizer({ from: options.tokenizer, corpus, modelConfig: mc, out: paths.tokenizer });
  const tokenizer = loadTokenizer(paths.tokenizer);
  const modelOptions: TrainableModelOptions = {
    modelConfig: mc,
    labels: { numLabels: schema.numLabels, numGroupClasses: schema.numGroupClasses },
    schema,
  };
  const model = createTrainableModel(modelName, modelOptions);
  const manifest: ArtifactManifest = await buildArtifacts(model, paths.artifacts, {
    seed: config.training.seed,
    weightDecay: config.training.weight_decay,
    maxGradNorm: config.training.max_grad_norm,
    schemaHash: schema.hash,
    preset: mc.name,
    modelConfig: modelConfigToJson(mc),
  });
  const maxLength = fixedSequenceLength(manifest) ?? mc.backbone.max_text_length;
  const info: RunInfo = {
    format: RUN_FORMAT,
    id: identity.id,
    parts: identity.parts,
    createdAt: new Date().toISOString(),
    hybridocVersion: HYBRIDOC_VERSION,
    config: { file: config.file, description: config.description },
    model: { name: modelName, architecture: config.model.architecture, preset: mc.name },
    corpus: {
      dir: corpus,
      documents: corpusManifest.counts.documents,
      train: corpusManifest.splits.train?.documents ?? 0,
      val: corpusManifest.splits.val?.documents ?? 0,
    },
    tokenizer: { source, vocabSize: tokenizer.vocabSize },
    schema: { file: schema.file, hash: schema.hash },
    features: { maxLength, stride: defaultStride(maxLength), imageSize: needsPixelValues(manifest) ? mc.backbone.input_size : 0 },
    decode: config.training.decode,
    seed: config.training.seed,
    maxSteps: options.maxSteps ?? null,
  };
  atomicWriteFile(paths.config, JSON.stringify(configJson(config), null, 2) + '\n');
  atomicWriteFile(paths.run, JSON.stringify(info, null, 2) + '\n');
  return info;
}

function configJson(config: TrainingConfig): Record<string, unknown> {
  return {
    file: config.file,
    files: config.files,
    description: config.description,
    model: config.model,
    training: config.training,
    curriculum: config.curriculum,
    sources: config.sources,
    modelConfig: modelConfigToJson(config.modelConfig),
  };
}

function resolveDecode(wanted: DecodeMode, session: ArtifactSession, schema: LabelSchema, log: ReturnType<typeof logger>): DecodeMode {
  if (wanted === 'viterbi' && !modelCrf(session, schema)) {
    log.warn({ model: session.manifest.model.name }, 'training.decode is viterbi but the model has no CRF; validation decodes with argmax');
    return 'argmax';
  }
  return wanted;
}

/** Loss weights for the parts the model has; configured weights of parts it lacks are reported once. */
function feedWeights(
  configured: Record<string, number>,
  manifest: ArtifactManifest,
  warned: Set<string>,
  log: ReturnType<typeof logger>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of manifest.lossParts) out[part] = configured[part] ?? manifest.defaultLossWeights[part] ?? 1;
  for (const [part, w] of Object.entries(configured)) {
    if (w !== 0 && !manifest.lossParts.includes(part) && !warned.has(part)) {
      warned.add(part);
      log.warn(
        { part, weight: w, model: manifest.model.name, parts: manifest.lossParts },
        'the model has no such loss part; its weight is not used',
      );
    }
  }
  return out;
}

function accumulate(sum: Map<string, HostTensor> | undefined, grads: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
  if (!sum) {
    const out = new Map<string, HostTensor>();
    for (const [k, t] of grads) out.set(k, { dtype: t.dtype, dims: t.dims, data: (t.data as Float32Array).slice() });
    return out;
  }
  for (const [k, t] of grads) {
    const acc = sum.get(k)!.data as Float32Array | Float64Array;
    const g = t.data as Float32Array | Float64Array;
    for (let i = 0; i < acc.length; i++) acc[i] += g[i];
  }
  return sum;
}

function scaleGradients(sum: Map<string, HostTensor>, factor: number): void {
  if (factor === 1) return;
  for (const t of sum.values()) {
    const d = t.data as Float32Array | Float64Array;
    for (let i = 0; i < d.length; i++) d[i] *= factor;
  }
}

/** One sampler per distinct sampler setting (curriculum phases may switch), over the training windows. */
class SamplerCache {
  private readonly cache = new Map<string, BatchSampler>();
  constructor(
    private readonly split: FeatureSplit,
    private readonly schema: LabelSchema,
    private readonly manifest: CorpusManifest,
    private readonly config: TrainingConfig,
  ) {}

  get(settings: SamplerSettings): BatchSampler {
    const key = `${settings.type}:${settings.min_rare_entities_per_batch}`;
    let s = this.cache.get(key);
    if (s) return s;
    const batchSize = this.config.training.batch_size;
    const seed = this.config.training.seed;
    if (settings.type === 'shuffled') s = new ShuffledSampler(this.split.windows.length, { batchSize, seed });
    else {
      const docs = this.split.windows.map((w) => ({
        domain: this.split.documents[w.doc].domain,
        entities: w.entities.map((e) => this.schema.entities[e].name),
      }));
      s = new DomainBalancedSampler(docs, {
        batchSize,
        seed,
        minRareDocsPerBatch: Math.min(settings.min_rare_entities_per_batch, batchSize),
        rare: rareEntityOptions(this.manifest),
      });
    }
    this.cache.set(key, s);
    return s;
  }
}

/** Whether `out` holds a training run (run.json). */
export function isTrainingRun(out: string): boolean {
  return existsSync(runPaths(out).run);
}
