/**
 * Image input (PNG, JPEG, TIFF, WebP, GIF, BMP): every page is read with OCR, QR symbols are decoded from the
 * same pixels, and page units are the image's pixels. A multi-page TIFF gives one document page per image.
 */
import type { Page, Word } from '../documents/document.js';
import { inputError } from '../util/errors.js';
import type { InputKind } from './input-kind.js';
import type { OcrEngine } from './ocr.js';
import { findQrCodes } from './qr-codes.js';
import { decodeImagePages } from './raster.js';
import { insertByPosition, ocrToWords, qrToWords, type LoadedDocument } from './page-content.js';

export interface ImageReadOptions {
  /** the OCR engine (required: an image has no text without it) */
  ocr: OcrEngine;
  /** read QR symbols (default true) */
  detectQr?: boolean;
  /** document id (default: the file name without extension) */
  id?: string;
  /** refuse images with more pages (default 500) */
  maxPages?: number;
}

export async function readImage(bytes: Uint8Array, kind: InputKind, file: string, options: ImageReadOptions): Promise<LoadedDocument> {
  if (bytes.length === 0) throw inputError(file, undefined, 'empty file (0 bytes)');
  const rasters = await decodeImagePages(bytes, kind, file);
  const maxPages = options.maxPages ?? 500;
  if (rasters.length > maxPages) throw inputError(file, undefined, `image has ${rasters.length} pages (the limit is ${maxPages})`);
  const pages: Page[] = [];
  let words: Word[] = [];
  for (let p = 0; p < rasters.length; p++) {
    const raster = rasters[p];
    pages.push({ width: raster.width, height: raster.height });
    const qr = options.detectQr !== false ? findQrCodes(raster) : [];
    const ocr = await options.ocr.recognize(raster, rasters.length > 1 ? `${file} page ${p + 1}` : file);
    words = words.concat(insertByPosition(ocrToWords(ocr, 1, p, qr), qrToWords(qr, 1, p)));
  }
  const id =
    options.id ??
    file
      .split(/[\\/]/)
      .pop()!
      .replace(/\.[A-Za-z0-9]+$/, '');
  return {
    document: { id, pages, words, meta: { source: file, format: kind } },
    pageImages: rasters.map((raster) => ({ raster, scale: 1 })),
    pageSources: rasters.map(() => 'ocr' as const),
  };
}
