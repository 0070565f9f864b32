import { bootstrapInterval, evaluateDocuments, type EvaluationDocument } from '@hybridoc/core';
import { SeededRandom } from '../../packages/core/src/sampling/seeded-random.js';

/** Synthetic documents: a few entities each, the prediction wrong (type or boundary) with probability `err`. */
function synthetic(n: number, seed: number, err = 0.3, unseen = false): EvaluationDocument[] {
  const rng = new SeededRandom(seed);
  const types = ['INVOICE_NUMBER', 'TOTAL_AMOUNT', 'CAGE_CODE', 'LOT_NUMBER', 'SERIAL_NUMBER'];
  const docs: EvaluationDocument[] = [];
  for (let d = 0; d < n; d++) {
    const gold: string[] = [];
    const pred: string[] = [];
    for (let k = 0; k < 4; k++) {
      // rare ones appear in a third of the documents
      const type = types[k < 2 ? k : 2 + rng.int(3)];
      if (k >= 2 && rng.next() > 0.33) continue;
      gold.push(`B-${type}`, `I-${type}`, 'O');
      const u = rng.next();
      if (u < err / 2) pred.push(`B-${type}`, 'O', 'O');
      else if (u < err) pred.push('O', 'O', 'O');
      else pred.push(`B-${type}`, `I-${type}`, 'O');
    }
    docs.push({ id: `s${seed}-${d}`, domain: 'general', unseenTemplate: unseen, gold, pred });
  }
  return docs;
}

describe('bootstrap intervals', () => {
  test('the same seed gives the same interval; another seed another one', () => {
    const docs = [...synthetic(60, 1), ...synthetic(30, 2, 0.3, true)];
    const a = evaluateDocuments(docs, { bootstrap: { samples: 300, seed: 11 } });
    const b = evaluateDocuments(docs, { bootstrap: { samples: 300, seed: 11 } });
    const c = evaluateDocuments(docs, { bootstrap: { samples: 300, seed: 12 } });
    expect(a.rare.interval).toEqual(b.rare.interval);
    expect(a.crossTemplate!.interval).toEqual(b.crossTemplate!.interval);
    expect(c.rare.interval).not.toEqual(a.rare.interval);
    expect(c.crossTemplate!.interval).not.toEqual(a.crossTemplate!.interval);
    expect(a.rare.interval).toMatchObject({ samples: 300, confidence: 0.95 });
  });

  test('the intervals contain the point estimates and narrow as documents grow', () => {
    const widths: Record<string, number[]> = { rare: [], cross: [] };
    for (const n of [20, 500]) {
      const r = evaluateDocuments([...synthetic(n, 5), ...synthetic(n, 6, 0.3, true)], { bootstrap: { samples: 400, seed: 2 } });
      const rare = r.rare.interval!;
      const cross = r.crossTemplate!.interval!;
      expect(rare.low).toBeLessThanOrEqual(r.rare.macroF1);
      expect(rare.high).toBeGreaterThanOrEqual(r.rare.macroF1);
      expect(cross.low).toBeLessThanOrEqual(r.crossTemplate!.micro.f1);
      expect(cross.high).toBeGreaterThanOrEqual(r.crossTemplate!.micro.f1);
      expect(rare.low).toBeLessThan(rare.high);
      widths.rare.push(rare.high - rare.low);
      widths.cross.push(cross.high - cross.low);
    }
    // 25x the documents: about 5x narrower
    expect(widths.rare[1]).toBeLessThan(widths.rare[0] / 2.5);
    expect(widths.cross[1]).toBeLessThan(widths.cross[0] / 2.5);
  });

  test('a perfect prediction has the degenerate interval [1, 1]', () => {
    const docs = synthetic(30, 8, 0);
    const r = evaluateDocuments(docs, { bootstrap: { samples: 100 } });
    expect(r.rare.macroF1).toBe(1);
    expect(r.rare.interval).toMatchObject({ low: 1, high: 1 });
  });

  test('bootstrap of a mean matches the normal approximation mean +- 1.96 sd / sqrt(n)', () => {
    const rng = new SeededRandom(42);
    const values = Array.from({ length: 400 }, () => rng.next());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    const iv = bootstrapInterval(
      values.length,
      (idx) => {
        let s = 0;
        for (const i of idx) s += values[i];
        return s / idx.length;
      },
      { samples: 2000, seed: 1 },
    )!;
    const half = (1.96 * sd) / Math.sqrt(values.length);
    expect((iv.high - iv.low) / (2 * half)).toBeGreaterThan(0.85);
    expect((iv.high - iv.low) / (2 * half)).toBeLessThan(1.15);
    expect(Math.abs((iv.high + iv.low) / 2 - mean)).toBeLessThan(half * 0.2);
  });

  test('undefined resamples are skipped and counted; no documents gives null', () => {
    let calls = 0;
    const iv = bootstrapInterval(10, () => (calls++ % 2 === 0 ? null : 0.5), { samples: 100 });
    expect(iv).toMatchObject({ low: 0.5, high: 0.5, samples: 100, skipped: 50 });
    expect(bootstrapInterval(0, () => 1)).toBeNull();
  });
});
