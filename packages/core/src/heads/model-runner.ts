/**
 * Runs a head model's artifact directory on documents: the schema and model config from its manifest, the
 * tokenizer beside it (or given), featurisation into windows, infer.onnx through an ArtifactSession, and the
 * per-window outputs merged back to one row per word (each word's first sub-token, from the window whose
 * centre is nearest; features/featurize.ts). add-label and analyze build on it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import type { LabelSchema } from '../schema/label-schema.js';
import type { InvoiceDocument } from '../documents/document.js';
import { parseModelConfig, type ModelConfig } from '../model/config.js';
import { loadTokenizer, type LayoutTokenizer } from '../features/tokenizer.js';
import { featurizeDocument, mergeWindowScores } from '../features/featurize.js';
import { collateWindows } from '../features/batch.js';
import { loadPageImage, pageImagePath } from '../features/page-image.js';
import { ArtifactSession, type ArtifactSessionOptions } from '../artifacts/artifact-session.js';
import { readArtifactManifest, type ArtifactManifest } from '../artifacts/manifest.js';
import type { HostTensor } from '../runtime/tensor.js';
import { resolveModelFiles } from '../predict/model-files.js';
import { runPaths } from '../trainer/run-layout.js';
import { featureBatchFeeds, parseHeadModelConfig, type HeadModelConfig } from './hybrid-model.js';
import { labelSchemaFromDocument } from './schema-document.js';
import { L2_NORM_EPSILON, HYBRID_HEAD_PARAMS } from './hybrid-heads.js';

const log = logger('heads');

export interface HeadModelRunnerOptions extends ArtifactSessionOptions {
  /** a tokenizer, or a tokenizer.json / directory path (default: the model directory) */
  tokenizer?: LayoutTokenizer | string;
}

/** Where a model directory keeps what a runner needs. */
export interface ModelLocation {
  /** 'run': a training run (hybridoc train --out DIR); 'artifacts': an artifact directory */
  layout: 'run' | 'artifacts';
  dir: string;
  artifactsDir: string;
  /** the weights: a run's best (else last) checkpoint, or the artifact set's own */
  checkpoint: string | undefined;
  /** tokenizer.json, when the directory has one */
  tokenizer: string | undefined;
}

/**
 * Locates a model directory: a training run (run.json: its artifacts/, its best or last checkpoint, its
 * tokenizer; predict/model-files.ts) or an artifact directory (its checkpoint, and tokenizer.json if present).
 */
export function locateModel(dirArg: string, checkpoint?: 'best' | 'last' | (string & {})): ModelLocation {
  const dir = resolve(dirArg);
  if (existsSync(runPaths(dir).run)) {
    const f = resolveModelFiles(dir, { servingExport: false, ...(checkpoint ? { checkpoint } : {}) });
    return { layout: 'run', dir, artifactsDir: f.artifactsDir, checkpoint: f.checkpoint, tokenizer: f.tokenizer };
  }
  const manifest = readArtifactManifest(dir);
  const own = join(dir, manifest.checkpoint.file);
  const chosen = checkpoint && checkpoint !== 'best' && checkpoint !== 'last' ? resolve(checkpoint) : existsSync(own) ? own : undefined;
  const tokenizer = ['tokenizer.json', 'vocab.json'].map((f) => join(dir, f)).find((f) => existsSync(f));
  return {
    layout: 'artifacts',
    dir,
    artifactsDir: dir,
    checkpoint: chosen,
    tokenizer: tokenizer && tokenizer.endsWith('vocab.json') ? dir : tokenizer,
  };
}

export interface DocumentRunOptions {
  /** page images [3, S, S] per page (models with the visual branch); default: the pages' `image` files */
  pageImages?: Array<Float32Array | undefined>;
  /** where relative page image paths start (default: the working directory) */
  imageRoot?: string;
  /** the schema word labels are read with (default: the model's); null: ignore the documents' labels */
  schema?: LabelSchema | null;
}

/** One row per word of a document. */
export interface WordOutputs {
  numWords: number;
  /** 1 where the word has tokens (blank words get none and no outputs) */
  hasTokens: Uint8Array;
  /** label log-probabilities [W * L] */
  emissions: Float32Array;
  /** group probabilities [W * C] */
  groupProbs: Float32Array;
  /** embeddings [W * P] */
  embeddings: Float32Array;
  /** the word's label id under the run's schema, -100 where it has none */
  labels: Int32Array;
}

/** A head-model artifact directory opened for running documents. */
export class HeadModelRunner {
  readonly numLabels: number;
  readonly numGroups: number;
  readonly embeddingDim: number;

  private constructor(
    readonly dir: string,
    readonly manifest: ArtifactManifest,
    readonly config: HeadModelConfig,
    readonly schema: LabelSchema,
    readonly modelConfig: ModelConfig,
    readonly tokenizer: LayoutTokenizer,
    readonly session: ArtifactSession,
  ) {
    this.numLabels = schema.numLabels;
    this.numGroups = schema.numGroupClasses;
    this.embeddingDim = config.architecture === 'hybrid' ? modelConfig.heads.prototype_dim : modelConfig.backbone.hidden_size;
  }

  /** Opens a training run or an artifact directory (locateModel), with its weights and tokenizer. */
  static async openModel(
    dir: string,
    options: HeadModelRunnerOptions & { checkpointChoice?: 'best' | 'last' } = {},
  ): Promise<HeadModelRunner> {
    const { checkpointChoice, ...rest } = options;
    const where = locateModel(dir, options.checkpoint ?? checkpointChoice);
    return HeadModelRunner.open(where.artifactsDir, {
      ...rest,
      tokenizer: options.tokenizer ?? where.tokenizer,
      ...(where.checkpoint ? { checkpoint: where.checkpoint } : {}),
    });
  }

  /** Opens an artifact directory; `checkpoint` picks other weights (e.g. a training run's best). */
  static async open(dir: string, options: HeadModelRunnerOptions = {}): Promise<HeadModelRunner> {
    const manifest = readArtifactManifest(dir);
    const config = parseHeadModelConfig(manifest.model.config, `${join(dir, 'manifest.json')}: model.config`);
    if (config.backbone !== 'layoutlmv3') {
      throw new HybridocError(`${dir}: model ${manifest.model.name} reads hidden states, not documents`);
    }
    const schema = labelSchemaFromDocument(config.labelSchema, `${join(dir, 'manifest.json')}: model.config.labelSchema`);
    if (manifest.schemaHash && manifest.schemaHash !== schema.hash) {
      throw new HybridocError(
        `${join(dir, 'manifest.json')}: schemaHash ${manifest.schemaHash} does not match its label schema (${schema.hash})`,
      );
    }
    const modelConfig = parseModelConfig(config.modelConfig, `${join(dir, 'manifest.json')}: model.config.modelConfig`);
    const tokenizer = resolveTokenizer(dir, options.tokenizer);
    if (tokenizer.vocabSize > modelConfig.backbone.vocab_size) {
      throw new HybridocError(
        `${tokenizer.source}: the tokenizer has ${tokenizer.vocabSize} ids, the model's embedding table ${modelConfig.backbone.vocab_size} rows`,
      );
    }
    const { tokenizer: _t, ...sessionOptions } = options;
    const session = await ArtifactSession.open(dir, sessionOptions);
    return new HeadModelRunner(dir, manifest, config, schema, modelConfig, tokenizer, session);
  }

  /** Runs one document: every window in one batch, outputs merged to one row per word. */
  async wordOutputs(doc: InvoiceDocument, o: DocumentRunOptions = {}): Promise<WordOutputs> {
    const schema = o.schema === null ? undefined : (o.schema ?? this.schema);
    const b = this.modelConfig.backbone;
    const features = featurizeDocument(doc, this.tokenizer, { maxLength: b.max_text_length, schema });
    const W = doc.words.length;
    const L = this.numLabels;
    const C = this.numGroups;
    const P = this.embeddingDim;
    const labels = new Int32Array(W).fill(-100);
    doc.words.forEach((w, i) => {
      if (schema && w.label !== undefined) labels[i] = schema.labelIndex.get(w.label) ?? -100;
    });
    const empty = {
      numWords: W,
      hasTokens: new Uint8Array(W),
      emissions: new Float32Array(W * L),
      groupProbs: new Float32Array(W * C),
      embeddings: new Float32Array(W * P),
      labels,
    };
    if (features.windows.length === 0) return empty;
    const images = b.visual_embed ? await this.pageImages(doc, o) : undefined;
    const batch = collateWindows(features.windows, {
      padId: this.tokenizer.padId,
      ...(images ? { pixelValues: (w) => images[w.page], imageSize: b.input_size } : {}),
    });
    const out = await this.session.infer(featureBatchFeeds(batch, { pixelDtype: this.manifest.dtype }));
    const emissions = floats(out.emissions);
    const groupProbs = floats(out.group_probs);
    const embeddings = floats(out.embeddings);
    const D = L + C + P;
    const T = batch.seqLen;
    const perWindow = features.windows.map((_, wi) => {
      const rows = new Float32Array(T * D);
      for (let t = 0; t < T; t++) {
        const r = wi * T + t;
        rows.set(emissions.subarray(r * L, (r + 1) * L), t * D);
        rows.set(groupProbs.subarray(r * C, (r + 1) * C), t * D + L);
        rows.set(embeddings.subarray(r * P, (r + 1) * P), t * D + L + C);
      }
      return rows;
    });
    const merged = mergeWindowScores(features.windows, perWindow, W, D);
    const result = empty;
    for (let w = 0; w < W; w++) {
      if (merged.window[w] < 0) continue;
      result.hasTokens[w] = 1;
      const row = merged.scores.subarray(w * D, (w + 1) * D);
      result.emissions.set(row.subarray(0, L), w * L);
      result.groupProbs.set(row.subarray(L, L + C), w * C);
      result.embeddings.set(row.subarray(L + C), w * P);
    }
    return result;
  }

  /** The L2-normalised prototypes [L * P] (hybrid models). */
  prototypes(): Float32Array {
    if (this.config.architecture !== 'hybrid')
      throw new HybridocError(`${this.dir}: a ${this.config.architecture} model has no prototypes`);
    const raw = floats(this.session.parameter(HYBRID_HEAD_PARAMS.prototypes));
    return normalizeRows(raw, this.embeddingDim);
  }

  /** exp(logit_scale), the similarity scale of the prototype head. */
  similarityScale(): number {
    if (this.config.architecture !== 'hybrid') return 1;
    return Math.exp(Number(this.session.parameter(HYBRID_HEAD_PARAMS.logitScale).data[0]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private async pageImages(doc: InvoiceDocument, o: DocumentRunOptions): Promise<Float32Array[]> {
    const S = this.modelConfig.backbone.input_size;
    const out: Float32Array[] = [];
    let missing = 0;
    for (let p = 0; p < doc.pages.length; p++) {
      const given = o.pageImages?.[p];
      if (given) {
        if (given.length !== 3 * S * S)
          throw new HybridocError(`${doc.id}: page ${p}: ${given.length} pixel values, the model reads 3 x ${S} x ${S}`);
        out.push(given);
      } else if (doc.pages[p].image) out.push(await loadPageImage(pageImagePath(doc, p, o.imageRoot ?? process.cwd()), S));
      else {
        out.push(new Float32Array(3 * S * S)); // mid-grey after normalisation
        missing++;
      }
    }
    if (missing) log.warn({ doc: doc.id, pages: missing }, 'pages without an image: the visual branch sees a blank page');
    return out;
  }
}

function resolveTokenizer(dir: string, given: LayoutTokenizer | string | undefined): LayoutTokenizer {
  if (given && typeof given !== 'string') return given;
  if (given) return loadTokenizer(given);
  if (existsSync(join(dir, 'tokenizer.json')) || existsSync(join(dir, 'vocab.json'))) return loadTokenizer(dir);
  throw new HybridocError(`${dir}: no tokenizer.json in the model directory; name one (--tokenizer)`);
}

function floats(t: HostTensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}

/** Rows of [n, cols] scaled to unit length (as the graph's l2Normalize). */
export function normalizeRows(x: ArrayLike<number>, cols: number): Float32Array {
  const n = x.length / cols;
  const out = new Float32Array(x.length);
  for (let r = 0; r < n; r++) {
    let s = L2_NORM_EPSILON;
    for (let c = 0; c < cols; c++) s += x[r * cols + c] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c] * inv;
  }
  return out;
}
