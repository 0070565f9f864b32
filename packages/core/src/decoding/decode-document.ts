/**
 * Window scores -> one labelling of the whole document. Each word takes its emission row from the window
 * whose centre is nearest it (mergeWindowScores), and the words of the whole document, every page and every
 * window seam included, are decoded as ONE sequence: a constrained Viterbi under the model's CRF, or argmax
 * with BIO repair. A window that starts inside an entity therefore cannot cut it (decoded on its own, the
 * window would have to open it with B-X). Words without tokens (blank words) are not decoded and read as O.
 * Prediction (predict/predictor.ts) and evaluation over cached splits (trainer/predict.ts) both decode here.
 */
import type { Word } from '../documents/document.js';
import type { CompiledCrf } from './crf-structure.js';
import { decodeSequence, type DecodeMode } from './decode.js';
import { spansToFields, type ExtractedField } from './spans.js';
import { mergeWindowScores, type FeatureWindow } from '../features/featurize.js';
import type { LabelSchema } from '../schema/label-schema.js';

export interface DecodedDocument {
  /** BIO label id per word, 0 (O) for words that were not decoded */
  labels: Int32Array;
  /** confidence of each word's label, NaN for words that were not decoded */
  confidence: Float32Array;
  /** per word: the window its scores came from, -1 for words without tokens */
  window: Int32Array;
  /** merged emission rows [words x labels] (0 rows for words without tokens) */
  scores: Float32Array;
  fields: ExtractedField[];
}

export interface DecodeDocumentOptions {
  decode: DecodeMode;
  crf?: CompiledCrf;
  /** token and span confidences (default true) */
  confidence?: boolean;
}

/** Merge per-window emissions ([rows x labels] each, row 0 = <s>) and decode the document as one sequence. */
export function decodeDocumentWindows(
  schema: LabelSchema,
  words: readonly Word[],
  windows: readonly FeatureWindow[],
  perWindow: readonly ArrayLike<number>[],
  options: DecodeDocumentOptions,
): DecodedDocument {
  const n = words.length;
  const L = schema.numLabels;
  const merged = mergeWindowScores(windows, perWindow, n, L);
  const labels = new Int32Array(n);
  const confidence = new Float32Array(n).fill(NaN);
  const positionWords: number[] = [];
  for (let w = 0; w < n; w++) if (merged.window[w] >= 0) positionWords.push(w);
  if (positionWords.length === 0) return { labels, confidence, window: merged.window, scores: merged.scores, fields: [] };
  const decoded = decodeSequence(schema, merged.scores, {
    decode: options.decode,
    crf: options.crf,
    positions: positionWords,
    confidence: options.confidence ?? true,
  });
  decoded.labels.forEach((l, k) => {
    labels[positionWords[k]] = l;
    if (decoded.tokenConfidence) confidence[positionWords[k]] = decoded.tokenConfidence[k];
  });
  const fields = spansToFields(schema, words, decoded.spans, { positionWords });
  return { labels, confidence, window: merged.window, scores: merged.scores, fields };
}
