/**
 * The decode switch: one trained model, scored either way.
 *
 *   viterbi: constrained Viterbi over the CRF (viterbi.ts); per-token confidence and span confidence from
 *            forward-backward posteriors (forward-backward.ts).
 *   argmax:  per position the highest-scoring label, then BIO repair (a stray I-X becomes B-X, repairBio);
 *            the CRF is ignored. Confidence comes from the independent per-position model
 *            P_k(l) = softmax(emissions[k])_l: a token's is P_k(label); a span's is
 *            P_s(B) * prod_{t=s+1}^{e-1} P_t(I) * (1 - P_e(I))  (last factor only when e < K).
 */
import { repairBio, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import type { CompiledCrf } from './crf-structure.js';
import { forwardBackward, spanProbability, tokenConfidence } from './forward-backward.js';
import { bioSpans, type LabelSpan } from './spans.js';
import { resolvePositions, viterbiFactorised, ViterbiWorkspace, type SequenceOptions } from './viterbi.js';

export type DecodeMode = 'viterbi' | 'argmax';
export const DECODE_MODES: readonly DecodeMode[] = ['viterbi', 'argmax'];

export interface DecodeOptions extends SequenceOptions {
  decode: DecodeMode;
  /** the compiled CRF; required for viterbi */
  crf?: CompiledCrf;
  /** compute token and span confidences (default true) */
  confidence?: boolean;
  workspace?: ViterbiWorkspace;
}

export interface DecodedSequence {
  decode: DecodeMode;
  /** the scored emission rows */
  positions: Int32Array;
  /** label per scored position */
  labels: Int32Array;
  /** viterbi: the path score; argmax: the labelling's log-probability under the independent model */
  score: number;
  /** log-partition (viterbi with confidence), else null */
  logZ: number | null;
  /** posterior probability of each position's label, or null without confidence */
  tokenConfidence: Float32Array | null;
  /** spans over positions, with their probability when confidence is on */
  spans: LabelSpan[];
}

/** Decode one sequence of emissions [T x L] (one row per token). */
export function decodeSequence(schema: LabelSchema, emissions: Float32Array, options: DecodeOptions): DecodedSequence {
  const L = schema.numLabels;
  const withConfidence = options.confidence ?? true;
  if (options.decode === 'viterbi') {
    const crf = options.crf;
    if (!crf) throw new HybridocError("decode: viterbi needs the model's CRF (use decode: argmax for a model without one)");
    if (crf.structure.schemaHash !== schema.hash) {
      throw new HybridocError(`decode: the CRF was built for schema ${crf.structure.schemaHash}, not ${schema.hash}`);
    }
    const { path, score } = viterbiFactorised(crf, emissions, options);
    const positions = resolvePositions(emissions, L, options.positions);
    const spans = bioSpans(schema, path);
    if (!withConfidence) return { decode: 'viterbi', positions, labels: path, score, logZ: null, tokenConfidence: null, spans };
    const fb = forwardBackward(crf, emissions, { positions });
    for (const sp of spans) sp.confidence = spanProbability(fb, sp.start, sp.end, schema.bioPairs[sp.entity]);
    return { decode: 'viterbi', positions, labels: path, score, logZ: fb.logZ, tokenConfidence: tokenConfidence(fb, path), spans };
  }
  if (options.decode !== 'argmax') throw new HybridocError(`decode: must be viterbi or argmax, got "${String(options.decode)}"`);
  const positions = resolvePositions(emissions, L, options.positions);
  const K = positions.length;
  const probs = independentMarginals(emissions, L, positions);
  const raw = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const row = positions[k] * L;
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < L; j++) {
      if (emissions[row + j] > best) {
        best = emissions[row + j];
        arg = j;
      }
    }
    raw[k] = arg;
  }
  const labels = repairBio(schema, raw);
  let score = 0;
  for (let k = 0; k < K; k++) score += Math.log(probs[k * L + labels[k]]);
  const spans = bioSpans(schema, labels);
  if (!withConfidence) return { decode: 'argmax', positions, labels, score, logZ: null, tokenConfidence: null, spans };
  const conf = new Float32Array(K);
  for (let k = 0; k < K; k++) conf[k] = probs[k * L + labels[k]];
  for (const sp of spans) sp.confidence = independentSpanProbability(probs, L, K, sp.start, sp.end, schema.bioPairs[sp.entity]);
  return { decode: 'argmax', positions, labels, score, logZ: null, tokenConfidence: conf, spans };
}

/** softmax of each scored emission row, [K * L] (float64: products of many of them stay exact). */
export function independentMarginals(emissions: Float32Array, numLabels: number, positions?: ArrayLike<number>): Float64Array {
  const pos = resolvePositions(emissions, numLabels, positions);
  const L = numLabels;
  const out = new Float64Array(pos.length * L);
  for (let k = 0; k < pos.length; k++) {
    const row = pos[k] * L;
    let m = -Infinity;
    for (let j = 0; j < L; j++) m = Math.max(m, emissions[row + j]);
    let sum = 0;
    for (let j = 0; j < L; j++) {
      const v = Math.exp(emissions[row + j] - m);
      out[k * L + j] = v;
      sum += v;
    }
    for (let j = 0; j < L; j++) out[k * L + j] /= sum;
  }
  return out;
}

/** Span probability under the independent per-position model (see the header). */
export function independentSpanProbability(
  probs: Float64Array,
  numLabels: number,
  length: number,
  start: number,
  end: number,
  bio: readonly [number, number],
): number {
  if (!(start >= 0 && end > start && end <= length)) throw new RangeError(`span [${start}, ${end}) outside the ${length} positions`);
  const [B, I] = bio;
  let p = probs[start * numLabels + B];
  for (let t = start + 1; t < end; t++) p *= probs[t * numLabels + I];
  if (end < length) p *= 1 - probs[end * numLabels + I];
  return p;
}

/** The first sub-token of each word: the positions to decode, and the word each one stands for. */
export function wordPositions(tokenWords: ArrayLike<number>): { positions: Int32Array; words: Int32Array } {
  const positions: number[] = [];
  const words: number[] = [];
  let prev = -1;
  for (let t = 0; t < tokenWords.length; t++) {
    const w = tokenWords[t];
    if (w >= 0 && w !== prev) {
      positions.push(t);
      words.push(w);
    }
    prev = w;
  }
  return { positions: Int32Array.from(positions), words: Int32Array.from(words) };
}

/** Scored positions from a mask (nonzero / true = scored). */
export function positionsFromMask(mask: ArrayLike<number | boolean>): Int32Array {
  const out: number[] = [];
  for (let t = 0; t < mask.length; t++) if (mask[t]) out.push(t);
  return Int32Array.from(out);
}
