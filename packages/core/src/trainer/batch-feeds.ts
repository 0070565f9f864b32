/**
 * Cached windows -> one padded batch -> the named feeds an artifact graph takes. The trainer supplies the
 * feeds a LayoutLMv3-style token classifier reads (input_ids, attention_mask, bbox, pixel_values) and the
 * labels its losses read (labels: BIO label ids; group_labels: the label's entity group, O -> the outside
 * group; -100 where ignored), plus feeds that stay the same for many batches and are passed in whole
 * (`constants`: the hybrid heads' class_weights and focal_gamma). A model asking for any other feed is
 * refused with one line naming it.
 */
import type { LabelSchema } from '../schema/label-schema.js';
import { collateWindows, type FeatureBatch } from '../features/batch.js';
import type { FeatureWindow } from '../features/featurize.js';
import { IGNORE_LABEL } from '../features/tokenizer.js';
import type { ArtifactManifest, ManifestFeed } from '../artifacts/manifest.js';
import type { HostTensor } from '../runtime/tensor.js';
import { HybridocError } from '../util/errors.js';
import type { FeatureSplit } from './feature-cache.js';

/** Feeds this module can build. */
export const SUPPLIED_FEEDS = [
  'input_ids',
  'attention_mask',
  'bbox',
  'pixel_values',
  'labels',
  'group_labels',
  'class_weights',
  'focal_gamma',
] as const;

export interface CachedBatch {
  /** window indices into the split */
  indices: number[];
  windows: FeatureWindow[];
  batch: FeatureBatch;
  /** non-padding tokens */
  tokens: number;
}

/** Whether the model reads page images (its inputs include pixel_values). */
export function needsPixelValues(manifest: Pick<ArtifactManifest, 'feeds'>): boolean {
  return manifest.feeds.inputs.some((f) => f.name === 'pixel_values');
}

/** A fixed text length the model's graphs demand (input_ids' second dim when it is a number), else undefined. */
export function fixedSequenceLength(manifest: Pick<ArtifactManifest, 'feeds'>): number | undefined {
  const ids = manifest.feeds.inputs.find((f) => f.name === 'input_ids');
  const d = ids?.shape[1];
  return typeof d === 'number' ? d : undefined;
}

/** Check up front that every feed of the model is one the trainer can supply. */
export function checkSuppliedFeeds(manifest: Pick<ArtifactManifest, 'feeds' | 'model'>): void {
  for (const f of [...manifest.feeds.inputs, ...manifest.feeds.labels]) {
    if (!(SUPPLIED_FEEDS as readonly string[]).includes(f.name)) {
      throw new HybridocError(
        `model ${manifest.model.name}: feed '${f.name}' is not one the trainer supplies (it supplies ${SUPPLIED_FEEDS.join(', ')})`,
      );
    }
  }
}

/** Read and collate windows of a cached split. */
export function collateCached(
  split: FeatureSplit,
  indices: readonly number[],
  options: { padId: number; pixelValues: boolean; seqLen?: number },
): CachedBatch {
  const windows = indices.map((i) => split.window(i));
  let pixelValues: ((w: FeatureWindow) => Float32Array) | undefined;
  if (options.pixelValues) {
    const byWindow = new Map<FeatureWindow, Float32Array>();
    const pages = new Map<string, Float32Array>();
    windows.forEach((w, k) => {
      const cw = split.windows[indices[k]];
      const key = `${cw.doc}:${cw.page}`;
      let px = pages.get(key);
      if (!px) pages.set(key, (px = split.pagePixels(cw.doc, cw.page)));
      byWindow.set(w, px);
    });
    pixelValues = (w) => byWindow.get(w)!;
  }
  const batch = collateWindows(windows, {
    padId: options.padId,
    seqLen: options.seqLen,
    ...(pixelValues ? { pixelValues, imageSize: split.imageSize } : {}),
  });
  const tokens = windows.reduce((s, w) => s + w.length, 0);
  return { indices: [...indices], windows, batch, tokens };
}

/** The feeds `specs` asks for, from a collated batch; names in `constants` are taken from there as they are. */
export function batchFeeds(
  specs: readonly ManifestFeed[],
  batch: FeatureBatch,
  schema: Pick<LabelSchema, 'labelToGroup'>,
  constants: Readonly<Record<string, HostTensor>> = {},
): Record<string, HostTensor> {
  const B = batch.batchSize;
  const L = batch.seqLen;
  const out: Record<string, HostTensor> = {};
  for (const f of specs) {
    if (constants[f.name]) {
      out[f.name] = constants[f.name];
      continue;
    }
    switch (f.name) {
      case 'input_ids':
        out[f.name] = { dtype: 'int64', dims: [B, L], data: batch.inputIds };
        break;
      case 'attention_mask':
        out[f.name] = { dtype: 'int64', dims: [B, L], data: batch.attentionMask };
        break;
      case 'bbox':
        out[f.name] = { dtype: 'int64', dims: [B, L, 4], data: batch.bbox };
        break;
      case 'labels':
        out[f.name] = { dtype: 'int64', dims: [B, L], data: batch.labels };
        break;
      case 'group_labels': {
        const g = new BigInt64Array(B * L);
        for (let i = 0; i < g.length; i++) {
          const l = Number(batch.labels[i]);
          g[i] = BigInt(l === IGNORE_LABEL ? IGNORE_LABEL : schema.labelToGroup[l]);
        }
        out[f.name] = { dtype: 'int64', dims: [B, L], data: g };
        break;
      }
      case 'pixel_values': {
        if (!batch.pixelValues || !batch.imageSize)
          throw new HybridocError("batch: the model reads 'pixel_values' but the batch has no page images");
        const S = batch.imageSize;
        const data = f.dtype === 'float64' ? Float64Array.from(batch.pixelValues) : batch.pixelValues;
        out[f.name] = { dtype: f.dtype === 'float64' ? 'float64' : 'float32', dims: [B, 3, S, S], data };
        break;
      }
      default:
        throw new HybridocError(`batch: feed '${f.name}' is not one the trainer supplies (it supplies ${SUPPLIED_FEEDS.join(', ')})`);
    }
    if (out[f.name].dtype !== f.dtype)
      throw new HybridocError(`batch: the model takes '${f.name}' as ${f.dtype}, the trainer makes ${out[f.name].dtype}`);
  }
  return out;
}
