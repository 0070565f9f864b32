/** The last steps every importer shares: the page size, the image path, building and validating the document. */
import { relative, resolve } from 'node:path';
import type { InvoiceDocument } from '../../documents/document.js';
import { validateDocument } from '../validate-document.js';
import { imageSize } from './dataset-files.js';
import type { ImportContext } from './import-item.js';
import { segmentsToDocument, type Segment, type SegmentDocumentInput } from './segments.js';

export interface PageSize {
  width: number;
  height: number;
  /** where the size came from: the annotation, the image file's header, or the extent of the boxes */
  from: 'annotation' | 'image' | 'boxes';
}

/** The annotation's own size when it has one, else the image's, else the extent of the boxes. */
export async function pageSizeFor(
  annotated: { width: number; height: number } | null,
  image: string | undefined,
  segments: Segment[],
): Promise<PageSize> {
  if (annotated) return { ...annotated, from: 'annotation' };
  if (image) {
    const size = await imageSize(image);
    if (size && size.width > 0 && size.height > 0) return { ...size, from: 'image' };
  }
  let w = 1;
  let h = 1;
  for (const s of segments) {
    for (const word of s.words) {
      w = Math.max(w, word.box[0], word.box[2]);
      h = Math.max(h, word.box[1], word.box[3]);
    }
  }
  return { width: Math.ceil(w), height: Math.ceil(h), from: 'boxes' };
}

/** Segments -> a validated native document (labels checked against the schema, BIO order included). */
export function buildDocument(
  ctx: ImportContext,
  file: string,
  input: Omit<SegmentDocumentInput, 'image'> & { image?: string },
): InvoiceDocument {
  const image =
    input.image === undefined ? undefined : ctx.imageBase ? relative(ctx.imageBase, resolve(input.image)) : resolve(input.image);
  const doc = segmentsToDocument({
    ...input,
    image,
    meta: { format: ctx.map.format, source: relative(ctx.dir, file) || file, ...input.meta },
  });
  return validateDocument(doc, file, { schema: ctx.schema });
}
