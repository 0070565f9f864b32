/**
 * The interface every training-batch sampler implements, and the plain shuffled sampler (the ablation's
 * baseline for the domain-balanced one).
 *
 * A sampler is a pure function of (its documents, its options, seed, epoch): the same epoch always gives the
 * same batches, so a trainer resuming at (epoch, batch index) asks for `batchesFrom(epoch, index)` and gets
 * exactly the batches an uninterrupted run would have seen next.
 */
import { HybridocError } from '../util/errors.js';
import { SeededRandom } from './seeded-random.js';

export interface BatchSampler {
  readonly batchSize: number;
  /** how many documents the sampler draws from (indices run 0 .. numDocuments - 1) */
  readonly numDocuments: number;
  /** batches in every epoch (the same for all epochs) */
  readonly batchesPerEpoch: number;
  /** every batch of `epoch`, as document indices */
  epochBatches(epoch: number): number[][];
  /** the batches of `epoch` from `batchIndex` on (resuming mid-epoch) */
  batchesFrom(epoch: number, batchIndex?: number): number[][];
}

export interface SamplerOptions {
  /** documents per batch (default 16, the seed's) */
  batchSize?: number;
  /** integer seed; the epoch is mixed in, so every epoch has its own order (default 0) */
  seed?: number;
  /** drop the last, smaller batch of an epoch (default false) */
  dropLast?: boolean;
}

export const DEFAULT_BATCH_SIZE = 16;

/** Every document once per epoch in a seeded random order, cut into batches. */
export class ShuffledSampler implements BatchSampler {
  readonly batchSize: number;
  readonly numDocuments: number;
  readonly batchesPerEpoch: number;
  private readonly seed: number;
  private readonly dropLast: boolean;
  private cache: { epoch: number; batches: number[][] } | null = null;

  constructor(numDocuments: number, options: SamplerOptions = {}) {
    this.batchSize = checkBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.seed = checkSeed(options.seed ?? 0);
    this.dropLast = options.dropLast ?? false;
    if (!Number.isInteger(numDocuments) || numDocuments <= 0) {
      throw new HybridocError(`sampler: documents: need at least one document, got ${numDocuments}`);
    }
    this.numDocuments = numDocuments;
    this.batchesPerEpoch = this.dropLast ? Math.floor(numDocuments / this.batchSize) : Math.ceil(numDocuments / this.batchSize);
    if (this.batchesPerEpoch === 0) {
      throw new HybridocError(`sampler: dropLast: ${numDocuments} documents make no full batch of ${this.batchSize}`);
    }
  }

  epochBatches(epoch: number): number[][] {
    checkEpoch(epoch);
    if (this.cache?.epoch === epoch) return this.cache.batches.map((b) => b.slice());
    const order = Array.from({ length: this.numDocuments }, (_, i) => i);
    new SeededRandom(this.seed, epoch).shuffle(order);
    const batches: number[][] = [];
    for (let b = 0; b < this.batchesPerEpoch; b++) batches.push(order.slice(b * this.batchSize, (b + 1) * this.batchSize));
    this.cache = { epoch, batches };
    return batches.map((b) => b.slice());
  }

  batchesFrom(epoch: number, batchIndex = 0): number[][] {
    checkBatchIndex(batchIndex, this.batchesPerEpoch);
    return this.epochBatches(epoch).slice(batchIndex);
  }
}

export function checkBatchSize(n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new HybridocError(`sampler: batchSize: must be a positive integer, got ${n}`);
  return n;
}

export function checkSeed(n: number): number {
  if (!Number.isSafeInteger(n)) throw new HybridocError(`sampler: seed: must be an integer, got ${n}`);
  return n;
}

export function checkEpoch(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new HybridocError(`sampler: epoch: must be an integer >= 0, got ${n}`);
}

export function checkBatchIndex(i: number, batchesPerEpoch: number): void {
  if (!Number.isInteger(i) || i < 0 || i > batchesPerEpoch) {
    throw new HybridocError(`sampler: batchIndex: must be an integer in [0, ${batchesPerEpoch}], got ${i}`);
  }
}
