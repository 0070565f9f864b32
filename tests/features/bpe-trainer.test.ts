import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countWordPieces,
  loadTokenizer,
  trainByteLevelBpe,
  trainByteLevelBpeFromCounts,
  BYTE_TO_CHAR,
  HybridocError,
  seededUniform,
} from '@hybridoc/core';
import { comparisonWords } from './helpers.js';

/** Invoice-like words with a Zipf-ish frequency, plus the varied comparison words. */
function corpus(n: number, seed = 3): string[] {
  const r = seededUniform(seed);
  const common = ['Invoice', 'Total', 'Amount', 'Due', 'Date:', 'VAT', 'Tax', 'Qty', 'Unit', 'Price', 'EUR', 'USD', 'Subtotal', 'Payment'];
  const out: string[] = [...comparisonWords(300)];
  while (out.length < n) {
    const x = r();
    if (x < 0.5) out.push(common[Math.floor(r() * r() * common.length)]);
    else if (x < 0.8) out.push(`${Math.floor(r() * 10000)}.${String(Math.floor(r() * 100)).padStart(2, '0')}`);
    else out.push(`INV-${Math.floor(r() * 100000)}`);
  }
  return out;
}

/** The textbook procedure, recounting every pair before each merge: the reference for the incremental trainer. */
function naiveMerges(counts: Map<string, number>, vocabSize: number, minFrequency: number): string[] {
  const ids = new Map<string, number>(['<s>', '<pad>', '</s>', '<unk>', '<mask>'].map((t, i) => [t, i]));
  const tokens = [...ids.keys()];
  for (const ch of [...BYTE_TO_CHAR].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0))) {
    ids.set(ch, tokens.length);
    tokens.push(ch);
  }
  const words = [...counts].map(([p, c]) => ({ syms: [...p].map((ch) => ids.get(ch)!), c }));
  const merges: string[] = [];
  while (tokens.length < vocabSize) {
    const pc = new Map<string, number>();
    for (const { syms, c } of words)
      for (let i = 0; i + 1 < syms.length; i++) pc.set(`${syms[i]},${syms[i + 1]}`, (pc.get(`${syms[i]},${syms[i + 1]}`) ?? 0) + c);
    let best: [number, number] | null = null;
    let bestC = 0;
    for (const [k, c] of pc) {
      const [a, b] = k.split(',').map(Number);
      if (c > bestC || (c === bestC && best && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestC = c;
      }
    }
    if (!best || bestC < minFrequency) break;
    const [a, b] = best;
    const merged = tokens[a] + tokens[b];
    let n = ids.get(merged);
    if (n === undefined) {
      n = tokens.length;
      ids.set(merged, n);
      tokens.push(merged);
    }
    merges.push(`${tokens[a]} ${tokens[b]}`);
    for (const w of words) {
      const out: number[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === a && w.syms[i + 1] === b) {
          out.push(n);
          i++;
        } else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return merges;
}

describe('byte-level BPE trainer', () => {
  test('incremental pair counts give exactly the merges of full recounting', () => {
    const counts = countWordPieces(corpus(3000));
    const fast = trainByteLevelBpeFromCounts(counts, { vocabSize: 261 + 200, minFrequency: 2 });
    const model = fast.tokenizer.model;
    expect(model.merges).toEqual(naiveMerges(counts, 261 + 200, 2));
    expect(fast.merges).toBe(200);
    expect(fast.vocabSize).toBe(461);
  });

  test('vocabulary layout: <s> <pad> </s> <unk> <mask> at 0..4, then the 256 byte characters', () => {
    const r = trainByteLevelBpe(corpus(2000), { vocabSize: 400 });
    const v = r.tokenizer.model.vocab;
    expect([v['<s>'], v['<pad>'], v['</s>'], v['<unk>'], v['<mask>']]).toEqual([0, 1, 2, 3, 4]);
    for (const ch of BYTE_TO_CHAR) expect(v[ch]).toBeGreaterThanOrEqual(5);
    expect(Math.max(...Object.values(v))).toBe(399);
    expect(new Set(Object.values(v)).size).toBe(400);
    expect(r.tokenizer.pre_tokenizer).toMatchObject({ type: 'ByteLevel', add_prefix_space: true });
    expect(r.tokenizer.decoder).toMatchObject({ type: 'ByteLevel' });
    expect(r.tokenizer.added_tokens.map((t) => [t.content, t.id, t.special])).toEqual([
      ['<s>', 0, true],
      ['<pad>', 1, true],
      ['</s>', 2, true],
      ['<unk>', 3, true],
      ['<mask>', 4, true],
    ]);
  });

  test('round trip: train, save tokenizer.json, load it, encode and decode every word losslessly', () => {
    const words = corpus(6000);
    const r = trainByteLevelBpe(words, { vocabSize: 1000 });
    expect(r.stoppedBy).toBe('vocabSize');
    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-bpe-'));
    const path = join(dir, 'tokenizer.json');
    writeFileSync(path, JSON.stringify(r.tokenizer));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(r.tokenizer);
    const tok = loadTokenizer(path);
    expect([tok.clsId, tok.padId, tok.sepId, tok.unkId, tok.maskId, tok.vocabSize]).toEqual([0, 1, 2, 3, 4, 1000]);
    let tokens = 0;
    let bytes = 0;
    for (const w of words) {
      const ids = tok.encodeWord(w);
      const spaced = w.startsWith(' ') ? w : ' ' + w; // the reference's prefix-space rule
      expect(tok.decode(ids)).toBe(spaced);
      tokens += ids.length;
      bytes += Buffer.byteLength(spaced);
    }
    // Learned merges compress: far fewer tokens than bytes; the most frequent words are single tokens.
    expect(tokens / bytes).toBeLessThan(0.5);
    expect(tok.tokenizeWord('Invoice')).toEqual(['ĠInvoice']);
    expect(tok.tokenizeWord('Total')).toEqual(['ĠTotal']);
    // Text never seen in training still encodes (byte fallback through the 256 byte characters), and round-trips.
    for (const w of ['Zürich', '請求書', '🧾', 'qwxz']) expect(tok.decode(tok.encodeWord(w))).toBe(' ' + w);
    const enc = tok.encodeWords(['Total', '12.50']);
    expect(enc.inputIds[0]).toBe(0);
    expect(enc.inputIds[enc.inputIds.length - 1]).toBe(2);
  });

  test('stops at minFrequency when pairs run out, and rejects a vocabulary smaller than its base', () => {
    const r = trainByteLevelBpe(['abc', 'abc', 'xyz'], { vocabSize: 5000, minFrequency: 2 });
    expect(r.stoppedBy).toBe('minFrequency');
    // " abc" twice: its three pairs tie at count 2, the smallest ids first ("a" < "Ġ"); " xyz" once never merges.
    expect(r.tokenizer.model.merges).toEqual(['a b', 'Ġ ab', 'Ġab c']);
    expect(() => trainByteLevelBpe(['a'], { vocabSize: 100 })).toThrow(HybridocError);
  });
});
