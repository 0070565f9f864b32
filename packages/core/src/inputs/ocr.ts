/**
 * OCR with tesseract.js, entirely from node_modules: the worker script and the WebAssembly core come from the
 * tesseract.js / tesseract.js-core packages, the English LSTM model from @tesseract.js-data/eng
 * (4.0.0_best_int, the model tesseract.js itself picks for LSTM-only recognition). Nothing is fetched and
 * nothing is cached to disk (`cacheMethod: 'none'`; cachePath points at the temp directory should that change).
 *
 * One OcrEngine owns one tesseract worker thread, started on first use and reused; concurrent `recognize`
 * calls are queued and run one after another. `close()` ends the thread (a live worker keeps Node running).
 */
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import type { Box } from '../documents/document.js';
import { HybridocError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { cropRaster, encodePng, type Raster } from './raster.js';
import { nativeRequire } from './native-require.js';
import { sortByReadingOrder } from './reading-order.js';

const require = nativeRequire(import.meta.url);
const log = logger('ocr');

export interface OcrWord {
  text: string;
  /** pixels of the recognised raster */
  box: Box;
  /** tesseract's word confidence, 0..100 */
  confidence: number;
}

export interface OcrOptions {
  /** words below this confidence (0..100) are dropped; default 20 */
  minConfidence?: number;
  /** tesseract page segmentation mode; default 3 (fully automatic) */
  pageSegMode?: number;
}

interface TesseractBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface TesseractWord {
  text: string;
  confidence: number;
  bbox: TesseractBox;
  symbols?: Array<{ text: string; bbox: TesseractBox }>;
}
interface TesseractWorker {
  recognize(
    image: Buffer,
    options?: object,
    output?: object,
  ): Promise<{ data: { blocks: Array<{ paragraphs: Array<{ lines: Array<{ bbox: TesseractBox; words: TesseractWord[] }> }> }> | null } }>;
  setParameters(params: Record<string, string>): Promise<unknown>;
  terminate(): Promise<unknown>;
}
interface TesseractModule {
  createWorker(langs: string, oem: number, options: Record<string, unknown>): Promise<TesseractWorker>;
}

const LSTM_ONLY = 1;
/** page segmentation mode "sparse text": as much text as possible, in no particular order */
const SPARSE_TEXT = 11;
/** a line this many times the page's median line height is read again (see recognizeNow) */
const TALL_LINE = 1.6;
/** how much more confident (0..100) the second reading of a tall line must be to replace the first */
const REREAD_MARGIN = 5;

interface OcrLine {
  box: Box;
  words: OcrWord[];
}

/** The pixels of a rectangle, clipped to the raster, and where they start. */
function cropClipped(r: Raster, x0: number, y0: number, x1: number, y1: number): { raster: Raster; x: number; y: number } {
  const x = Math.max(0, Math.floor(x0));
  const y = Math.max(0, Math.floor(y0));
  const width = Math.max(1, Math.min(r.width, Math.ceil(x1)) - x);
  const height = Math.max(1, Math.min(r.height, Math.ceil(y1)) - y);
  return { raster: cropRaster(r, x, y, width, height), x, y };
}

/** Where the English traineddata lives inside node_modules (gzipped, as tesseract.js reads it). */
export function englishLangPath(): string {
  const dir = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
  if (!existsSync(join(dir, 'eng.traineddata.gz'))) {
    throw new HybridocError(`${dir}: eng.traineddata.gz is missing (reinstall @tesseract.js-data/eng)`);
  }
  return dir;
}

export class OcrEngine {
  private worker: Promise<TesseractWorker> | null = null;
  private readonly minConfidence: number;
  private readonly pageSegMode: number;
  private dpi = '';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: OcrOptions = {}) {
    this.minConfidence = options.minConfidence ?? 20;
    this.pageSegMode = options.pageSegMode ?? 3;
  }

  private start(): Promise<TesseractWorker> {
    if (!this.worker) {
      const started = Date.now();
      this.worker = (async () => {
        const tesseract = require('tesseract.js') as TesseractModule;
        const worker = await tesseract.createWorker('eng', LSTM_ONLY, {
          langPath: englishLangPath(),
          cachePath: tmpdir(),
          cacheMethod: 'none',
          gzip: true,
          logger: () => {},
          errorHandler: (e: unknown) => log.debug({ err: String(e) }, 'tesseract worker error'),
        });
        await worker.setParameters({ tessedit_pageseg_mode: String(this.pageSegMode) });
        log.debug({ ms: Date.now() - started }, 'tesseract worker ready');
        return worker;
      })();
      this.worker.catch(() => {
        this.worker = null;
      });
    }
    return this.worker;
  }

  /**
   * Words on a raster in tesseract's reading order (blocks, paragraphs, lines), boxes in raster pixels.
   * `dpi` is the raster's resolution when known (a rendered PDF page); images are taken as 300 dpi.
   */
  recognize(raster: Raster, file = '<image>', dpi = 300): Promise<OcrWord[]> {
    // one page at a time, so that each page's resolution setting holds for its own recognition
    const run = this.queue.then(() => this.recognizeNow(raster, file, dpi));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async recognizeNow(raster: Raster, file: string, dpi: number): Promise<OcrWord[]> {
    let lines: OcrLine[];
    try {
      const worker = await this.start();
      const wanted = String(Math.round(dpi));
      if (this.dpi !== wanted) {
        await worker.setParameters({ user_defined_dpi: wanted });
        this.dpi = wanted;
      }
      lines = await readLines(worker, encodePng(raster));
      await this.rereadTallLines(worker, raster, lines);
    } catch (err) {
      if (err instanceof HybridocError) throw err;
      throw new HybridocError(`${file}: OCR failed (${err instanceof Error ? err.message : String(err)})`);
    }
    return lines.flatMap((l) => l.words.filter((w) => w.confidence >= this.minConfidence));
  }

  /**
   * Tesseract's automatic layout can join two columns whose rows are offset (an address beside an "Invoice
   * no." block) into one line two rows tall, which the recogniser garbles or drops. A line much taller than
   * the page's median is read again on its own as sparse text (each row of each column a line of its own),
   * leaving out what other lines already hold, and the new words replace the line's when they are read with
   * clearly more confidence (a table header boxed in by its rules is tall too, and reads better as it was).
   */
  private async rereadTallLines(worker: TesseractWorker, raster: Raster, lines: OcrLine[]): Promise<void> {
    const heights = lines.map((l) => l.box[3] - l.box[1]).sort((a, b) => a - b);
    const median = heights[heights.length >> 1] ?? 0;
    const inside = (w: OcrWord, b: Box) => {
      const cx = (w.box[0] + w.box[2]) / 2;
      const cy = (w.box[1] + w.box[3]) / 2;
      return cx >= b[0] && cx <= b[2] && cy >= b[1] && cy <= b[3];
    };
    for (let i = 0; i < lines.length && median > 0; i++) {
      const box = lines[i].box;
      if (box[3] - box[1] <= TALL_LINE * median) continue;
      const pad = Math.round(median / 2);
      const crop = cropClipped(raster, box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad);
      const again = await readLines(worker, encodePng(crop.raster), { tessedit_pageseg_mode: String(SPARSE_TEXT) });
      const others = lines.filter((_, k) => k !== i).flatMap((l) => l.words);
      const words = again
        .flatMap((l) => l.words)
        .map((w) => ({ ...w, box: [w.box[0] + crop.x, w.box[1] + crop.y, w.box[2] + crop.x, w.box[3] + crop.y] as Box }))
        .filter((w) => inside(w, box) && !others.some((o) => inside(w, o.box)));
      if (words.length > 0 && meanConfidence(words) > meanConfidence(lines[i].words) + REREAD_MARGIN) {
        lines[i] = { box, words: sortByReadingOrder(words, (w) => w.box) };
      }
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.dpi = '';
    if (w) await (await w).terminate();
  }
}

/** One recognition: the lines in tesseract's reading order, each with its words (all confidences). */
async function readLines(worker: TesseractWorker, png: Buffer, params: Record<string, string> = {}): Promise<OcrLine[]> {
  // parameters given here hold for this call only; tesseract's notes ("Detected 3 diacritics") go nowhere
  // rather than to stdout, where prediction lines are written
  const result = await worker.recognize(png, { debug_file: '/dev/null', ...params }, { blocks: true, text: false });
  const out: OcrLine[] = [];
  for (const block of result.data.blocks ?? []) {
    for (const par of block.paragraphs) {
      for (const line of par.lines) {
        const words: OcrWord[] = [];
        for (const w of line.words) {
          const text = w.text.trim();
          if (text) for (const piece of splitAtRules(w, text)) words.push({ ...piece, confidence: w.confidence });
        }
        if (words.length > 0) out.push({ box: [line.bbox.x0, line.bbox.y0, line.bbox.x1, line.bbox.y1], words });
      }
    }
  }
  return out;
}

/** Mean confidence of the words that are not '|' (a table rule, read with any confidence in either pass). */
function meanConfidence(words: OcrWord[]): number {
  const text = words.filter((w) => w.text !== '|');
  return text.length ? text.reduce((s, w) => s + w.confidence, 0) / text.length : 0;
}

/**
 * A table rule next to a cell's text is read as a '|' glued to the word ("14|", "|Pallet"), and two words
 * set tight around a '|' separator come back as one ("021-0922802|BTW-nummer:"). Split the word at its '|'
 * symbols, each piece boxed by its own symbols: a '|' between two pieces stays a word of its own, one at
 * either end (the rule) is dropped. Words without symbol boxes are kept whole.
 */
function splitAtRules(w: TesseractWord, text = w.text.trim()): Array<{ text: string; box: Box }> {
  const whole = [{ text, box: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1] as Box }];
  const symbols = w.symbols ?? [];
  if (!text.includes('|') || text === '|' || symbols.map((s) => s.text).join('') !== text) return whole;
  const groups: Array<{ text: string; box: Box; rule: boolean }> = [];
  for (const s of symbols) {
    const rule = s.text === '|';
    const last = groups[groups.length - 1];
    if (last && !rule && !last.rule) {
      last.text += s.text;
      last.box = [
        Math.min(last.box[0], s.bbox.x0),
        Math.min(last.box[1], s.bbox.y0),
        Math.max(last.box[2], s.bbox.x1),
        Math.max(last.box[3], s.bbox.y1),
      ];
    } else groups.push({ text: s.text, box: [s.bbox.x0, s.bbox.y0, s.bbox.x1, s.bbox.y1], rule });
  }
  return groups.filter((g, i) => !g.rule || (i > 0 && i < groups.length - 1)).map(({ text: t, box }) => ({ text: t, box }));
}
