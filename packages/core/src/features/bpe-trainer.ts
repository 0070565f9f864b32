/**
 * Byte-level BPE training for from-scratch presets: learns merges from a corpus of words and returns a
 * Hugging Face `tokenizer.json` that `LayoutTokenizer` (and Hugging Face itself) reads.
 *
 * Same procedure as the Hugging Face BpeTrainer with a ByteLevel pre-tokenizer: every word is pre-tokenised
 * exactly as the tokenizer will encode it (" " + word, GPT-2 regex, bytes -> printable characters); the vocabulary
 * starts with the special tokens (<s>=0, <pad>=1, </s>=2, <unk>=3, <mask>=4, RoBERTa's order) and the 256 byte
 * characters in code-point order; then the most frequent adjacent pair is merged until the vocabulary reaches
 * `vocabSize` or the best pair occurs fewer than `minFrequency` times. Ties go to the smaller (left id, right id).
 * Pair counts are updated incrementally from each merge's neighbours, with a lazily revalidated max-heap, so a
 * merge costs time in proportion to the words that contain the pair, not the corpus.
 */
import { HybridocError } from '../util/errors.js';
import { BYTE_TO_CHAR, byteLevelPieces, isBlankWord } from './byte-level.js';
import { byteLevelBpeTokenizerJson, FROM_SCRATCH_SPECIAL_ORDER, ROBERTA_SPECIAL_TOKENS, type TokenizerJson } from './tokenizer-json.js';

export interface BpeTrainOptions {
  /** final vocabulary size, special tokens and the 256 byte characters included (e.g. 8192) */
  vocabSize: number;
  /** stop when the best pair occurs fewer times than this (default 2) */
  minFrequency?: number;
}

export interface BpeTrainResult {
  tokenizer: TokenizerJson;
  vocabSize: number;
  merges: number;
  /** distinct pre-tokenised pieces trained on */
  pieces: number;
  stoppedBy: 'vocabSize' | 'minFrequency' | 'noPairs';
}

/** Add the byte-level pieces of each word to a piece -> count map (stream a corpus through this). */
export function countWordPieces(words: Iterable<string>, counts: Map<string, number> = new Map()): Map<string, number> {
  const wordCounts = new Map<string, number>();
  for (const w of words) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  for (const [w, n] of wordCounts) {
    if (isBlankWord(w)) continue;
    for (const p of byteLevelPieces(w)) counts.set(p, (counts.get(p) ?? 0) + n);
  }
  return counts;
}

/** Train on a list (or any iterable) of pre-split words. */
export function trainByteLevelBpe(words: Iterable<string>, options: BpeTrainOptions): BpeTrainResult {
  return trainByteLevelBpeFromCounts(countWordPieces(words), options);
}

const PAIR_BASE = 2 ** 21;
const pairKey = (a: number, b: number) => a * PAIR_BASE + b;

/** Train on piece counts from `countWordPieces`. */
export function trainByteLevelBpeFromCounts(counts: Map<string, number>, options: BpeTrainOptions): BpeTrainResult {
  const minFrequency = options.minFrequency ?? 2;
  const base = FROM_SCRATCH_SPECIAL_ORDER.length + 256;
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < base || options.vocabSize >= PAIR_BASE) {
    throw new HybridocError(`BPE training: vocabSize must be an integer from ${base} to ${PAIR_BASE - 1}, got ${options.vocabSize}`);
  }
  const idToToken: string[] = [...FROM_SCRATCH_SPECIAL_ORDER];
  const tokenToId = new Map<string, number>(idToToken.map((t, i) => [t, i]));
  for (const ch of [...BYTE_TO_CHAR].sort((x, y) => x.charCodeAt(0) - y.charCodeAt(0))) {
    tokenToId.set(ch, idToToken.length);
    idToToken.push(ch);
  }

  // Word types as symbol-id arrays with their counts.
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [piece, n] of counts) {
    const syms: number[] = [];
    for (const ch of piece) {
      const id = tokenToId.get(ch);
      if (id === undefined) throw new HybridocError(`BPE training: piece "${piece}" holds a non-byte-level character "${ch}"`);
      syms.push(id);
    }
    words.push(syms);
    freq.push(n);
  }

  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPair = (k: number, delta: number, w: number) => {
    pairCount.set(k, (pairCount.get(k) ?? 0) + delta);
    if (delta > 0) {
      let s = where.get(k);
      if (!s) where.set(k, (s = new Set()));
      s.add(w);
    }
  };
  words.forEach((syms, w) => {
    for (let i = 0; i + 1 < syms.length; i++) addPair(pairKey(syms[i], syms[i + 1]), freq[w], w);
  });
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(c, k);

  const merges: string[] = [];
  let stoppedBy: BpeTrainResult['stoppedBy'] = 'noPairs';
  while (heap.size > 0) {
    if (idToToken.length >= options.vocabSize) {
      stoppedBy = 'vocabSize';
      break;
    }
    const top = heap.pop();
    const current = pairCount.get(top.key) ?? 0;
    if (current !== top.count) {
      if (current > 0) heap.push(current, top.key);
      continue;
    }
    if (current < 1 || current < minFrequency) {
      stoppedBy = 'minFrequency';
      break;
    }
    const a = Math.floor(top.key / PAIR_BASE);
    const b = top.key - a * PAIR_BASE;
    const merged = idToToken[a] + idToToken[b];
    let n = tokenToId.get(merged);
    if (n === undefined) {
      n = idToToken.length;
      idToToken.push(merged);
      tokenToId.set(merged, n);
    }
    merges.push(`${idToToken[a]} ${idToToken[b]}`);

    const touched = new Set<number>();
    for (const w of where.get(top.key) ?? []) {
      const syms = words[w];
      const f = freq[w];
      for (let i = 0; i + 1 < syms.length; i++) {
        if (syms[i] !== a || syms[i + 1] !== b) continue;
        if (i > 0) {
          addPair(pairKey(syms[i - 1], a), -f, w);
          const k = pairKey(syms[i - 1], n);
          addPair(k, f, w);
          touched.add(k);
        }
        syms.splice(i, 2, n);
        if (i + 1 < syms.length) {
          addPair(pairKey(b, syms[i + 1]), -f, w);
          const k = pairKey(n, syms[i + 1]);
          addPair(k, f, w);
          touched.add(k);
        }
      }
    }
    pairCount.delete(top.key);
    where.delete(top.key);
    for (const k of touched) {
      const c = pairCount.get(k) ?? 0;
      if (c > 0) heap.push(c, k);
    }
  }
  if (heap.size === 0 && idToToken.length >= options.vocabSize) stoppedBy = 'vocabSize';

  const vocab: Record<string, number> = {};
  idToToken.forEach((t, i) => (vocab[t] = i));
  return {
    tokenizer: byteLevelBpeTokenizerJson(vocab, merges, ROBERTA_SPECIAL_TOKENS),
    vocabSize: idToToken.length,
    merges: merges.length,
    pieces: words.length,
    stoppedBy,
  };
}

/** Binary max-heap of (count, pair key); equal counts: the smaller key (left id, then right id) first. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): { count: number; key: number } {
    const top = { count: this.counts[0], key: this.keys[0] };
    const lastC = this.counts.pop()!;
    const lastK = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.counts.length && this.above(l, m)) m = l;
        if (r < this.counts.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
