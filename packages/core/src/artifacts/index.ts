// Training artifacts: the model interface, AdamW in graphs, the artifact-set builder, its manifest and
// checkpoint, the runtime session that trains with them, the serving export. Re-exported from the package index.
export type {
  FeedSpec,
  ForwardContext,
  ForwardResult,
  TrainableModel,
  TrainableModelOptions,
  TrainableModelFactory,
} from './trainable-model.js';
export {
  ARTIFACT_GRAPHS,
  FEEDS,
  LOSS_OUTPUT,
  GRAD_NORM_OUTPUT,
  CHECKPOINT_STEP_KEY,
  lossWeightInput,
  lossOutput,
  gradName,
  adamMName,
  adamVName,
  updatedName,
  type ArtifactGraphKind,
} from './graph-names.js';
export {
  appendClippedAdamW,
  usesWeightDecay,
  matchesNamePattern,
  DEFAULT_ADAMW,
  DEFAULT_NO_DECAY,
  CLIP_EPSILON,
  type AdamWConfig,
  type AdamWSlot,
  type AdamWUpdate,
  type OptimizerFeeds,
} from './optimizer.js';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  MANIFEST_FILE,
  CHECKPOINT_FILE,
  readArtifactManifest,
  parseArtifactManifest,
  type ArtifactManifest,
  type ManifestGraph,
  type ManifestParameter,
  type ManifestFeed,
} from './manifest.js';
export {
  writeTrainingCheckpoint,
  readTrainingCheckpoint,
  zeroOptimizerState,
  type TrainingState,
  type FloatArray,
} from './training-checkpoint.js';
export {
  buildArtifactGraphs,
  buildTrainingForwardGraph,
  buildArtifacts,
  writeArtifactSet,
  initialTrainingState,
  resolveParameters,
  type BuildArtifactsOptions,
  type ArtifactSet,
} from './build-artifacts.js';
export {
  ArtifactSession,
  type ArtifactSessionOptions,
  type LossValues,
  type GradResult,
  type OptimizerOptions,
  type LossOptions,
  type TrainStepOptions,
  type TrainStepResult,
  type RunStats,
} from './artifact-session.js';
export { exportServingModel, writeServingModel, type ServingExportOptions, type ServingExport } from './serving-export.js';
export { summarizeArtifactSet, type ArtifactSetSummary, type ArtifactGraphSummary } from './artifact-summary.js';
export {
  transformerTestModel,
  transformerTestModelFromConfig,
  mlpTestModel,
  mlpTestModelFromConfig,
  maskedNll,
  type TransformerTestModelOptions,
  type MlpTestModelOptions,
} from './test-models.js';
export { registerTrainableModel, createTrainableModel, listTrainableModels, defaultTrainableModel } from './model-registry.js';
