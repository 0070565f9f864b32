/**
 * InvoiceDocument -> model features: token windows with ids, 0..1000 boxes, label ids and word alignment.
 *
 * - Tokens: each word's sub-tokens from `LayoutTokenizer.encodeWord` (blank words give none, so they carry no
 *   label and get no prediction); a window is `<s> tokens </s>`, at most `maxLength` tokens.
 * - Boxes: the word's box normalised by its page size (`normalizeBox`) on every sub-token; [0,0,0,0] on <s>
 *   and </s> (and on padding, see batch.ts), as LayoutLMv3's tokenizer sets them.
 * - Labels: the word's label id on its first sub-token, -100 on the other sub-tokens, on specials, and on
 *   words without a label. Each window's labels then go through `repairBio`, so a window (or page) that
 *   begins inside an entity starts it with B-X, never I-X.
 * - Windows never cross a page: the words of each page (document order) are cut at word boundaries into
 *   windows that share up to `stride` tokens with the previous one; each window carries its page index, and
 *   so its page image. A word longer than a whole window keeps its first maxLength - 2 sub-tokens.
 * - The document's token stream (pages in order, words in document order within a page) gives every window
 *   a range [tokenStart, tokenEnd); `mergeWindowScores` uses it to take each word's scores from the window
 *   whose centre is nearest.
 */
import type { InvoiceDocument } from '../documents/document.js';
import { repairBio, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError, inputError } from '../util/errors.js';
import { normalizeBox } from './boxes.js';
import { IGNORE_LABEL, type LayoutTokenizer } from './tokenizer.js';

export interface FeatureOptions {
  /** tokens per window, <s> and </s> included: the preset's text length (e.g. 256; at most 512 for base) */
  maxLength: number;
  /** tokens consecutive windows of a page share (Hugging Face's `stride`); default floor((maxLength - 2) / 4) */
  stride?: number;
  /** label schema: with it, labelled documents get label ids; without it, labels are all -100 */
  schema?: LabelSchema;
}

export interface FeatureWindow {
  docId: string;
  /** 0-based page index: the page whose image goes with this window */
  page: number;
  /** tokens in the window, <s> and </s> included (before padding) */
  length: number;
  /** [length] */
  inputIds: Int32Array;
  /** [length * 4]: x0, y0, x1, y1 per token, 0..1000 */
  bbox: Int32Array;
  /** [length]: label id on each labelled word's first sub-token, -100 elsewhere */
  labels: Int32Array;
  /** [length]: document word index, -1 on <s> and </s> */
  wordIds: Int32Array;
  /** [length]: 1 on each word's first sub-token (where labels and predictions live) */
  firstSubtoken: Uint8Array;
  /** the window's content tokens are [tokenStart, tokenEnd) of the document's token stream */
  tokenStart: number;
  tokenEnd: number;
}

export interface DocumentFeatures {
  docId: string;
  numWords: number;
  /** content tokens in the document's token stream */
  numTokens: number;
  /** per word: first token in the document's token stream, -1 for a word without tokens */
  wordTokenStart: Int32Array;
  /** per word: tokens kept (0 for blank words) */
  wordTokenCount: Int32Array;
  windows: FeatureWindow[];
  /** true when a schema was given and at least one word has a label */
  labelled: boolean;
}

export function defaultStride(maxLength: number): number {
  return Math.floor((maxLength - 2) / 4);
}

export function featurizeDocument(doc: InvoiceDocument, tokenizer: LayoutTokenizer, options: FeatureOptions): DocumentFeatures {
  const { maxLength, schema } = options;
  const capacity = maxLength - 2;
  if (!Number.isInteger(maxLength) || capacity < 1)
    throw new HybridocError(`features: maxLength must be an integer >= 3, got ${maxLength}`);
  const stride = options.stride ?? defaultStride(maxLength);
  if (!Number.isInteger(stride) || stride < 0 || stride >= capacity) {
    throw new HybridocError(`features: stride must be an integer from 0 to ${capacity - 1} (maxLength - 3), got ${stride}`);
  }
  const where = doc.id || '<document>';
  const numWords = doc.words.length;

  // Per word: token ids (truncated to one window), normalised box, label id.
  const ids: Int32Array[] = new Array(numWords);
  const boxes = new Int32Array(numWords * 4);
  const wordLabels = new Int32Array(numWords).fill(IGNORE_LABEL);
  let labelled = false;
  const byPage: number[][] = doc.pages.map(() => []);
  doc.words.forEach((w, i) => {
    if (!Number.isInteger(w.page) || w.page < 0 || w.page >= doc.pages.length) {
      throw inputError(where, `words[${i}].page`, `page ${w.page} does not exist (document has ${doc.pages.length})`);
    }
    const page = doc.pages[w.page];
    if (!(page.width > 0) || !(page.height > 0))
      throw inputError(where, `pages[${w.page}]`, `page size must be positive, got ${page.width} x ${page.height}`);
    const t = tokenizer.encodeWord(w.text);
    ids[i] = t.length > capacity ? t.subarray(0, capacity) : t;
    boxes.set(normalizeBox(w.box, page.width, page.height), i * 4);
    if (schema && w.label !== undefined) {
      const id = schema.labelIndex.get(w.label);
      if (id === undefined) throw inputError(where, `words[${i}].label`, `unknown label "${w.label}" (not in schema ${schema.name})`);
      wordLabels[i] = id;
      labelled = true;
    }
    byPage[w.page].push(i);
  });

  // The document's token stream: pages in order, words in document order within a page.
  const wordTokenStart = new Int32Array(numWords).fill(-1);
  const wordTokenCount = new Int32Array(numWords);
  let numTokens = 0;
  for (const words of byPage) {
    for (const i of words) {
      wordTokenCount[i] = ids[i].length;
      if (ids[i].length > 0) wordTokenStart[i] = numTokens;
      numTokens += ids[i].length;
    }
  }

  const windows: FeatureWindow[] = [];
  byPage.forEach((words, page) => {
    for (const [s, e] of planPageWindows(
      words.map((i) => ids[i].length),
      capacity,
      stride,
    )) {
      const span = words.slice(s, e);
      const first = span.find((i) => ids[i].length > 0);
      if (first === undefined) continue; // a page (or stretch) with no tokens gives no window
      windows.push(buildWindow(doc.id, page, span, ids, boxes, wordLabels, wordTokenStart[first], tokenizer, schema));
    }
  });
  return { docId: doc.id, numWords, numTokens, wordTokenStart, wordTokenCount, windows, labelled };
}

/**
 * Cut one page's words (their token counts, in order) into windows [start, end) of at most `capacity` tokens,
 * at word boundaries; each next window starts so that it repeats at most `stride` tokens of the previous one
 * (and always at least one word later).
 */
export function planPageWindows(tokenCounts: readonly number[], capacity: number, stride: number): Array<[number, number]> {
  const n = tokenCounts.length;
  const out: Array<[number, number]> = [];
  if (n === 0) return out;
  let s = 0;
  for (;;) {
    let e = s;
    let used = 0;
    while (e < n && used + tokenCounts[e] <= capacity) used += tokenCounts[e++];
    if (e === s) e = s + 1; // cannot happen with per-word truncation to capacity; keeps progress regardless
    out.push([s, e]);
    if (e >= n) return out;
    let next = e;
    let shared = 0;
    while (next - 1 > s && shared + tokenCounts[next - 1] <= stride) shared += tokenCounts[--next];
    s = next;
  }
}

function buildWindow(
  docId: string,
  page: number,
  span: number[],
  ids: Int32Array[],
  boxes: Int32Array,
  wordLabels: Int32Array,
  tokenStart: number,
  tokenizer: LayoutTokenizer,
  schema: LabelSchema | undefined,
): FeatureWindow {
  let content = 0;
  for (const i of span) content += ids[i].length;
  const length = content + 2;
  const inputIds = new Int32Array(length);
  const bbox = new Int32Array(length * 4);
  const labels = new Int32Array(length).fill(IGNORE_LABEL);
  const wordIds = new Int32Array(length).fill(-1);
  const firstSubtoken = new Uint8Array(length);
  inputIds[0] = tokenizer.clsId;
  let p = 1;
  for (const i of span) {
    const t = ids[i];
    for (let k = 0; k < t.length; k++, p++) {
      inputIds[p] = t[k];
      bbox.set(boxes.subarray(i * 4, i * 4 + 4), p * 4);
      wordIds[p] = i;
      if (k === 0) {
        firstSubtoken[p] = 1;
        labels[p] = wordLabels[i];
      }
    }
  }
  inputIds[p] = tokenizer.sepId;
  const repaired = schema ? repairBio(schema, labels, IGNORE_LABEL) : labels;
  return {
    docId,
    page,
    length,
    inputIds,
    bbox,
    labels: repaired,
    wordIds,
    firstSubtoken,
    tokenStart,
    tokenEnd: tokenStart + content,
  };
}

export interface MergedWordScores {
  /** [numWords * numClasses]: each word's scores (its first sub-token's row) from its chosen window; 0 where none */
  scores: Float32Array;
  /** per word: index of the window its scores came from, -1 for words without tokens */
  window: Int32Array;
}

/**
 * Per-word scores for a whole document from per-window scores: each word takes the row of its first sub-token
 * in the window whose centre (middle of [tokenStart, tokenEnd)) is nearest the word's centre; on a tie the
 * earlier window. `perWindowScores[i]` is row-major [rows, numClasses] for `windows[i]`, row 0 = <s>; rows past
 * the window's length (padding) are ignored.
 */
export function mergeWindowScores(
  windows: readonly FeatureWindow[],
  perWindowScores: readonly ArrayLike<number>[],
  numWords: number,
  numClasses: number,
): MergedWordScores {
  if (perWindowScores.length !== windows.length) {
    throw new HybridocError(`mergeWindowScores: ${windows.length} windows but ${perWindowScores.length} score arrays`);
  }
  const scores = new Float32Array(numWords * numClasses);
  const chosen = new Int32Array(numWords).fill(-1);
  const distance = new Float64Array(numWords).fill(Infinity);
  windows.forEach((win, wi) => {
    const s = perWindowScores[wi];
    if (s.length < win.length * numClasses) {
      throw new HybridocError(
        `mergeWindowScores: window ${wi} has ${win.length} tokens but ${s.length} scores (need ${win.length} x ${numClasses})`,
      );
    }
    const centre = (win.tokenStart + win.tokenEnd) / 2;
    for (let p = 1; p < win.length - 1; p++) {
      if (!win.firstSubtoken[p]) continue;
      const w = win.wordIds[p];
      if (w < 0 || w >= numWords) throw new HybridocError(`mergeWindowScores: window ${wi} names word ${w}, outside 0..${numWords - 1}`);
      let q = p + 1;
      while (q < win.length - 1 && win.wordIds[q] === w && !win.firstSubtoken[q]) q++;
      const wordCentre = win.tokenStart + (p - 1) + (q - p) / 2;
      const d = Math.abs(wordCentre - centre);
      if (d < distance[w]) {
        distance[w] = d;
        chosen[w] = wi;
        for (let c = 0; c < numClasses; c++) scores[w * numClasses + c] = s[p * numClasses + c];
      }
    }
  });
  return { scores, window: chosen };
}
