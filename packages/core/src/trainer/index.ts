// The trainer: featurisation cache, training loop with exact resume, prediction over cached splits, evaluation of trained models.
export { runPaths, CHECKPOINT_WEIGHTS_FILE, TRAINER_STATE_FILE, type RunPaths } from './run-layout.js';
export { dropoutSeedFor } from './dropout-seed.js';
export {
  FEATURE_CACHE_FORMAT,
  FeatureSplit,
  featureCacheKey,
  featureSplitDir,
  openFeatureSplit,
  type FeatureCacheOptions,
  type CachedDocument,
  type CachedWindow,
} from './feature-cache.js';
export {
  SUPPLIED_FEEDS,
  batchFeeds,
  collateCached,
  checkSuppliedFeeds,
  needsPixelValues,
  fixedSequenceLength,
  type CachedBatch,
} from './batch-feeds.js';
export {
  TRAINER_STATE_FORMAT,
  writeTrainerCheckpoint,
  readTrainerCheckpoint,
  readTrainerState,
  hasTrainerCheckpoint,
  recoverTrainerCheckpoint,
  type TrainerState,
  type EvalSummary,
  type StopReason,
} from './trainer-checkpoint.js';
export { RUN_FORMAT, readRunInfo, type RunInfo } from './run-info.js';
export { makeRunTokenizer, MIN_FROM_SCRATCH_VOCAB, type RunTokenizerOptions } from './run-tokenizer.js';
export {
  EMISSIONS_OUTPUT,
  modelCrf,
  predictSplit,
  fieldValues,
  evaluationDocument,
  type PredictOptions,
  type DocumentPrediction,
} from './predict.js';
export { openTrainedModel, type TrainedModel, type OpenTrainedModelOptions, type CheckpointChoice } from './trained-model.js';
export {
  evaluateModel,
  evaluateSplit,
  evaluationDocuments,
  rareEntityOptions,
  checkCorpusSchema,
  DEFAULT_EVALUATION_SPLITS,
  type EvaluateModelOptions,
  type EvaluateSplitOptions,
  type ModelEvaluation,
} from './evaluate-model.js';
export { train, isTrainingRun, trainableModelName, type TrainOptions, type TrainResult } from './train.js';
