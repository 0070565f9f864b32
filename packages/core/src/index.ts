// @hybridoc/core: the public API. The CLI and embedding services import from here only.
export { HYBRIDOC_VERSION } from './version.js';
export { HybridocError, inputError } from './util/errors.js';
export { logger, configureLogging, type Logger } from './util/logger.js';
export { configDir, configPath } from './util/paths.js';
export {
  loadLabelSchema,
  parseLabelSchema,
  buildLabelSchema,
  defaultLabelSchemaPath,
  schemaSummary,
  repairBio,
  OUTSIDE_GROUP_NAME,
  type LabelSchema,
  type EntityDef,
  type GroupDef,
  type Carrier,
  type CarrierKind,
} from './schema/label-schema.js';
export type { Box, Word, Page, InvoiceDocument } from './documents/document.js';
// runtime: sessions over onnxruntime-node / onnxruntime-web
export * from './runtime/index.js';
// evaluation: seqeval-strict span scores, rare-entity and cross-template figures, field accuracy, reports
export { extractEntitySpans, parseIob2Tag, type EntitySpan, type SpanMode, type ParsedTag } from './evaluation/bio-spans.js';
export { scoreSequences, type SpanScore, type AveragedScores } from './evaluation/span-scores.js';
export { fieldAccuracy, compareFields, normaliseFieldValue, type FieldAccuracy, type FieldDocument } from './evaluation/field-accuracy.js';
export { bootstrapInterval, DEFAULT_BOOTSTRAP_SAMPLES, type BootstrapOptions, type ConfidenceInterval } from './evaluation/bootstrap.js';
export {
  evaluateDocuments,
  type EvaluationDocument,
  type EvaluationOptions,
  type EvaluationReport,
  type SubsetScores,
} from './evaluation/evaluate.js';
export { renderEvaluationMarkdown, type MarkdownOptions } from './evaluation/markdown-report.js';
// sampling: training-batch samplers (domain-balanced and plain shuffled) and the rare-entity definition
export { SEED_RARE_ENTITIES, DEFAULT_RARE_BELOW, selectRareEntities, type RareEntityOptions } from './sampling/rare-entities.js';
export { ShuffledSampler, DEFAULT_BATCH_SIZE, type BatchSampler, type SamplerOptions } from './sampling/batch-sampler.js';
export {
  DomainBalancedSampler,
  DEFAULT_MIN_RARE_DOCS_PER_BATCH,
  countDocumentFrequency,
  type SamplerDocument,
  type DomainBalancedSamplerOptions,
  type DomainBalancedPlan,
} from './sampling/domain-balanced-sampler.js';
// decoding: adaptive CRF structure, Viterbi, forward-backward, spans -> fields
export * from './decoding/crf-structure.js';
export * from './decoding/viterbi.js';
export * from './decoding/forward-backward.js';
export * from './decoding/spans.js';
export * from './decoding/decode.js';
export * from './decoding/decode-document.js';
export * from './decoding/model-crf.js';
// weights + model config: safetensors, checkpoint names, LayoutLMv3 config/presets, parameter tables, import-weights
export {
  SAFETENSORS_DTYPES,
  SafetensorsReader,
  openSafetensors,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
  dtypeByteSize,
  isSafetensorsDtype,
  shapeSize,
  f16BitsToF32,
  bf16BitsToF32,
  f32ToF16Bits,
  f32ToBf16Bits,
  type SafetensorsDtype,
  type SafetensorsArray,
  type SafetensorsTensor,
  type SafetensorsTensorSource,
  type SafetensorsInput,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './weights/safetensors.js';
export {
  BACKBONE_PREFIX,
  HEADS_PREFIX,
  IGNORED_HF_BUFFERS,
  bareBackboneName,
  backboneCheckpointName,
  isIgnoredHfBuffer,
} from './weights/checkpoint-names.js';
export {
  compareWithTable,
  describeMismatch,
  writeCheckpoint,
  readCheckpoint,
  type StoredTensorInfo,
  type TableComparison,
  type LoadedCheckpoint,
} from './weights/checkpoint.js';
export { initializeParameter, initializeParameters } from './weights/init.js';
export {
  importWeights,
  resolveImportConfig,
  LAYOUTLMV3_WEIGHTS_LICENCE,
  type ImportWeightsOptions,
  type ImportWeightsResult,
} from './weights/import-weights.js';
export {
  loadModelConfig,
  parseModelConfig,
  parseBackbone,
  modelConfigFromHf,
  modelConfigToJson,
  backboneToHfConfig,
  backboneDifference,
  matchingPreset,
  listModelPresets,
  modelPresetDir,
  resolveModelConfigPath,
  headDim,
  patchGridSize,
  visualTokenCount,
  encoderSequenceLength,
  HF_LAYOUTLMV3_DEFAULTS,
  ARCHITECTURE_KEYS,
  type LayoutLMv3Config,
  type HeadConfig,
  type TrainingRecipe,
  type ModelConfig,
} from './model/config.js';
export {
  backboneParameters,
  headParameters,
  modelParameters,
  countParameters,
  parameterCounts,
  isTrainable,
  shapeNumel,
  PROTOTYPE_LOGIT_SCALE_INIT,
  type ParameterSpec,
  type ParameterInit,
  type ParameterModule,
  type HeadKind,
  type HeadLabelCounts,
  type ParameterCounts,
} from './model/parameters.js';
// features: tokenizer, BPE trainer, featurisation, page images, batching
export {
  LayoutTokenizer,
  loadTokenizer,
  tokenizerFromVocabMerges,
  IGNORE_LABEL,
  REFERENCE_MAX_LENGTH,
  type WordsEncoding,
  type EncodeWordsOptions,
  type BoxInt,
} from './features/tokenizer.js';
export {
  byteLevelBpeTokenizerJson,
  parseMergesTxt,
  ROBERTA_SPECIAL_TOKENS,
  FROM_SCRATCH_SPECIAL_ORDER,
  type TokenizerJson,
  type SpecialTokenNames,
} from './features/tokenizer-json.js';
export { byteLevelPieces, byteLevelDecode, isBlankWord, BYTE_TO_CHAR } from './features/byte-level.js';
export {
  trainByteLevelBpe,
  trainByteLevelBpeFromCounts,
  countWordPieces,
  type BpeTrainOptions,
  type BpeTrainResult,
} from './features/bpe-trainer.js';
export { normalizeBox, LAYOUT_SCALE, type LayoutBox } from './features/boxes.js';
export {
  featurizeDocument,
  planPageWindows,
  mergeWindowScores,
  defaultStride,
  type FeatureOptions,
  type FeatureWindow,
  type DocumentFeatures,
  type MergedWordScores,
} from './features/featurize.js';
export {
  loadPageImage,
  loadDocumentPageImages,
  pageImagePath,
  readRgbImage,
  resizeBilinearPil,
  normalizeToPixelValues,
  IMAGE_MEAN,
  IMAGE_STD,
  type RgbImage,
} from './features/page-image.js';
export { collateWindows, type FeatureBatch, type CollateOptions } from './features/batch.js';
// onnx: graph builder, shape inference, checker, serialization, summaries
export * from './onnx/index.js';
// artifacts: trainable-model interface, AdamW in graphs, artifact-set builder, manifest, ArtifactSession, serving export
export * from './artifacts/index.js';
// inputs: PDF / image (OCR, QR) / native JSON readers, loadDocument, validation, dataset importers
export {
  loadDocument,
  loadDocumentWithImages,
  DocumentLoader,
  type DocumentLoaderOptions,
  type LoadInputOptions,
} from './inputs/document-loader.js';
export { type LoadedDocument, type PageImage } from './inputs/page-content.js';
export {
  validateDocument,
  documentProblems,
  MAX_PAGE_SIDE,
  MAX_PAGE_AREA,
  BOX_OVERHANG,
  type ValidateOptions,
} from './inputs/validate-document.js';
export { parseNativeDocument, parseNativeDocumentsJsonl, parseJsonText } from './inputs/native-json.js';
export { detectInputKind, IMAGE_KINDS, type InputKind } from './inputs/input-kind.js';
export { readPdf, type PdfReadOptions } from './inputs/pdf.js';
export { readImage, type ImageReadOptions } from './inputs/image-input.js';
export { OcrEngine, englishLangPath, type OcrOptions, type OcrWord } from './inputs/ocr.js';
export { findQrCodes, type QrCode, type QrScanOptions } from './inputs/qr-codes.js';
export { decodeImagePages, encodePng, MAX_RASTER_SIDE, type Raster } from './inputs/raster.js';
export { sortByReadingOrder } from './inputs/reading-order.js';
export { importDataset, isImportFormat, type ImportOptions } from './inputs/importers/import-dataset.js';
export type { ImportItem } from './inputs/importers/import-item.js';
export {
  IMPORT_FORMATS,
  loadImportLabelMap,
  defaultLabelMapPath,
  type ImportFormat,
  type ImportLabelMap,
} from './inputs/importers/label-map.js';
export { splitLineIntoWords } from './inputs/importers/segments.js';
// autodiff: gradients over builder graphs, custom-gradient blocks, reproducible dropout, pre-write clean-up
export * from './autodiff/index.js';
// training: config + curriculum, LR schedule, atomic files/directories, metrics log, loss curves, progress
export {
  loadTrainingConfig,
  parseTrainingConfig,
  curriculumAt,
  defaultTrainingConfigPath,
  trainingPresetDir,
  listTrainingPresets,
  resolveTrainingConfigPath,
  trainDocuments,
  optimizerStepsPerEpoch,
  plannedOptimizerSteps,
  warmupStepsFor,
  ARCHITECTURES,
  SAMPLER_TYPES,
  LR_DECAYS,
  type Architecture,
  type SamplerType,
  type LrDecay,
  type LossWeights,
  type SamplerSettings,
  type FocalLossSettings,
  type LrScheduleSettings,
  type EarlyStoppingSettings,
  type DatasetSettings,
  type ModelSection,
  type TrainingSection,
  type CurriculumPhase,
  type CurriculumSection,
  type ValueSource,
  type TrainingConfig,
  type EpochSettings,
  type LoadTrainingConfigOptions,
} from './training/training-config.js';
export { learningRateAt, lrScheduleFor, checkLrSchedule, type LrSchedule } from './training/lr-schedule.js';
export {
  atomicWriteFile,
  atomicWriteDirectory,
  atomicWriteDirectorySync,
  recoverAtomicDirectory,
  isCompleteDirectory,
  atomicDirectoryPaths,
  removeStaleTempFiles,
  fsyncDirectory,
  COMPLETE_MARKER,
  type FileChunk,
  type RecoveryAction,
} from './training/atomic-files.js';
export { JsonlAppender, readJsonl, type JsonlContents } from './training/jsonl-file.js';
export {
  MetricsLog,
  readMetricsLog,
  type LossParts,
  type StepRecord,
  type EvalRecord,
  type MetricsRecord,
  type MetricsLogContents,
} from './training/metrics-log.js';
export {
  drawLossCurves,
  writeLossCurves,
  smoothSeries,
  defaultSmoothing,
  niceTicks,
  logTicks,
  type LossCurveOptions,
  type LossCurvePanel,
  type LossCurveFigure,
} from './training/loss-curves.js';
export {
  createProgress,
  formatQuantity,
  formatDuration,
  type ProgressReporter,
  type ProgressOptions,
  type ProgressValue,
  type ProgressValues,
} from './training/progress.js';
// render: fields drawn on page images in group colours (prediction, demo, corpus contact sheets)
export {
  renderFields,
  drawFields,
  renderLabeledWords,
  drawLabeledWords,
  fieldsFromLabels,
  rectsOverlap,
  type DrawableField,
  type DrawFieldsInput,
  type DrawFieldsOptions,
  type DrawLabeledWordsOptions,
  type DrawnField,
  type PixelRect,
  type RenderedPage,
} from './render/draw-fields.js';
export { GROUP_PALETTE, groupColor, schemaGroupColors, textColorOn, withAlpha, hexToRgb, rgbToHex, type Rgb } from './render/palette.js';
export { registerRenderFonts, RENDER_FONTS } from './render/fonts.js';
// model: the LayoutLMv3 backbone graph (HF modeling_layoutlmv3.py block by block) and its forward FLOPs
export {
  buildLayoutLMv3,
  buildLayoutLMv3Graph,
  relativePositionBucketTable,
  relativePositionBucket,
  visualBoxes,
  dropoutSites,
  layoutlmv3FeedShapes,
  ATTENTION_MASK_MIN,
  type LayoutLMv3Inputs,
  type LayoutLMv3BuildOptions,
  type LayoutLMv3Output,
  type LayoutLMv3Debug,
  type LayoutLMv3Graph,
  type LayoutLMv3GraphOptions,
} from './model/layoutlmv3.js';
export { backboneForwardFlops, type BackboneFlops } from './model/flops.js';
// corpus: the synthetic invoice corpus (generate, read back, redraw pages, contact sheets)
export { generateCorpus, type GenerateCorpusOptions, type GenerateCorpusResult, type CorpusProgress } from './corpus/generate-corpus.js';
export { readCorpus, loadCorpus, readManifest, corpusImagePath } from './corpus/read-corpus.js';
export {
  renderPage,
  specOf,
  isRedrawable,
  DocumentFactory,
  CORPUS_GENERATOR,
  NO_NOISE,
  type NoiseOptions,
  type DocumentSpec,
  type GeneratedDocument,
} from './corpus/generate-document.js';
export { MANIFEST_FORMAT, type CorpusManifest, type ManifestEntity, type ChunkStats } from './corpus/manifest.js';
export { SPLITS, CorpusPlan, type SplitName, type PlannedDocument } from './corpus/corpus-plan.js';
export { loadCorpusConfig, type CorpusConfig, type DomainConfig, type FamilyConfig } from './corpus/corpus-config.js';
export { renderContactSheet, groupColours, type ContactSheet, type ContactSheetOptions } from './corpus/contact-sheet.js';
export { drawPage, type RenderOptions, type PageDrawing } from './corpus/render.js';
export { listTemplateFamilies } from './corpus/templates/index.js';
export { Rng, hashParts } from './corpus/prng.js';
export { isValidIban, isValidBic, isValidCageCode, mod97 } from './corpus/identifiers.js';
export { encodePng as encodeCanvasPng, encodeRgbPng } from './corpus/png.js';
// heads: group + prototype heads, baseline head, losses, CRF training NLL, hybrid/standard models, add-label, analyze
export * from './heads/index.js';
// trainer: featurisation cache, training loop with exact resume, prediction over cached splits, model evaluation
export * from './trainer/index.js';
// predict: HybridocModel (the embedding API), Predictor, batch prediction with a worker pool and resumable JSONL
export * from './predict/index.js';
// util/random: the shared seeded generators (mulberry32, splitmix32, FNV-1a)
export { Mulberry32, seededUniform, splitmix32, fnv1a32 } from './util/random.js';
// experiments: hybridoc demo, hybridoc compare (the seed's comparison measured), ablations
export * from './experiments/index.js';
