import {
  DomainBalancedSampler,
  HybridocError,
  SEED_RARE_ENTITIES,
  ShuffledSampler,
  countDocumentFrequency,
  selectRareEntities,
  type SamplerDocument,
} from '@hybridoc/core';
import { SeededRandom } from '../../packages/core/src/sampling/seeded-random.js';

const SEED_MIX = { general: 0.4, saas: 0.12, telecom: 0.12, logistics: 0.1, utilities: 0.1, healthcare: 0.08, government: 0.04, pos: 0.04 };

/** Documents drawn with `mix`; each holds INVOICE_NUMBER and, with probability `rareRate`, one rare entity. */
function corpus(n: number, seed: number, mix: Record<string, number> = SEED_MIX, rareRate = 0.35): SamplerDocument[] {
  const rng = new SeededRandom(seed);
  const domains = Object.keys(mix);
  const rare = ['CAGE_CODE', 'LOT_NUMBER', 'SERIAL_NUMBER', 'PATIENT_ID'];
  return Array.from({ length: n }, () => {
    let u = rng.next();
    let domain = domains[domains.length - 1];
    for (const d of domains) {
      if (u < mix[d]) {
        domain = d;
        break;
      }
      u -= mix[d];
    }
    const entities = ['INVOICE_NUMBER', 'TOTAL_AMOUNT'];
    if (rng.next() < rareRate) entities.push(rare[rng.int(rare.length)]);
    return { domain, entities };
  });
}

const RARE = { named: SEED_RARE_ENTITIES.concat('PATIENT_ID') };
const flat = (batches: number[][]) => batches.flat();
const countBy = <T>(xs: T[], key: (x: T) => string) =>
  xs.reduce<Record<string, number>>((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});

describe('DomainBalancedSampler guarantees', () => {
  const docs = corpus(3000, 1);
  const sampler = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, seed: 7 });
  const epoch0 = sampler.epochBatches(0);

  test('the seed defaults: batch size 16, 4 rare documents per batch', () => {
    expect(sampler.batchSize).toBe(16);
    expect(sampler.minRareDocsPerBatch).toBe(4);
    expect(epoch0.slice(0, -1).every((b) => b.length === 16)).toBe(true);
    expect(epoch0.length).toBe(sampler.batchesPerEpoch);
    expect(flat(epoch0).length).toBe(sampler.plan.epochSize);
  });

  test('no document twice in an epoch, every index valid, and the epoch nearly all documents when the corpus has the mix', () => {
    const all = flat(epoch0);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((i) => Number.isInteger(i) && i >= 0 && i < docs.length)).toBe(true);
    expect(all.length).toBeGreaterThan(0.9 * docs.length);
    expect(sampler.plan.unusedPerEpoch).toBe(docs.length - all.length);
  });

  test('the epoch follows the mix within one document per domain', () => {
    const counts = countBy(flat(epoch0), (i) => docs[i].domain);
    for (const [d, share] of Object.entries(SEED_MIX)) {
      expect(Math.abs(counts[d] - share * sampler.plan.epochSize)).toBeLessThan(1);
      expect(counts[d]).toBe(sampler.plan.domainCounts[d]);
    }
  });

  test('every full batch is within 1.5 documents of batchSize x share for every domain', () => {
    let worst = 0;
    for (const b of epoch0.filter((x) => x.length === 16)) {
      const c = countBy(b, (i) => docs[i].domain);
      for (const [d, share] of Object.entries(SEED_MIX)) worst = Math.max(worst, Math.abs((c[d] ?? 0) - 16 * share));
    }
    expect(worst).toBeLessThan(1.5);
  });

  test('every batch holds at least 4 documents with a rare entity when the pool allows', () => {
    const rareSet = new Set(RARE.named);
    for (const epoch of [0, 1, 5]) {
      for (const b of sampler.epochBatches(epoch)) {
        const rare = b.filter((i) => docs[i].entities.some((e) => rareSet.has(e))).length;
        expect(rare).toBeGreaterThanOrEqual(Math.min(4, b.length));
      }
    }
    expect(sampler.plan.batchesBelowRareMinimum).toBe(0);
    expect(sampler.plan.repeatsPerEpoch).toBe(0);
  });

  test('deterministic given (seed, epoch): a second instance gives the same batches', () => {
    const again = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, seed: 7 });
    expect(again.epochBatches(3)).toEqual(sampler.epochBatches(3));
    expect(again.epochBatches(0)).toEqual(epoch0);
  });

  test('different epochs and different seeds give different orders', () => {
    const e1 = sampler.epochBatches(1);
    expect(e1).not.toEqual(epoch0);
    expect(e1[0]).not.toEqual(epoch0[0]);
    const other = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, seed: 8 });
    expect(other.epochBatches(0)).not.toEqual(epoch0);
  });

  test('resume at (epoch, batch index) gives exactly the remaining batches of an uninterrupted run', () => {
    const uninterrupted = sampler.epochBatches(2);
    const restarted = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, seed: 7 });
    restarted.epochBatches(5); // whatever it did before does not matter
    expect(restarted.batchesFrom(2, 37)).toEqual(uninterrupted.slice(37));
    expect(restarted.batchesFrom(2, sampler.batchesPerEpoch)).toEqual([]);
    expect(() => restarted.batchesFrom(2, sampler.batchesPerEpoch + 1)).toThrow(HybridocError);
  });

  test('returned batches are copies: mutating them does not change the next call', () => {
    const a = sampler.epochBatches(4);
    a[0][0] = -1;
    expect(sampler.epochBatches(4)[0][0]).not.toBe(-1);
  });
});

describe('DomainBalancedSampler edge cases', () => {
  test('a domain of the mix with no documents: dropped, the others renormalised, still followed', () => {
    const mix = { ...SEED_MIX };
    const docs = corpus(2000, 2, mix).filter((d) => d.domain !== 'pos');
    const s = new DomainBalancedSampler(docs, { domainMix: mix, rare: RARE, seed: 1 });
    expect(s.plan.emptyDomains).toEqual(['pos']);
    expect(s.plan.domainShares.general).toBeCloseTo(0.4 / 0.96, 12);
    const counts = countBy(flat(s.epochBatches(0)), (i) => docs[i].domain);
    expect(counts.pos).toBeUndefined();
    for (const d of Object.keys(s.plan.domainShares)) {
      expect(Math.abs(counts[d] - s.plan.domainShares[d] * s.plan.epochSize)).toBeLessThan(1);
    }
  });

  test('a corpus off the mix: the epoch shrinks to follow the mix, and the over-represented domain rotates between epochs', () => {
    // twice as many general documents as the mix wants
    const docs = [...corpus(500, 3, { general: 1 }), ...corpus(500, 4, { saas: 1 })];
    const s = new DomainBalancedSampler(docs, { domainMix: { general: 0.5, saas: 0.5 }, rare: RARE, seed: 2, minRareDocsPerBatch: 2 });
    expect(s.plan.epochSize).toBe(1000);
    const s2 = new DomainBalancedSampler(docs.slice(0, 750), {
      domainMix: { general: 0.5, saas: 0.5 },
      rare: RARE,
      seed: 2,
      minRareDocsPerBatch: 2,
    });
    // 500 general, 250 saas: 250 / 0.5 = 500 documents per epoch, 250 of each
    expect(s2.plan.epochSize).toBe(500);
    expect(s2.plan.domainCounts).toEqual({ general: 250, saas: 250 });
    const e0 = new Set(flat(s2.epochBatches(0)));
    const e1 = new Set(flat(s2.epochBatches(1)));
    const union = new Set([...e0, ...e1]);
    expect(union.size).toBeGreaterThan(e0.size + 50);
  });

  test('a document whose domain has no share is an error; a share of 0 leaves its documents out', () => {
    const docs = corpus(300, 5, { general: 0.5, saas: 0.5 });
    expect(() => new DomainBalancedSampler(docs, { domainMix: { general: 1 } })).toThrow(/domainMix: no share for domain "saas"/);
    const s = new DomainBalancedSampler(docs, { domainMix: { general: 1, saas: 0 }, rare: RARE, minRareDocsPerBatch: 1 });
    expect(flat(s.epochBatches(0)).every((i) => docs[i].domain === 'general')).toBe(true);
  });

  test('fewer rare documents than needed: spread evenly, none repeated, the shortfall reported', () => {
    const docs = corpus(1600, 6, SEED_MIX, 0.1); // about 160 rare documents for 100 batches x 4
    const rareSet = new Set(RARE.named);
    const isRare = (i: number) => docs[i].entities.some((e) => rareSet.has(e));
    const s = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, seed: 3 });
    const batches = s.epochBatches(0);
    const perBatch = batches.map((b) => b.filter(isRare).length);
    const all = flat(batches);
    expect(new Set(all).size).toBe(all.length);
    // every rare document is in the epoch, once
    expect(all.filter(isRare).length).toBe(docs.filter((_, i) => isRare(i)).length);
    const R = all.filter(isRare).length;
    expect(Math.min(...perBatch)).toBeGreaterThanOrEqual(Math.floor(R / batches.length));
    expect(Math.max(...perBatch) - Math.min(...perBatch)).toBeLessThanOrEqual(1);
    expect(s.plan.batchesBelowRareMinimum).toBe(perBatch.filter((r, b) => r < Math.min(4, batches[b].length)).length);
    expect(s.plan.batchesBelowRareMinimum).toBeGreaterThan(0);
  });

  test('rareOversampling: every batch reaches the minimum by repeating rare documents only, the mix unchanged', () => {
    const docs = corpus(1600, 6, SEED_MIX, 0.1);
    const rareSet = new Set(RARE.named);
    const isRare = (i: number) => docs[i].entities.some((e) => rareSet.has(e));
    const plain = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, seed: 3 });
    const s = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, seed: 3, rareOversampling: true });
    const batches = s.epochBatches(0);
    for (const b of batches) expect(b.filter(isRare).length).toBeGreaterThanOrEqual(Math.min(4, b.length));
    const all = flat(batches);
    const seen = countBy(all, String);
    const repeated = Object.keys(seen)
      .filter((k) => seen[k] > 1)
      .map(Number);
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.every(isRare)).toBe(true);
    expect(all.length - new Set(all).size).toBe(s.plan.repeatsPerEpoch);
    expect(s.plan.batchesBelowRareMinimum).toBe(0);
    expect(countBy(all, (i) => docs[i].domain)).toEqual(countBy(flat(plain.epochBatches(0)), (i) => docs[i].domain));
  });

  test("rare docs only in one small domain: a batch cannot exceed that domain's slots, reported", () => {
    const docs = corpus(800, 9, SEED_MIX, 0).map((d) => (d.domain === 'government' ? { ...d, entities: [...d.entities, 'CAGE_CODE'] } : d));
    const s = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: { named: ['CAGE_CODE'] }, seed: 1, rareOversampling: true });
    const perBatch = s.epochBatches(0).map((b) => b.filter((i) => docs[i].domain === 'government').length);
    expect(Math.max(...perBatch)).toBeLessThanOrEqual(2);
    expect(s.plan.batchesBelowRareMinimum).toBe(s.batchesPerEpoch);
    expect(s.plan.repeatsPerEpoch).toBe(0);
  });

  test('fewer documents than a batch: one partial batch; dropLast refuses', () => {
    const docs = corpus(10, 10, { general: 1 }, 1);
    const s = new DomainBalancedSampler(docs, { domainMix: { general: 1 }, rare: RARE });
    expect(s.epochBatches(0).map((b) => b.length)).toEqual([10]);
    expect(() => new DomainBalancedSampler(docs, { domainMix: { general: 1 }, dropLast: true })).toThrow(/dropLast/);
  });

  test('dropLast: only full batches', () => {
    const docs = corpus(1000, 11);
    const s = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE, dropLast: true });
    expect(s.epochBatches(0).every((b) => b.length === 16)).toBe(true);
    expect(s.plan.epochSize % 16).toBe(0);
  });

  test('rare from frequencies: counted from the documents when no table is given', () => {
    const docs: SamplerDocument[] = [
      ...Array.from({ length: 99 }, () => ({ domain: 'general', entities: ['INVOICE_NUMBER'] })),
      { domain: 'general', entities: ['INVOICE_NUMBER', 'IBAN', 'IBAN'] },
    ];
    expect(countDocumentFrequency(docs)).toEqual({ INVOICE_NUMBER: 100, IBAN: 1 });
    const s = new DomainBalancedSampler(docs, { minRareDocsPerBatch: 1 });
    expect(s.plan.rareEntities).toEqual(['IBAN']);
    expect(s.plan.rareDocuments).toBe(1);
    expect(s.isRare[99]).toBe(true);
  });

  test('bad options: one line naming the option', () => {
    const docs = corpus(50, 12);
    expect(() => new DomainBalancedSampler([], {})).toThrow('sampler: documents: need at least one document');
    expect(() => new DomainBalancedSampler(docs, { batchSize: 0 })).toThrow('sampler: batchSize: must be a positive integer, got 0');
    expect(() => new DomainBalancedSampler(docs, { minRareDocsPerBatch: 17 })).toThrow(
      /minRareDocsPerBatch: must be an integer in \[0, batchSize=16\]/,
    );
    expect(() => new DomainBalancedSampler(docs, { domainMix: { ...SEED_MIX, general: -1 } })).toThrow(
      'sampler: domainMix.general: must be a share >= 0, got -1',
    );
    expect(() => new DomainBalancedSampler(docs, { seed: 1.5 })).toThrow('sampler: seed: must be an integer, got 1.5');
    expect(() => new DomainBalancedSampler(docs, { domainMix: SEED_MIX }).epochBatches(-1)).toThrow(/epoch: must be an integer >= 0/);
  });
});

describe('selectRareEntities', () => {
  test('below the fraction threshold, plus named ones, sorted', () => {
    const freq = { A: 10, B: 19, C: 20, D: 500 };
    expect(selectRareEntities({ documentFrequency: freq, totalDocuments: 1000 })).toEqual(['A', 'B']);
    expect(selectRareEntities({ documentFrequency: freq, totalDocuments: 1000, rareBelow: 0.021, named: ['Z'] })).toEqual([
      'A',
      'B',
      'C',
      'Z',
    ]);
    expect(selectRareEntities({ named: SEED_RARE_ENTITIES })).toEqual(['CAGE_CODE', 'LOT_NUMBER', 'SERIAL_NUMBER']);
  });

  test('a table without its document count is an error', () => {
    expect(() => selectRareEntities({ documentFrequency: { A: 1 } })).toThrow(/totalDocuments: must be a positive number/);
  });
});

describe('ShuffledSampler (the ablation baseline)', () => {
  const s = new ShuffledSampler(100, { batchSize: 16, seed: 4 });

  test('every document exactly once per epoch, in batches of 16 and a last one of 4', () => {
    const b = s.epochBatches(0);
    expect(b.map((x) => x.length)).toEqual([16, 16, 16, 16, 16, 16, 4]);
    expect(flat(b).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(new ShuffledSampler(100, { dropLast: true }).batchesPerEpoch).toBe(6);
  });

  test('deterministic per (seed, epoch), different across epochs, resumable', () => {
    expect(new ShuffledSampler(100, { batchSize: 16, seed: 4 }).epochBatches(3)).toEqual(s.epochBatches(3));
    expect(s.epochBatches(1)).not.toEqual(s.epochBatches(0));
    expect(new ShuffledSampler(100, { batchSize: 16, seed: 5 }).epochBatches(0)).not.toEqual(s.epochBatches(0));
    expect(new ShuffledSampler(100, { batchSize: 16, seed: 4 }).batchesFrom(3, 5)).toEqual(s.epochBatches(3).slice(5));
  });

  test('it does not follow a mix: same interface, plain order', () => {
    const docs = corpus(400, 13);
    const plain = new ShuffledSampler(docs.length);
    const balanced = new DomainBalancedSampler(docs, { domainMix: SEED_MIX, rare: RARE });
    for (const sampler of [plain, balanced]) {
      expect(sampler.batchSize).toBe(16);
      expect(sampler.numDocuments).toBe(400);
      expect(sampler.batchesFrom(0, 1)).toEqual(sampler.epochBatches(0).slice(1));
    }
  });
});
