/**
 * `--draw DIR`: each page of a predicted document as a PNG with its fields boxed and labelled in group colours
 * (the core renderer), over the page image when there is one (a rendered PDF page, the input image; a
 * synthetic corpus document redrawn at full resolution from its seed; a native document's image file), else
 * over a blank page with the words' text. Files are named after the input and a
 * short hash of its path, so two inputs with the same name in different folders never overwrite each other.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { isRedrawable, renderPage } from '../corpus/generate-document.js';
import type { InvoiceDocument } from '../documents/document.js';
import { encodePng } from '../inputs/raster.js';
import { renderFields } from '../render/draw-fields.js';
import type { LabelSchema } from '../schema/label-schema.js';
import type { LoadedInput, PredictionResult } from './predictor.js';
import { pageImageFile } from './page-pixels.js';

/** The file stem drawings of `input` get: its name without extension, then 8 hex digits of its path's hash. */
export function drawingStem(input: string): string {
  const name = basename(input, extname(input)).replace(/[^A-Za-z0-9._-]+/g, '_') || 'document';
  return `${name}-${createHash('sha256').update(resolve(input)).digest('hex').slice(0, 8)}`;
}

/** Draw every page of a prediction into `dir`; returns the files written. */
export async function drawPrediction(
  li: LoadedInput,
  result: PredictionResult,
  dir: string,
  options: { schema: LabelSchema; stem: string; width?: number },
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const doc = li.loaded.document;
  const fields = result.fields.map((f) => ({ ...f, boxes: f.boxes ?? [{ page: f.page, box: f.box }] }));
  const files: string[] = [];
  for (let p = 0; p < doc.pages.length; p++) {
    const raster = li.loaded.pageImages[p]?.raster;
    const file = pageImageFile(doc, p, li.imageRoot);
    const image = raster ? encodePng(raster) : (redrawn(doc, p) ?? (file && existsSync(file) ? file : undefined));
    const rendered = await renderFields(
      { page: doc.pages[p], pageIndex: p, image, words: doc.words, fields },
      {
        schema: options.schema,
        width: options.width ?? 1000,
        title: `${doc.id}: predicted fields (${result.decode}), page ${p + 1}/${doc.pages.length}`,
      },
    );
    const out = join(dir, `${options.stem}-p${p + 1}.png`);
    writeFileSync(out, rendered.png);
    files.push(out);
  }
  return files;
}

/** A corpus document's page drawn again from its seed at twice its page size (undefined for other documents). */
function redrawn(doc: InvoiceDocument, page: number): Buffer | undefined {
  if (!isRedrawable(doc)) return undefined;
  try {
    return renderPage(doc, page, { scale: 2 }).toBuffer('image/png');
  } catch {
    return undefined;
  }
}
