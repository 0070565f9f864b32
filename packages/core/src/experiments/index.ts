// Experiments: the demo pipeline, the seed's comparison (standard head vs hybrid vs hybrid + CRF), ablations.
export { StageClock, type StageTime } from './stage-clock.js';
export { ensureExperimentCorpus, type ExperimentCorpusOptions, type ExperimentCorpus } from './experiment-corpus.js';
export { runDemo, DEMO_CONFIG, DEMO_SEED, DEMO_MIN_F1, type DemoOptions, type DemoResult, type DemoInvoice } from './demo-pipeline.js';
export {
  lossSmoothness,
  stepChangeSpread,
  stepsToWithin,
  parameterCounts,
  runParameterCounts,
  type LossSmoothness,
  type ParameterCounts,
} from './training-measures.js';
export {
  writeSchemaWithout,
  writeCorpusWithout,
  documentsWithEntity,
  addHeldOutEntity,
  heldOutEntityOf,
  type AddedEntityScore,
} from './held-out-entity.js';
export {
  runComparison,
  armOverrides,
  COMPARE_ARMS,
  ARM_TITLES,
  COMPARE_CONFIG,
  DEFAULT_HOLD_OUT,
  DEFAULT_ADD_LABEL_EXAMPLES,
  type CompareArm,
  type CompareOptions,
  type CompareSettings,
  type CompareResult,
  type ArmResult,
  type ArmEvaluation,
} from './compare.js';
export { comparisonRows, renderComparisonMarkdown, TABLE_ARMS, type ComparisonRow, type TableArm } from './comparison-table.js';
export { writeResultsSection } from './results-section.js';
export {
  runAblations,
  ablationVariants,
  writeVariantPreset,
  renderAblationMarkdown,
  type AblationVariant,
  type AblationOptions,
  type AblationResult,
  type AblationReport,
} from './ablations.js';
