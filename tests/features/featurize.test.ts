import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import {
  collateWindows,
  featurizeDocument,
  loadDocumentPageImages,
  loadLabelSchema,
  LayoutTokenizer,
  mergeWindowScores,
  normalizeBox,
  planPageWindows,
  trainByteLevelBpe,
  HybridocError,
  type Box,
  type FeatureWindow,
  type InvoiceDocument,
  type Word,
} from '@hybridoc/core';

const schema = loadLabelSchema();
const MAX_LEN = 16;
const STRIDE = 4;
const LONG_WORD = 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung';
const ADDRESS = '12 Harbour Road Unit 4 Westgate Industrial Estate Port Talbot SA13 2XX United Kingdom'.split(' ');

/** Two pages: page 0 has long, empty, whitespace-only and out-of-page words and an address that runs onto page 1. */
function makeDoc(): InvoiceDocument {
  const words: Word[] = [];
  const add = (text: string, page: number, box: Box, label = 'O') => words.push({ text, page, box, label });
  let y = 40;
  const line = () => {
    y += 20;
    return [50, y, 150, y + 12] as Box;
  };
  add('INVOICE', 0, line(), 'B-DOC_TYPE');
  add('No.', 0, line());
  add('INV-2024/0042', 0, line(), 'B-INVOICE_NUMBER');
  add('', 0, line());
  add('   ', 0, line());
  add(LONG_WORD, 0, line());
  add('Edge', 0, [-20, 790, 650, 830]); // leaves a 600 x 800 page on three sides
  add('Supplier:', 0, line());
  ADDRESS.slice(0, 11).forEach((w, i) => add(w, 0, line(), i === 0 ? 'B-SUPPLIER_ADDRESS' : 'I-SUPPLIER_ADDRESS'));
  y = 40;
  ADDRESS.slice(11).forEach((w) => add(w, 1, line(), 'I-SUPPLIER_ADDRESS')); // page 1 begins inside the entity
  add('Total', 1, line());
  add('€1.234,56', 1, line(), 'B-TOTAL_AMOUNT');
  for (let i = 0; i < 12; i++) add(`item${i}`, 1, line());
  return {
    id: 'doc-1',
    pages: [
      { width: 600, height: 800 },
      { width: 500, height: 1000 },
    ],
    words,
  };
}

let tok: LayoutTokenizer;
let doc: InvoiceDocument;

beforeAll(() => {
  doc = makeDoc();
  const corpus = [...doc.words.map((w) => w.text), ...'Invoice Total Amount Supplier Road Unit item item item'.split(' ')];
  tok = new LayoutTokenizer(trainByteLevelBpe(corpus, { vocabSize: 340 }).tokenizer);
});

describe('featurizeDocument', () => {
  test('windows: <s> ... </s>, at most maxLength tokens, never across a page, boxes per word, specials [0,0,0,0]', () => {
    const f = featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride: STRIDE, schema });
    expect(f.windows.length).toBeGreaterThan(3);
    expect(new Set(f.windows.map((w) => w.page))).toEqual(new Set([0, 1]));
    for (const w of f.windows) {
      expect(w.length).toBeLessThanOrEqual(MAX_LEN);
      expect(w.inputIds[0]).toBe(tok.clsId);
      expect(w.inputIds[w.length - 1]).toBe(tok.sepId);
      expect(Array.from(w.bbox.subarray(0, 4))).toEqual([0, 0, 0, 0]);
      expect(Array.from(w.bbox.subarray((w.length - 1) * 4))).toEqual([0, 0, 0, 0]);
      expect([w.wordIds[0], w.wordIds[w.length - 1]]).toEqual([-1, -1]);
      for (let p = 1; p < w.length - 1; p++) {
        const word = doc.words[w.wordIds[p]];
        expect(word.page).toBe(w.page);
        const page = doc.pages[word.page];
        expect(Array.from(w.bbox.subarray(p * 4, p * 4 + 4))).toEqual(normalizeBox(word.box, page.width, page.height));
      }
      expect(w.tokenEnd - w.tokenStart).toBe(w.length - 2);
    }
  });

  test('out-of-page boxes are clipped to 0..1000; boxes use their own page size', () => {
    expect(normalizeBox([-20, 790, 650, 830], 600, 800)).toEqual([0, 987, 1000, 1000]);
    expect(normalizeBox([650, 10, -5, 5], 600, 800)).toEqual([0, 6, 1000, 12]); // corners reordered
    const f = featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride: STRIDE, schema });
    const edge = doc.words.findIndex((w) => w.text === 'Edge');
    const win = f.windows.find((w) => w.wordIds.includes(edge))!;
    const p = win.wordIds.indexOf(edge);
    expect(Array.from(win.bbox.subarray(p * 4, p * 4 + 4))).toEqual([0, 987, 1000, 1000]);
    const total = doc.words.findIndex((w) => w.text === 'Total'); // page 1 is 500 x 1000
    const w2 = f.windows.find((w) => w.wordIds.includes(total))!;
    const q = w2.wordIds.indexOf(total);
    expect(Array.from(w2.bbox.subarray(q * 4, q * 4 + 4))).toEqual(normalizeBox(doc.words[total].box, 500, 1000));
  });

  test('empty and whitespace-only words get no tokens; a word longer than a window keeps maxLength - 2 tokens', () => {
    const f = featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride: STRIDE, schema });
    for (const i of [3, 4]) {
      expect(f.wordTokenCount[i]).toBe(0);
      expect(f.wordTokenStart[i]).toBe(-1);
      expect(f.windows.some((w) => w.wordIds.includes(i))).toBe(false);
    }
    const long = doc.words.findIndex((w) => w.text === LONG_WORD);
    expect(tok.encodeWord(LONG_WORD).length).toBeGreaterThan(MAX_LEN - 2);
    expect(f.wordTokenCount[long]).toBe(MAX_LEN - 2);
    const win = f.windows.filter((w) => w.wordIds.includes(long));
    expect(win.length).toBe(1);
    expect(win[0].length).toBe(MAX_LEN);
    expect(Array.from(win[0].inputIds.subarray(1, MAX_LEN - 1))).toEqual(Array.from(tok.encodeWord(LONG_WORD).subarray(0, MAX_LEN - 2)));
    // every other word is in some window, with its label on its first sub-token
    doc.words.forEach((w, i) => {
      if (w.text.trim() === '') return;
      expect(f.windows.some((x) => x.wordIds.includes(i))).toBe(true);
    });
  });

  test('labels on first sub-tokens only; a window or page that begins inside an entity starts with B-X', () => {
    const f = featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride: STRIDE, schema });
    const B = schema.labelIndex.get('B-SUPPLIER_ADDRESS')!;
    const I = schema.labelIndex.get('I-SUPPLIER_ADDRESS')!;
    let relabelledInPage = 0;
    let relabelledAtPageStart = 0;
    for (const w of f.windows) {
      let firstLabelled = true;
      for (let p = 0; p < w.length; p++) {
        if (!w.firstSubtoken[p]) {
          expect(w.labels[p]).toBe(-100);
          continue;
        }
        const gold = schema.labelIndex.get(doc.words[w.wordIds[p]].label!)!;
        if (firstLabelled && gold === I) {
          expect(w.labels[p]).toBe(B);
          if (w.page === 1 && w.tokenStart === f.wordTokenStart[doc.words.findIndex((x) => x.page === 1)]) relabelledAtPageStart++;
          else relabelledInPage++;
        } else expect(w.labels[p]).toBe(gold);
        firstLabelled = false;
      }
    }
    expect(relabelledInPage).toBeGreaterThan(0);
    expect(relabelledAtPageStart).toBe(1);
    // No window's label sequence starts an entity with I-X.
    for (const w of f.windows) {
      const seq = Array.from(w.labels).filter((l) => l !== -100);
      seq.forEach((l, k) => {
        const e = schema.labelToEntity[l];
        if (e >= 0 && l === schema.bioPairs[e][1]) expect(schema.labelToEntity[seq[k - 1]]).toBe(e);
      });
    }
  });

  test('stride: consecutive windows of a page share at most `stride` tokens and always move forward', () => {
    for (const stride of [0, 4, 9]) {
      const f = featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride, schema });
      for (let i = 1; i < f.windows.length; i++) {
        const [a, b] = [f.windows[i - 1], f.windows[i]];
        if (a.page !== b.page) continue;
        expect(b.tokenStart).toBeGreaterThan(a.tokenStart);
        expect(Math.max(0, a.tokenEnd - b.tokenStart)).toBeLessThanOrEqual(stride);
        if (stride === 0) expect(b.tokenStart).toBe(a.tokenEnd);
      }
    }
    expect(planPageWindows([3, 3, 3, 3, 3], 7, 3)).toEqual([
      [0, 2],
      [1, 3],
      [2, 4],
      [3, 5],
    ]);
    expect(planPageWindows([3, 3, 3, 3, 3], 7, 0)).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(() => featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride: MAX_LEN - 2 })).toThrow(HybridocError);
  });

  test('without a schema or labels, labels are all -100; bad input names the document, key and problem', () => {
    const f = featurizeDocument(doc, tok, { maxLength: 64 });
    expect(f.labelled).toBe(false);
    expect(f.windows.every((w) => w.labels.every((l) => l === -100))).toBe(true);
    const bad = { ...doc, words: [{ text: 'x', page: 0, box: [0, 0, 1, 1] as Box, label: 'B-NOPE' }] };
    expect(() => featurizeDocument(bad, tok, { maxLength: 64, schema })).toThrow('doc-1: words[0].label: unknown label "B-NOPE"');
    const offPage = { ...doc, words: [{ text: 'x', page: 2, box: [0, 0, 1, 1] as Box }] };
    expect(() => featurizeDocument(offPage, tok, { maxLength: 64 })).toThrow('doc-1: words[0].page: page 2 does not exist');
  });
});

describe('mergeWindowScores', () => {
  test('each word takes its first sub-token row from the window whose centre is nearest', () => {
    const f = featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride: 9, schema });
    const C = 3;
    // Row p of window wi holds [wi, p, word]: the merged scores say where they came from.
    const scores = f.windows.map((w, wi) => {
      const s = new Float32Array((w.length + 5) * C); // + padding rows, ignored
      for (let p = 0; p < w.length; p++) s.set([wi, p, w.wordIds[p]], p * C);
      return s;
    });
    const merged = mergeWindowScores(f.windows, scores, doc.words.length, C);
    let contested = 0;
    doc.words.forEach((_, i) => {
      const holders = f.windows.map((w, wi) => [w, wi] as const).filter(([w]) => w.wordIds.includes(i));
      if (holders.length === 0) {
        expect(merged.window[i]).toBe(-1);
        expect(Array.from(merged.scores.subarray(i * C, i * C + C))).toEqual([0, 0, 0]);
        return;
      }
      if (holders.length > 1) contested++;
      const centre = f.wordTokenStart[i] + f.wordTokenCount[i] / 2;
      const dist = ([w]: readonly [FeatureWindow, number]) => Math.abs(centre - (w.tokenStart + w.tokenEnd) / 2);
      const best = holders.reduce((a, b) => (dist(b) < dist(a) ? b : a));
      expect(merged.window[i]).toBe(best[1]);
      const p = best[0].wordIds.indexOf(i);
      expect(Array.from(merged.scores.subarray(i * C, i * C + C))).toEqual([best[1], p, i]);
    });
    expect(contested).toBeGreaterThan(3);
  });

  test('hand example: a word in the overlap goes to the nearer centre', () => {
    const win = (tokenStart: number, words: number[], counts: number[]): FeatureWindow => {
      const wordIds = [-1];
      const first = [0];
      words.forEach((w, k) => {
        for (let j = 0; j < counts[k]; j++) {
          wordIds.push(w);
          first.push(j === 0 ? 1 : 0);
        }
      });
      wordIds.push(-1);
      first.push(0);
      const n = wordIds.length;
      return {
        docId: 'd',
        page: 0,
        length: n,
        inputIds: new Int32Array(n),
        bbox: new Int32Array(n * 4),
        labels: new Int32Array(n).fill(-100),
        wordIds: Int32Array.from(wordIds),
        firstSubtoken: Uint8Array.from(first),
        tokenStart,
        tokenEnd: tokenStart + n - 2,
      };
    };
    // window A: tokens 0..9 (words 0..5, centre 5); window B: tokens 6..17 (words 3..8, centre 12)
    const counts = [2, 2, 2, 1, 2, 1, 2, 3, 3];
    const A = win(0, [0, 1, 2, 3, 4, 5], counts.slice(0, 6));
    const B = win(6, [3, 4, 5, 6, 7, 8], counts.slice(3, 9));
    const rows = (w: FeatureWindow, v: number) => Float32Array.from({ length: w.length }, () => v);
    const m = mergeWindowScores([A, B], [rows(A, 1), rows(B, 2)], 9, 1);
    // word 3 = token 6 (centre 6.5: A, 1.5 vs 5.5), word 4 = tokens 7-8 (centre 8: A, 3 vs 4), word 5 = token 9 (9.5: B, 4.5 vs 2.5)
    expect(Array.from(m.window)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(m.scores)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(() => mergeWindowScores([A], [new Float32Array(2)], 9, 1)).toThrow(/scores/);
  });
});

describe('page images and batching', () => {
  test("tokens of page 2 are paired with page 2's pixels", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-pages-'));
    const draw = (name: string, w: number, h: number, colour: string) => {
      const c = createCanvas(w, h);
      const ctx = c.getContext('2d');
      ctx.fillStyle = colour;
      ctx.fillRect(0, 0, w, h);
      writeFileSync(join(dir, name), c.toBuffer('image/png'));
    };
    draw('p0.png', 300, 400, '#ff0000');
    draw('p1.png', 250, 350, '#0000ff');
    const withImages: InvoiceDocument = {
      ...doc,
      pages: [
        { ...doc.pages[0], image: 'p0.png' },
        { ...doc.pages[1], image: join(dir, 'p1.png') },
      ],
    };
    const S = 32;
    const images = await loadDocumentPageImages(withImages, dir, S);
    expect(images.map((x) => x.length)).toEqual([3 * S * S, 3 * S * S]);
    const f = featurizeDocument(withImages, tok, { maxLength: MAX_LEN, stride: STRIDE, schema });
    const batch = collateWindows(f.windows, { padId: tok.padId, seqLen: MAX_LEN, pixelValues: (w) => images[w.page], imageSize: S });
    const plane = S * S;
    f.windows.forEach((w, b) => {
      const px = batch.pixelValues!.subarray(b * 3 * plane, (b + 1) * 3 * plane);
      const [r, g, bl] = [0, 1, 2].map((c) => px.subarray(c * plane, (c + 1) * plane));
      const expectRgb = w.page === 0 ? [1, -1, -1] : [-1, -1, 1];
      expect([r, g, bl].map((ch) => [Math.min(...ch), Math.max(...ch)])).toEqual(expectRgb.map((v) => [v, v]));
      for (let p = 0; p < w.length; p++) if (w.wordIds[p] >= 0) expect(withImages.words[w.wordIds[p]].page).toBe(w.page);
    });
    expect(f.windows.some((w) => w.page === 1)).toBe(true);
    const noImage: InvoiceDocument = { ...doc, pages: [{ ...doc.pages[0], image: 'p0.png' }, doc.pages[1]] };
    await expect(loadDocumentPageImages(noImage, dir, S)).rejects.toThrow('doc-1: pages[1].image: the page has no image');
    const missing: InvoiceDocument = {
      ...doc,
      pages: [
        { ...doc.pages[0], image: 'nope.png' },
        { ...doc.pages[1], image: 'p1.png' },
      ],
    };
    await expect(loadDocumentPageImages(missing, dir, S)).rejects.toThrow(/nope.png: cannot read page image \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.png'), 'not a png');
    const corrupt: InvoiceDocument = {
      ...doc,
      pages: [
        { ...doc.pages[0], image: 'bad.png' },
        { ...doc.pages[1], image: 'p1.png' },
      ],
    };
    await expect(loadDocumentPageImages(corrupt, dir, S)).rejects.toThrow(/bad.png: cannot decode page image/);
  });

  test('collateWindows pads on the right with <pad>, box 0, label -100, mask 0; int64 inputs', () => {
    const f = featurizeDocument(doc, tok, { maxLength: MAX_LEN, stride: STRIDE, schema });
    const L = 20;
    const batch = collateWindows(f.windows, { padId: tok.padId, seqLen: L });
    expect(batch.batchSize).toBe(f.windows.length);
    expect(batch.seqLen).toBe(L);
    expect(batch.inputIds).toBeInstanceOf(BigInt64Array);
    expect([batch.inputIds.length, batch.attentionMask.length, batch.bbox.length, batch.labels.length]).toEqual([
      f.windows.length * L,
      f.windows.length * L,
      f.windows.length * L * 4,
      f.windows.length * L,
    ]);
    f.windows.forEach((w, b) => {
      for (let t = 0; t < L; t++) {
        const i = b * L + t;
        if (t < w.length) {
          expect([batch.inputIds[i], batch.attentionMask[i], batch.labels[i]]).toEqual([BigInt(w.inputIds[t]), 1n, BigInt(w.labels[t])]);
          expect(Array.from(batch.bbox.subarray(i * 4, i * 4 + 4), Number)).toEqual(Array.from(w.bbox.subarray(t * 4, t * 4 + 4)));
          expect(batch.wordIds[i]).toBe(w.wordIds[t]);
        } else {
          expect([batch.inputIds[i], batch.attentionMask[i], batch.labels[i]]).toEqual([BigInt(tok.padId), 0n, -100n]);
          expect(Array.from(batch.bbox.subarray(i * 4, i * 4 + 4), Number)).toEqual([0, 0, 0, 0]);
          expect([batch.wordIds[i], batch.firstSubtoken[i]]).toEqual([-1, 0]);
        }
      }
    });
    expect(collateWindows(f.windows, { padId: 1 }).seqLen).toBe(Math.max(...f.windows.map((w) => w.length)));
    expect(() => collateWindows(f.windows, { padId: 1, seqLen: 4 })).toThrow(/more than seqLen/);
  });
});
