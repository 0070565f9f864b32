import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  detectInputKind,
  documentProblems,
  HybridocError,
  loadDocument,
  loadLabelSchema,
  parseNativeDocument,
  parseNativeDocumentsJsonl,
  sortByReadingOrder,
  validateDocument,
  type InvoiceDocument,
} from '@hybridoc/core';

const schema = loadLabelSchema();

function goodDocument(): InvoiceDocument {
  return {
    id: 'inv-1',
    domain: 'general',
    pages: [{ width: 595, height: 842 }],
    words: [
      { text: 'Total', box: [400, 700, 430, 712], page: 0, label: 'O' },
      { text: 'EUR', box: [440, 700, 465, 712], page: 0, label: 'B-TOTAL_AMOUNT' },
      { text: '149.50', box: [470, 700, 510, 712], page: 0, label: 'I-TOTAL_AMOUNT' },
    ],
    fields: { TOTAL_AMOUNT: ['EUR 149.50'] },
  };
}

describe('native document validation', () => {
  it('accepts a well-formed document', () => {
    expect(documentProblems(goodDocument(), 'a.json', { schema })).toEqual([]);
    expect(validateDocument(goodDocument(), 'a.json', { schema }).id).toBe('inv-1');
  });

  it('reports each problem as one `file: key: problem` line', () => {
    const doc = goodDocument() as unknown as { words: Array<Record<string, unknown>>; pages: Array<Record<string, unknown>> };
    doc.words[0].box = [430, 700, 400, 712];
    doc.words[1].box = [440, 700, 465, Number.NaN];
    doc.words[2].box = [470, 700, 9000, 712];
    doc.words.push({ text: '  ', box: [1, 1, 2, 2], page: 3 });
    doc.words.push({ text: 'x', box: [1, 1, 2], page: 0, label: 'I-DUE_DATE' });
    expect(documentProblems(doc, 'a.json', { schema })).toEqual([
      'a.json: words[0].box: x1 < x0 (400 < 430)',
      'a.json: words[1].box: y1 is not a finite number (NaN)',
      'a.json: words[2].box: absurd box [470, 700, 9000, 712]: outside its 595 x 842 page',
      'a.json: words[3].text: empty word (no visible characters)',
      'a.json: words[3].page: page 3 does not exist (the document has 1 page)',
      'a.json: words[4].box: expected [x0, y0, x1, y1], got a list of 3',
      'a.json: words[4].label: I-DUE_DATE does not continue a B-DUE_DATE or I-DUE_DATE (BIO order)',
    ]);
  });

  it('refuses zero words, huge and empty pages, unknown labels and entities', () => {
    expect(documentProblems({ id: 'x', pages: [{ width: 100, height: 100 }], words: [] }, 'b.json')).toEqual([
      'b.json: words: zero words: the document has no text to label',
    ]);
    expect(documentProblems({ id: 'x', pages: [{ width: 1e6, height: 0 }], words: [] }, 'c.json', { requireWords: false })).toEqual([
      'c.json: pages[0].width: huge page: 1000000 page units (the limit is 14400)',
      'c.json: pages[0].height: must be positive, got 0',
    ]);
    expect(documentProblems({ id: 'x', pages: [], words: [] }, 'd.json', { requireWords: false })).toEqual([
      'd.json: pages: the document has no pages',
    ]);
    const doc = goodDocument();
    doc.words[1].label = 'B-TOTAL';
    doc.fields = { TOTAL: ['1'] };
    expect(documentProblems(doc, 'e.json', { schema })).toEqual([
      'e.json: words[1].label: unknown label "B-TOTAL" (not in schema invoice-80)',
      'e.json: words[2].label: I-TOTAL_AMOUNT does not continue a B-TOTAL_AMOUNT or I-TOTAL_AMOUNT (BIO order)',
      'e.json: fields.TOTAL: unknown entity "TOTAL" (not in invoice-80)',
    ]);
    expect(documentProblems([1, 2], 'f.json')).toEqual(['f.json: expected a document object, got a list']);
  });

  it('throws one HybridocError holding every line (capped), for the batch to report per file', () => {
    const doc = goodDocument();
    doc.words = Array.from({ length: 30 }, () => ({ text: 'w', box: [10, 10, 5, 12], page: 0 }) as InvoiceDocument['words'][number]);
    let err: unknown;
    try {
      validateDocument(doc, 'g.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HybridocError);
    const lines = (err as Error).message.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('g.json: words[0].box: x1 < x0 (5 < 10)');
    expect(lines[20]).toBe('g.json: ... and 10 more problems');
  });

  it('parses JSON text: overflowing numbers are non-finite, syntax errors name the file', () => {
    const text = JSON.stringify(goodDocument()).replace('"box":[400,700,430,712]', '"box":[400,700,1e999,712]');
    expect(() => parseNativeDocument(text, 'h.json')).toThrow('h.json: words[0].box: x1 is not a finite number (Infinity)');
    expect(() => parseNativeDocument('{\n  "id": "x",\n  "pages": [,]\n}', 'i.json')).toThrow(/^i\.json: not valid JSON: Unexpected token/);
    const two = [goodDocument(), { ...goodDocument(), id: 'inv-2' }].map((d) => JSON.stringify(d)).join('\n\n');
    expect(parseNativeDocumentsJsonl(two, 'k.jsonl').map((d) => d.id)).toEqual(['inv-1', 'inv-2']);
    expect(() => parseNativeDocumentsJsonl(two + '\n{"id": 5}', 'k.jsonl')).toThrow(/^k\.jsonl:4: id: expected a non-empty string/);
  });

  it('loadDocument reads a native document by content, whatever its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hybridoc-native-'));
    writeFileSync(join(dir, 'doc.pdf'), '\uFEFF  ' + JSON.stringify(goodDocument()));
    const doc = await loadDocument(join(dir, 'doc.pdf'));
    expect(doc.words.map((w) => w.label)).toEqual(['O', 'B-TOTAL_AMOUNT', 'I-TOTAL_AMOUNT']);
    await expect(loadDocument(Buffer.from(JSON.stringify({ ...goodDocument(), words: [] })), { name: 'mem.json' })).rejects.toThrow(
      'mem.json: words: zero words: the document has no text to label',
    );
    await expect(loadDocument(join(dir, 'missing.json'))).rejects.toThrow(`${join(dir, 'missing.json')}: no such file`);
    await expect(loadDocument(dir)).rejects.toThrow(`${dir}: is a directory, not a file`);
  });
});

describe('input kind by magic bytes', () => {
  it('tells PDF, images and JSON apart by content', () => {
    const b = (...v: number[]) => new Uint8Array(v);
    const s = (t: string) => new Uint8Array(Buffer.from(t, 'latin1'));
    expect(detectInputKind(s('%PDF-1.7\n'))).toBe('pdf');
    expect(detectInputKind(s('junk before header %PDF-1.4'))).toBe('pdf');
    expect(detectInputKind(b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('png');
    expect(detectInputKind(b(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(detectInputKind(s('II*\0'))).toBe('tiff');
    expect(detectInputKind(s('MM\0*'))).toBe('tiff');
    expect(detectInputKind(s('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(detectInputKind(s('GIF89a'))).toBe('gif');
    expect(detectInputKind(s(' \n {"id":1}'))).toBe('json');
    expect(detectInputKind(s('hello'))).toBeNull();
    expect(detectInputKind(new Uint8Array(0))).toBeNull();
  });
});

describe('reading order', () => {
  it('sorts boxes into rows top to bottom, left to right, tolerating uneven tops; a tall box keeps its own row', () => {
    const items = [
      { t: 'amount', box: [300, 102, 340, 114] as [number, number, number, number] },
      { t: 'second', box: [10, 130, 60, 142] as [number, number, number, number] },
      { t: 'label', box: [10, 100, 60, 112] as [number, number, number, number] },
      { t: 'tall', box: [400, 95, 450, 160] as [number, number, number, number] },
    ];
    expect(sortByReadingOrder(items, (i) => i.box).map((i) => i.t)).toEqual(['tall', 'label', 'amount', 'second']);
  });
});
