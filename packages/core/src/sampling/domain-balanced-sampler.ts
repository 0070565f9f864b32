/**
 * DomainBalancedSampler (the seed's training sampler): batches that follow a domain mix and each hold at
 * least `minRareDocsPerBatch` documents containing a rare entity.
 *
 * How an epoch is built:
 * - Epoch size E is the largest number of documents that follows the mix without repeating a document:
 *   E = min over domains of floor(n_d / share_d) (with `dropLast`, rounded down to whole batches). Domain d
 *   gets c_d documents, E * share_d rounded by largest remainder. When the corpus already has the mix,
 *   E is close to the number of documents; otherwise the over-represented domains contribute a different
 *   random subset each epoch.
 * - Domains named in the mix that have no documents are dropped and the others' shares renormalised
 *   (`plan.emptyDomains` lists them). A document whose domain has no share in the mix is an error; give
 *   the domain a share of 0 to leave its documents out on purpose.
 * - A domain's epoch selection takes its rare documents first (shuffled), then shuffled others.
 * - Batch composition: slot by slot, each slot goes to the domain furthest behind its share of the slots
 *   so far, so every batch is within about one document per domain of batchSize * share, and the epoch
 *   totals are exact.
 * - Rare documents of each domain are spread over that domain's slots in proportion. Then every batch is
 *   raised to 1 rare document, then 2, ... up to the minimum, by moving rare slots (within a domain, so the
 *   mix does not change) from batches above the level; a pool too small for the minimum thus ends spread
 *   evenly (batches differ by at most one where domains allow). If batches are still short,
 *   `rareOversampling: true` turns non-rare slots into repeats of rare documents of the same domain;
 *   without it those batches stay below the minimum (`plan.batchesBelowRareMinimum`). A batch can only
 *   reach the minimum through domains that have rare documents. Non-rare documents never repeat.
 * - The composition and the rare slots are the same every epoch; which documents fill them, and their order
 *   inside each batch, come from a generator seeded with (seed, epoch).
 */
import { HybridocError } from '../util/errors.js';
import { SeededRandom } from './seeded-random.js';
import { selectRareEntities, type RareEntityOptions } from './rare-entities.js';
import {
  DEFAULT_BATCH_SIZE,
  checkBatchIndex,
  checkBatchSize,
  checkEpoch,
  checkSeed,
  type BatchSampler,
  type SamplerOptions,
} from './batch-sampler.js';

/** What the sampler needs to know about one training document. */
export interface SamplerDocument {
  domain: string;
  /** entity names present in the document (repeats are fine) */
  entities: readonly string[];
}

export interface DomainBalancedSamplerOptions extends SamplerOptions {
  /** domain -> share (normalised to sum 1); default: the documents' own domain proportions */
  domainMix?: Readonly<Record<string, number>>;
  /** documents with a rare entity per batch (default 4, the seed's min_rare_entities_per_batch) */
  minRareDocsPerBatch?: number;
  /** which entities are rare; without documentFrequency it is counted from the documents themselves */
  rare?: RareEntityOptions;
  /** let rare documents repeat within an epoch when there are too few to meet the minimum (default false) */
  rareOversampling?: boolean;
}

export const DEFAULT_MIN_RARE_DOCS_PER_BATCH = 4;

/** Epoch-independent facts about the sampler's plan (the same for every epoch). */
export interface DomainBalancedPlan {
  epochSize: number;
  batchesPerEpoch: number;
  /** normalised shares of the domains that have documents */
  domainShares: Record<string, number>;
  /** documents per domain in every epoch */
  domainCounts: Record<string, number>;
  /** mix domains without documents (their share went to the others) */
  emptyDomains: string[];
  rareEntities: string[];
  /** documents that contain a rare entity */
  rareDocuments: number;
  /** rare documents per batch: fewest, most, mean */
  rareDocsPerBatch: { min: number; max: number; mean: number };
  /** batches that hold fewer rare documents than min(minRareDocsPerBatch, batch size) */
  batchesBelowRareMinimum: number;
  /** rare-document repeats per epoch (only with rareOversampling) */
  repeatsPerEpoch: number;
  /** documents left out of every epoch's selection count (n - distinct documents per epoch) */
  unusedPerEpoch: number;
}

export class DomainBalancedSampler implements BatchSampler {
  readonly batchSize: number;
  readonly numDocuments: number;
  readonly batchesPerEpoch: number;
  readonly minRareDocsPerBatch: number;
  readonly plan: DomainBalancedPlan;
  /** document index -> contains a rare entity */
  readonly isRare: readonly boolean[];
  private readonly seed: number;
  private readonly domains: string[];
  private readonly rareDocs: number[][];
  private readonly otherDocs: number[][];
  /** [batch][domain] slots */
  private readonly slots: Int32Array[];
  /** [batch][domain] slots filled with rare documents */
  private readonly rareSlots: Int32Array[];
  private cache: { epoch: number; batches: number[][] } | null = null;

  constructor(documents: readonly SamplerDocument[], options: DomainBalancedSamplerOptions = {}) {
    this.batchSize = checkBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.seed = checkSeed(options.seed ?? 0);
    const minRare = options.minRareDocsPerBatch ?? DEFAULT_MIN_RARE_DOCS_PER_BATCH;
    if (!Number.isInteger(minRare) || minRare < 0 || minRare > this.batchSize) {
      throw new HybridocError(`sampler: minRareDocsPerBatch: must be an integer in [0, batchSize=${this.batchSize}], got ${minRare}`);
    }
    this.minRareDocsPerBatch = minRare;
    const n = documents.length;
    if (n === 0) throw new HybridocError('sampler: documents: need at least one document');
    this.numDocuments = n;

    // ---- rare documents
    const rareOpts: RareEntityOptions = { ...(options.rare ?? {}) };
    if (rareOpts.documentFrequency === undefined) {
      rareOpts.documentFrequency = countDocumentFrequency(documents);
      rareOpts.totalDocuments = n;
    }
    const rareEntities = selectRareEntities(rareOpts);
    const rareSet = new Set(rareEntities);
    const isRare = documents.map((d) => d.entities.some((e) => rareSet.has(e)));
    this.isRare = isRare;

    // ---- domains and shares
    const byDomain = new Map<string, number[]>();
    documents.forEach((d, i) => {
      if (typeof d.domain !== 'string' || d.domain.length === 0) throw new HybridocError(`sampler: documents[${i}].domain: missing`);
      let list = byDomain.get(d.domain);
      if (!list) byDomain.set(d.domain, (list = []));
      list.push(i);
    });
    const mix: Record<string, number> = options.domainMix
      ? { ...options.domainMix }
      : Object.fromEntries([...byDomain].map(([d, l]) => [d, l.length / n]));
    for (const [d, share] of Object.entries(mix)) {
      if (!(Number.isFinite(share) && share >= 0)) throw new HybridocError(`sampler: domainMix.${d}: must be a share >= 0, got ${share}`);
    }
    for (const [d, list] of byDomain) {
      if (!(d in mix)) {
        throw new HybridocError(
          `sampler: domainMix: no share for domain "${d}" (${list.length} documents); give it a share, or 0 to leave its documents out`,
        );
      }
    }
    const emptyDomains = Object.keys(mix)
      .filter((d) => mix[d] > 0 && !byDomain.has(d))
      .sort();
    const domains = Object.keys(mix)
      .filter((d) => mix[d] > 0 && byDomain.has(d))
      .sort();
    if (domains.length === 0) throw new HybridocError('sampler: domainMix: no domain with a share > 0 has documents');
    this.domains = domains;
    const shareSum = domains.reduce((s, d) => s + mix[d], 0);
    const shares = domains.map((d) => mix[d] / shareSum);
    const pool = domains.map((d) => byDomain.get(d)!);
    this.rareDocs = pool.map((l) => l.filter((i) => isRare[i]));
    this.otherDocs = pool.map((l) => l.filter((i) => !isRare[i]));

    // ---- epoch size and per-domain counts
    let epochSize = Math.min(...pool.map((l, k) => Math.floor(l.length / shares[k] + 1e-9)));
    if (options.dropLast) epochSize = Math.floor(epochSize / this.batchSize) * this.batchSize;
    if (epochSize === 0) {
      throw new HybridocError(`sampler: dropLast: the domain mix leaves fewer than batchSize=${this.batchSize} documents per epoch`);
    }
    const counts = largestRemainder(
      epochSize,
      shares,
      pool.map((l) => l.length),
    );
    const B = Math.ceil(epochSize / this.batchSize);
    this.batchesPerEpoch = B;
    const batchLen = (b: number) => Math.min(this.batchSize, epochSize - b * this.batchSize);

    // ---- composition: each slot to the domain furthest behind its share so far
    const D = domains.length;
    const slots: Int32Array[] = [];
    const taken = new Int32Array(D);
    let t = 0;
    for (let b = 0; b < B; b++) {
      const row = new Int32Array(D);
      for (let k = batchLen(b); k > 0; k--) {
        t++;
        let best = -1;
        let bestDeficit = -Infinity;
        for (let d = 0; d < D; d++) {
          if (taken[d] >= counts[d]) continue;
          const deficit = (counts[d] * t) / epochSize - taken[d];
          if (deficit > bestDeficit + 1e-12) {
            best = d;
            bestDeficit = deficit;
          }
        }
        taken[best]++;
        row[best]++;
      }
      slots.push(row);
    }
    this.slots = slots;

    // ---- rare slots: proportional spread, then moves to batches below the minimum, then repeats
    const selectedRare = domains.map((_, d) => Math.min(this.rareDocs[d].length, counts[d]));
    const rareSlots: Int32Array[] = [];
    const cum = new Int32Array(D);
    const prevRound = new Int32Array(D);
    for (let b = 0; b < B; b++) {
      const row = new Int32Array(D);
      for (let d = 0; d < D; d++) {
        cum[d] += slots[b][d];
        // round(selectedRare * cum / counts) in integers
        const r = counts[d] === 0 ? 0 : Math.floor((2 * selectedRare[d] * cum[d] + counts[d]) / (2 * counts[d]));
        row[d] = r - prevRound[d];
        prevRound[d] = r;
      }
      rareSlots.push(row);
    }
    const need = (b: number) => Math.min(minRare, batchLen(b));
    const rareIn = rareSlots.map((row) => row.reduce((s, x) => s + x, 0));
    // Raise every batch to 1 rare document, then 2, ... up to the minimum, moving rare slots within a domain
    // from batches above the level; so a pool too small for the minimum is still spread evenly.
    const donorCursor = new Int32Array(D);
    for (let level = 1; level <= minRare; level++) {
      const target = (b: number) => Math.min(level, batchLen(b));
      donorCursor.fill(0);
      for (let b = 0; b < B; b++) {
        while (rareIn[b] < target(b)) {
          let moved = false;
          for (let d = 0; d < D && !moved; d++) {
            if (slots[b][d] - rareSlots[b][d] <= 0) continue;
            // within a level donors only lose rare slots and receivers never rise above the level,
            // so a batch the cursor has passed never becomes a donor again
            while (donorCursor[d] < B) {
              const o = donorCursor[d];
              if (rareSlots[o][d] > 0 && rareIn[o] > target(o)) {
                rareSlots[o][d]--;
                rareIn[o]--;
                rareSlots[b][d]++;
                rareIn[b]++;
                moved = true;
                break;
              }
              donorCursor[d]++;
            }
          }
          if (!moved) break;
        }
      }
    }
    // Still short: with rareOversampling, repeat a rare document of the domain whose rare pool is least used.
    const repeats = new Int32Array(D);
    for (let b = 0; b < B && options.rareOversampling; b++) {
      while (rareIn[b] < need(b)) {
        let best = -1;
        let bestUse = Infinity;
        for (let d = 0; d < D; d++) {
          if (this.rareDocs[d].length === 0 || slots[b][d] - rareSlots[b][d] <= 0) continue;
          const use = (selectedRare[d] + repeats[d]) / this.rareDocs[d].length;
          if (use < bestUse) {
            best = d;
            bestUse = use;
          }
        }
        if (best < 0) break;
        rareSlots[b][best]++;
        rareIn[b]++;
        repeats[best]++;
      }
    }
    this.rareSlots = rareSlots;

    const repeatsPerEpoch = repeats.reduce((s, x) => s + x, 0);
    const distinct = epochSize - repeatsPerEpoch;
    this.plan = {
      epochSize,
      batchesPerEpoch: B,
      domainShares: Object.fromEntries(domains.map((d, k) => [d, shares[k]])),
      domainCounts: Object.fromEntries(domains.map((d, k) => [d, counts[k]])),
      emptyDomains,
      rareEntities,
      rareDocuments: isRare.filter(Boolean).length,
      rareDocsPerBatch: {
        min: Math.min(...rareIn),
        max: Math.max(...rareIn),
        mean: rareIn.reduce((s, x) => s + x, 0) / B,
      },
      batchesBelowRareMinimum: rareIn.filter((r, b) => r < need(b)).length,
      repeatsPerEpoch,
      unusedPerEpoch: n - distinct,
    };
  }

  epochBatches(epoch: number): number[][] {
    checkEpoch(epoch);
    if (this.cache?.epoch === epoch) return this.cache.batches.map((b) => b.slice());
    const rng = new SeededRandom(this.seed, epoch);
    const D = this.domains.length;
    const rare = this.rareDocs.map((l) => rng.shuffle(l.slice()));
    const other = this.otherDocs.map((l) => rng.shuffle(l.slice()));
    const rareNext = new Int32Array(D);
    const otherNext = new Int32Array(D);
    const batches: number[][] = [];
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      const batch: number[] = [];
      for (let d = 0; d < D; d++) {
        const nRare = this.rareSlots[b][d];
        for (let k = 0; k < nRare; k++) batch.push(rare[d][rareNext[d]++ % rare[d].length]);
        // other slots per domain = its count - its rare slots <= its non-rare documents, so none repeats
        for (let k = this.slots[b][d] - nRare; k > 0; k--) batch.push(other[d][otherNext[d]++]);
      }
      batches.push(rng.shuffle(batch));
    }
    this.cache = { epoch, batches };
    return batches.map((b) => b.slice());
  }

  batchesFrom(epoch: number, batchIndex = 0): number[][] {
    checkBatchIndex(batchIndex, this.batchesPerEpoch);
    return this.epochBatches(epoch).slice(batchIndex);
  }
}

/** entity -> number of documents that contain it */
export function countDocumentFrequency(documents: readonly SamplerDocument[]): Record<string, number> {
  const freq: Record<string, number> = {};
  for (const d of documents) for (const e of new Set(d.entities)) freq[e] = (freq[e] ?? 0) + 1;
  return freq;
}

/** Split `total` into integer parts proportional to `shares` (largest remainder), each at most its cap. */
export function largestRemainder(total: number, shares: readonly number[], caps?: readonly number[]): number[] {
  const exact = shares.map((s) => total * s);
  const out = exact.map((x, i) => Math.min(Math.floor(x + 1e-9), caps ? caps[i] : Infinity));
  let left = total - out.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => i).sort((a, b) => exact[b] - out[b] - (exact[a] - out[a]) || a - b);
  while (left > 0) {
    let progressed = false;
    for (const i of order) {
      if (left === 0) break;
      if (caps && out[i] >= caps[i]) continue;
      out[i]++;
      left--;
      progressed = true;
    }
    if (!progressed) throw new HybridocError(`sampler: cannot split ${total} documents within the domain sizes`);
  }
  return out;
}
