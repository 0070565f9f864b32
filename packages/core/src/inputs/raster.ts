/**
 * Page rasters: decoded images (PNG, JPEG, WebP, GIF, BMP through @napi-rs/canvas; TIFF through UTIF.js) and
 * rendered PDF pages, as 8-bit RGBA. OCR, QR decoding and page-image files all start from one of these.
 */
import { createCanvas, loadImage, ImageData } from '@napi-rs/canvas';
import { inputError } from '../util/errors.js';
import type { InputKind } from './input-kind.js';
import { MAX_PAGE_AREA } from './validate-document.js';
import { nativeRequire } from './native-require.js';

const require = nativeRequire(import.meta.url);

/** An 8-bit RGBA image, rows top to bottom. */
export interface Raster {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

interface UtifIfd {
  width: number;
  height: number;
  data: Uint8Array;
  [tag: string]: unknown;
}
interface Utif {
  decode(buf: Uint8Array): UtifIfd[];
  decodeImage(buf: Uint8Array, ifd: UtifIfd, ifds?: UtifIfd[]): void;
  toRGBA8(ifd: UtifIfd): Uint8Array;
}

/** Largest pixel side an image page may have (a 2.4 m scan at 600 dpi; the canvas library stops near 32k). */
export const MAX_RASTER_SIDE = 30_000;

export function checkRasterSize(width: number, height: number, file: string, what = 'image'): void {
  if (!(width > 0) || !(height > 0)) throw inputError(file, undefined, `${what} has no pixels (${width} x ${height})`);
  if (width > MAX_RASTER_SIDE || height > MAX_RASTER_SIDE || width * height > MAX_PAGE_AREA) {
    throw inputError(
      file,
      undefined,
      `huge page: ${what} is ${width} x ${height} pixels (limit ${MAX_RASTER_SIDE} per side, ${MAX_PAGE_AREA / 1e6} megapixels)`,
    );
  }
}

/** Decode an image file's bytes into one raster per page (TIFF may hold several pages; the others hold one). */
export async function decodeImagePages(bytes: Uint8Array, kind: InputKind, file: string): Promise<Raster[]> {
  if (kind === 'tiff') return decodeTiff(bytes, file);
  let img;
  try {
    img = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw inputError(file, undefined, `unreadable ${kind.toUpperCase()} image (${(err as Error).message})`);
  }
  checkRasterSize(img.width, img.height, file);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, img.width, img.height);
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  return [{ width: img.width, height: img.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) }];
}

function decodeTiff(bytes: Uint8Array, file: string): Raster[] {
  const UTIF = require('utif') as Utif;
  let ifds: UtifIfd[];
  try {
    ifds = UTIF.decode(bytes);
  } catch (err) {
    throw inputError(file, undefined, `unreadable TIFF image (${(err as Error).message})`);
  }
  // NewSubfileType (tag 254) bit 0 marks reduced-resolution copies (thumbnails): not pages.
  const pages = ifds.filter((ifd) => ifd.t256 !== undefined && !((((ifd.t254 as number[] | undefined)?.[0] ?? 0) & 1) === 1));
  if (pages.length === 0) throw inputError(file, undefined, 'unreadable TIFF image (no image directory)');
  return pages.map((ifd, i) => {
    const w = (ifd.t256 as number[])[0];
    const h = (ifd.t257 as number[] | undefined)?.[0] ?? 0;
    checkRasterSize(w, h, file, `TIFF page ${i + 1}`);
    let rgba: Uint8Array;
    try {
      UTIF.decodeImage(bytes, ifd, ifds);
      rgba = UTIF.toRGBA8(ifd);
    } catch (err) {
      throw inputError(file, undefined, `unreadable TIFF page ${i + 1} (${(err as Error).message})`);
    }
    if (rgba.length !== w * h * 4)
      throw inputError(file, undefined, `unreadable TIFF page ${i + 1} (decoded ${rgba.length} bytes for ${w} x ${h})`);
    return flattenAlpha({ width: w, height: h, data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength) });
  });
}

/** Composite over white so that transparent pixels read as paper. */
function flattenAlpha(r: Raster): Raster {
  const d = r.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    if (a === 255) continue;
    const k = a / 255;
    d[i] = Math.round(d[i] * k + 255 * (1 - k));
    d[i + 1] = Math.round(d[i + 1] * k + 255 * (1 - k));
    d[i + 2] = Math.round(d[i + 2] * k + 255 * (1 - k));
    d[i + 3] = 255;
  }
  return r;
}

/** PNG bytes of a raster (page-image files, and the image handed to the OCR engine). */
export function encodePng(r: Raster): Buffer {
  const canvas = createCanvas(r.width, r.height);
  canvas.getContext('2d').putImageData(new ImageData(r.data, r.width, r.height), 0, 0);
  return canvas.toBuffer('image/png');
}

/** A copy of a raster (QR scanning blanks found symbols in its copy). */
/** The w x h rectangle of r whose top-left pixel is (x0, y0); the rectangle must lie inside r. */
export function cropRaster(r: Raster, x0: number, y0: number, w: number, h: number): Raster {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) data.set(r.data.subarray(((y0 + y) * r.width + x0) * 4, ((y0 + y) * r.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, data };
}

export function cloneRaster(r: Raster): Raster {
  return { width: r.width, height: r.height, data: new Uint8ClampedArray(r.data) };
}
