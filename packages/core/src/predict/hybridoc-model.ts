/**
 * The embedding API: load a model once, then predict or analyze documents from any number of concurrent
 * callers (an HTTP handler, a queue consumer).
 *
 *   const model = await HybridocModel.load('runs/invoices', { device: 'cpu', backend: 'node' });
 *   const { fields } = await model.predict('invoice.pdf');        // a path, a Buffer, or a document object
 *   const report = await model.analyze(buffer, { topK: 5 });      // per-word probabilities and prototypes
 *   await model.close();
 *
 * One ONNX Runtime session serves every prediction; its runs are queued while reading, featurising and
 * decoding of other calls go on, and every result equals the one a lone call would give. `analyze` is the
 * heads module's analysis (group probabilities, top-k labels with prototype similarities, nearest
 * prototypes) over the same document, run through a second session opened on first use.
 */
import type { DecodeMode } from '../decoding/decode.js';
import { analyze, type HeadAnalysis } from '../heads/analyze.js';
import { HeadModelRunner } from '../heads/model-runner.js';
import type { LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import type { PredictedField } from './document-decoder.js';
import { documentPagePixels } from './page-pixels.js';
import { Predictor, type PredictCallOptions, type PredictInput, type PredictionResult, type PredictorOptions } from './predictor.js';

export type HybridocModelOptions = PredictorOptions;

export interface ModelAnalyzeOptions extends PredictCallOptions {
  /** entries per list (default 3) */
  topK?: number;
}

/** The heads' per-word analysis, beside the decoded fields of the same document. */
export interface ModelAnalysis extends HeadAnalysis {
  decode: DecodeMode;
  fields: PredictedField[];
  timing: PredictionResult['timing'];
}

export class HybridocModel {
  private runner: Promise<HeadModelRunner> | undefined;
  private analyses: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly predictor: Predictor,
    private readonly options: HybridocModelOptions,
  ) {}

  /** Load a model directory: a training run (hybridoc train) or an artifact directory with its tokenizer. */
  static async load(dir: string, options: HybridocModelOptions = {}): Promise<HybridocModel> {
    return new HybridocModel(await Predictor.load(dir, options), options);
  }

  get schema(): LabelSchema {
    return this.predictor.schema;
  }

  /** The decoder used when a call does not say. */
  get decode(): DecodeMode {
    return this.predictor.decode;
  }

  /** What is loaded: model, weights, schema, decoder, features, runtime. */
  describe(): ReturnType<Predictor['describe']> {
    return this.predictor.describe();
  }

  /** Fields of one document: a file path, its bytes (PDF, image, native JSON), or a document object. */
  async predict(input: PredictInput, options: PredictCallOptions = {}): Promise<PredictionResult> {
    return this.predictor.predict(input, options);
  }

  /** Per-word group and label probabilities, prototype similarities, and the decoded fields. */
  async analyze(input: PredictInput, options: ModelAnalyzeOptions = {}): Promise<ModelAnalysis> {
    const files = this.predictor.files;
    if (!['layoutlmv3-hybrid', 'layoutlmv3-standard'].includes(files.manifest.model.name)) {
      throw new HybridocError(`analyze: model ${files.manifest.model.name} is not a head model (layoutlmv3-hybrid or layoutlmv3-standard)`);
    }
    const { topK, ...call } = options;
    const li = await this.predictor.loadInput(input, call);
    const { result } = await this.predictor.predictLoaded(li, call);
    const doc = li.loaded.document;
    const size = files.features.imageSize;
    const pageImages =
      size > 0 ? (await documentPagePixels(doc, size, { pageImages: li.loaded.pageImages, imageRoot: li.imageRoot })).pixels : undefined;
    this.runner ??= HeadModelRunner.open(files.artifactsDir, {
      tokenizer: this.predictor.tokenizer,
      ...(files.checkpoint ? { checkpoint: files.checkpoint } : {}),
      backend: this.predictor.backend,
      provider: this.predictor.backend === 'web' ? 'wasm' : (this.options.device ?? 'cpu'),
      ...(this.options.threads ? { intraOpThreads: this.options.threads } : {}),
    });
    const runner = await this.runner;
    // one analysis at a time on the runner's session (onnxruntime-web refuses overlapping runs)
    const run = this.analyses.then(() => analyze(runner, doc, { topK, ...(pageImages ? { pageImages } : {}) }));
    this.analyses = run.catch(() => undefined);
    const analysis = await run;
    return { ...analysis, decode: result.decode, fields: result.fields, timing: result.timing };
  }

  /** Release the sessions (after runs in flight) and the OCR worker. */
  async close(): Promise<void> {
    await this.analyses.catch(() => undefined);
    const runner = this.runner;
    this.runner = undefined;
    if (runner) await (await runner).release();
    await this.predictor.close();
  }
}
