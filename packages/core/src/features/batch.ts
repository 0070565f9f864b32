/**
 * Feature windows -> one padded batch of typed arrays, ready for onnxruntime-node tensors.
 *
 * Padding is on the right, as the reference pads: id <pad>, box [0,0,0,0], label -100, attention mask 0, word
 * id -1. Integer model inputs are int64 (BigInt64Array), the type LayoutLMv3's ONNX inputs take and ORT's JS
 * API wants for int64 tensors. Layout, all row-major:
 *   inputIds [B, L], attentionMask [B, L], bbox [B, L, 4], labels [B, L] (int64);
 *   wordIds [B, L] (int32, -1 = special or padding), firstSubtoken [B, L] (uint8);
 *   pixelValues [B, 3, S, S] (float32), when images are given.
 */
import { HybridocError } from '../util/errors.js';
import type { FeatureWindow } from './featurize.js';
import { IGNORE_LABEL } from './tokenizer.js';

export interface FeatureBatch {
  batchSize: number;
  seqLen: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  bbox: BigInt64Array;
  labels: BigInt64Array;
  wordIds: Int32Array;
  firstSubtoken: Uint8Array;
  /** [B, 3, imageSize, imageSize] when `pixelValues` was given */
  pixelValues?: Float32Array;
  imageSize?: number;
}

export interface CollateOptions {
  /** the tokenizer's <pad> id (1 for RoBERTa and the from-scratch vocabularies) */
  padId: number;
  /** pad every row to this length (a fixed-shape graph); default: the longest window in the batch */
  seqLen?: number;
  /** pixel values [3, S, S] for a window, normally its page's image: `(w) => pageImages[w.page]` */
  pixelValues?: (window: FeatureWindow) => Float32Array;
  /** S, required with pixelValues */
  imageSize?: number;
}

export function collateWindows(windows: readonly FeatureWindow[], options: CollateOptions): FeatureBatch {
  const B = windows.length;
  if (B === 0) throw new HybridocError('collateWindows: no windows');
  const longest = Math.max(...windows.map((w) => w.length));
  const L = options.seqLen ?? longest;
  if (longest > L) throw new HybridocError(`collateWindows: a window has ${longest} tokens, more than seqLen ${L}`);
  const inputIds = new BigInt64Array(B * L).fill(BigInt(options.padId));
  const attentionMask = new BigInt64Array(B * L);
  const bbox = new BigInt64Array(B * L * 4);
  const labels = new BigInt64Array(B * L).fill(BigInt(IGNORE_LABEL));
  const wordIds = new Int32Array(B * L).fill(-1);
  const firstSubtoken = new Uint8Array(B * L);
  windows.forEach((w, b) => {
    const o = b * L;
    for (let t = 0; t < w.length; t++) {
      inputIds[o + t] = BigInt(w.inputIds[t]);
      attentionMask[o + t] = 1n;
      labels[o + t] = BigInt(w.labels[t]);
      for (let k = 0; k < 4; k++) bbox[(o + t) * 4 + k] = BigInt(w.bbox[t * 4 + k]);
    }
    wordIds.set(w.wordIds, o);
    firstSubtoken.set(w.firstSubtoken, o);
  });
  const batch: FeatureBatch = { batchSize: B, seqLen: L, inputIds, attentionMask, bbox, labels, wordIds, firstSubtoken };
  if (options.pixelValues) {
    const S = options.imageSize;
    if (!S || !Number.isInteger(S)) throw new HybridocError('collateWindows: imageSize is required with pixelValues');
    const plane = 3 * S * S;
    const pixels = new Float32Array(B * plane);
    windows.forEach((w, b) => {
      const px = options.pixelValues!(w);
      if (px.length !== plane)
        throw new HybridocError(`collateWindows: page ${w.page} of ${w.docId} has ${px.length} pixel values, expected 3 x ${S} x ${S}`);
      pixels.set(px, b * plane);
    });
    batch.pixelValues = pixels;
    batch.imageSize = S;
  }
  return batch;
}
