/**
 * The prediction pipeline over one loaded model:
 *
 *   load      a path or bytes through the input readers (native JSON, PDF text layer, OCR of images), or a
 *             document object as it is
 *   featurise page-safe token windows with stride; each window with its page's pixel values when the model
 *             has a visual branch
 *   run       ONNX Runtime over the windows of the document, a few windows per run; one session for every
 *             call, runs queued one at a time (onnxruntime-web refuses overlapping runs, and onnxruntime-node
 *             runs them one by one on the main thread anyway)
 *   decode    each word's scores from the window whose centre is nearest, ONE Viterbi (or argmax) over the
 *             whole document, spans -> fields
 *
 * with the wall time of each stage. A document is always cut into the same windows and batches, whatever
 * else runs at the same time, so concurrent calls give exactly the sequential results.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { InvoiceDocument } from '../documents/document.js';
import type { CompiledCrf } from '../decoding/crf-structure.js';
import type { DecodeMode } from '../decoding/decode.js';
import { collateWindows } from '../features/batch.js';
import { featurizeDocument, type DocumentFeatures } from '../features/featurize.js';
import { loadTokenizer, type LayoutTokenizer } from '../features/tokenizer.js';
import { DocumentLoader, type DocumentLoaderOptions } from '../inputs/document-loader.js';
import type { LoadedDocument } from '../inputs/page-content.js';
import { validateDocument } from '../inputs/validate-document.js';
import type { ProviderName, Session } from '../runtime/backend.js';
import { createSession } from '../runtime/registry.js';
import type { HostTensor } from '../runtime/tensor.js';
import type { LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { toPredictedField, type PredictedField } from './document-decoder.js';
import { decodeDocumentWindows, type DecodedDocument } from '../decoding/decode-document.js';
import { checkpointParameters, initializerParameters, modelCrfFrom } from '../decoding/model-crf.js';
import { resolveModelFiles, type ModelFiles, type ResolveModelOptions } from './model-files.js';
import { documentPagePixels } from './page-pixels.js';

export const EMISSIONS = 'emissions';
export const GROUP_PROBS = 'group_probs';
/** Windows per ONNX run (one document's windows are cut into runs of at most this many). */
export const DEFAULT_WINDOW_BATCH = 8;

/** `wasm` is onnxruntime-web's WebAssembly CPU provider (runtime backend `web`). */
export type PredictBackend = 'node' | 'web' | 'wasm';

export interface PredictorOptions extends ResolveModelOptions {
  /** execution provider: cpu (default), cuda or webgpu on node; wasm on web */
  device?: ProviderName;
  /** node (onnxruntime-node, default) or wasm / web (onnxruntime-web) */
  backend?: PredictBackend;
  /** intra-op threads of the session (default: ONNX Runtime's choice) */
  threads?: number;
  /** the decoder to use (default: the one the model was validated with, else viterbi when it has a CRF) */
  decode?: DecodeMode;
  /** windows per ONNX run (default 8) */
  windowBatch?: number;
  /** input readers: OCR, QR, PDF settings (the label schema is the model's) */
  inputs?: Omit<DocumentLoaderOptions, 'schema'>;
}

/** A document to predict: a file path, its bytes, or a native document. */
export type PredictInput = string | Uint8Array | InvoiceDocument;

export interface PredictCallOptions {
  /** override the decoder for this call */
  decode?: DecodeMode;
  /** folder that relative page-image paths of a native document are taken from (default: the file's folder) */
  imageRoot?: string;
  /** the name errors use for a Buffer input */
  name?: string;
  /** document id (default: the file name without extension, or the document's own id) */
  id?: string;
  /** user password of an encrypted PDF */
  password?: string;
}

/** Wall time of each stage, in milliseconds. */
export interface PredictionTiming {
  /** reading the input: JSON parsing, PDF text layer and rendering, OCR and QR decoding */
  loadMs: number;
  /** page pixel values, tokens and windows, padded batches */
  featurizeMs: number;
  /** ONNX Runtime runs */
  onnxMs: number;
  /** merging window scores, Viterbi or argmax, confidences, fields */
  decodeMs: number;
  /** the whole call, waiting for the session included */
  totalMs: number;
}

export interface PredictionResult {
  id: string;
  pages: number;
  words: number;
  windows: number;
  decode: DecodeMode;
  fields: PredictedField[];
  /** BIO label name per word (O for words without tokens) */
  labels: string[];
  timing: PredictionTiming;
  /** things the caller should know (e.g. a page without an image for a model that reads images) */
  warnings?: string[];
}

/** What a prediction computed on the way, for analysis and drawing. */
export interface PredictionDetails {
  loaded: LoadedDocument;
  features: DocumentFeatures;
  decoded: DecodedDocument;
  /** group probabilities per window [rows x group classes], when asked for and the model outputs them */
  groupProbs?: Float32Array[];
}

/** Where a prediction's input came from, after loading. */
export interface LoadedInput {
  loaded: LoadedDocument;
  imageRoot: string | undefined;
  loadMs: number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export class Predictor {
  readonly files: ModelFiles;
  readonly schema: LabelSchema;
  readonly tokenizer: LayoutTokenizer;
  readonly crf: CompiledCrf | undefined;
  readonly decode: DecodeMode;
  readonly backend: 'node' | 'web';
  private readonly session: Session;
  /** parameters fed to infer.onnx when the serving export is not used */
  private readonly paramFeeds: Record<string, HostTensor>;
  private readonly loader: DocumentLoader;
  private readonly windowBatch: number;
  private readonly fixedLength: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    files: ModelFiles,
    tokenizer: LayoutTokenizer,
    crf: CompiledCrf | undefined,
    decode: DecodeMode,
    backend: 'node' | 'web',
    session: Session,
    paramFeeds: Record<string, HostTensor>,
    options: PredictorOptions,
  ) {
    this.files = files;
    this.schema = files.schema;
    this.tokenizer = tokenizer;
    this.crf = crf;
    this.decode = decode;
    this.backend = backend;
    this.session = session;
    this.paramFeeds = paramFeeds;
    this.loader = new DocumentLoader({ ...options.inputs, schema: files.schema });
    this.windowBatch = options.windowBatch ?? DEFAULT_WINDOW_BATCH;
    const ids = files.manifest.feeds.inputs.find((f) => f.name === 'input_ids');
    this.fixedLength = typeof ids?.shape[1] === 'number' ? ids.shape[1] : undefined;
  }

  /** Load a model directory (see model-files.ts for what it holds). */
  static async load(dir: string, options: PredictorOptions = {}): Promise<Predictor> {
    const files = resolveModelFiles(dir, options);
    const { manifest, schema } = files;
    const tokenizer = loadTokenizer(files.tokenizer);
    const vocab = (manifest.parameters.find((p) => p.name.endsWith('word_embeddings.weight'))?.shape ?? [])[0];
    if (vocab !== undefined && tokenizer.vocabSize > vocab) {
      throw new HybridocError(
        `${files.tokenizer}: the tokenizer has ${tokenizer.vocabSize} ids but the model's word embeddings have ${vocab} rows`,
      );
    }
    const backend: 'node' | 'web' = options.backend === 'wasm' || options.backend === 'web' || options.device === 'wasm' ? 'web' : 'node';
    const provider: ProviderName = backend === 'web' ? 'wasm' : (options.device ?? 'cpu');
    if (backend === 'web' && options.device && options.device !== 'wasm') {
      throw new HybridocError(`device '${options.device}' is not available on the wasm backend (it offers: wasm)`);
    }
    const windowBatch = options.windowBatch ?? DEFAULT_WINDOW_BATCH;
    if (!Number.isInteger(windowBatch) || windowBatch < 1)
      throw new HybridocError(`windowBatch: expected a positive integer, got ${windowBatch}`);

    let paramFeeds: Record<string, HostTensor> = {};
    let crf: CompiledCrf | undefined;
    let model: string;
    if (files.servingExport) {
      model = files.servingExport;
      const source = files.checkpoint ? checkpointParameters(files.checkpoint) : initializerParameters(readFileSync(model), model);
      crf = modelCrfFrom(manifest, source, schema);
    } else {
      model = join(files.artifactsDir, manifest.graphs.infer.file);
      const source = checkpointParameters(files.checkpoint!);
      for (const p of manifest.parameters) {
        if (!source.has(p.name))
          throw new HybridocError(`${files.checkpoint}: parameter '${p.name}' of model ${manifest.model.name} is missing`);
        const f32 = source.read(p.name);
        const want = p.shape.reduce((a, d) => a * d, 1);
        if (f32.length !== want)
          throw new HybridocError(`${files.checkpoint}: '${p.name}' has ${f32.length} values, shape [${p.shape.join(', ')}] needs ${want}`);
        paramFeeds[p.name] = { dtype: manifest.dtype, dims: p.shape, data: manifest.dtype === 'float64' ? Float64Array.from(f32) : f32 };
      }
      crf = modelCrfFrom(manifest, source, schema);
    }
    const decode = options.decode ?? files.decode ?? (crf ? 'viterbi' : 'argmax');
    if (decode !== 'viterbi' && decode !== 'argmax') throw new HybridocError(`decode: must be viterbi or argmax, got '${String(decode)}'`);
    if (decode === 'viterbi' && !crf)
      throw new HybridocError(`decode viterbi: model ${manifest.model.name} has no CRF (use --decode argmax)`);
    const session = await createSession(model, {
      backend,
      provider,
      label: model,
      ...(options.threads ? { intraOpThreads: options.threads } : {}),
    });
    if (!files.servingExport)
      paramFeeds = Object.fromEntries(Object.entries(paramFeeds).filter(([name]) => session.inputNames.includes(name)));
    return new Predictor(files, tokenizer, crf, decode, backend, session, paramFeeds, options);
  }

  /** What is loaded: model, weights, schema, decoder, features, runtime. */
  describe() {
    const m = this.files.manifest;
    return {
      dir: this.files.dir,
      model: m.model.name,
      preset: m.preset ?? null,
      weights: this.files.servingExport ?? `${join(this.files.artifactsDir, m.graphs.infer.file)} + ${this.files.checkpoint}`,
      servingExport: this.files.servingExport !== undefined,
      checkpointStep: this.files.checkpointStep ?? null,
      schema: { name: this.schema.name, hash: this.schema.hash, labels: this.schema.numLabels },
      decode: this.decode,
      crf: this.crf !== undefined,
      features: this.files.features,
      backend: this.backend,
      provider: this.session.provider,
    };
  }

  /** Read an input into a document (and its page images). */
  async loadInput(input: PredictInput, call: PredictCallOptions = {}): Promise<LoadedInput> {
    this.checkOpen();
    const t0 = performance.now();
    let loaded: LoadedDocument;
    let imageRoot = call.imageRoot;
    if (typeof input === 'string') {
      loaded = await this.loader.load(input, { id: call.id, password: call.password });
      imageRoot ??= dirname(resolve(input));
    } else if (input instanceof Uint8Array) {
      loaded = await this.loader.load(input, { name: call.name, id: call.id, password: call.password });
    } else {
      const doc = validateDocument(input, call.name ?? (typeof input?.id === 'string' && input.id ? input.id : '<document>'), {
        schema: this.schema,
      });
      loaded = {
        document: call.id ? { ...doc, id: call.id } : doc,
        pageImages: doc.pages.map(() => undefined),
        pageSources: doc.pages.map(() => 'annotation'),
      };
    }
    return { loaded, imageRoot, loadMs: performance.now() - t0 };
  }

  /** Predict one input. */
  async predict(input: PredictInput, call: PredictCallOptions = {}): Promise<PredictionResult> {
    return (await this.predictWithDetails(input, call)).result;
  }

  /** Predict one input, keeping what was computed on the way. */
  async predictWithDetails(
    input: PredictInput,
    call: PredictCallOptions & { groupProbs?: boolean } = {},
  ): Promise<{ result: PredictionResult; details: PredictionDetails }> {
    const t0 = performance.now();
    const li = await this.loadInput(input, call);
    return this.predictLoaded(li, call, t0);
  }

  /** Predict a document already loaded by loadInput. */
  async predictLoaded(
    li: LoadedInput,
    call: Pick<PredictCallOptions, 'decode'> & { groupProbs?: boolean } = {},
    started = performance.now() - li.loadMs,
  ): Promise<{ result: PredictionResult; details: PredictionDetails }> {
    this.checkOpen();
    const decode = call.decode ?? this.decode;
    if (decode === 'viterbi' && !this.crf)
      throw new HybridocError(`decode viterbi: model ${this.files.manifest.model.name} has no CRF (use argmax)`);
    const { loaded } = li;
    const doc = loaded.document;
    const warnings: string[] = [];
    const { manifest } = this.files;
    const L = this.schema.numLabels;

    // featurise
    const tf = performance.now();
    const features = featurizeDocument(doc, this.tokenizer, {
      maxLength: this.files.features.maxLength,
      stride: this.files.features.stride,
    });
    let pixels: Float32Array[] | undefined;
    const size = this.files.features.imageSize;
    if (size > 0 && features.windows.length > 0) {
      const pp = await documentPagePixels(doc, size, { pageImages: loaded.pageImages, imageRoot: li.imageRoot });
      pixels = pp.pixels;
      for (const p of pp.blankPages) {
        if (features.windows.some((w) => w.page === p))
          warnings.push(`page ${p + 1} has no image; the model's visual branch read a blank page`);
      }
    }
    const chunks = [];
    for (let s = 0; s < features.windows.length; s += this.windowBatch) {
      const windows = features.windows.slice(s, s + this.windowBatch);
      const batch = collateWindows(windows, {
        padId: this.tokenizer.padId,
        seqLen: this.fixedLength,
        ...(pixels ? { pixelValues: (w) => pixels[w.page], imageSize: size } : {}),
      });
      chunks.push({ windows, feeds: this.feeds(batch) });
    }
    const featurizeMs = performance.now() - tf;

    // run
    const wantGroups = call.groupProbs === true && manifest.outputs.includes(GROUP_PROBS);
    const fetches = wantGroups ? [EMISSIONS, GROUP_PROBS] : [EMISSIONS];
    const perWindow: Float32Array[] = [];
    const groupPerWindow: Float32Array[] = [];
    let onnxMs = 0;
    for (const chunk of chunks) {
      const { out, ms } = await this.run(chunk.feeds, fetches);
      onnxMs += ms;
      const em = out[EMISSIONS];
      const B = chunk.windows.length;
      const T = em.dims[1];
      if (em.dims.length !== 3 || em.dims[0] !== B || em.dims[2] !== L) {
        throw new HybridocError(
          `model ${manifest.model.name}: emissions have shape [${em.dims.join(', ')}], expected [${B}, T, ${L}] (${L} labels of schema ${this.schema.hash})`,
        );
      }
      const data = toFloat32(em.data);
      chunk.windows.forEach((w, k) => perWindow.push(data.slice(k * T * L, (k * T + w.length) * L)));
      if (wantGroups) {
        const gp = out[GROUP_PROBS];
        const G = gp.dims[2];
        const gd = toFloat32(gp.data);
        chunk.windows.forEach((w, k) => groupPerWindow.push(gd.slice(k * T * G, (k * T + w.length) * G)));
      }
    }

    // decode
    const td = performance.now();
    const decoded = decodeDocumentWindows(this.schema, doc.words, features.windows, perWindow, { decode, crf: this.crf });
    const fields = decoded.fields.map(toPredictedField);
    const labels = Array.from(decoded.labels, (l) => this.schema.labels[l]);
    const decodeMs = performance.now() - td;

    const result: PredictionResult = {
      id: doc.id,
      pages: doc.pages.length,
      words: doc.words.length,
      windows: features.windows.length,
      decode,
      fields,
      labels,
      timing: {
        loadMs: round(li.loadMs),
        featurizeMs: round(featurizeMs),
        onnxMs: round(onnxMs),
        decodeMs: round(decodeMs),
        totalMs: round(performance.now() - started),
      },
      ...(warnings.length ? { warnings } : {}),
    };
    return { result, details: { loaded, features, decoded, ...(wantGroups ? { groupProbs: groupPerWindow } : {}) } };
  }

  /** Release the session and the OCR worker; waits for runs in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.session.release();
    await this.loader.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new HybridocError(`model ${this.files.dir} is closed`);
  }

  /** One session run, queued behind the runs already asked for. */
  private run(feeds: Record<string, HostTensor>, fetches: string[]): Promise<{ out: Record<string, HostTensor>; ms: number }> {
    const go = async () => {
      const t0 = performance.now();
      const out = await this.session.run({ ...this.paramFeeds, ...feeds }, fetches);
      return { out, ms: performance.now() - t0 };
    };
    const next = this.queue.then(go, go);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private feeds(batch: ReturnType<typeof collateWindows>): Record<string, HostTensor> {
    const B = batch.batchSize;
    const T = batch.seqLen;
    const out: Record<string, HostTensor> = {};
    for (const f of this.files.manifest.feeds.inputs) {
      if (f.name === 'input_ids') out[f.name] = { dtype: 'int64', dims: [B, T], data: batch.inputIds };
      else if (f.name === 'attention_mask') out[f.name] = { dtype: 'int64', dims: [B, T], data: batch.attentionMask };
      else if (f.name === 'bbox') out[f.name] = { dtype: 'int64', dims: [B, T, 4], data: batch.bbox };
      else if (f.name === 'pixel_values') {
        const S = batch.imageSize!;
        const px = batch.pixelValues!;
        out[f.name] =
          f.dtype === 'float64'
            ? { dtype: 'float64', dims: [B, 3, S, S], data: Float64Array.from(px) }
            : { dtype: 'float32', dims: [B, 3, S, S], data: px };
      }
    }
    return out;
  }
}

function toFloat32(d: HostTensor['data']): Float32Array {
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}
