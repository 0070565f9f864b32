// predict: the embedding API (HybridocModel), the prediction pipeline over one model (Predictor), batch
// prediction of files, folders and globs with a worker pool and resumable JSONL output, and --draw.
export { HybridocModel, type HybridocModelOptions, type ModelAnalyzeOptions, type ModelAnalysis } from './hybridoc-model.js';
export {
  Predictor,
  DEFAULT_WINDOW_BATCH,
  type PredictBackend,
  type PredictorOptions,
  type PredictInput,
  type PredictCallOptions,
  type PredictionTiming,
  type PredictionResult,
  type PredictionDetails,
  type LoadedInput,
} from './predictor.js';
export {
  resolveModelFiles,
  SERVING_MODEL_FILE,
  TOKENIZER_FILE,
  PREDICTION_FEEDS,
  type ModelFiles,
  type ModelFeatureSettings,
  type ResolveModelOptions,
} from './model-files.js';
export { toPredictedField, type PredictedField } from './document-decoder.js';
export { documentPagePixels, rasterToRgb, blankPagePixels, pageImageFile } from './page-pixels.js';
export { readOnnxMetadata, readOnnxMetadataFile } from './onnx-metadata.js';
export { expandInputs, globToRegExp, PREDICT_EXTENSIONS } from './input-files.js';
export { drawPrediction, drawingStem } from './draw-prediction.js';
export { predictLine, errorLine, type PredictLine, type PredictLineOptions } from './predict-line.js';
export { predictBatch, type BatchPredictOptions, type BatchSummary } from './batch-predict.js';
