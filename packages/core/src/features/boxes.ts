/**
 * Word boxes in page units -> LayoutLMv3's 0..1000 integer layout coordinates.
 *
 * As the reference processor normalises OCR boxes: int(1000 * coord / page side), truncating. Then, because
 * the model indexes its x/y/width/height tables with these values (a negative width would index out of the
 * table), each coordinate is clipped to 0..1000 (NaN becomes 0) and the corners are ordered so x0 <= x1 and y0 <= y1.
 */
import type { Box } from '../documents/document.js';
import { HybridocError } from '../util/errors.js';

export type LayoutBox = [number, number, number, number];

export const LAYOUT_SCALE = 1000;

export function normalizeBox(box: Box, pageWidth: number, pageHeight: number): LayoutBox {
  if (!(pageWidth > 0) || !(pageHeight > 0)) throw new HybridocError(`page size must be positive, got ${pageWidth} x ${pageHeight}`);
  const n = (v: number, side: number) => {
    const x = Math.trunc((LAYOUT_SCALE * v) / side);
    return Number.isNaN(x) ? 0 : Math.min(LAYOUT_SCALE, Math.max(0, x));
  };
  const x0 = n(box[0], pageWidth);
  const y0 = n(box[1], pageHeight);
  const x1 = n(box[2], pageWidth);
  const y1 = n(box[3], pageHeight);
  return [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
}
