/**
 * What a reader returns for one input, and the small steps the PDF and image readers share: turning OCR and
 * QR results (raster pixels) into page-unit words, and placing non-text words (QR symbols) among the text.
 */
import type { Box, InvoiceDocument, Word } from '../documents/document.js';
import type { OcrWord } from './ocr.js';
import type { QrCode } from './qr-codes.js';
import type { Raster } from './raster.js';

/** A page image held in memory: the raster and how many raster pixels make one page unit. */
export interface PageImage {
  raster: Raster;
  /** raster pixels per page unit (1 for image inputs; the render scale for PDF pages) */
  scale: number;
}

/** A read input: the document, and the page images the reader decoded or rendered (index = page). */
export interface LoadedDocument {
  document: InvoiceDocument;
  pageImages: Array<PageImage | undefined>;
  /** per page: where its words came from */
  pageSources: Array<'text-layer' | 'ocr' | 'annotation'>;
}

const scaleBox = (b: Box, s: number): Box => [b[0] / s, b[1] / s, b[2] / s, b[3] / s];
const round2 = (v: number) => Math.round(v * 100) / 100;
export const roundBox = (b: Box): Box => [round2(b[0]), round2(b[1]), round2(b[2]), round2(b[3])];

/** OCR words (raster pixels) as document words (page units), minus those inside a QR symbol (OCR reads noise there). */
export function ocrToWords(ocr: OcrWord[], scale: number, page: number, qr: QrCode[]): Word[] {
  const out: Word[] = [];
  for (const w of ocr) {
    const cx = (w.box[0] + w.box[2]) / 2;
    const cy = (w.box[1] + w.box[3]) / 2;
    if (qr.some((q) => cx >= q.box[0] && cx <= q.box[2] && cy >= q.box[1] && cy <= q.box[3])) continue;
    out.push({ text: w.text, box: roundBox(scaleBox(w.box, scale)), page });
  }
  return out;
}

/** QR symbols (raster pixels) as words (page units): the payload is the text, the symbol the box. */
export function qrToWords(qr: QrCode[], scale: number, page: number): Word[] {
  return qr.map((q) => ({ text: q.payload, box: roundBox(scaleBox(q.box, scale)), page }));
}

/**
 * Put extra words (QR symbols) into a page's words in reading order: each goes before the first word whose
 * top lies below the extra word's top, i.e. where a top-to-bottom reader first meets it.
 */
export function insertByPosition(words: Word[], extra: Word[]): Word[] {
  const out = words.slice();
  for (const e of extra) {
    let at = out.findIndex((w) => w.page > e.page || (w.page === e.page && w.box[1] > e.box[1]));
    if (at < 0) at = out.length;
    out.splice(at, 0, e);
  }
  return out;
}
