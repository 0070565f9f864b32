/**
 * QR codes on a page image, found with jsQR. jsQR returns one symbol per scan, so each found symbol is painted
 * white and the page scanned again, up to `maxCodes` symbols. jsQR reads nothing when finder patterns of two
 * symbols are in view at once; `exhaustive` then also scans nine overlapping windows of a quarter of the page
 * each (about 2.3 times the work of one full scan, which is some 0.3 s for a 1 megapixel page).
 * Each symbol becomes the word the generator makes for an entity whose carrier is `qr` (config/labels.yaml):
 * its text is the decoded payload, its box the symbol.
 */
import type { Box } from '../documents/document.js';
import { cloneRaster, cropRaster, type Raster } from './raster.js';
import { nativeRequire } from './native-require.js';

const require = nativeRequire(import.meta.url);

interface JsQrPoint {
  x: number;
  y: number;
}
interface JsQrResult {
  data: string;
  location: { topLeftCorner: JsQrPoint; topRightCorner: JsQrPoint; bottomLeftCorner: JsQrPoint; bottomRightCorner: JsQrPoint };
}
type JsQr = (data: Uint8ClampedArray, width: number, height: number, options?: { inversionAttempts?: string }) => JsQrResult | null;

export interface QrCode {
  payload: string;
  /** the symbol's bounding box in raster pixels */
  box: Box;
}

export interface QrScanOptions {
  /** stop after this many symbols (default 8) */
  maxCodes?: number;
  /** also scan overlapping windows, for pages with several symbols (default false) */
  exhaustive?: boolean;
}

/** Every QR symbol jsQR can read on the raster, in the order found. Payloads that decode empty are skipped. */
export function findQrCodes(raster: Raster, options: QrScanOptions = {}): QrCode[] {
  const maxCodes = options.maxCodes ?? 8;
  const out: QrCode[] = [];
  const work = cloneRaster(raster);
  scan(work, 0, 0, work, out, maxCodes);
  if (options.exhaustive) {
    const w = Math.ceil(work.width / 2);
    const h = Math.ceil(work.height / 2);
    for (let ty = 0; ty < 3 && out.length < maxCodes; ty++) {
      for (let tx = 0; tx < 3 && out.length < maxCodes; tx++) {
        const x0 = Math.min(Math.round((tx * work.width) / 4), work.width - w);
        const y0 = Math.min(Math.round((ty * work.height) / 4), work.height - h);
        scan(cropRaster(work, x0, y0, w, h), x0, y0, work, out, maxCodes);
      }
    }
  }
  return out;
}

/** Scan `view` (at offset ox, oy of the page `page`) until nothing more is found; found symbols are blanked on both. */
function scan(view: Raster, ox: number, oy: number, page: Raster, out: QrCode[], maxCodes: number): void {
  const jsQR = require('jsqr') as JsQr;
  while (out.length < maxCodes) {
    const found = jsQR(view.data, view.width, view.height, { inversionAttempts: 'dontInvert' });
    if (!found) return;
    const { topLeftCorner, topRightCorner, bottomLeftCorner, bottomRightCorner } = found.location;
    const pts = [topLeftCorner, topRightCorner, bottomLeftCorner, bottomRightCorner];
    const xs = pts.map((p) => p.x);
    const ys = pts.map((p) => p.y);
    // jsQR's corners are the symbol's outer corners (a rotated symbol gets the box around them)
    const local: Box = [
      Math.max(0, Math.min(...xs)),
      Math.max(0, Math.min(...ys)),
      Math.min(view.width, Math.max(...xs)),
      Math.min(view.height, Math.max(...ys)),
    ];
    if (local[2] - local[0] < 2 || local[3] - local[1] < 2) return;
    const box: Box = [local[0] + ox, local[1] + oy, local[2] + ox, local[3] + oy];
    if (found.data.length > 0) out.push({ payload: found.data, box });
    blank(view, local);
    if (view !== page) blank(page, box);
  }
}

/** Paint a box (grown by 10%) white, so the next scan cannot find the same symbol. */
function blank(r: Raster, box: Box): void {
  const padX = (box[2] - box[0]) * 0.1;
  const padY = (box[3] - box[1]) * 0.1;
  const x0 = Math.max(0, Math.floor(box[0] - padX));
  const y0 = Math.max(0, Math.floor(box[1] - padY));
  const x1 = Math.min(r.width, Math.ceil(box[2] + padX));
  const y1 = Math.min(r.height, Math.ceil(box[3] + padY));
  for (let y = y0; y < y1; y++) r.data.fill(255, (y * r.width + x0) * 4, (y * r.width + x1) * 4);
}
