/**
 * Predictions for the documents of a featurised split: infer.onnx over batches of cached windows, then each
 * document decoded as one sequence over its words, exactly as prediction decodes it
 * (decoding/decode-document.ts). `modelCrf` reads the CRF out of a session's current parameters
 * (decoding/model-crf.ts), so decoding uses exactly the transitions the model trained.
 */
import type { InvoiceDocument } from '../documents/document.js';
import type { LabelSchema } from '../schema/label-schema.js';
import type { CompiledCrf } from '../decoding/crf-structure.js';
import type { DecodeMode } from '../decoding/decode.js';
import { decodeDocumentWindows } from '../decoding/decode-document.js';
import { modelCrfFrom, type ParameterSource } from '../decoding/model-crf.js';
import type { ExtractedField } from '../decoding/spans.js';
import type { ArtifactSession } from '../artifacts/artifact-session.js';
import type { EvaluationDocument } from '../evaluation/evaluate.js';
import { HybridocError } from '../util/errors.js';
import type { FeatureSplit } from './feature-cache.js';
import { batchFeeds, collateCached, fixedSequenceLength, needsPixelValues } from './batch-feeds.js';

/** The inference output decoding reads: per-token label scores [batch, seq, labels]. */
export const EMISSIONS_OUTPUT = 'emissions';

export interface PredictOptions {
  schema: LabelSchema;
  decode: DecodeMode;
  /** required for viterbi (modelCrf) */
  crf?: CompiledCrf;
  /** the tokenizer's <pad> id */
  padId: number;
  /** windows per inference run (default 32) */
  batchSize?: number;
  /** token and span confidences (default true) */
  confidence?: boolean;
}

export interface DocumentPrediction {
  /** index of the document in the split */
  index: number;
  document: InvoiceDocument;
  /** predicted BIO label name per word ("O" for words that were not decoded) */
  labels: string[];
  /** confidence of each word's label (NaN for words that were not decoded, or without confidence) */
  confidence: Float32Array;
  fields: ExtractedField[];
}

/** The model's CRF, compiled for decoding from the session's current parameters, or undefined when it has none. */
export function modelCrf(session: ArtifactSession, schema: LabelSchema): CompiledCrf | undefined {
  const names = new Set(session.parameterNames);
  const source: ParameterSource = {
    label: `model ${session.manifest.model.name}`,
    has: (name) => names.has(name),
    read: (name) => {
      const data = session.parameter(name).data;
      return data instanceof Float32Array ? Float32Array.from(data) : Float32Array.from(data as Float64Array);
    },
  };
  return modelCrfFrom(session.manifest, source, schema);
}

/**
 * Predict every document of a cached split. `documents` must yield the split's documents in the cache's
 * order (readCorpus(corpus, split) does); each prediction is yielded as soon as its document is decoded.
 */
export async function* predictSplit(
  session: ArtifactSession,
  split: FeatureSplit,
  documents: AsyncIterable<InvoiceDocument> | Iterable<InvoiceDocument>,
  options: PredictOptions,
): AsyncGenerator<DocumentPrediction> {
  const { schema } = options;
  const manifest = session.manifest;
  if (!manifest.outputs.includes(EMISSIONS_OUTPUT)) {
    throw new HybridocError(
      `model ${manifest.model.name}: infer.onnx has no '${EMISSIONS_OUTPUT}' output (outputs: ${manifest.outputs.join(', ')})`,
    );
  }
  if (options.decode === 'viterbi' && !options.crf) throw new HybridocError('decode viterbi: the model has no CRF (use --decode argmax)');
  const B = options.batchSize ?? 32;
  const C = schema.numLabels;
  const pixelValues = needsPixelValues(manifest);
  const seqLen = fixedSequenceLength(manifest);
  const iterator = (Symbol.asyncIterator in documents ? documents[Symbol.asyncIterator]() : documents[Symbol.iterator]()) as
    AsyncIterator<InvoiceDocument> | Iterator<InvoiceDocument>;
  const N = split.documents.length;
  let d = 0;
  while (d < N) {
    // a group of whole documents holding at least B windows (or the rest)
    let e = d;
    let count = 0;
    while (e < N && (count < B || e === d)) count += split.documents[e++].numWindows;
    const first = split.documents[d].firstWindow;
    const scores: Float32Array[] = [];
    for (let s = first; s < first + count; s += B) {
      const indices = Array.from({ length: Math.min(B, first + count - s) }, (_, k) => s + k);
      const cb = collateCached(split, indices, { padId: options.padId, pixelValues, seqLen });
      const out = await session.infer(batchFeeds(manifest.feeds.inputs, cb.batch, schema));
      const em = out[EMISSIONS_OUTPUT];
      const L = cb.batch.seqLen;
      if (em.dims.length !== 3 || em.dims[0] !== indices.length || em.dims[1] !== L || em.dims[2] !== C) {
        throw new HybridocError(
          `model ${manifest.model.name}: emissions have shape [${em.dims.join(', ')}], expected [${indices.length}, ${L}, ${C}]`,
        );
      }
      const data = em.data instanceof Float32Array ? em.data : Float32Array.from(em.data as Float64Array);
      cb.windows.forEach((w, k) => scores.push(data.slice(k * L * C, (k * L + w.length) * C)));
    }
    for (let i = d; i < e; i++) {
      const next = await iterator.next();
      if (next.done)
        throw new HybridocError(`feature cache ${split.dir}: the corpus has fewer ${split.split} documents than the cache (${N})`);
      const doc = next.value;
      const cd = split.documents[i];
      if (doc.id !== cd.id)
        throw new HybridocError(
          `feature cache ${split.dir}: document ${i} is ${cd.id} in the cache but ${doc.id} in the corpus; delete the cache`,
        );
      const offset = cd.firstWindow - first;
      const windows = Array.from({ length: cd.numWindows }, (_, k) => split.window(cd.firstWindow + k));
      yield decodeDocument(doc, i, windows, scores.slice(offset, offset + cd.numWindows), options);
    }
    d = e;
  }
}

function decodeDocument(
  doc: InvoiceDocument,
  index: number,
  windows: ReturnType<FeatureSplit['window']>[],
  perWindow: Float32Array[],
  options: PredictOptions,
): DocumentPrediction {
  const { schema } = options;
  const decoded = decodeDocumentWindows(schema, doc.words, windows, perWindow, options);
  const labels = Array.from(decoded.labels, (l) => schema.labels[l]);
  return { index, document: doc, labels, confidence: decoded.confidence, fields: decoded.fields };
}

/** Predicted fields as entity -> values, the shape evaluation and the native format use. */
export function fieldValues(fields: readonly ExtractedField[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of fields) (out[f.entity] ??= []).push(f.value);
  return out;
}

/** A prediction beside its gold labels, as evaluateDocuments takes it. */
export function evaluationDocument(p: DocumentPrediction): EvaluationDocument {
  const d = p.document;
  return {
    id: d.id,
    domain: d.domain,
    template: d.template,
    unseenTemplate: d.unseenTemplate === true,
    gold: d.words.map((w) => w.label ?? 'O'),
    pred: p.labels,
    goldFields: d.fields ?? {},
    predFields: fieldValues(p.fields),
  };
}
