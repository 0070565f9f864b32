/**
 * Page images -> LayoutLMv3 pixel values: [3, size, size] float32, RGB, channels first.
 *
 * As LayoutLMv3ImageProcessor does it: resize to size x size ignoring the aspect ratio with PIL's BILINEAR
 * resampler (antialiased: a triangle filter widened by the scale factor when shrinking, 8-bit fixed-point
 * weights, rounded to uint8 after each pass), then x / 255, then (x - 0.5) / 0.5 (mean = std = 0.5 per channel),
 * giving values in [-1, 1]. `resizeBilinearPil` reproduces PIL's Resample.c integer arithmetic, so the pixels
 * match PIL (tests/features/page-image.test.ts checks against a fixture made by Pillow 9.4).
 * PNG decoding is @napi-rs/canvas; a transparent pixel is read as its colour over white (PIL's convert("RGB")
 * would keep the colour stored under it; the corpus pages are opaque, so this never applies there).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { InvoiceDocument } from '../documents/document.js';
import { HybridocError } from '../util/errors.js';

export const IMAGE_MEAN = [0.5, 0.5, 0.5] as const;
export const IMAGE_STD = [0.5, 0.5, 0.5] as const;
const RESCALE = 0.00392156862745098; // 1 / 255, as the reference writes it

export interface RgbImage {
  width: number;
  height: number;
  /** interleaved RGB, width * height * 3 */
  data: Uint8Array;
}

/** Decode an image file (PNG, JPEG, ...) to 8-bit RGB. */
export async function readRgbImage(path: string): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new HybridocError(`${path}: cannot read page image (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let img;
  try {
    img = await loadImage(bytes);
  } catch (err) {
    throw new HybridocError(`${path}: cannot decode page image (${(err as Error).message})`);
  }
  const { width, height } = img;
  if (!(width > 0) || !(height > 0)) throw new HybridocError(`${path}: page image has no pixels`);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(img, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = rgba[i];
    data[j + 1] = rgba[i + 1];
    data[j + 2] = rgba[i + 2];
  }
  return { width, height, data };
}

const PRECISION_BITS = 32 - 8 - 2;

/** PIL's precompute_coeffs for the bilinear (triangle, support 1) filter, normalised to fixed point. */
function coefficients(inSize: number, outSize: number): { bounds: Int32Array; weights: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1.0 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1.0 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : k[x];
      weights[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, weights, ksize };
}

const clip8 = (v: number) => {
  const x = v >> PRECISION_BITS;
  return x < 0 ? 0 : x > 255 ? 255 : x;
};

/** Resize 8-bit RGB exactly as PIL's Image.resize(size, Image.BILINEAR) does (horizontal pass, then vertical). */
export function resizeBilinearPil(src: RgbImage, outW: number, outH: number): RgbImage {
  if (src.width === outW && src.height === outH) return { width: outW, height: outH, data: src.data.slice() };
  const horiz = coefficients(src.width, outW);
  const vert = coefficients(src.height, outH);
  const needH = outW !== src.width;
  const needV = outH !== src.height;
  let cur = src;
  let vbounds = vert.bounds;
  if (needH) {
    // Only the source rows the vertical pass reads (PIL's ybox), shifting the vertical bounds to match.
    const yFirst = vert.bounds[0];
    const yLast = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];
    const rows = needV ? yLast - yFirst : src.height;
    const off = needV ? yFirst : 0;
    if (needV) vbounds = vert.bounds.map((b, i) => (i % 2 === 0 ? b - yFirst : b));
    const out = new Uint8Array(outW * rows * 3);
    for (let y = 0; y < rows; y++) {
      const row = (y + off) * src.width * 3;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = horiz.bounds[xx * 2];
        const xmax = horiz.bounds[xx * 2 + 1];
        const kb = xx * horiz.ksize;
        let s0 = 1 << (PRECISION_BITS - 1);
        let s1 = s0;
        let s2 = s0;
        for (let x = 0; x < xmax; x++) {
          const w = horiz.weights[kb + x];
          const i = row + (x + xmin) * 3;
          s0 += cur.data[i] * w;
          s1 += cur.data[i + 1] * w;
          s2 += cur.data[i + 2] * w;
        }
        const o = (y * outW + xx) * 3;
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
      }
    }
    cur = { width: outW, height: rows, data: out };
  }
  if (needV) {
    const out = new Uint8Array(cur.width * outH * 3);
    for (let yy = 0; yy < outH; yy++) {
      const ymin = vbounds[yy * 2];
      const ymax = vbounds[yy * 2 + 1];
      const kb = yy * vert.ksize;
      for (let xx = 0; xx < cur.width; xx++) {
        let s0 = 1 << (PRECISION_BITS - 1);
        let s1 = s0;
        let s2 = s0;
        for (let y = 0; y < ymax; y++) {
          const w = vert.weights[kb + y];
          const i = ((y + ymin) * cur.width + xx) * 3;
          s0 += cur.data[i] * w;
          s1 += cur.data[i + 1] * w;
          s2 += cur.data[i + 2] * w;
        }
        const o = (yy * cur.width + xx) * 3;
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
      }
    }
    cur = { width: cur.width, height: outH, data: out };
  }
  return cur;
}

/** 8-bit RGB (already size x size) -> [3, size, size] float32: x / 255, then (x - mean) / std per channel. */
export function normalizeToPixelValues(img: RgbImage, out: Float32Array = new Float32Array(3 * img.width * img.height)): Float32Array {
  const plane = img.width * img.height;
  if (out.length < 3 * plane) throw new HybridocError(`pixel buffer holds ${out.length} values, need ${3 * plane}`);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(IMAGE_MEAN[c]);
    const std = Math.fround(IMAGE_STD[c]);
    for (let p = 0; p < plane; p++) {
      const x = Math.fround(img.data[p * 3 + c] * RESCALE);
      out[c * plane + p] = Math.fround((x - mean) / std);
    }
  }
  return out;
}

/** Load one page image file as LayoutLMv3 pixel values [3, size, size]. */
export async function loadPageImage(path: string, size: number): Promise<Float32Array> {
  if (!Number.isInteger(size) || size < 1) throw new HybridocError(`image size must be a positive integer, got ${size}`);
  return normalizeToPixelValues(resizeBilinearPil(await readRgbImage(path), size, size));
}

/** Where a page's image lives: its `image` path, relative to `root` unless absolute. */
export function pageImagePath(doc: InvoiceDocument, page: number, root: string): string {
  const p = doc.pages[page];
  if (!p) throw new HybridocError(`${doc.id}: pages[${page}] does not exist`);
  if (!p.image)
    throw new HybridocError(`${doc.id}: pages[${page}].image: the page has no image (needed by a model with the visual branch)`);
  return isAbsolute(p.image) ? p.image : join(root, p.image);
}

/** Pixel values for every page of a document, index = page index (windows select theirs by `window.page`). */
export async function loadDocumentPageImages(doc: InvoiceDocument, root: string, size: number): Promise<Float32Array[]> {
  const paths = doc.pages.map((_, i) => pageImagePath(doc, i, root));
  const out: Float32Array[] = [];
  for (const p of paths) out.push(await loadPageImage(p, size));
  return out;
}
