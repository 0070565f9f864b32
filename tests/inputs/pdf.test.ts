import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DocumentLoader, HybridocError, readPdf, type InvoiceDocument, type LoadedDocument } from '@hybridoc/core';

const FIXTURES = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../fixtures/inputs/pdf');
const fixture = (name: string) => join(FIXTURES, name);

interface ExpectedWord {
  text: string;
  page: number;
  box: [number, number, number, number];
  carrier?: string;
}
const expected = JSON.parse(readFileSync(fixture('invoice.expected.json'), 'utf8')) as {
  pageSize: [number, number];
  words: ExpectedWord[];
};

function expectMatchesSource(doc: InvoiceDocument, tolerance: number, words: ExpectedWord[] = expected.words) {
  expect(doc.pages.map((p) => [p.width, p.height])).toEqual([expected.pageSize, expected.pageSize]);
  expect(doc.words.map((w) => w.text)).toEqual(words.map((w) => w.text));
  let worst = 0;
  doc.words.forEach((w, i) => {
    expect(w.page).toBe(words[i].page);
    for (let j = 0; j < 4; j++) worst = Math.max(worst, Math.abs(w.box[j] - words[i].box[j]));
  });
  expect(worst).toBeLessThanOrEqual(tolerance);
  return worst;
}

describe('PDF input (pdfjs-dist): words and boxes from the text layer', () => {
  let invoice: LoadedDocument;
  beforeAll(async () => {
    invoice = await readPdf(readFileSync(fixture('invoice.pdf')), fixture('invoice.pdf'), { detectQr: true });
  });

  it('extracts the words of a Ghostscript PDF (fonts embedded) in order, boxes within 2 points of the source', () => {
    const { document, pageImages, pageSources } = invoice;
    expect(pageSources).toEqual(['text-layer', 'text-layer']);
    const worst = expectMatchesSource(document, 2);
    if (process.env.HYBRIDOC_PRINT_METRICS) console.log(`invoice.pdf: worst box difference ${worst.toFixed(3)} pt`);
    // each page rendered at 2 pixels per point
    expect(pageImages.map((p) => p && [p.raster.width, p.raster.height, p.scale])).toEqual([
      [840, 1190, 2],
      [840, 1190, 2],
    ]);
    // the page is really drawn: dark ink where the title is, white paper far from any word
    const r = pageImages[0]!.raster;
    const title = expected.words[0].box.map((v) => Math.round(v * 2));
    let ink = 0;
    for (let y = title[1]; y < title[3]; y++) for (let x = title[0]; x < title[2]; x++) if (r.data[(y * r.width + x) * 4] < 128) ink++;
    expect(ink).toBeGreaterThan(50);
    expect(Array.from(r.data.subarray((1100 * r.width + 100) * 4, (1100 * r.width + 100) * 4 + 4))).toEqual([255, 255, 255, 255]);
  });

  it('reads the same words from the PDF without embedded fonts (standard 14 font data from pdfjs-dist)', async () => {
    const { document } = await readPdf(readFileSync(fixture('invoice-plain.pdf')), 'invoice-plain.pdf', { render: false, detectQr: false });
    expectMatchesSource(
      document,
      2,
      expected.words.filter((w) => w.carrier !== 'qr'),
    );
  });

  it('decodes the QR symbol drawn on page 1 into one word boxed by the symbol, placed by position', () => {
    const { document } = invoice;
    const q = expected.words.find((w) => w.carrier === 'qr')!;
    const found = document.words.filter((w) => w.text === q.text);
    expect(found).toHaveLength(1);
    expect(found[0].page).toBe(0);
    for (let j = 0; j < 4; j++) expect(Math.abs(found[0].box[j] - q.box[j])).toBeLessThanOrEqual(2);
    expect(document.words.indexOf(found[0])).toBe(expected.words.indexOf(q));
  });

  it('joins the pieces of a word drawn apart by a kern, and keeps words apart by a gap', async () => {
    const { document } = await readPdf(readFileSync(fixture('kerned.pdf')), 'kerned.pdf', { render: false });
    expect(document.words.map((w) => w.text)).toEqual(['Total', 'Due', 'Now', 'A', 'B']);
    // Helvetica 12 pt: "Tot" 17.34 + 0.6 kern + "al" 9.336 wide (AFM widths T 611, o 556, t 278, a 556, l 222)
    expect(document.words[0].box[0]).toBeCloseTo(20, 1);
    expect(document.words[0].box[2]).toBeCloseTo(20 + 17.34 + 0.6 + 9.336, 1);
  });

  it('gives each page its own words, page index and reading order', async () => {
    const { document } = await readPdf(readFileSync(fixture('invoice.pdf')), 'invoice.pdf', { render: false });
    const page2 = document.words.filter((w) => w.page === 1).map((w) => w.text);
    expect(page2.slice(0, 5)).toEqual(['Payment', 'terms:', 'Net', '30', 'days']);
    expect(document.words.findIndex((w) => w.page === 1)).toBe(expected.words.findIndex((w) => w.page === 1) - 1); // no QR without rendering
    expect(document.id).toBe('invoice');
  });
});

describe('PDF input: pages without a text layer, and bad PDFs', () => {
  const imageDir = mkdtempSync(join(tmpdir(), 'hybridoc-pages-'));
  const loader = new DocumentLoader({ detectQr: false, pageImageDir: imageDir });
  afterAll(() => loader.close());

  it('falls back to OCR of the rendered page when a page has no text layer', async () => {
    const { document, pageSources } = await loader.load(fixture('scanned.pdf'));
    expect(pageSources).toEqual(['ocr']);
    // the rendered page (2 px per point) is written as a PNG the page points at
    expect(document.pages).toEqual([{ width: 360, height: 200, image: join(imageDir, 'scanned-p1.png') }]);
    const png = readFileSync(join(imageDir, 'scanned-p1.png'));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([720, 400]);
    expect(document.words.map((w) => w.text)).toEqual(['Scanned', 'receipt', 'Total', '12.50']);
    // in points: "Scanned" starts at x = 30 on the baseline at 200 - 130 = 70 (24 pt Helvetica)
    const [x0, y0, , y1] = document.words[0].box;
    expect(Math.abs(x0 - 30)).toBeLessThan(3);
    expect(Math.abs(y1 - 70)).toBeLessThan(3);
    expect(Math.abs(y0 - (70 - 0.729 * 24))).toBeLessThan(3);
  });

  it('refuses an encrypted PDF without its password, and reads it with the password', async () => {
    await expect(loader.load(fixture('encrypted.pdf'))).rejects.toThrow(
      `${fixture('encrypted.pdf')}: encrypted PDF: a password is required to open it`,
    );
    await expect(loader.load(fixture('encrypted.pdf'), { password: 'wrong' })).rejects.toThrow('encrypted PDF: the password is incorrect');
    const { document } = await new DocumentLoader({ detectQr: false, render: false, ocr: false }).load(fixture('encrypted.pdf'), {
      password: 'secret',
    });
    expect(document.words.map((w) => w.text).slice(0, 2)).toEqual(['Tax', 'Invoice']);
  });

  it('gives one clear error for a corrupt, truncated, empty or blank PDF', async () => {
    const good = readFileSync(fixture('invoice.pdf'));
    await expect(
      loader.load(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF\n'), { name: 'corrupt.pdf' }),
    ).rejects.toThrow(/^corrupt\.pdf: corrupt PDF: /);
    await expect(loader.load(good.subarray(0, 400), { name: 'truncated.pdf' })).rejects.toThrow(/^truncated\.pdf: /);
    await expect(loader.load(Buffer.alloc(0), { name: 'empty.pdf' })).rejects.toThrow('empty.pdf: empty file (0 bytes)');
    await expect(loader.load(fixture('blank.pdf'))).rejects.toThrow(
      `${fixture('blank.pdf')}: empty PDF: no words (no text layer, and OCR read no text)`,
    );
    const noOcr = new DocumentLoader({ detectQr: false, ocr: false });
    await expect(noOcr.load(fixture('scanned.pdf'))).rejects.toThrow(
      `${fixture('scanned.pdf')}: page 1: the page has no text layer and OCR is off`,
    );
  });

  it('refuses huge pages and too many pages', async () => {
    const huge = Buffer.from(
      readFileSync(fixture('blank.pdf')).toString('latin1').replace('/MediaBox [0 0 200 200]', '/MediaBox [0 0 20000 200]'),
      'latin1',
    );
    const err = await loader.load(huge, { name: 'huge.pdf' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HybridocError);
    expect((err as Error).message).toBe('huge.pdf: page 1: huge page: 20000 x 200 points (limit 14400 per side)');
    await expect(new DocumentLoader({ maxPages: 1, ocr: false }).load(fixture('invoice.pdf'))).rejects.toThrow(
      'PDF has 2 pages (the limit is 1)',
    );
  });
});
