/**
 * One entry point for every input: `loadDocument(pathOrBuffer)` looks at the content (magic bytes, not the
 * file name) and reads a native JSON document, a PDF or an image into an InvoiceDocument, or throws one
 * HybridocError that names the file. Batch callers catch per file and carry on.
 *
 * A DocumentLoader keeps one OCR worker across many inputs (start-up costs about two seconds); the
 * one-shot `loadDocument` / `loadDocumentWithImages` make a loader, read one input and close it.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InvoiceDocument } from '../documents/document.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError, inputError } from '../util/errors.js';
import { detectInputKind, IMAGE_KINDS } from './input-kind.js';
import { parseNativeDocument } from './native-json.js';
import { OcrEngine, type OcrOptions } from './ocr.js';
import { readPdf } from './pdf.js';
import { readImage } from './image-input.js';
import { encodePng } from './raster.js';
import type { LoadedDocument } from './page-content.js';
import { validateDocument } from './validate-document.js';

export interface DocumentLoaderOptions {
  /** label schema: validates labels of native documents and says whether QR symbols become words */
  schema?: LabelSchema;
  /** read QR symbols into words (default: when the schema has an entity whose carrier is `qr`) */
  detectQr?: boolean;
  /** OCR for images and PDF pages without a text layer (default on); false turns it off */
  ocr?: boolean | OcrOptions;
  /** render PDF pages to images (default true) */
  render?: boolean;
  /** PDF render scale, pixels per point (default 2) */
  renderScale?: number;
  /** PDF render scale for OCR of pages without a text layer (default 3) */
  ocrScale?: number;
  /** refuse inputs with more pages (default 500) */
  maxPages?: number;
  /**
   * write the page images of PDF and TIFF inputs (and of buffers) as PNG files into this folder and point
   * `pages[i].image` at them; PNG/JPEG files read from a path point at themselves without this
   */
  pageImageDir?: string;
}

export interface LoadInputOptions {
  /** the name errors use for a Buffer input (default "<buffer>") */
  name?: string;
  /** document id (default: the file name without extension) */
  id?: string;
  /** user password of an encrypted PDF */
  password?: string;
}

export class DocumentLoader {
  private readonly options: DocumentLoaderOptions;
  private schema: LabelSchema | null = null;
  private ocrEngine: OcrEngine | null = null;

  constructor(options: DocumentLoaderOptions = {}) {
    this.options = options;
  }

  private getSchema(): LabelSchema {
    this.schema ??= this.options.schema ?? loadLabelSchema();
    return this.schema;
  }

  private detectQr(): boolean {
    if (this.options.detectQr !== undefined) return this.options.detectQr;
    return this.getSchema().entities.some((e) => e.carrier.kind === 'qr');
  }

  private ocr(): OcrEngine | null {
    if (this.options.ocr === false) return null;
    this.ocrEngine ??= new OcrEngine(typeof this.options.ocr === 'object' ? this.options.ocr : {});
    return this.ocrEngine;
  }

  /** Read one input (a path or its bytes) into a document and its page images. */
  async load(input: string | Uint8Array, call: LoadInputOptions = {}): Promise<LoadedDocument> {
    const file = typeof input === 'string' ? input : (call.name ?? '<buffer>');
    try {
      return await this.loadUnchecked(input, file, call);
    } catch (err) {
      if (err instanceof HybridocError) throw err;
      throw new HybridocError(`${file}: cannot read (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  }

  private async loadUnchecked(input: string | Uint8Array, file: string, call: LoadInputOptions): Promise<LoadedDocument> {
    let bytes: Uint8Array;
    if (typeof input === 'string') {
      try {
        bytes = await readFile(input);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw inputError(
          file,
          undefined,
          code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? String(err)})`,
        );
      }
    } else bytes = input;
    if (bytes.length === 0) throw inputError(file, undefined, 'empty file (0 bytes)');
    const kind = detectInputKind(bytes);
    if (kind === null)
      throw inputError(file, undefined, 'unsupported content: not a PDF, an image (PNG, JPEG, TIFF, WebP, GIF, BMP) or a JSON document');

    if (kind === 'json') {
      const doc = parseNativeDocument(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), file, {
        schema: this.getSchema(),
      });
      if (call.id) doc.id = call.id;
      return { document: doc, pageImages: doc.pages.map(() => undefined), pageSources: doc.pages.map(() => 'annotation' as const) };
    }

    let loaded: LoadedDocument;
    if (kind === 'pdf') {
      loaded = await readPdf(bytes, file, {
        render: this.options.render,
        renderScale: this.options.renderScale,
        ocrScale: this.options.ocrScale,
        ocr: this.ocr(),
        detectQr: this.detectQr(),
        password: call.password,
        maxPages: this.options.maxPages,
        id: call.id,
      });
    } else if (IMAGE_KINDS.has(kind)) {
      const ocr = this.ocr();
      if (!ocr) throw inputError(file, undefined, `${kind.toUpperCase()} image needs OCR, which is off`);
      loaded = await readImage(bytes, kind, file, { ocr, detectQr: this.detectQr(), id: call.id, maxPages: this.options.maxPages });
    } else throw inputError(file, undefined, `unsupported content (${kind})`);

    if (loaded.document.words.length === 0) {
      throw inputError(
        file,
        undefined,
        kind === 'pdf' ? 'empty PDF: no words (no text layer, and OCR read no text)' : 'zero words: OCR read no text',
      );
    }
    await this.attachPageImages(loaded, input, kind, file);
    validateDocument(loaded.document, file, { schema: this.getSchema() });
    return loaded;
  }

  private async attachPageImages(loaded: LoadedDocument, input: string | Uint8Array, kind: string, file: string): Promise<void> {
    const { document, pageImages } = loaded;
    if (typeof input === 'string' && (kind === 'png' || kind === 'jpeg') && document.pages.length === 1) {
      document.pages[0].image = resolve(input);
      return;
    }
    const dir = this.options.pageImageDir;
    if (!dir) return;
    await mkdir(dir, { recursive: true });
    const stem = document.id.replace(/[^A-Za-z0-9._-]+/g, '_') || 'document';
    for (let p = 0; p < document.pages.length; p++) {
      const img = pageImages[p];
      if (!img) continue;
      const path = resolve(join(dir, `${stem}-p${p + 1}.png`));
      try {
        await writeFile(path, encodePng(img.raster));
      } catch (err) {
        throw inputError(file, undefined, `cannot write page image ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
      document.pages[p].image = path;
    }
  }

  /** End the OCR worker thread (a live one keeps the process running). */
  async close(): Promise<void> {
    const engine = this.ocrEngine;
    this.ocrEngine = null;
    if (engine) await engine.close();
  }
}

/** Read one input into a document with its page images, with a loader made for the call. */
export async function loadDocumentWithImages(
  input: string | Uint8Array,
  options: DocumentLoaderOptions & LoadInputOptions = {},
): Promise<LoadedDocument> {
  const loader = new DocumentLoader(options);
  try {
    return await loader.load(input, options);
  } finally {
    await loader.close();
  }
}

/** Read one input (path or bytes; PDF, image or native JSON, told apart by content) into an InvoiceDocument. */
export async function loadDocument(
  input: string | Uint8Array,
  options: DocumentLoaderOptions & LoadInputOptions = {},
): Promise<InvoiceDocument> {
  return (await loadDocumentWithImages(input, options)).document;
}
