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
import { encodePng, type Raster } from './raster.js';
import { nativeRequire } from './native-require.js';

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

interface TesseractWord {
  text: string;
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}
interface TesseractWorker {
  recognize(
    image: Buffer,
    options?: object,
    output?: object,
  ): Promise<{ data: { blocks: Array<{ paragraphs: Array<{ lines: Array<{ words: TesseractWord[] }> }> }> | null } }>;
  setParameters(params: Record<string, string>): Promise<unknown>;
  terminate(): Promise<unknown>;
}
interface TesseractModule {
  createWorker(langs: string, oem: number, options: Record<string, unknown>): Promise<TesseractWorker>;
}

const LSTM_ONLY = 1;

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
    let result;
    try {
      const worker = await this.start();
      const wanted = String(Math.round(dpi));
      if (this.dpi !== wanted) {
        await worker.setParameters({ user_defined_dpi: wanted });
        this.dpi = wanted;
      }
      result = await worker.recognize(encodePng(raster), {}, { blocks: true, text: false });
    } catch (err) {
      if (err instanceof HybridocError) throw err;
      throw new HybridocError(`${file}: OCR failed (${err instanceof Error ? err.message : String(err)})`);
    }
    const out: OcrWord[] = [];
    for (const block of result.data.blocks ?? []) {
      for (const par of block.paragraphs) {
        for (const line of par.lines) {
          for (const w of line.words) {
            const text = w.text.trim();
            if (!text || w.confidence < this.minConfidence) continue;
            out.push({ text, box: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1], confidence: w.confidence });
          }
        }
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.dpi = '';
    if (w) await (await w).terminate();
  }
}
