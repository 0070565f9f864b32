/**
 * PDF input through pdfjs-dist (legacy build, the one meant for Node).
 *
 * Words come from the text layer, page by page, in the text layer's order: each text item is split at
 * whitespace, and each word gets its own box by measuring character advances with the font's own glyph
 * widths (pdfjs passes them to the display side with `fontExtraProperties`); where a font gives no widths
 * the advances are measured with DejaVu Sans and scaled to the item's width. Extra width a text item has
 * over its glyphs (word spacing, justification, the gaps pdfjs turns into spaces) goes to its spaces. Pieces
 * of one word split across text items (kerned runs) are joined back when they touch on the same baseline.
 *
 * Boxes: x along the advance, y from the font's ascent to its descent (the ink extent of typical text, as
 * the corpus boxes are: pdfjs's font metrics when they lie near 0.75 / -0.21 em, else those values), mapped
 * through the page viewport, so the origin is the top-left corner and /Rotate is honoured. Page units are
 * PDF points (1/72 inch).
 *
 * Each page is rendered into an @napi-rs/canvas canvas (pdfjs's own Node path; DOMMatrix/Path2D/ImageData and
 * the canvas factory are taken from the same @napi-rs/canvas the rest of hybridoc uses). A page without a
 * text layer is rendered at the OCR scale and read with OCR. QR symbols are read from the rendered page.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Box, Page, Word } from '../documents/document.js';
import { HybridocError, inputError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import type { OcrEngine } from './ocr.js';
import { findQrCodes, type QrCode } from './qr-codes.js';
import { checkRasterSize, MAX_RASTER_SIDE, type Raster } from './raster.js';
import { insertByPosition, ocrToWords, qrToWords, roundBox, type LoadedDocument, type PageImage } from './page-content.js';
import { MAX_PAGE_SIDE } from './validate-document.js';

const require = createRequire(import.meta.url);
const log = logger('pdf');

export interface PdfReadOptions {
  /** render each page to an image (default true; needed for QR codes and the visual branch) */
  render?: boolean;
  /** render scale, raster pixels per PDF point (default 2, i.e. 144 dpi) */
  renderScale?: number;
  /** OCR engine for pages without a text layer; without one such pages are an error */
  ocr?: OcrEngine | null;
  /** render scale for OCR (default 3, i.e. 216 dpi) */
  ocrScale?: number;
  /** read QR symbols from the rendered pages (default true) */
  detectQr?: boolean;
  /** user password of an encrypted PDF */
  password?: string;
  /** refuse documents with more pages (default 500) */
  maxPages?: number;
  /** document id (default: the file name) */
  id?: string;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfPage = import('pdfjs-dist/legacy/build/pdf.mjs').PDFPageProxy;
type TextItem = import('pdfjs-dist/types/src/display/api.js').TextItem;
type TextStyle = import('pdfjs-dist/types/src/display/api.js').TextStyle;

let pdfjsModule: Promise<PdfJs> | null = null;

/** Load pdfjs once, after giving it @napi-rs/canvas's DOMMatrix/Path2D/ImageData (pdfjs only fills them in when absent). */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= (async () => {
    const canvas = await import('@napi-rs/canvas');
    const g = globalThis as Record<string, unknown>;
    g.DOMMatrix ??= canvas.DOMMatrix;
    g.Path2D ??= canvas.Path2D;
    g.ImageData ??= canvas.ImageData;
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  })();
  return pdfjsModule;
}

/** pdfjs's canvas factory interface, backed by hybridoc's @napi-rs/canvas. */
class NapiCanvasFactory {
  private createCanvas: typeof import('@napi-rs/canvas').createCanvas;
  constructor() {
    this.createCanvas = (require('@napi-rs/canvas') as typeof import('@napi-rs/canvas')).createCanvas;
  }
  create(width: number, height: number) {
    if (width <= 0 || height <= 0) throw new Error('Invalid canvas size');
    const canvas = this.createCanvas(width, height);
    return { canvas, context: canvas.getContext('2d') };
  }
  reset(cc: { canvas: { width: number; height: number } }, width: number, height: number) {
    cc.canvas.width = width;
    cc.canvas.height = height;
  }
  destroy(cc: { canvas: { width: number; height: number } | null; context: unknown }) {
    if (cc.canvas) cc.canvas.width = cc.canvas.height = 0;
    cc.canvas = null;
    cc.context = null;
  }
}

function pdfjsDataDir(sub: string): string {
  return join(dirname(require.resolve('pdfjs-dist/package.json')), sub) + '/';
}

/** Read a PDF into a document (one page per PDF page) with its rendered page images. */
export async function readPdf(bytes: Uint8Array, file: string, options: PdfReadOptions = {}): Promise<LoadedDocument> {
  if (bytes.length === 0) throw inputError(file, undefined, 'empty file (0 bytes)');
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    password: options.password,
    fontExtraProperties: true,
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    standardFontDataUrl: pdfjsDataDir('standard_fonts'),
    cMapUrl: pdfjsDataDir('cmaps'),
    cMapPacked: true,
    wasmUrl: pdfjsDataDir('wasm'),
    iccUrl: pdfjsDataDir('iccs'),
    verbosity: 0,
    CanvasFactory: NapiCanvasFactory as never,
  });
  try {
    let doc;
    try {
      doc = await task.promise;
    } catch (err) {
      throw pdfOpenError(err, file, options.password !== undefined);
    }
    const maxPages = options.maxPages ?? 500;
    if (doc.numPages === 0) throw inputError(file, undefined, 'empty PDF: it has no pages');
    if (doc.numPages > maxPages) throw inputError(file, undefined, `PDF has ${doc.numPages} pages (the limit is ${maxPages})`);
    const pages: Page[] = [];
    const words: Word[] = [];
    const pageImages: Array<PageImage | undefined> = [];
    const pageSources: LoadedDocument['pageSources'] = [];
    for (let p = 0; p < doc.numPages; p++) {
      let page: PdfPage;
      try {
        page = await doc.getPage(p + 1);
      } catch (err) {
        throw inputError(file, `page ${p + 1}`, `cannot read page (${(err as Error).message})`);
      }
      const result = await readPage(page, p, file, options);
      pages.push({ width: result.width, height: result.height });
      words.push(...result.words);
      pageImages.push(result.image);
      pageSources.push(result.source);
      page.cleanup();
    }
    const id =
      options.id ??
      file
        .split(/[\\/]/)
        .pop()!
        .replace(/\.pdf$/i, '');
    return { document: { id, pages, words, meta: { source: file, format: 'pdf', pageSources } }, pageImages, pageSources };
  } finally {
    await task.destroy().catch(() => {});
  }
}

function pdfOpenError(err: unknown, file: string, hadPassword: boolean): HybridocError {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'PasswordException') {
    return inputError(
      file,
      undefined,
      hadPassword ? 'encrypted PDF: the password is incorrect' : 'encrypted PDF: a password is required to open it',
    );
  }
  if (e?.name === 'InvalidPDFException') return inputError(file, undefined, `corrupt PDF: ${e.message ?? 'invalid structure'}`);
  return inputError(file, undefined, `cannot read PDF (${e?.message ?? String(err)})`);
}

interface PageResult {
  width: number;
  height: number;
  words: Word[];
  image?: PageImage;
  source: 'text-layer' | 'ocr';
}

async function readPage(page: PdfPage, p: number, file: string, options: PdfReadOptions): Promise<PageResult> {
  const viewport = page.getViewport({ scale: 1 });
  const width = viewport.width;
  const height = viewport.height;
  if (!(width > 0 && height > 0)) throw inputError(file, `page ${p + 1}`, `page has no area (${width} x ${height} points)`);
  if (width > MAX_PAGE_SIDE || height > MAX_PAGE_SIDE) {
    throw inputError(
      file,
      `page ${p + 1}`,
      `huge page: ${Math.round(width)} x ${Math.round(height)} points (limit ${MAX_PAGE_SIDE} per side)`,
    );
  }
  const text = await page.getTextContent();
  const items = text.items.filter((it): it is TextItem => 'str' in it);
  const hasText = items.some((it) => it.str.trim().length > 0);

  const render = options.render !== false;
  let image: PageImage | undefined;
  if (render) image = await renderPage(page, options.renderScale ?? 2, file, p);
  else await page.getOperatorList(); // loads the fonts (their widths) into commonObjs

  if (hasText) {
    const pageWords = textLayerWords(page, items, text.styles, viewport, p);
    let qr: QrCode[] = [];
    if (image && options.detectQr !== false) qr = findQrCodes(image.raster);
    const all = insertByPosition(pageWords, qrToWords(qr, image?.scale ?? 1, p));
    return { width, height, words: all, image, source: 'text-layer' };
  }

  // no text layer: OCR the page rendered at the OCR scale
  if (!options.ocr) {
    throw inputError(file, `page ${p + 1}`, 'the page has no text layer and OCR is off');
  }
  const ocrScale = options.ocrScale ?? 3;
  const ocrImage = image && image.scale >= ocrScale ? image : await renderPage(page, ocrScale, file, p);
  const qr = options.detectQr !== false ? findQrCodes(ocrImage.raster) : [];
  const ocrWords = await options.ocr.recognize(ocrImage.raster, `${file} page ${p + 1}`, 72 * ocrImage.scale);
  log.debug({ file, page: p + 1, words: ocrWords.length }, 'page without text layer read with OCR');
  const pageWords = insertByPosition(ocrToWords(ocrWords, ocrImage.scale, p, qr), qrToWords(qr, ocrImage.scale, p));
  return { width, height, words: pageWords, image: image ?? (render ? ocrImage : undefined), source: 'ocr' };
}

async function renderPage(page: PdfPage, wantScale: number, file: string, p: number): Promise<PageImage> {
  const base = page.getViewport({ scale: 1 });
  const scale = Math.min(wantScale, (MAX_RASTER_SIDE - 1) / Math.max(base.width, base.height));
  const viewport = page.getViewport({ scale });
  const w = Math.ceil(viewport.width);
  const h = Math.ceil(viewport.height);
  checkRasterSize(w, h, file, `page ${p + 1} rendered`);
  const factory = new NapiCanvasFactory();
  const { canvas, context } = factory.create(w, h);
  try {
    await page.render({ canvas: canvas as never, canvasContext: context as never, viewport, background: 'rgb(255,255,255)' }).promise;
  } catch (err) {
    throw inputError(file, `page ${p + 1}`, `cannot render page (${(err as Error).message})`);
  }
  const data = context.getImageData(0, 0, w, h).data;
  const raster: Raster = { width: w, height: h, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  return { raster, scale };
}

// ---- text layer -> words ------------------------------------------------------------------------

type Viewport = ReturnType<PdfPage['getViewport']>;

interface Piece {
  text: string;
  /** offsets along the baseline, page units from the item origin */
  s0: number;
  s1: number;
}

interface OpenWord {
  word: Word;
  /** baseline y and font size of the item it came from (to join kerned runs) */
  baseline: number;
  size: number;
  itemIndex: number;
}

function textLayerWords(page: PdfPage, items: TextItem[], styles: Record<string, TextStyle>, viewport: Viewport, p: number): Word[] {
  const words: Word[] = [];
  const widthTables = new Map<string, Map<string, number> | null>();
  let open: OpenWord | null = null;
  items.forEach((item, itemIndex) => {
    if (!item.str || item.str.trim().length === 0 || !(item.width > 0)) {
      if (item.str.length > 0 || item.hasEOL) open = null; // a space or line end between items ends the word
      return;
    }
    const [a, b, c, d, e, f] = item.transform as number[];
    const sizeH = Math.hypot(a, b);
    const sizeV = Math.hypot(c, d);
    if (!(sizeH > 0 && sizeV > 0)) return;
    const u = [a / sizeH, b / sizeH];
    const n = [c / sizeV, d / sizeV];
    const style = styles[item.fontName];
    const ascent = plausible(style?.ascent, 0.68, 0.82) ?? TYPICAL_ASCENT;
    const descent = -(plausible(-(style?.descent ?? NaN), 0.15, 0.3) ?? TYPICAL_DESCENT);
    if (!widthTables.has(item.fontName)) widthTables.set(item.fontName, fontWidthTable(page, item.fontName));
    const pieces = splitItem(item.str, item.width, sizeH, widthTables.get(item.fontName) ?? null);

    const toBox = (s0: number, s1: number): Box => {
      const pts: number[][] = [];
      for (const s of [s0, s1]) {
        for (const h of [descent * sizeV, ascent * sizeV]) {
          pts.push(viewport.convertToViewportPoint(e + u[0] * s + n[0] * h, f + u[1] * s + n[1] * h));
        }
      }
      const xs = pts.map((q) => q[0]);
      const ys = pts.map((q) => q[1]);
      return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    };
    const origin = viewport.convertToViewportPoint(e, f);

    pieces.forEach((piece, k) => {
      const box = toBox(piece.s0, piece.s1);
      // join the first piece to the previous item's last word when they touch on the same baseline
      if (k === 0 && open && open.itemIndex === itemIndex - 1 && !/^\s/.test(item.str)) {
        const prev: OpenWord = open;
        const gap = box[0] - prev.word.box[2];
        if (
          Math.abs(origin[1] - prev.baseline) < 0.2 * sizeV &&
          Math.abs(sizeV - prev.size) < 0.3 * sizeV &&
          gap > -0.3 * sizeV &&
          gap < 0.12 * sizeV
        ) {
          prev.word.text += piece.text;
          const pb = prev.word.box;
          prev.word.box = [Math.min(pb[0], box[0]), Math.min(pb[1], box[1]), Math.max(pb[2], box[2]), Math.max(pb[3], box[3])];
          return;
        }
      }
      const word: Word = { text: piece.text, box, page: p };
      words.push(word);
      open = { word, baseline: origin[1], size: sizeV, itemIndex };
    });
    if (/\s$/.test(item.str) || item.hasEOL) open = null;
  });
  for (const w of words) w.box = roundBox(w.box);
  return words;
}

/**
 * Ink ascent and descent of typical Latin text, em. Font files report their ascent in several incompatible ways
 * (hhea ascender with line gap, cap height, a subset's own bounding box: 0.72 to 1.0 em for the same Helvetica),
 * so a reported value is used only when it lies near these.
 */
const TYPICAL_ASCENT = 0.75;
const TYPICAL_DESCENT = 0.21;

function plausible(v: number | undefined, lo: number, hi: number): number | undefined {
  return v !== undefined && Number.isFinite(v) && v >= lo && v <= hi ? v : undefined;
}

/**
 * Split a text item into words with advance offsets. Advances come from the font's widths (1/1000 em) when
 * it has them for every visible character, else from DejaVu Sans; extra item width goes to the spaces when
 * there are spaces, else all advances are scaled to the item width.
 */
function splitItem(str: string, itemWidth: number, size: number, table: Map<string, number> | null): Piece[] {
  const chars = [...str];
  const space = chars.map((ch) => /\s/.test(ch));
  let adv: number[];
  const fromFont = table !== null && chars.every((ch, i) => space[i] || (table.get(ch) ?? 0) > 0);
  if (fromFont) adv = chars.map((ch, i) => (table.get(ch) ?? (space[i] ? 278 : 0)) / 1000);
  else adv = chars.map((ch) => measureEm(ch));
  const natural = adv.reduce((s, v) => s + v, 0) * size;
  const spaces = space.filter(Boolean).length;
  let pos: number[];
  const excess = itemWidth - natural;
  if (fromFont && spaces > 0 && excess > -0.02 * itemWidth) {
    const perSpace = excess / spaces;
    pos = adv.map((v, i) => v * size + (space[i] ? perSpace : 0));
  } else {
    const k = natural > 0 ? itemWidth / natural : 0;
    pos = adv.map((v) => v * size * k);
  }
  const pieces: Piece[] = [];
  let s = 0;
  let cur: Piece | null = null;
  chars.forEach((ch, i) => {
    const next = s + pos[i];
    if (space[i]) cur = null;
    else if (cur) {
      cur.text += ch;
      cur.s1 = next;
    } else {
      cur = { text: ch, s0: s, s1: next };
      pieces.push(cur);
    }
    s = next;
  });
  return pieces;
}

interface PdfFontObject {
  widths?: ArrayLike<number | null> | Record<string, number>;
  toUnicode?: { _map?: ArrayLike<string | null> | Record<string, string>; firstChar?: number; lastChar?: number };
  isType3Font?: boolean;
}

/** unicode character -> advance width (1/1000 em) from a font's widths and its toUnicode map; null if unknown. */
function fontWidthTable(page: PdfPage, fontName: string): Map<string, number> | null {
  let font: PdfFontObject;
  try {
    if (!page.commonObjs.has(fontName)) return null;
    font = page.commonObjs.get(fontName) as PdfFontObject;
  } catch {
    return null;
  }
  if (!font || font.isType3Font || !font.widths) return null;
  const widths = font.widths as Record<string, number | null>;
  const tu = font.toUnicode;
  const map = new Map<string, number>();
  const unicodeOf = (code: number): string | undefined => {
    if (tu?._map) {
      const v = (tu._map as Record<string, string | null>)[code];
      return typeof v === 'string' ? v : undefined;
    }
    if (tu && typeof tu.firstChar === 'number') return String.fromCodePoint(code); // identity map
    return undefined;
  };
  for (const key of Object.keys(widths)) {
    const code = Number(key);
    const w = widths[key];
    if (!Number.isInteger(code) || typeof w !== 'number' || !(w > 0)) continue;
    const ch = unicodeOf(code);
    if (ch && [...ch].length === 1 && !map.has(ch)) map.set(ch, w);
  }
  return map.size > 0 ? map : null;
}

let fallbackContext: { measureText(t: string): { width: number } } | null = null;
const emCache = new Map<string, number>();

/** Advance of one character in em, measured with DejaVu Sans (fonts without usable widths). */
function measureEm(ch: string): number {
  const hit = emCache.get(ch);
  if (hit !== undefined) return hit;
  if (!fallbackContext) {
    const napi = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
    const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    if (!napi.GlobalFonts.has('DejaVu Sans')) napi.GlobalFonts.registerFromPath(join(dir, 'DejaVuSans.ttf'), 'DejaVu Sans');
    const ctx = napi.createCanvas(8, 8).getContext('2d');
    ctx.font = '100px "DejaVu Sans"';
    fallbackContext = ctx;
  }
  const em = fallbackContext.measureText(ch).width / 100;
  emCache.set(ch, em);
  return em;
}
