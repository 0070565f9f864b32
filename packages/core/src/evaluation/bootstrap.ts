/**
 * Percentile bootstrap intervals over documents: resample the documents with replacement, recompute the
 * statistic, take the (1 - confidence) / 2 and (1 + confidence) / 2 quantiles (linear interpolation, numpy's
 * default). Seeded, so the same inputs give the same interval.
 */
import { SeededRandom } from '../sampling/seeded-random.js';

export interface BootstrapOptions {
  /** resamples (default 1000) */
  samples?: number;
  /** default 0 */
  seed?: number;
  /** default 0.95 */
  confidence?: number;
}

export interface ConfidenceInterval {
  low: number;
  high: number;
  confidence: number;
  /** resamples drawn */
  samples: number;
  /** resamples where the statistic was undefined (e.g. no rare entity drawn), left out of the quantiles */
  skipped: number;
}

export const DEFAULT_BOOTSTRAP_SAMPLES = 1000;

/**
 * `statistic(indices)` gets the resampled document indices (0 .. n - 1, with repeats) and returns the figure,
 * or null where it is undefined. Returns null when n is 0 or no resample gave a value.
 */
export function bootstrapInterval(
  n: number,
  statistic: (indices: Int32Array) => number | null,
  options: BootstrapOptions = {},
): ConfidenceInterval | null {
  const samples = options.samples ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`bootstrap samples must be a positive integer, got ${samples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrap confidence must be in (0, 1), got ${confidence}`);
  if (n === 0) return null;
  const rng = new SeededRandom(options.seed ?? 0, 0x62737470);
  const values: number[] = [];
  const idx = new Int32Array(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    const v = statistic(idx);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return {
    low: quantile(values, (1 - confidence) / 2),
    high: quantile(values, (1 + confidence) / 2),
    confidence,
    samples,
    skipped: samples - values.length,
  };
}

/** Quantile of sorted values, linear interpolation between order statistics. */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
