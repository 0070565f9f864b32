/**
 * The page images a model with a visual branch reads, one per page, as LayoutLMv3 pixel values: from the
 * raster a reader decoded or rendered (PDF pages, images), else from the page's `image` file (native
 * documents; a relative path is taken from `imageRoot`, the document file's folder), else a blank white page,
 * which the prediction reports as a warning: the text and layout still count, the visual branch sees paper.
 */
import { isAbsolute, join } from 'node:path';
import type { InvoiceDocument } from '../documents/document.js';
import { loadPageImage, normalizeToPixelValues, resizeBilinearPil, type RgbImage } from '../features/page-image.js';
import type { PageImage } from '../inputs/page-content.js';
import type { Raster } from '../inputs/raster.js';

/** RGBA raster -> RGB, composited over white. */
export function rasterToRgb(r: Raster): RgbImage {
  const n = r.width * r.height;
  const data = new Uint8Array(n * 3);
  const d = r.data;
  for (let p = 0; p < n; p++) {
    const a = d[p * 4 + 3];
    for (let c = 0; c < 3; c++) {
      const v = d[p * 4 + c];
      data[p * 3 + c] = a === 255 ? v : Math.round((v * a + 255 * (255 - a)) / 255);
    }
  }
  return { width: r.width, height: r.height, data };
}

/** Pixel values of a blank white page. */
export function blankPagePixels(size: number): Float32Array {
  return new Float32Array(3 * size * size).fill(1);
}

/** Where a page's image file is, when it has one (a relative path needs `imageRoot`). */
export function pageImageFile(doc: InvoiceDocument, page: number, imageRoot: string | undefined): string | undefined {
  const img = doc.pages[page]?.image;
  if (!img) return undefined;
  if (isAbsolute(img)) return img;
  return imageRoot === undefined ? undefined : join(imageRoot, img);
}

/** Pixel values [3, size, size] per page, and the pages that had no image. */
export async function documentPagePixels(
  doc: InvoiceDocument,
  size: number,
  options: { pageImages?: ReadonlyArray<PageImage | undefined>; imageRoot?: string } = {},
): Promise<{ pixels: Float32Array[]; blankPages: number[] }> {
  const pixels: Float32Array[] = [];
  const blankPages: number[] = [];
  for (let p = 0; p < doc.pages.length; p++) {
    const raster = options.pageImages?.[p]?.raster;
    const file = pageImageFile(doc, p, options.imageRoot);
    if (raster) pixels.push(normalizeToPixelValues(resizeBilinearPil(rasterToRgb(raster), size, size)));
    else if (file) pixels.push(await loadPageImage(file, size));
    else {
      pixels.push(blankPagePixels(size));
      blankPages.push(p);
    }
  }
  return { pixels, blankPages };
}
