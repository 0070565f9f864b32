import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { DocumentLoader, decodeImagePages, findQrCodes, HybridocError, type InvoiceDocument } from '@hybridoc/core';
import QRCode from 'qrcode';
import { drawSyntheticPage, QR_PAYLOAD, type SyntheticPage } from './support/synthetic-page.js';

const require = createRequire(import.meta.url);

/** Words of the page that OCR read, matched to the drawn words (same text, boxes overlapping). */
function matchWords(page: SyntheticPage, doc: InvoiceDocument) {
  const used = new Set<number>();
  const matches: Array<{ drawn: SyntheticPage['words'][number]; read: InvoiceDocument['words'][number] }> = [];
  for (const drawn of page.words) {
    const i = doc.words.findIndex((w, k) => {
      if (used.has(k) || w.text !== drawn.text) return false;
      const cx = (w.box[0] + w.box[2]) / 2;
      const cy = (w.box[1] + w.box[3]) / 2;
      return cx > drawn.box[0] && cx < drawn.box[2] && cy > drawn.box[1] && cy < drawn.box[3];
    });
    if (i >= 0) {
      used.add(i);
      matches.push({ drawn, read: doc.words[i] });
    }
  }
  return matches;
}

describe('image input: OCR with tesseract.js and QR symbols', () => {
  const loader = new DocumentLoader({ detectQr: true });
  let page: SyntheticPage;
  let dir: string;
  let doc: InvoiceDocument;

  beforeAll(async () => {
    page = await drawSyntheticPage();
    dir = mkdtempSync(join(tmpdir(), 'hybridoc-ocr-'));
    writeFileSync(join(dir, 'page.png'), page.png);
    doc = (await loader.load(join(dir, 'page.png'))).document;
  }, 60_000);
  afterAll(() => loader.close());

  it('recovers at least 90% of the drawn words, each box close to where it was drawn', () => {
    const matches = matchWords(page, doc);
    const recall = matches.length / page.words.length;
    if (process.env.HYBRIDOC_PRINT_METRICS) console.log(`OCR word recall ${matches.length}/${page.words.length} = ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    for (const { drawn, read } of matches) {
      for (let j = 0; j < 4; j++) expect(Math.abs(read.box[j] - drawn.box[j])).toBeLessThanOrEqual(4);
    }
  });

  it('keeps the page in image pixels, in reading order, and points the page at its image', () => {
    expect(doc.pages).toEqual([{ width: page.width, height: page.height, image: join(dir, 'page.png') }]);
    expect(doc.id).toBe('page');
    const firstLine = doc.words.slice(0, 2).map((w) => w.text);
    expect(firstLine).toEqual(['INVOICE', '2024-0042']);
    const tops = doc.words.filter((w) => w.text !== QR_PAYLOAD).map((w) => w.box[1]);
    for (let i = 1; i < tops.length; i++) expect(tops[i]).toBeGreaterThan(tops[i - 1] - 30);
  });

  it('turns the QR symbol into one word: the payload, boxed by the symbol, with no OCR noise inside it', () => {
    const qrWords = doc.words.filter((w) => w.text === QR_PAYLOAD);
    expect(qrWords).toHaveLength(1);
    for (let j = 0; j < 4; j++) expect(Math.abs(qrWords[0].box[j] - page.qr.box[j])).toBeLessThanOrEqual(1);
    const inside = doc.words.filter((w) => {
      if (w.text === QR_PAYLOAD) return false;
      const cx = (w.box[0] + w.box[2]) / 2;
      const cy = (w.box[1] + w.box[3]) / 2;
      return cx >= page.qr.box[0] && cx <= page.qr.box[2] && cy >= page.qr.box[1] && cy <= page.qr.box[3];
    });
    expect(inside).toEqual([]);
    // placed where a top-to-bottom reader meets it: after the words above the symbol's top
    const at = doc.words.indexOf(qrWords[0]);
    expect(doc.words[at - 1].box[1]).toBeLessThanOrEqual(page.qr.box[1]);
  });
});

describe('QR reader', () => {
  it('finds several symbols on one page and none on a blank one', () => {
    // a white page holding two symbols far apart, 2 pixels per module
    const modules = QRCode.create(QR_PAYLOAD, { errorCorrectionLevel: 'M' }).modules;
    const W = 600;
    const H = 400;
    const raster = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4).fill(255) };
    const at = [
      [10, 10],
      [500, 300],
    ];
    for (const [dx, dy] of at) {
      for (let r = 0; r < modules.size * 2; r++) {
        for (let c = 0; c < modules.size * 2; c++) {
          if (modules.get(r >> 1, c >> 1)) raster.data.fill(0, ((dy + r) * W + dx + c) * 4, ((dy + r) * W + dx + c) * 4 + 3);
        }
      }
    }
    expect(findQrCodes(raster)).toEqual([]); // one full-page scan sees both symbols and reads neither
    const codes = findQrCodes(raster, { exhaustive: true });
    expect(codes.map((c) => c.payload)).toEqual([QR_PAYLOAD, QR_PAYLOAD]);
    const side = modules.size * 2;
    expect(codes.map((c) => c.box.map(Math.round))).toEqual(at.map(([x, y]) => [x, y, x + side, y + side]));
    expect(findQrCodes({ width: 50, height: 50, data: new Uint8ClampedArray(50 * 50 * 4).fill(255) }, { exhaustive: true })).toEqual([]);
  });
});

describe('image decoding', () => {
  it('reads every page of a multi-page TIFF with its pixels intact', async () => {
    const UTIF = require('utif') as { encodeImage(rgba: Uint8Array, w: number, h: number): ArrayBuffer };
    const w = 7;
    const h = 5;
    const pages = [0, 1].map((k) => {
      const rgba = new Uint8Array(w * h * 4);
      for (let i = 0; i < w * h; i++) rgba.set([(i * 7 + k * 50) % 256, (i * 13) % 256, k * 200, 255], i * 4);
      return rgba;
    });
    const one = Buffer.from(UTIF.encodeImage(pages[0], w, h));
    const decoded = await decodeImagePages(one, 'tiff', 'one.tif');
    expect(decoded).toHaveLength(1);
    expect(decoded[0].width).toBe(w);
    expect(Array.from(decoded[0].data)).toEqual(Array.from(pages[0]));
    // two pages: two image directories chained
    const two = await decodeImagePages(Buffer.from(encodeTwoPageTiff(pages, w, h)), 'tiff', 'two.tif');
    expect(two.map((r) => [r.width, r.height])).toEqual([
      [w, h],
      [w, h],
    ]);
    expect(Array.from(two[1].data)).toEqual(Array.from(pages[1]));
  });

  it('gives a clear per-file error for an unreadable image', async () => {
    const loader = new DocumentLoader({ detectQr: false });
    try {
      const junk = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
      await expect(loader.load(junk, { name: 'scan.png' })).rejects.toThrow(/^scan\.png: unreadable PNG image/);
      await expect(loader.load(Buffer.from('II*\0garbage'), { name: 'scan.tif' })).rejects.toThrow(HybridocError);
      await expect(loader.load(Buffer.from('GIF89a'), { name: 'x.gif' })).rejects.toThrow(/^x\.gif: unreadable GIF image/);
    } finally {
      await loader.close();
    }
  });
});

/** A little-endian TIFF with two uncompressed RGBA pages (what a multi-page scan holds), written by hand. */
function encodeTwoPageTiff(pages: Uint8Array[], w: number, h: number): Uint8Array {
  const entries = (dataOffset: number) => [
    [256, 3, 1, w],
    [257, 3, 1, h],
    [258, 3, 4, 0], // bits per sample: offset filled below
    [259, 3, 1, 1],
    [262, 3, 1, 2],
    [273, 4, 1, dataOffset],
    [277, 3, 1, 4],
    [278, 3, 1, h],
    [279, 4, 1, w * h * 4],
    [284, 3, 1, 1],
    [338, 3, 1, 2],
  ];
  const ifdSize = 2 + 11 * 12 + 4;
  const bitsSize = 8;
  const pageBytes = w * h * 4;
  const layout: number[] = [];
  let offset = 8;
  for (let k = 0; k < pages.length; k++) {
    layout.push(offset);
    offset += ifdSize + bitsSize + pageBytes;
  }
  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, layout[0], true);
  pages.forEach((pixels, k) => {
    const ifd = layout[k];
    const bits = ifd + ifdSize;
    const data = bits + bitsSize;
    const list = entries(data);
    view.setUint16(ifd, list.length, true);
    list.forEach(([tag, type, count, value], i) => {
      const e = ifd + 2 + i * 12;
      view.setUint16(e, tag, true);
      view.setUint16(e + 2, type, true);
      view.setUint32(e + 4, count, true);
      if (tag === 258) view.setUint32(e + 8, bits, true);
      else if (type === 3) view.setUint16(e + 8, value, true);
      else view.setUint32(e + 8, value, true);
    });
    view.setUint32(ifd + 2 + list.length * 12, k + 1 < pages.length ? layout[k + 1] : 0, true);
    for (let b = 0; b < 4; b++) view.setUint16(bits + b * 2, 8, true);
    out.set(pixels, data);
  });
  return out;
}
